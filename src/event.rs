//! The audit log: every change to a release is an event.
//!
//! A release is the fold of its [`Event`]s: each records when it happened,
//! who did it (an [`Actor`]) and what happened (an
//! [`EventKind`], whose fields say which item, gate or criterion).
//! [`EventType`] names a kind without its fields, for filters. Replaying
//! the events through the rules gives the release back, which is how a
//! stored release is read.
//!
//! ```
//! use release_workflow::{Release, event::{EventKind, EventType}, release::Trust};
//! # use release_workflow::{Actor, ReleaseKind, Role};
//! # let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! # let at: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let mut release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(at)?;
//! release.complete("planning.scope-documented", &ada, at)?;
//! let last = release.events().last().ok_or("an event")?;
//! assert_eq!(last.what.event_type(), EventType::ItemCompleted);
//! assert!(matches!(&last.what, EventKind::ItemCompleted { item } if item.as_str() == "planning.scope-documented"));
//! let replayed = Release::replay(release.events().to_vec(), &Trust::default())?;
//! assert_eq!(replayed, release);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::checklist::ItemId;
use crate::digest::Digest;
use crate::health::{CriterionId, Finding, FiniteF64, Observation, ObservationKind, Signal};
use crate::incident::Incident;
use crate::plan::{Change, ReleasePlan};
use crate::policy::ChangeType;
use crate::roster::RosterChange;
use crate::stage::{Gate, Stage};
use crate::text::named_enum;

mod tag;

use tag::event_kinds;

/// One entry of a release's audit log: what happened, who did it, when.
///
/// A [`Release`](crate::Release) is the fold of its events: its stage, item
/// statuses and changes are exactly what its log says, and every operation
/// that changes a release appends one event. An operation that is refused
/// appends nothing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// When it happened.
    #[serde(with = "crate::instant::rfc3339")]
    pub at: DateTime<Utc>,
    /// Who did it.
    pub by: Actor,
    /// What happened.
    pub what: EventKind,
}

event_kinds! {
/// What an [`Event`] records.
///
/// Serialized with a `type` tag in kebab case (`"item-completed"`), the
/// name of its [`EventType`]; the snake-case tags of stored format 1
/// (`"item_completed"`) are read too.
///
/// Reading one is fastest with its `type` first, as this crate writes it:
/// the fields after it are read straight into the kind. A document whose
/// `type` comes later reads the same, through a copy of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum EventKind {
    /// The release was planned; always the first event, and only there.
    Planned {
        /// Everything it was planned with.
        plan: Arc<ReleasePlan>,
    },
    /// A change was added to the release while it was planned.
    #[serde(alias = "change_added")]
    ChangeAdded {
        /// The change.
        change: Change,
    },
    /// A checklist item was done.
    #[serde(alias = "item_completed")]
    ItemCompleted {
        /// The item.
        item: ItemId,
    },
    /// An if-applicable item was ruled out.
    #[serde(alias = "item_not_applicable")]
    ItemNotApplicable {
        /// The item.
        item: ItemId,
        /// Why it does not apply.
        reason: String,
    },
    /// A required item was waived.
    #[serde(alias = "item_waived")]
    ItemWaived {
        /// The item.
        item: ItemId,
        /// Why it was let go.
        reason: String,
    },
    /// A settled item was opened again.
    #[serde(alias = "item_reopened")]
    ItemReopened {
        /// The item.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// The release moved forward.
    Advanced {
        /// The stage it left.
        from: Stage,
        /// The stage it entered.
        to: Stage,
    },
    /// A health signal was observed.
    Observed {
        /// The signal.
        signal: Signal,
        /// Its value.
        value: FiniteF64,
        /// Where the value came from.
        source: String,
        /// Sample or baseline.
        #[serde(default, skip_serializing_if = "is_sample")]
        kind: ObservationKind,
        /// When the value was measured, if before the event recorded it (a
        /// sample a monitoring system delivered late).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        measured_at: Option<DateTime<Utc>>,
    },
    /// Observations recorded together, all or none: a monitoring system's
    /// export, or baselines taken from a previous release. Each says when
    /// it was measured.
    ObservedBatch {
        /// The observations, as delivered.
        observations: Vec<Observation>,
    },
    /// A flag criterion's flag was raised.
    #[serde(alias = "flag_raised")]
    FlagRaised {
        /// The criterion.
        criterion: CriterionId,
        /// What shows the problem.
        evidence: String,
    },
    /// A raised flag was cleared.
    #[serde(alias = "flag_cleared")]
    FlagCleared {
        /// The criterion.
        criterion: CriterionId,
        /// Why it no longer applies.
        reason: String,
    },
    /// A person accepted the risk of inconclusive findings, so the release
    /// may go ahead.
    #[serde(alias = "risk_accepted")]
    RiskAccepted {
        /// The criteria whose findings were accepted.
        criteria: Vec<CriterionId>,
        /// Why.
        why: String,
    },
    /// An incident caused by the release was opened.
    #[serde(alias = "incident_opened")]
    IncidentOpened {
        /// The incident, as known when it was recorded.
        incident: Incident,
    },
    /// An incident was resolved.
    #[serde(alias = "incident_resolved")]
    IncidentResolved {
        /// The incident's id.
        incident: String,
        /// When service was restored.
        resolved_at: DateTime<Utc>,
    },
    /// The release was rolled back.
    #[serde(alias = "rolled_back")]
    RolledBack {
        /// The stage it left.
        from: Stage,
        /// Why.
        reason: RollbackReason,
    },
    /// A person approved passing a gate, in a role its policy accepts.
    Approved {
        /// The gate.
        gate: Gate,
    },
    /// A person let the release deploy despite a change window.
    WindowOverridden {
        /// The window's name.
        window: String,
        /// Why.
        reason: String,
    },
    /// The release moved to another version of its checklist, named by
    /// fingerprint: the version it follows from then on.
    ChecklistChanged {
        /// The version's fingerprint.
        checklist: Digest,
        /// Why.
        reason: String,
    },
    /// The roster changed: a person added, a role handed over, a person
    /// removed. Events after it are checked against the new roster.
    RosterChanged {
        /// What changed (boxed: every event is as large as the largest
        /// kind, and most events are not roster changes).
        change: Box<RosterChange>,
        /// Why.
        reason: String,
    },
    /// The release's change type changed, before it deployed.
    ChangeTypeChanged {
        /// The type it has from then on.
        to: ChangeType,
        /// Why.
        reason: String,
    },
    /// An emergency change deferred an item: its gate may pass, and the
    /// item is owed.
    ItemDeferred {
        /// The item.
        item: ItemId,
        /// Why.
        reason: String,
    },
    /// An emergency change deferred the approvals of a gate: the gate
    /// passes without them, and the review is owed.
    ApprovalsDeferred {
        /// The gate.
        gate: Gate,
        /// Why.
        reason: String,
    },
    /// A person approved an emergency change's review, afterwards.
    ReviewApproved {
        /// What the review found.
        summary: String,
    },
    /// A person let the release deploy while another release of its
    /// service is in flight.
    ParallelDeployAllowed {
        /// Why.
        reason: String,
    },
}
}

/// What kind of thing an [`Event`] records, without its details: for
/// filtering an audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EventType {
    /// [`EventKind::Planned`].
    Planned,
    /// [`EventKind::ChangeAdded`].
    ChangeAdded,
    /// [`EventKind::ItemCompleted`].
    ItemCompleted,
    /// [`EventKind::ItemNotApplicable`].
    ItemNotApplicable,
    /// [`EventKind::ItemWaived`].
    ItemWaived,
    /// [`EventKind::ItemReopened`].
    ItemReopened,
    /// [`EventKind::Advanced`].
    Advanced,
    /// [`EventKind::Observed`].
    Observed,
    /// [`EventKind::ObservedBatch`].
    ObservedBatch,
    /// [`EventKind::FlagRaised`].
    FlagRaised,
    /// [`EventKind::FlagCleared`].
    FlagCleared,
    /// [`EventKind::RiskAccepted`].
    RiskAccepted,
    /// [`EventKind::IncidentOpened`].
    IncidentOpened,
    /// [`EventKind::IncidentResolved`].
    IncidentResolved,
    /// [`EventKind::RolledBack`].
    RolledBack,
    /// [`EventKind::Approved`].
    Approved,
    /// [`EventKind::WindowOverridden`].
    WindowOverridden,
    /// [`EventKind::RosterChanged`].
    RosterChanged,
    /// [`EventKind::ChecklistChanged`].
    ChecklistChanged,
    /// [`EventKind::ChangeTypeChanged`].
    ChangeTypeChanged,
    /// [`EventKind::ItemDeferred`].
    ItemDeferred,
    /// [`EventKind::ApprovalsDeferred`].
    ApprovalsDeferred,
    /// [`EventKind::ReviewApproved`].
    ReviewApproved,
    /// [`EventKind::ParallelDeployAllowed`].
    ParallelDeployAllowed,
}

named_enum!(EventType, "event type", {
    Planned => "planned",
    ChangeAdded => "change-added" | "change_added",
    ItemCompleted => "item-completed" | "item_completed",
    ItemNotApplicable => "item-not-applicable" | "item_not_applicable",
    ItemWaived => "item-waived" | "item_waived",
    ItemReopened => "item-reopened" | "item_reopened",
    Advanced => "advanced",
    Observed => "observed",
    ObservedBatch => "observed-batch",
    FlagRaised => "flag-raised" | "flag_raised",
    FlagCleared => "flag-cleared" | "flag_cleared",
    RiskAccepted => "risk-accepted" | "risk_accepted",
    IncidentOpened => "incident-opened" | "incident_opened",
    IncidentResolved => "incident-resolved" | "incident_resolved",
    RolledBack => "rolled-back" | "rolled_back",
    Approved => "approved",
    WindowOverridden => "window-overridden",
    RosterChanged => "roster-changed",
    ChecklistChanged => "checklist-changed",
    ChangeTypeChanged => "change-type-changed",
    ItemDeferred => "item-deferred",
    ApprovalsDeferred => "approvals-deferred",
    ReviewApproved => "review-approved",
    ParallelDeployAllowed => "parallel-deploy-allowed",
});

impl EventKind {
    /// What kind of event this is.
    pub fn event_type(&self) -> EventType {
        match self {
            EventKind::Planned { .. } => EventType::Planned,
            EventKind::ChangeAdded { .. } => EventType::ChangeAdded,
            EventKind::ItemCompleted { .. } => EventType::ItemCompleted,
            EventKind::ItemNotApplicable { .. } => EventType::ItemNotApplicable,
            EventKind::ItemWaived { .. } => EventType::ItemWaived,
            EventKind::ItemReopened { .. } => EventType::ItemReopened,
            EventKind::Advanced { .. } => EventType::Advanced,
            EventKind::Observed { .. } => EventType::Observed,
            EventKind::ObservedBatch { .. } => EventType::ObservedBatch,
            EventKind::FlagRaised { .. } => EventType::FlagRaised,
            EventKind::FlagCleared { .. } => EventType::FlagCleared,
            EventKind::RiskAccepted { .. } => EventType::RiskAccepted,
            EventKind::IncidentOpened { .. } => EventType::IncidentOpened,
            EventKind::IncidentResolved { .. } => EventType::IncidentResolved,
            EventKind::RolledBack { .. } => EventType::RolledBack,
            EventKind::Approved { .. } => EventType::Approved,
            EventKind::WindowOverridden { .. } => EventType::WindowOverridden,
            EventKind::RosterChanged { .. } => EventType::RosterChanged,
            EventKind::ChecklistChanged { .. } => EventType::ChecklistChanged,
            EventKind::ChangeTypeChanged { .. } => EventType::ChangeTypeChanged,
            EventKind::ItemDeferred { .. } => EventType::ItemDeferred,
            EventKind::ApprovalsDeferred { .. } => EventType::ApprovalsDeferred,
            EventKind::ReviewApproved { .. } => EventType::ReviewApproved,
            EventKind::ParallelDeployAllowed { .. } => EventType::ParallelDeployAllowed,
        }
    }

    /// The item an item event names, to share its text with the checklist.
    pub(crate) fn item_mut(&mut self) -> Option<&mut ItemId> {
        match self {
            EventKind::ItemCompleted { item }
            | EventKind::ItemNotApplicable { item, .. }
            | EventKind::ItemWaived { item, .. }
            | EventKind::ItemReopened { item, .. }
            | EventKind::ItemDeferred { item, .. } => Some(item),
            _ => None,
        }
    }
}

/// Why a release was rolled back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RollbackReason {
    /// A person decided, and said why.
    Decision {
        /// The decision's reason, in the decider's words.
        why: String,
    },
    /// Critical criteria tripped; these are the findings that called for it.
    Criteria {
        /// The findings with [`Outcome::RollBack`](crate::health::Outcome::RollBack).
        findings: Vec<Finding>,
    },
}

fn is_sample(kind: &ObservationKind) -> bool {
    *kind == ObservationKind::Sample
}

impl fmt::Display for RollbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackReason::Decision { why } => write!(f, "decided: {why}"),
            RollbackReason::Criteria { findings } => {
                let ids: Vec<&str> = findings.iter().map(|finding| finding.criterion.as_str()).collect();
                write!(f, "criteria tripped: {}", ids.join(", "))
            }
        }
    }
}

impl fmt::Display for Event {
    /// One line of the audit trail: when, who, what.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}  {}", self.at.format("%Y-%m-%d %H:%M:%S UTC"), self.by, self.what)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Planned { plan } => write!(
                f,
                "planned {} release {} for {} with \"{}\"",
                plan.kind(),
                plan.version(),
                plan.target_date(),
                plan.template().name()
            ),
            EventKind::ChangeAdded { change } => write!(f, "added change {}", change.id()),
            EventKind::ItemCompleted { item } => write!(f, "completed {item}"),
            EventKind::ItemNotApplicable { item, reason } => {
                write!(f, "marked {item} not applicable: {reason}")
            }
            EventKind::ItemWaived { item, reason } => write!(f, "waived {item}: {reason}"),
            EventKind::ItemReopened { item, reason } => write!(f, "reopened {item}: {reason}"),
            EventKind::Advanced { from, to } => write!(f, "moved the release from {from} to {to}"),
            EventKind::Observed { signal, value, source, kind, measured_at } => {
                match kind {
                    ObservationKind::Sample => write!(f, "observed {signal} = {value} from {source}")?,
                    ObservationKind::Baseline => {
                        write!(f, "recorded baseline {signal} = {value} from {source}")?
                    }
                }
                match measured_at {
                    Some(measured_at) => {
                        write!(f, ", measured {}", measured_at.format("%Y-%m-%d %H:%M:%S UTC"))
                    }
                    None => Ok(()),
                }
            }
            EventKind::ObservedBatch { observations } => describe_batch(f, observations),
            EventKind::FlagRaised { criterion, evidence } => {
                write!(f, "raised the {criterion} flag: {evidence}")
            }
            EventKind::FlagCleared { criterion, reason } => {
                write!(f, "cleared the {criterion} flag: {reason}")
            }
            EventKind::RiskAccepted { criteria, why } => {
                let ids: Vec<&str> = criteria.iter().map(CriterionId::as_str).collect();
                write!(f, "accepted the risk of {}: {why}", ids.join(", "))
            }
            EventKind::IncidentOpened { incident } => write!(f, "opened incident {incident}"),
            EventKind::IncidentResolved { incident, resolved_at } => {
                write!(f, "resolved incident {incident} at {}", resolved_at.format("%Y-%m-%d %H:%M UTC"))
            }
            EventKind::RolledBack { from, reason } => {
                write!(f, "rolled the release back from {from} ({reason})")
            }
            EventKind::Approved { gate } => write!(f, "approved passing the {gate} gate"),
            EventKind::WindowOverridden { window, reason } => {
                write!(f, "overrode change window \"{window}\": {reason}")
            }
            EventKind::RosterChanged { change, reason } => write!(f, "{change}: {reason}"),
            EventKind::ChecklistChanged { checklist, reason } => {
                write!(f, "moved the release to checklist version {checklist}: {reason}")
            }
            EventKind::ChangeTypeChanged { to, reason } => {
                write!(f, "made the release a {to} change: {reason}")
            }
            EventKind::ItemDeferred { item, reason } => write!(f, "deferred {item} (owed): {reason}"),
            EventKind::ApprovalsDeferred { gate, reason } => {
                write!(f, "deferred the approvals of the {gate} gate (review owed): {reason}")
            }
            EventKind::ReviewApproved { summary } => {
                write!(f, "approved the emergency change's review: {summary}")
            }
            EventKind::ParallelDeployAllowed { reason } => {
                write!(f, "allowed deploying while another release of the service is in flight: {reason}")
            }
        }
    }
}

/// "recorded 3 samples of error_rate and latency_p95_ms from prometheus,
/// measured 09:00:00 to 09:10:00 UTC on 2026-11-30".
fn describe_batch(f: &mut fmt::Formatter<'_>, observations: &[Observation]) -> fmt::Result {
    let baselines = observations.iter().filter(|o| o.kind() == ObservationKind::Baseline).count();
    let noun = match (baselines, observations.len()) {
        (0, 1) => "sample",
        (0, _) => "samples",
        (1, 1) => "baseline",
        (b, n) if b == n => "baselines",
        _ => "observations",
    };
    let mut signals: Vec<&str> = observations.iter().map(|o| o.signal().as_str()).collect();
    signals.sort_unstable();
    signals.dedup();
    let mut sources: Vec<&str> = observations.iter().map(Observation::source).collect();
    sources.sort_unstable();
    sources.dedup();
    write!(
        f,
        "recorded {} {noun} of {} from {}",
        observations.len(),
        signals.join(", "),
        sources.join(", ")
    )?;
    let times = observations.iter().map(Observation::at);
    if let (Some(first), Some(last)) = (times.clone().min(), times.max()) {
        let format = "%Y-%m-%d %H:%M:%S UTC";
        if first == last {
            write!(f, ", measured {}", first.format(format))?;
        } else {
            write!(f, ", measured {} to {}", first.format(format), last.format(format))?;
        }
    }
    Ok(())
}
