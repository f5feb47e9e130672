//! What a release is meant to be: version, people, dates, changes, checklist.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, PersonId, Role};
use crate::checklist::Template;
use crate::digest::Digest;
use crate::policy::{ChangeType, Policy};
use crate::roster::Roster;
use crate::text::{MAX_NAME_CHARS, TextError, check_line};
use crate::version::{ReleaseKind, Version, VersionError, parse_version};

/// A release plan the crate refuses, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A required field left out of a release plan.
    #[error("the release plan needs its {}: give it to the builder", field.replace('_', " "))]
    MissingField {
        /// The field, as the builder's setter names it.
        field: &'static str,
    },

    /// The same change listed twice.
    #[error("change \"{change}\" is listed twice: each change ships once")]
    DuplicateChange {
        /// The change's id.
        change: String,
    },

    /// A monitoring window that is not positive or is longer than 90 days.
    #[error(
        "a monitoring window of {seconds} s is out of range: give a positive duration of at most 90 days"
    )]
    InvalidMonitoringWindow {
        /// The window given, in seconds.
        seconds: i64,
    },

    /// A person listed under two names, or given a role the checklist's
    /// policy does not declare.
    #[error("the roster lists {person} {problem}")]
    Roster {
        /// The person's id.
        person: String,
        /// What is wrong.
        problem: String,
    },

    /// A change type the checklist's policy does not declare, or a
    /// release not eligible for it.
    #[error("change type `{change_type}` is refused: {problem}")]
    ChangeType {
        /// The change type.
        change_type: ChangeType,
        /// Why, and what to do.
        problem: String,
    },

    /// A version that cannot be parsed or does not fit the previous one.
    #[error(transparent)]
    Version(#[from] VersionError),

    /// A service, change id or incident id that breaks the text rules.
    #[error(transparent)]
    Text(#[from] TextError),
}

/// The monitoring window a release gets unless its plan says otherwise.
pub const DEFAULT_MONITORING_WINDOW: TimeDelta = TimeDelta::hours(48);

/// The longest monitoring window accepted.
pub const MAX_MONITORING_WINDOW: TimeDelta = TimeDelta::days(90);

/// One change a release ships: its id (a pull request, a commit) and when it
/// was committed. DORA lead time is measured from the commit time.
///
/// ```
/// use release_workflow::plan::Change;
///
/// let committed: chrono::DateTime<chrono::Utc> = "2026-11-20T10:00:00Z".parse()?;
/// let change = Change::new("PR-1432", committed)?;
/// assert_eq!(change.id(), "PR-1432");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ChangeFields")]
pub struct Change {
    id: String,
    committed_at: DateTime<Utc>,
    /// Who wrote it: they may not approve the release that ships it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<PersonId>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeFields {
    id: String,
    committed_at: DateTime<Utc>,
    #[serde(default)]
    author: Option<PersonId>,
}

impl TryFrom<ChangeFields> for Change {
    type Error = TextError;

    fn try_from(fields: ChangeFields) -> Result<Self, TextError> {
        let change = Change::new(fields.id, fields.committed_at)?;
        Ok(Change { author: fields.author, ..change })
    }
}

impl Change {
    /// A change with its id and commit time.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidText`] when the id is empty, not one trimmed
    /// line, or longer than [`MAX_NAME_CHARS`].
    pub fn new(id: impl Into<String>, committed_at: DateTime<Utc>) -> Result<Change, TextError> {
        let id = id.into();
        check_line("change id", &id, MAX_NAME_CHARS)?;
        Ok(Change { id, committed_at, author: None })
    }

    /// The same change, written by the person with this id. Segregation of
    /// duties keeps them from approving a release that ships it.
    ///
    /// # Errors
    ///
    /// [`TextError::InvalidId`] for an id that is not a [`PersonId`].
    pub fn with_author(self, author: &str) -> Result<Change, TextError> {
        Ok(Change { author: Some(PersonId::parse(author)?), ..self })
    }

    /// Who wrote it, if known.
    pub fn author(&self) -> Option<&PersonId> {
        self.author.as_ref()
    }

    /// The change's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the change was committed.
    pub fn committed_at(&self) -> DateTime<Utc> {
        self.committed_at
    }
}

/// Everything a release is planned with; the payload of its first event.
///
/// Built and checked by [`ReleaseBuilder`]; deserialization checks it the same
/// way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PlanFields")]
pub struct ReleasePlan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    version: Version,
    kind: ReleaseKind,
    target_date: NaiveDate,
    release_manager: Actor,
    on_call: Actor,
    /// The people the plan adds to the roster, one entry per role held.
    #[serde(default, rename = "roster", skip_serializing_if = "Vec::is_empty")]
    members: Vec<Actor>,
    changes: Vec<Change>,
    #[serde(with = "seconds", rename = "monitoring_window_seconds")]
    monitoring_window: TimeDelta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remediates: Option<String>,
    /// Normal unless planned otherwise; a normal plan does not write it,
    /// so logs planned before change types existed read the same.
    #[serde(default, skip_serializing_if = "ChangeType::is_normal")]
    change_type: ChangeType,
    /// Shared: every release of one trusted template holds the same one.
    template: PlanChecklist,
    /// The release manager, the on-call engineer and the members, gathered
    /// by id.
    #[serde(skip)]
    roster: Roster,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFields {
    #[serde(default)]
    service: Option<String>,
    version: Version,
    kind: ReleaseKind,
    target_date: NaiveDate,
    release_manager: Actor,
    on_call: Actor,
    #[serde(default)]
    roster: Vec<Actor>,
    changes: Vec<Change>,
    #[serde(with = "seconds", rename = "monitoring_window_seconds")]
    monitoring_window: TimeDelta,
    #[serde(default)]
    remediates: Option<String>,
    #[serde(default)]
    change_type: ChangeType,
    template: PlanChecklist,
}

impl TryFrom<PlanFields> for ReleasePlan {
    type Error = PlanError;

    fn try_from(fields: PlanFields) -> Result<Self, PlanError> {
        let mut plan = ReleasePlan {
            service: fields.service,
            version: fields.version,
            kind: fields.kind,
            target_date: fields.target_date,
            release_manager: fields.release_manager,
            on_call: fields.on_call,
            members: fields.roster,
            changes: fields.changes,
            monitoring_window: fields.monitoring_window,
            remediates: fields.remediates,
            change_type: fields.change_type,
            template: fields.template,
            roster: Roster::default(),
        };
        plan.validate()?;
        Ok(plan)
    }
}

/// A plan as a log's hash chain covers it: every field as stored, and the
/// template by its [fingerprint](Template::fingerprint), so the chain binds
/// the checklist without hashing it again for every release.
#[derive(Serialize)]
pub(crate) struct PinnedPlan<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a String>,
    version: &'a Version,
    kind: ReleaseKind,
    target_date: NaiveDate,
    release_manager: &'a Actor,
    on_call: &'a Actor,
    #[serde(rename = "roster", skip_serializing_if = "<[Actor]>::is_empty")]
    members: &'a [Actor],
    changes: &'a [Change],
    #[serde(with = "seconds", rename = "monitoring_window_seconds")]
    monitoring_window: TimeDelta,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediates: Option<&'a String>,
    #[serde(skip_serializing_if = "ChangeType::is_normal")]
    change_type: ChangeType,
    template: Digest,
}

impl ReleasePlan {
    /// The plan as a log's hash chain covers it.
    pub(crate) fn pinned(&self) -> PinnedPlan<'_> {
        PinnedPlan {
            service: self.service.as_ref(),
            version: &self.version,
            kind: self.kind,
            target_date: self.target_date,
            release_manager: &self.release_manager,
            on_call: &self.on_call,
            members: &self.members,
            changes: &self.changes,
            monitoring_window: self.monitoring_window,
            remediates: self.remediates.as_ref(),
            change_type: self.change_type,
            template: self.checklist_fingerprint(),
        }
    }

    /// Checks the plan and gathers its roster.
    fn validate(&mut self) -> Result<(), PlanError> {
        if let Some(service) = &self.service {
            check_line("service", service, MAX_NAME_CHARS)?;
        }
        if let Some(incident) = &self.remediates {
            check_line("remediated incident id", incident, MAX_NAME_CHARS)?;
        }
        check_window(self.monitoring_window)?;
        check_unique_changes(&self.changes)?;
        let people = [&self.release_manager, &self.on_call].into_iter().chain(&self.members);
        self.roster = Roster::gather(people).map_err(|(person, first, second)| PlanError::Roster {
            person: person.to_string(),
            problem: format!(
                "under two names, \"{first}\" and \"{second}\": one person has one name on a roster"
            ),
        })?;
        if let PlanChecklist::Held(template) = &self.template {
            self.check_against(template.policy())?;
        }
        Ok(())
    }

    /// Checks what the checklist's policy decides: the roster's roles and
    /// the change type.
    fn check_against(&self, policy: Option<&Policy>) -> Result<(), PlanError> {
        if let Some(policy) = policy {
            self.check_roster_against(policy)?;
        }
        check_change_type(self.change_type, policy, self.kind, self.changes.len())
    }

    /// Checks that every role on the roster is one the policy declares.
    fn check_roster_against(&self, policy: &Policy) -> Result<(), PlanError> {
        for member in self.roster.members() {
            if let Some(role) = member.roles().iter().find(|role| !policy.declares(role)) {
                let declared: Vec<&str> = policy.roles().keys().map(Role::as_str).collect();
                return Err(PlanError::Roster {
                    person: member.id().to_string(),
                    problem: format!(
                        "as {role}, a role the checklist's policy does not declare: use one of {}",
                        declared.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// Everyone who may act on the release, and the roles each holds.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The service the release ships, if named. DORA metrics group by it.
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// The version being released.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Patch, minor or major.
    pub fn kind(&self) -> ReleaseKind {
        self.kind
    }

    /// The day the release is meant to go out.
    pub fn target_date(&self) -> NaiveDate {
        self.target_date
    }

    /// Who owns the release.
    pub fn release_manager(&self) -> &Actor {
        &self.release_manager
    }

    /// Who carries the pager while it goes out.
    pub fn on_call(&self) -> &Actor {
        &self.on_call
    }

    /// The changes planned at creation, in the order given.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// How long after release a rollback is still allowed.
    pub fn monitoring_window(&self) -> TimeDelta {
        self.monitoring_window
    }

    /// The incident in an earlier release that this release was planned to
    /// fix, if it is an unplanned remediation. DORA's rework rate counts
    /// these.
    pub fn remediates(&self) -> Option<&str> {
        self.remediates.as_deref()
    }

    /// The change type the release was planned as.
    pub fn change_type(&self) -> ChangeType {
        self.change_type
    }

    /// The checklist the release follows. A plan read from a log or a
    /// document that names its checklist by fingerprint shows an empty
    /// "unresolved checklist" until it is verified: a
    /// [`Release`](crate::Release)'s plan always holds its checklist.
    pub fn template(&self) -> &Template {
        match &self.template {
            PlanChecklist::Held(template) => template,
            PlanChecklist::Named(_) => Template::unresolved(),
        }
    }

    /// The [fingerprint](Template::fingerprint) of the checklist the
    /// release follows, whether the plan holds it or names it.
    pub fn checklist_fingerprint(&self) -> Digest {
        match &self.template {
            PlanChecklist::Held(template) => template.fingerprint(),
            PlanChecklist::Named(fingerprint) => *fingerprint,
        }
    }

    /// The fingerprint the plan names its checklist by, when it was read
    /// without the checklist itself.
    pub(crate) fn named_checklist(&self) -> Option<&Digest> {
        match &self.template {
            PlanChecklist::Held(_) => None,
            PlanChecklist::Named(fingerprint) => Some(fingerprint),
        }
    }

    /// The same plan holding `template`, an equal template shared with
    /// other releases.
    pub(crate) fn sharing(&self, template: Arc<Template>) -> ReleasePlan {
        ReleasePlan { template: PlanChecklist::Held(template), ..self.clone() }
    }

    /// The same plan holding `template`, the checklist it names, found by
    /// its fingerprint; its roster is checked against the checklist's
    /// policy, as a plan holding it is when it is read.
    pub(crate) fn resolved(&self, template: Arc<Template>) -> Result<ReleasePlan, PlanError> {
        let plan = self.sharing(template);
        plan.check_against(plan.template().policy())?;
        Ok(plan)
    }
}

/// A plan's checklist: held, or named by its fingerprint in a log or a
/// document that refers to a checklist version a store keeps. Written as
/// the template itself, or as its fingerprint (a string of 64 hexadecimal
/// digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PlanChecklist {
    Held(Arc<Template>),
    Named(Digest),
}

impl Serialize for PlanChecklist {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PlanChecklist::Held(template) => template.serialize(serializer),
            PlanChecklist::Named(fingerprint) => fingerprint.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PlanChecklist {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PlanChecklist, D::Error> {
        struct ChecklistVisitor;

        impl<'de> serde::de::Visitor<'de> for ChecklistVisitor {
            type Value = PlanChecklist;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a checklist, or the fingerprint of a stored one (64 hexadecimal digits)")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<PlanChecklist, E> {
                text.parse().map(PlanChecklist::Named).map_err(E::custom)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PlanChecklist, A::Error> {
                let template = Template::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(PlanChecklist::Held(Arc::new(template)))
            }
        }

        deserializer.deserialize_any(ChecklistVisitor)
    }
}

/// Checks that a release of `kind` shipping `changes` changes may be of
/// `change_type` under `policy`: the policy declares the type, and a
/// standard change is eligible.
pub(crate) fn check_change_type(
    change_type: ChangeType,
    policy: Option<&Policy>,
    kind: ReleaseKind,
    changes: usize,
) -> Result<(), PlanError> {
    if change_type == ChangeType::Normal {
        return Ok(());
    }
    let refuse = |problem: String| Err(PlanError::ChangeType { change_type, problem });
    let Some(policy) = policy.filter(|policy| policy.declares_change_type(change_type)) else {
        return refuse(format!(
            "the checklist's policy does not declare {change_type} changes: plan it as a normal change, or \
             declare {change_type} changes in the policy"
        ));
    };
    match policy.standard_changes().filter(|_| change_type == ChangeType::Standard) {
        Some(standard) => match standard.ineligibility(kind, changes) {
            Some(why) => refuse(format!("the release is not eligible: {why}")),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

pub(crate) fn check_window(window: TimeDelta) -> Result<(), PlanError> {
    if window <= TimeDelta::zero() || window > MAX_MONITORING_WINDOW {
        return Err(PlanError::InvalidMonitoringWindow { seconds: window.num_seconds() });
    }
    Ok(())
}

pub(crate) fn check_unique_changes<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
) -> Result<(), PlanError> {
    let mut seen = std::collections::HashSet::new();
    for change in changes {
        if !seen.insert(change.id()) {
            return Err(PlanError::DuplicateChange { change: change.id().to_owned() });
        }
    }
    Ok(())
}

/// Plans a release; see [`Release::builder`](crate::Release::builder).
///
/// Every setter only records its input; [`plan`](ReleaseBuilder::plan) checks
/// them all and reports the first problem, naming the field.
///
/// Required: [`version`](ReleaseBuilder::version), a kind (given with
/// [`kind`](ReleaseBuilder::kind) or inferred with
/// [`previous_version`](ReleaseBuilder::previous_version)),
/// [`target_date`](ReleaseBuilder::target_date),
/// [`release_manager`](ReleaseBuilder::release_manager) and
/// [`on_call`](ReleaseBuilder::on_call). The template defaults to
/// [`Template::octoacme`], the monitoring window to
/// [`DEFAULT_MONITORING_WINDOW`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until the release is planned"]
pub struct ReleaseBuilder {
    service: Option<String>,
    version: Option<String>,
    previous_version: Option<String>,
    kind: Option<ReleaseKind>,
    target_date: Option<NaiveDate>,
    release_manager: Option<Actor>,
    on_call: Option<Actor>,
    members: Vec<Actor>,
    changes: Vec<(String, DateTime<Utc>, Option<String>)>,
    monitoring_window: Option<TimeDelta>,
    remediates: Option<String>,
    change_type: ChangeType,
    template: Option<Template>,
}

impl ReleaseBuilder {
    /// The service the release ships (optional; DORA metrics group by it).
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// The version to release, `MAJOR.MINOR.PATCH[-pre][+build]`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The version this release follows; the kind is inferred from the bump
    /// unless [`kind`](ReleaseBuilder::kind) is given too, in which case the
    /// two must agree.
    pub fn previous_version(mut self, version: impl Into<String>) -> Self {
        self.previous_version = Some(version.into());
        self
    }

    /// Patch, minor or major.
    pub fn kind(mut self, kind: ReleaseKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// The day the release is meant to go out.
    pub fn target_date(mut self, date: NaiveDate) -> Self {
        self.target_date = Some(date);
        self
    }

    /// Who owns the release; the release's first event is theirs.
    pub fn release_manager(mut self, actor: Actor) -> Self {
        self.release_manager = Some(actor);
        self
    }

    /// The on-call engineer for the release.
    pub fn on_call(mut self, actor: Actor) -> Self {
        self.on_call = Some(actor);
        self
    }

    /// A change the release ships, with its commit time.
    pub fn change(mut self, id: impl Into<String>, committed_at: DateTime<Utc>) -> Self {
        self.changes.push((id.into(), committed_at, None));
        self
    }

    /// A change the release ships, with its commit time and the id of the
    /// person who wrote it, who may then not approve the release.
    pub fn change_by(mut self, id: impl Into<String>, committed_at: DateTime<Utc>, author: &str) -> Self {
        self.changes.push((id.into(), committed_at, Some(author.to_owned())));
        self
    }

    /// Puts a person on the release's [`Roster`] in a role. Call it once per
    /// role a person holds; the release manager and the on-call engineer
    /// are on the roster in their roles already.
    pub fn member(mut self, actor: Actor) -> Self {
        self.members.push(actor);
        self
    }

    /// How long after release a rollback stays allowed (default 48 hours).
    pub fn monitoring_window(mut self, window: TimeDelta) -> Self {
        self.monitoring_window = Some(window);
        self
    }

    /// Marks the release as an unplanned remediation of `incident`, an
    /// incident caused by an earlier release.
    pub fn remediates(mut self, incident: impl Into<String>) -> Self {
        self.remediates = Some(incident.into());
        self
    }

    /// The change type (default [`ChangeType::Normal`]). A standard or
    /// emergency change needs a checklist whose policy declares it, and a
    /// standard one a release its rule makes eligible.
    pub fn change_type(mut self, change_type: ChangeType) -> Self {
        self.change_type = change_type;
        self
    }

    /// The checklist to follow (default [`Template::octoacme`]).
    pub fn template(mut self, template: Template) -> Self {
        self.template = Some(template);
        self
    }

    /// Checks every input and returns the plan.
    ///
    /// # Errors
    ///
    /// [`PlanError::MissingField`] naming a required field not given;
    /// [`PlanError::Version`] for a version that does not parse, does not
    /// come after the previous one, or contradicts the kind given;
    /// [`PlanError::Text`], [`PlanError::DuplicateChange`] or
    /// [`PlanError::InvalidMonitoringWindow`] for a bad value.
    pub fn build_plan(self) -> Result<ReleasePlan, PlanError> {
        let version =
            parse_version(self.version.as_deref().ok_or(PlanError::MissingField { field: "version" })?)?;
        let kind = match (&self.previous_version, self.kind) {
            (Some(previous), given) => {
                let inferred = ReleaseKind::between(&parse_version(previous)?, &version)?;
                match given {
                    Some(given) if given != inferred => {
                        return Err(VersionError::KindMismatch {
                            given,
                            inferred,
                            previous: previous.clone(),
                            version: version.to_string(),
                        }
                        .into());
                    }
                    _ => inferred,
                }
            }
            (None, Some(given)) => given,
            (None, None) => return Err(PlanError::MissingField { field: "kind" }),
        };
        let changes = self
            .changes
            .into_iter()
            .map(|(id, committed_at, author)| {
                let change = Change::new(id, committed_at)?;
                match author {
                    Some(author) => change.with_author(&author),
                    None => Ok(change),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut plan = ReleasePlan {
            service: self.service,
            version,
            kind,
            target_date: self.target_date.ok_or(PlanError::MissingField { field: "target_date" })?,
            release_manager: self
                .release_manager
                .ok_or(PlanError::MissingField { field: "release_manager" })?,
            on_call: self.on_call.ok_or(PlanError::MissingField { field: "on_call" })?,
            members: self.members,
            changes,
            monitoring_window: self.monitoring_window.unwrap_or(DEFAULT_MONITORING_WINDOW),
            remediates: self.remediates,
            change_type: self.change_type,
            template: PlanChecklist::Held(self.template.map_or_else(Template::octoacme_shared, Arc::new)),
            roster: Roster::default(),
        };
        plan.validate()?;
        Ok(plan)
    }
}

/// Serializes a `TimeDelta` as whole seconds.
mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(delta: &TimeDelta, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(delta.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TimeDelta, D::Error> {
        let seconds = i64::deserialize(deserializer)?;
        TimeDelta::try_seconds(seconds)
            .ok_or_else(|| de::Error::custom(format!("{seconds} seconds is out of range for a duration")))
    }
}
