//! A checklist as data: ordered sections of items, validated on every path.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::checklist::error::TemplateError;
use crate::checklist::item::{Item, ItemId, Requirement};
use crate::digest::Digest;
use crate::health::{RollbackCriterion, Signal};
use crate::memo::Memo;
use crate::policy::Policy;
use crate::stage::{Gate, Stage};
use crate::text::{MAX_TITLE_CHARS, check_line};

/// A release checklist held as data.
///
/// A template has a name, an ordered list of section titles and the items of
/// those sections, kept section by section in the order given. Every way of
/// making one validates it, deserialization included:
///
/// - the name and every section title is one non-empty line;
/// - every item id is well formed and appears once;
/// - every item names a declared section, and every section has an item;
/// - items are listed section by section, in the order the sections are
///   declared.
///
/// [`Template::octoacme`] is the built-in OctoAcme checklist. A team builds
/// its own in code with [`Template::builder`], or loads one with serde from
/// JSON, TOML or any other format:
///
/// ```
/// use release_workflow::{Gate, Template};
///
/// let template = Template::builder("Mobile app")
///     .section("Planning")
///     .item("planning.scope-agreed", "Scope agreed with product", Gate::Freeze)
///     .section("Store")
///     .item("store.review-passed", "App store review passed", Gate::Deploy)
///     .item_if_applicable("store.screenshots", "Screenshots updated", Gate::Deploy)
///     .build()?;
/// assert_eq!(template.items().len(), 3);
/// assert_eq!(template.sections(), ["Planning", "Store"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TemplateFields")]
pub struct Template {
    name: String,
    sections: Vec<String>,
    items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    criteria: Vec<RollbackCriterion>,
    /// Who may do what; `None` for a checklist anyone may work, as every
    /// checklist before policies was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy: Option<Policy>,
    /// The rollback item whose settling marks service restored on the
    /// previous version; `None` when the rollback itself restores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restoration: Option<ItemId>,
    /// Whether a roll-back verdict also blocks `Deploying` → `Verifying`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    health_check_on_verify: bool,
    /// Computed on first use: a template never changes once made.
    #[serde(skip)]
    fingerprint: Memo<Digest>,
    /// Each item's position by id, built on first use: every event about
    /// an item looks it up, and a governed one looks twice.
    #[serde(skip)]
    positions: Memo<HashMap<ItemId, usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFields {
    name: String,
    sections: Vec<String>,
    items: Vec<Item>,
    #[serde(default)]
    criteria: Vec<RollbackCriterion>,
    #[serde(default)]
    policy: Option<Policy>,
    #[serde(default)]
    restoration: Option<ItemId>,
    #[serde(default)]
    health_check_on_verify: bool,
}

impl TryFrom<TemplateFields> for Template {
    type Error = TemplateError;

    fn try_from(fields: TemplateFields) -> Result<Self, TemplateError> {
        let template = Template::new(fields.name, fields.sections, fields.items)?.completed_with(
            fields.criteria,
            fields.policy,
            fields.restoration,
        )?;
        Ok(template.with_health_check_on_verify(fields.health_check_on_verify))
    }
}

impl Template {
    /// A template from its parts, validated.
    ///
    /// # Errors
    ///
    /// [`TemplateError::InvalidTemplate`] for a bad name, a bad, repeated or empty
    /// section; [`TemplateError::InvalidItem`] naming the first item that repeats an
    /// id, names an undeclared section, or is out of section order.
    pub fn new(
        name: impl Into<String>,
        sections: Vec<String>,
        items: Vec<Item>,
    ) -> Result<Template, TemplateError> {
        let template = Template {
            name: name.into(),
            sections,
            items,
            criteria: Vec::new(),
            policy: None,
            restoration: None,
            health_check_on_verify: false,
            fingerprint: Memo::default(),
            positions: Memo::default(),
        };
        template.validate()?;
        Ok(template)
    }

    /// The same checklist with `criteria` as its rollback criteria, replacing
    /// any it had. To extend the built-in ones, start from
    /// [`criteria`](Template::criteria):
    ///
    /// ```
    /// use release_workflow::{Template, health::{CriterionKind, RollbackCriterion, Severity, Threshold}};
    ///
    /// let mut criteria = Template::octoacme().criteria().to_vec();
    /// criteria.push(RollbackCriterion::threshold(
    ///     "queue-depth",
    ///     "Order queue backing up",
    ///     CriterionKind::Custom,
    ///     Threshold::above("order_queue_depth", 10_000.0)?,
    ///     Severity::Warning,
    /// )?);
    /// let template = Template::octoacme().with_criteria(criteria)?;
    /// assert_eq!(template.criteria().len(), 6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TemplateError::DuplicateCriterion`] naming a criterion id given twice.
    pub fn with_criteria(mut self, criteria: Vec<RollbackCriterion>) -> Result<Template, TemplateError> {
        let mut seen = HashSet::with_capacity(criteria.len());
        if let Some(repeated) = criteria.iter().find(|criterion| !seen.insert(criterion.id().as_str())) {
            return Err(TemplateError::DuplicateCriterion { criterion: repeated.id().to_string() });
        }
        self.criteria = criteria;
        self.fingerprint = Memo::default();
        Ok(self)
    }

    /// The same checklist governed by `policy`, replacing any it had: who
    /// may do what on its releases, the approvals its gates need, its
    /// change windows.
    ///
    /// ```
    /// use release_workflow::{Gate, Role, Template, policy::{Action, Policy, Scope}};
    ///
    /// let policy = Policy::builder()
    ///     .role(Role::RELEASE_MANAGER, "Owns the release")
    ///     .allow(Action::Complete, Scope::Everything, [Role::RELEASE_MANAGER])
    ///     .allow(Action::Advance, Scope::Everything, [Role::RELEASE_MANAGER])
    ///     .build()?;
    /// let template = Template::builder("Small")
    ///     .section("Ship")
    ///     .item("ship.tested", "Tested", Gate::Deploy)
    ///     .build()?
    ///     .with_policy(policy)?;
    /// assert!(template.policy().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TemplateError::Policy`] when the policy names an item or section
    /// the checklist lacks, leaves an item that no role may settle, or a
    /// gate that no role may pass.
    pub fn with_policy(mut self, policy: Policy) -> Result<Template, TemplateError> {
        policy.validate_for(&self.items, &self.sections)?;
        self.policy = Some(policy);
        self.fingerprint = Memo::default();
        Ok(self)
    }

    /// The same checklist with no policy: anyone may do anything, as on
    /// releases planned before policies. (To read logs planned with the
    /// OctoAcme checklist of version 0.2, trust
    /// [`Template::octoacme_0_2`].)
    pub fn without_policy(mut self) -> Template {
        self.policy = None;
        self.fingerprint = Memo::default();
        self
    }

    /// Who may do what on the checklist's releases, if it says.
    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// The same checklist with `item` as its restoration item: the rollback
    /// item whose settling marks service restored on the previous version.
    /// The recovery-time metric ends a rolled-back deployment's failure
    /// there; a template without one counts service restored at the
    /// rollback itself.
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// let octoacme = Template::octoacme();
    /// let restoration = octoacme.restoration().ok_or("OctoAcme declares one")?;
    /// assert_eq!(restoration.title(), "Previous version redeployed");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`TemplateError::InvalidItem`] when the template has no such item,
    /// or the item does not guard the rollback gate.
    pub fn with_restoration(mut self, item: &str) -> Result<Template, TemplateError> {
        let Some(found) = self.item(item) else {
            let similar: Vec<String> = self.similar_ids(item).iter().map(ToString::to_string).collect();
            let hint = crate::text::did_you_mean(&similar, "name one of its rollback items");
            return Err(TemplateError::InvalidItem {
                item: crate::text::shorten(item),
                problem: format!("is named as the restoration item, but the template has no such item{hint}"),
            });
        };
        if found.gate() != Gate::Rollback {
            return Err(TemplateError::InvalidItem {
                item: found.id().to_string(),
                problem: format!(
                    "is named as the restoration item but guards the {} gate: only a rollback item \
                     marks service restored",
                    found.gate()
                ),
            });
        }
        self.restoration = Some(found.id().clone());
        self.fingerprint = Memo::default();
        Ok(self)
    }

    /// The rollback item whose settling marks service restored, if the
    /// template declares one; see [`with_restoration`](Template::with_restoration).
    pub fn restoration(&self) -> Option<&Item> {
        self.restoration.as_ref().and_then(|id| self.item(id.as_str()))
    }

    /// The same checklist, with `Deploying` → `Verifying` blocked while
    /// the verdict says roll back when `check` is true (as Argo Rollouts
    /// aborts a rollout whose analysis fails): nobody spends the verify
    /// stage on a release its own criteria condemn. An inconclusive
    /// verdict does not block it — a person decides before `Released`,
    /// where the health gate always stands.
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// assert!(Template::octoacme().checks_health_on_verify());
    /// assert!(!Template::octoacme().with_health_check_on_verify(false).checks_health_on_verify());
    /// ```
    #[must_use]
    pub fn with_health_check_on_verify(mut self, check: bool) -> Template {
        if self.health_check_on_verify != check {
            self.health_check_on_verify = check;
            self.fingerprint = Memo::default();
        }
        self
    }

    /// Whether a roll-back verdict blocks `Deploying` → `Verifying`; see
    /// [`with_health_check_on_verify`](Template::with_health_check_on_verify).
    pub fn checks_health_on_verify(&self) -> bool {
        self.health_check_on_verify
    }

    /// Adds what is checked against the items: criteria, then the policy,
    /// then the restoration item.
    pub(crate) fn completed_with(
        self,
        criteria: Vec<RollbackCriterion>,
        policy: Option<Policy>,
        restoration: Option<ItemId>,
    ) -> Result<Template, TemplateError> {
        let mut template = self.with_criteria(criteria)?;
        if let Some(policy) = policy {
            template = template.with_policy(policy)?;
        }
        match restoration {
            Some(item) => template.with_restoration(item.as_str()),
            None => Ok(template),
        }
    }

    /// Starts a template built in code; see [`TemplateBuilder`].
    pub fn builder(name: impl Into<String>) -> TemplateBuilder {
        TemplateBuilder {
            name: name.into(),
            sections: Vec::new(),
            items: Vec::new(),
            criteria: Vec::new(),
            policy: None,
            restoration: None,
            health_check_on_verify: false,
            first_error: None,
        }
    }

    fn validate(&self) -> Result<(), TemplateError> {
        let template_problem = |problem: String| TemplateError::InvalidTemplate {
            template: crate::text::shorten(&self.name),
            problem,
        };
        check_line("template name", &self.name, MAX_TITLE_CHARS)
            .map_err(|e| template_problem(e.to_string()))?;
        if self.items.is_empty() {
            return Err(template_problem("has no items: a checklist needs at least one".into()));
        }
        // Each section's position, and how many items it has: one pass
        // over the sections and one over the items keeps validation linear.
        let mut sections: HashMap<&str, (usize, usize)> = HashMap::with_capacity(self.sections.len());
        for (position, section) in self.sections.iter().enumerate() {
            check_line("section title", section, MAX_TITLE_CHARS)
                .map_err(|e| template_problem(e.to_string()))?;
            if sections.insert(section, (position, 0)).is_some() {
                return Err(template_problem(format!("declares section \"{section}\" twice")));
            }
        }
        let mut seen = HashSet::with_capacity(self.items.len());
        let mut current_section = 0;
        for item in &self.items {
            let item_problem =
                |problem: String| TemplateError::InvalidItem { item: item.id().to_string(), problem };
            item.validate()?;
            if !seen.insert(item.id().as_str()) {
                return Err(item_problem("appears twice: item ids must be unique".into()));
            }
            let Some((section, count)) = sections.get_mut(item.section()) else {
                return Err(item_problem(format!(
                    "names section \"{}\", which the template does not declare (declared: {})",
                    item.section(),
                    quoted_list(&self.sections)
                )));
            };
            if *section < current_section {
                return Err(item_problem(format!(
                    "belongs to section \"{}\" but is listed after items of a later section; \
                     list items section by section",
                    item.section()
                )));
            }
            current_section = *section;
            *count += 1;
        }
        if let Some(empty) =
            self.sections.iter().find(|section| sections.get(section.as_str()).is_some_and(|(_, n)| *n == 0))
        {
            return Err(template_problem(format!("declares section \"{empty}\" but gives it no items")));
        }
        Ok(())
    }

    /// What a plan that names its checklist by fingerprint shows as its
    /// checklist until a reader resolves it: no sections, no items. No
    /// release is ever replayed against it: replay resolves the name first
    /// or refuses the log.
    pub(crate) fn unresolved() -> &'static Template {
        static UNRESOLVED: std::sync::LazyLock<Template> = std::sync::LazyLock::new(|| Template {
            name: "unresolved checklist".to_owned(),
            sections: Vec::new(),
            items: Vec::new(),
            criteria: Vec::new(),
            policy: None,
            restoration: None,
            health_check_on_verify: false,
            fingerprint: Memo::default(),
            positions: Memo::default(),
        });
        &UNRESOLVED
    }

    /// The fingerprint, computed once per template.
    pub(crate) fn cached_fingerprint(&self, compute: impl FnOnce() -> Digest) -> Digest {
        *self.fingerprint.get_or(compute)
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The section titles, in order.
    pub fn sections(&self) -> &[String] {
        &self.sections
    }

    /// Every item, section by section.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item with this id, if the template has it.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.position(id).and_then(|index| self.items.get(index))
    }

    /// The rollback criteria, in order.
    pub fn criteria(&self) -> &[RollbackCriterion] {
        &self.criteria
    }

    /// The criterion with this id, if the template has it.
    pub fn criterion(&self, id: &str) -> Option<&RollbackCriterion> {
        self.criteria.iter().find(|criterion| criterion.id().as_str() == id)
    }

    /// Whether some threshold criterion watches `signal`.
    pub fn watches(&self, signal: &Signal) -> bool {
        self.criteria
            .iter()
            .filter_map(RollbackCriterion::as_threshold)
            .any(|threshold| threshold.signal() == signal)
    }

    /// The signals the threshold criteria watch, each once, in criterion
    /// order.
    pub fn signals(&self) -> Vec<&Signal> {
        let mut signals: Vec<&Signal> = Vec::new();
        for threshold in self.criteria.iter().filter_map(RollbackCriterion::as_threshold) {
            if !signals.contains(&threshold.signal()) {
                signals.push(threshold.signal());
            }
        }
        signals
    }

    /// The position of the item with this id in [`items`](Template::items).
    pub fn position(&self, id: &str) -> Option<usize> {
        let positions = self.positions.get_or(|| {
            self.items.iter().enumerate().map(|(index, item)| (item.id().clone(), index)).collect()
        });
        positions.get(id).copied()
    }

    /// The items that guard `gate`, in checklist order.
    pub fn gate_items(&self, gate: Gate) -> impl Iterator<Item = &Item> + '_ {
        self.items.iter().filter(move |item| item.gate() == gate)
    }

    /// The items of the section with this title, in checklist order.
    pub fn section_items<'a>(&'a self, section: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |item| item.section() == section)
    }

    /// The ids closest to `id`, for "did you mean" hints; at most three.
    pub(crate) fn similar_ids(&self, id: &str) -> Vec<ItemId> {
        crate::text::closest(id, self.items.iter().map(Item::id)).into_iter().cloned().collect()
    }
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|name| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Template {
    /// The checklist as Markdown; see [`Template::to_markdown`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

/// Builds a [`Template`] in code, one section at a time.
///
/// Items join the section most recently opened with
/// [`section`](TemplateBuilder::section). Nothing is checked until
/// [`build`](TemplateBuilder::build), which reports the first problem met.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct TemplateBuilder {
    name: String,
    sections: Vec<String>,
    items: Vec<Item>,
    criteria: Vec<RollbackCriterion>,
    policy: Option<Policy>,
    restoration: Option<ItemId>,
    health_check_on_verify: bool,
    first_error: Option<TemplateError>,
}

impl TemplateBuilder {
    /// Opens a section; the items added next belong to it.
    pub fn section(mut self, title: impl Into<String>) -> Self {
        self.sections.push(title.into());
        self
    }

    /// Adds a required item to the current section.
    pub fn item(self, id: &str, title: &str, gate: Gate) -> Self {
        self.push(id, title, gate, |item| item)
    }

    /// Adds an [`IfApplicable`](crate::checklist::Requirement::IfApplicable) item to the
    /// current section.
    pub fn item_if_applicable(self, id: &str, title: &str, gate: Gate) -> Self {
        self.push(id, title, gate, |item| item.with_requirement(Requirement::IfApplicable))
    }

    /// Adds a required item that the workflow settles when the release
    /// enters `stage`, such as a rollback decision settled by the rollback.
    pub fn item_settled_on_entering(self, id: &str, title: &str, gate: Gate, stage: Stage) -> Self {
        self.push(id, title, gate, |item| item.with_settled_on(stage))
    }

    /// Adds a rollback criterion.
    pub fn criterion(mut self, criterion: RollbackCriterion) -> Self {
        self.criteria.push(criterion);
        self
    }

    /// Adds rollback criteria.
    pub fn criteria(mut self, criteria: impl IntoIterator<Item = RollbackCriterion>) -> Self {
        self.criteria.extend(criteria);
        self
    }

    /// Governs the checklist by `policy`; see [`Template::with_policy`].
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Blocks `Deploying` → `Verifying` while the verdict says roll back;
    /// see [`Template::with_health_check_on_verify`].
    pub fn health_check_on_verify(mut self) -> Self {
        self.health_check_on_verify = true;
        self
    }

    /// Adds a rollback item whose settling marks service restored; see
    /// [`Template::with_restoration`].
    pub fn restoration_item(mut self, id: &str, title: &str) -> Self {
        self = self.push(id, title, Gate::Rollback, |item| item);
        if self.first_error.is_none() {
            self.restoration = self.items.last().map(|item| item.id().clone());
        }
        self
    }

    fn push(mut self, id: &str, title: &str, gate: Gate, finish: impl FnOnce(Item) -> Item) -> Self {
        if self.first_error.is_some() {
            return self;
        }
        let Some(section) = self.sections.last() else {
            self.first_error = Some(TemplateError::InvalidItem {
                item: crate::text::shorten(id),
                problem: "was added before any section: open a section first".into(),
            });
            return self;
        };
        match Item::new(id, title, section, gate) {
            Ok(item) => self.items.push(finish(item)),
            Err(error) => self.first_error = Some(error),
        }
        self
    }

    /// Validates and returns the template.
    ///
    /// # Errors
    ///
    /// The first problem met, as [`Template::new`] and [`Item::new`] report
    /// it.
    pub fn build(self) -> Result<Template, TemplateError> {
        match self.first_error {
            Some(error) => Err(error),
            None => Ok(Template::new(self.name, self.sections, self.items)?
                .completed_with(self.criteria, self.policy, self.restoration)?
                .with_health_check_on_verify(self.health_check_on_verify)),
        }
    }
}
