//! What a Markdown checklist cannot say, given beside it: each section's
//! gate, item ids, the template's name, criteria and policy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::health::RollbackCriterion;
use crate::policy::Policy;
use crate::stage::{Gate, Stage};

/// How to read a Markdown checklist whose annotations do not say
/// everything: gates and id prefixes by section title, ids and gates by
/// item title, the template's name, its rollback criteria and its policy.
///
/// An annotation in the Markdown wins over the map; the map wins over what
/// is derived (an id made from the section and the title). Titles are
/// matched as written, without the "(if applicable)" marker.
///
/// ```
/// use release_workflow::{Gate, Template, checklist::MarkdownImport};
///
/// let markdown = "# Mobile app\n\n## Store\n\n- [ ] App store review passed\n- [ ] Screenshots updated (if needed)\n";
/// let map = MarkdownImport::new().with_section("Store", Gate::Deploy);
/// let template = Template::from_markdown(markdown, &map)?;
/// assert_eq!(template.items()[0].id().as_str(), "store.app-store-review-passed");
/// assert_eq!(template.items()[1].title(), "Screenshots updated");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkdownImport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    sections: BTreeMap<String, SectionMap>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    items: BTreeMap<String, ItemMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    criteria: Option<Vec<RollbackCriterion>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    health_check_on_verify: Option<bool>,
}

/// What the map says of one section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gate: Option<Gate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prefix: Option<String>,
}

/// What the map says of one item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gate: Option<Gate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) settled_on_entering: Option<Stage>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) restoration: bool,
}

impl MarkdownImport {
    /// A map that says nothing: the Markdown's annotations say it all.
    pub fn new() -> MarkdownImport {
        MarkdownImport::default()
    }

    /// The map of the OctoAcme checklist as its source document is
    /// written (`tests/fixtures/release-management-checklist.md`): it
    /// imports to [`Template::octoacme`](crate::Template::octoacme).
    ///
    /// | gate | sections |
    /// |---|---|
    /// | freeze | Release Planning; the items "All planned features completed and merged" and "Code freeze initiated" |
    /// | deploy | Code & Build Readiness; Testing & Quality Assurance; Documentation; Environment Preparation; Pre-Deployment |
    /// | verify | Deployment Execution |
    /// | release | Post-Deployment Verification |
    /// | post-release | Communication; Monitoring & Support; Documentation & Closure |
    /// | rollback | Rollback Checklist |
    ///
    /// "Rollback decision made and communicated" is settled on entering
    /// rolled-back, and "Previous version redeployed" is the restoration
    /// item. The item ids are the built-in template's (ids are names, which
    /// no document spells); the name, criteria and policy are the built-in
    /// ones.
    pub fn octoacme() -> MarkdownImport {
        use Gate::{Deploy, Freeze, PostRelease, Release, Rollback, Verify};
        let sections = [
            ("Release Planning", Freeze),
            ("Code & Build Readiness", Deploy),
            ("Testing & Quality Assurance", Deploy),
            ("Documentation", Deploy),
            ("Environment Preparation", Deploy),
            ("Pre-Deployment", Deploy),
            ("Deployment Execution", Verify),
            ("Post-Deployment Verification", Release),
            ("Communication", PostRelease),
            ("Monitoring & Support", PostRelease),
            ("Documentation & Closure", PostRelease),
            ("Rollback Checklist", Rollback),
        ];
        let built_in = crate::checklist::Template::octoacme();
        let mut map = sections
            .into_iter()
            .fold(MarkdownImport::new().with_name(crate::checklist::OCTOACME_NAME), |map, (section, gate)| {
                map.with_section(section, gate)
            })
            .with_item_gate("All planned features completed and merged", Freeze)
            .with_item_gate("Code freeze initiated", Freeze)
            .with_settled_on_entering("Rollback decision made and communicated", Stage::RolledBack)
            .with_restoration("Previous version redeployed")
            .with_criteria(built_in.criteria().to_vec());
        if let Some(policy) = built_in.policy() {
            map = map.with_policy(policy.clone());
        }
        map = map.with_health_check_on_verify(built_in.checks_health_on_verify());
        built_in.items().iter().fold(map, |map, item| map.with_item_id(item.title(), item.id().as_str()))
    }

    /// Names the template, instead of the Markdown's `# Title`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> MarkdownImport {
        self.name = Some(name.into());
        self
    }

    /// The gate of the items of the section titled `section`.
    #[must_use]
    pub fn with_section(mut self, section: impl Into<String>, gate: Gate) -> MarkdownImport {
        self.sections.entry(section.into()).or_default().gate = Some(gate);
        self
    }

    /// The id prefix of the items of the section titled `section` whose id
    /// is derived (`prefix.title-in-kebab-case`); the section title in
    /// kebab case otherwise.
    #[must_use]
    pub fn with_section_prefix(
        mut self,
        section: impl Into<String>,
        prefix: impl Into<String>,
    ) -> MarkdownImport {
        self.sections.entry(section.into()).or_default().prefix = Some(prefix.into());
        self
    }

    /// The id of the item titled `title`.
    #[must_use]
    pub fn with_item_id(mut self, title: impl Into<String>, id: impl Into<String>) -> MarkdownImport {
        self.items.entry(title.into()).or_default().id = Some(id.into());
        self
    }

    /// The gate of the item titled `title`, instead of its section's.
    #[must_use]
    pub fn with_item_gate(mut self, title: impl Into<String>, gate: Gate) -> MarkdownImport {
        self.items.entry(title.into()).or_default().gate = Some(gate);
        self
    }

    /// The item titled `title` is settled by the workflow when a release
    /// enters `stage`.
    #[must_use]
    pub fn with_settled_on_entering(mut self, title: impl Into<String>, stage: Stage) -> MarkdownImport {
        self.items.entry(title.into()).or_default().settled_on_entering = Some(stage);
        self
    }

    /// The item titled `title` marks service restored after a rollback;
    /// see [`Template::with_restoration`](crate::Template::with_restoration).
    #[must_use]
    pub fn with_restoration(mut self, title: impl Into<String>) -> MarkdownImport {
        self.items.entry(title.into()).or_default().restoration = true;
        self
    }

    /// The template's rollback criteria. A Markdown settings block giving
    /// criteria too is refused.
    #[must_use]
    pub fn with_criteria(mut self, criteria: Vec<RollbackCriterion>) -> MarkdownImport {
        self.criteria = Some(criteria);
        self
    }

    /// The template's policy. A Markdown settings block giving a policy too
    /// is refused.
    #[must_use]
    pub fn with_policy(mut self, policy: Policy) -> MarkdownImport {
        self.policy = Some(policy);
        self
    }

    /// Whether a roll-back verdict blocks the verify gate; see
    /// [`Template::with_health_check_on_verify`](crate::Template::with_health_check_on_verify).
    /// A Markdown settings block saying so too is refused.
    #[must_use]
    pub fn with_health_check_on_verify(mut self, check: bool) -> MarkdownImport {
        self.health_check_on_verify = Some(check);
        self
    }

    pub(crate) fn given_health_check_on_verify(&self) -> Option<bool> {
        self.health_check_on_verify
    }

    pub(crate) fn template_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn section_map(&self, section: &str) -> Option<&SectionMap> {
        self.sections.get(section)
    }

    pub(crate) fn item_map(&self, title: &str) -> Option<&ItemMap> {
        self.items.get(title)
    }

    pub(crate) fn given_criteria(&self) -> Option<&[RollbackCriterion]> {
        self.criteria.as_deref()
    }

    pub(crate) fn given_policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }
}
