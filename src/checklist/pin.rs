//! Pinning a checklist: a template's fingerprint, and what differs between
//! two templates.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::checklist::item::Item;
use crate::checklist::template::Template;
use crate::digest::Digest;
use crate::policy::Policy;
use crate::text::named_enum;

impl Template {
    /// The template's canonical encoding: the bytes its fingerprint is the
    /// digest of.
    ///
    /// It is the template as this crate serializes it to compact JSON:
    /// no whitespace; the fields in the order `name`, `sections`, `items`,
    /// `criteria` (left out when there are none), `policy` and
    /// `restoration` (each left out when absent); each item as `id`,
    /// `title`, `section`, `gate`, `requirement`, and `settled_on_entering`
    /// when it has one; each criterion as `id`, `title`, `kind`, `trigger`,
    /// `severity`; named values in kebab case; strings escaped as
    /// `serde_json` escapes them (`"`, `\` and control characters only, the
    /// rest as UTF-8); numbers in their shortest round-trip form. Because it
    /// is made from the template rather than from the text it was read
    /// from, the order of fields and the whitespace of a template file do
    /// not change it.
    pub fn canonical_encoding(&self) -> Vec<u8> {
        // A template holds strings, named values and finite numbers only:
        // serializing it to JSON cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The template's fingerprint: the SHA-256 digest of its
    /// [canonical encoding](Template::canonical_encoding).
    ///
    /// Two templates have one fingerprint exactly when they are equal, so a
    /// fingerprint pins a checklist: a release log planned with a template
    /// of another fingerprint follows another checklist.
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// let octoacme = Template::octoacme();
    /// let json = serde_json::to_string_pretty(&octoacme)?;
    /// let reread: Template = serde_json::from_str(&json)?;
    /// assert_eq!(reread.fingerprint(), octoacme.fingerprint());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// It is computed the first time it is asked for, then kept.
    pub fn fingerprint(&self) -> Digest {
        self.cached_fingerprint(|| Digest::of(&self.canonical_encoding()))
    }

    /// What differs between this template and `trusted`, as seen from
    /// `trusted`: items removed, added or changed, criteria removed, added
    /// or changed, the name and the sections. Empty when they are equal.
    pub fn differences_from(&self, trusted: &Template) -> Vec<TemplateDifference> {
        let mut differences = Vec::new();
        if self.name() != trusted.name() {
            differences.push(TemplateDifference::Renamed {
                trusted: trusted.name().to_owned(),
                found: self.name().to_owned(),
            });
        }
        if self.sections() != trusted.sections() {
            differences.push(TemplateDifference::SectionsChanged {
                trusted: trusted.sections().to_vec(),
                found: self.sections().to_vec(),
            });
        }
        let found: HashMap<&str, &Item> =
            self.items().iter().map(|item| (item.id().as_str(), item)).collect();
        let kept: HashMap<&str, &Item> =
            trusted.items().iter().map(|item| (item.id().as_str(), item)).collect();
        for item in trusted.items() {
            match found.get(item.id().as_str()) {
                None => differences.push(TemplateDifference::ItemRemoved { item: item.id().to_string() }),
                Some(now) => item_changes(item, now, &mut differences),
            }
        }
        for item in self.items().iter().filter(|item| !kept.contains_key(item.id().as_str())) {
            differences.push(TemplateDifference::ItemAdded { item: item.id().to_string() });
        }
        let same_order = self.items().iter().map(Item::id).eq(trusted.items().iter().map(Item::id));
        if !same_order && self.items().len() == trusted.items().len() && differences.is_empty() {
            differences.push(TemplateDifference::ItemsReordered);
        }
        for criterion in trusted.criteria() {
            match self.criterion(criterion.id().as_str()) {
                None => differences
                    .push(TemplateDifference::CriterionRemoved { criterion: criterion.id().to_string() }),
                Some(now) if now != criterion => differences
                    .push(TemplateDifference::CriterionChanged { criterion: criterion.id().to_string() }),
                Some(_) => {}
            }
        }
        for criterion in self.criteria() {
            if trusted.criterion(criterion.id().as_str()).is_none() {
                differences
                    .push(TemplateDifference::CriterionAdded { criterion: criterion.id().to_string() });
            }
        }
        if let Some(what) = policy_change(trusted.policy(), self.policy()) {
            differences.push(TemplateDifference::PolicyChanged { what });
        }
        let restoration = |template: &Template| template.restoration().map(|item| item.id().to_string());
        if restoration(trusted) != restoration(self) {
            differences.push(TemplateDifference::RestorationChanged {
                trusted: restoration(trusted),
                found: restoration(self),
            });
        }
        if self.checks_health_on_verify() != trusted.checks_health_on_verify() {
            differences.push(TemplateDifference::HealthCheckOnVerifyChanged {
                trusted: trusted.checks_health_on_verify(),
                found: self.checks_health_on_verify(),
            });
        }
        differences
    }
}

/// What differs between two policies, in words, if anything.
fn policy_change(trusted: Option<&Policy>, found: Option<&Policy>) -> Option<String> {
    match (trusted, found) {
        (None, None) => None,
        (Some(_), None) => Some("removed".to_owned()),
        (None, Some(_)) => Some("added".to_owned()),
        (Some(trusted), Some(found)) => {
            let parts: Vec<&str> = [
                (trusted.roles() != found.roles(), "roles"),
                (trusted.grants() != found.grants(), "grants"),
                (trusted.approvals() != found.approvals(), "approvals"),
                (trusted.windows() != found.windows(), "windows"),
            ]
            .into_iter()
            .filter_map(|(differs, part)| differs.then_some(part))
            .collect();
            (!parts.is_empty()).then(|| format!("its {} differ", parts.join(", ")))
        }
    }
}

fn item_changes(trusted: &Item, found: &Item, differences: &mut Vec<TemplateDifference>) {
    let mut push = |field: ItemField, was: String, now: String| {
        if was != now {
            let item = found.id().to_string();
            differences.push(TemplateDifference::ItemChanged { item, field, trusted: was, found: now });
        }
    };
    push(ItemField::Requirement, trusted.requirement().to_string(), found.requirement().to_string());
    push(ItemField::Gate, trusted.gate().to_string(), found.gate().to_string());
    push(ItemField::Section, trusted.section().to_owned(), found.section().to_owned());
    push(ItemField::Title, trusted.title().to_owned(), found.title().to_owned());
    push(
        ItemField::SettledOnEntering,
        trusted.settled_on().map_or_else(|| "no stage".to_owned(), |stage| stage.to_string()),
        found.settled_on().map_or_else(|| "no stage".to_owned(), |stage| stage.to_string()),
    );
}

/// A part of an item that can differ between templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ItemField {
    /// Required or if-applicable.
    Requirement,
    /// The gate it guards.
    Gate,
    /// The section it belongs to.
    Section,
    /// What it says.
    Title,
    /// The stage whose entry settles it.
    SettledOnEntering,
}

named_enum!(ItemField, "item field", {
    Requirement => "requirement",
    Gate => "gate",
    Section => "section",
    Title => "title",
    SettledOnEntering => "settled-on-entering",
});

/// One way a template differs from a trusted one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "difference", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TemplateDifference {
    /// The template has another name.
    Renamed {
        /// The trusted template's name.
        trusted: String,
        /// This one's.
        found: String,
    },
    /// The sections are not the same, in the same order.
    SectionsChanged {
        /// The trusted template's sections.
        trusted: Vec<String>,
        /// This one's.
        found: Vec<String>,
    },
    /// A trusted item is missing.
    ItemRemoved {
        /// The item's id.
        item: String,
    },
    /// An item the trusted template does not have.
    ItemAdded {
        /// The item's id.
        item: String,
    },
    /// An item whose requirement, gate, section, title or settling stage
    /// changed.
    ItemChanged {
        /// The item's id.
        item: String,
        /// What changed.
        field: ItemField,
        /// The trusted value.
        trusted: String,
        /// This one's.
        found: String,
    },
    /// The same items in another order.
    ItemsReordered,
    /// A trusted rollback criterion is missing.
    CriterionRemoved {
        /// The criterion's id.
        criterion: String,
    },
    /// A criterion the trusted template does not have.
    CriterionAdded {
        /// The criterion's id.
        criterion: String,
    },
    /// A criterion whose title, kind, trigger or severity changed.
    CriterionChanged {
        /// The criterion's id.
        criterion: String,
    },
    /// The policy was added, removed, or differs in its roles, grants,
    /// approvals or windows.
    PolicyChanged {
        /// What differs: `added`, `removed`, or `its grants, windows differ`.
        what: String,
    },
    /// Another item marks service restored after a rollback, or none does.
    RestorationChanged {
        /// The trusted template's restoration item.
        trusted: Option<String>,
        /// This one's.
        found: Option<String>,
    },
    /// A roll-back verdict blocks the verify gate in one and not the other.
    HealthCheckOnVerifyChanged {
        /// Whether the trusted template checks health on verify.
        trusted: bool,
        /// Whether this one does.
        found: bool,
    },
}

impl fmt::Display for TemplateDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateDifference::Renamed { trusted, found } => {
                write!(f, "named \"{found}\" instead of \"{trusted}\"")
            }
            TemplateDifference::SectionsChanged { .. } => f.write_str("its sections differ"),
            TemplateDifference::ItemRemoved { item } => write!(f, "item `{item}` removed"),
            TemplateDifference::ItemAdded { item } => write!(f, "item `{item}` added"),
            TemplateDifference::ItemChanged { item, field, trusted, found } => {
                write!(f, "item `{item}`: {field} {found} instead of {trusted}")
            }
            TemplateDifference::ItemsReordered => f.write_str("its items are in another order"),
            TemplateDifference::CriterionRemoved { criterion } => {
                write!(f, "rollback criterion `{criterion}` removed")
            }
            TemplateDifference::CriterionAdded { criterion } => {
                write!(f, "rollback criterion `{criterion}` added")
            }
            TemplateDifference::CriterionChanged { criterion } => {
                write!(f, "rollback criterion `{criterion}` changed")
            }
            TemplateDifference::PolicyChanged { what } => write!(f, "policy {what}"),
            TemplateDifference::RestorationChanged { trusted, found } => {
                let named = |item: &Option<String>| {
                    item.as_ref().map_or_else(|| "none".to_owned(), |item| format!("`{item}`"))
                };
                write!(f, "restoration item {} instead of {}", named(found), named(trusted))
            }
            TemplateDifference::HealthCheckOnVerifyChanged { found, .. } => {
                let does = if *found { "checks" } else { "does not check" };
                write!(f, "it {does} health on the verify gate")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{CriterionKind, RollbackCriterion, Severity};
    use crate::stage::Gate;

    fn template(name: &str, items: &[(&str, Gate)], criteria: &[&str]) -> Template {
        let mut builder = Template::builder(name).section("One");
        for (id, gate) in items {
            builder = builder.item(id, "Done", *gate);
        }
        for id in criteria {
            builder = builder.criterion(
                RollbackCriterion::flag(id, "Flagged", CriterionKind::Custom, Severity::Critical).unwrap(),
            );
        }
        builder.build().unwrap()
    }

    #[test]
    fn every_difference_is_found_and_named() {
        let trusted = template("Ours", &[("a.one", Gate::Freeze), ("a.two", Gate::Deploy)], &["x", "y"]);
        assert!(trusted.differences_from(&trusted).is_empty());
        let found = template("Theirs", &[("a.one", Gate::Verify), ("a.three", Gate::Deploy)], &["x", "z"]);
        let differences = found.differences_from(&trusted);
        let text: Vec<String> = differences.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "named \"Theirs\" instead of \"Ours\"",
                "item `a.one`: gate verify instead of freeze",
                "item `a.two` removed",
                "item `a.three` added",
                "rollback criterion `y` removed",
                "rollback criterion `z` added",
            ]
        );
        let reordered = template("Ours", &[("a.two", Gate::Deploy), ("a.one", Gate::Freeze)], &["x", "y"]);
        assert_eq!(reordered.differences_from(&trusted), [TemplateDifference::ItemsReordered]);
        let changed = Template::builder("Ours")
            .section("Other")
            .item("a.one", "Done", Gate::Freeze)
            .item("a.two", "Done", Gate::Deploy)
            .criterion(
                RollbackCriterion::flag("x", "Flagged", CriterionKind::Custom, Severity::Warning).unwrap(),
            )
            .criterion(
                RollbackCriterion::flag("y", "Flagged", CriterionKind::Custom, Severity::Critical).unwrap(),
            )
            .build()
            .unwrap();
        let text: Vec<String> = changed.differences_from(&trusted).iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "its sections differ",
                "item `a.one`: section Other instead of One",
                "item `a.two`: section Other instead of One",
                "rollback criterion `x` changed",
            ]
        );
    }

    #[test]
    fn the_fingerprint_is_the_digest_of_the_canonical_encoding_and_is_kept() {
        let template = Template::octoacme();
        let encoding = template.canonical_encoding();
        assert_eq!(template.fingerprint(), Digest::of(&encoding));
        assert_eq!(template.fingerprint(), template.clone().fingerprint());
        assert!(encoding.starts_with(b"{\"name\":\"OctoAcme"));
        assert!(!encoding.contains(&b'\n'));
        let fewer = template.clone().with_criteria(Vec::new()).unwrap();
        assert_ne!(
            fewer.fingerprint(),
            template.fingerprint(),
            "a template's changed copy kept the old fingerprint"
        );
    }
}
