//! Where a release stands, as data: what a dashboard renders, and what
//! `Display` prints for a person.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::action::NextAction;
use crate::actor::{Actor, Role};
use crate::checklist::{Item, ItemId};
use crate::event::{Event, RollbackReason};
use crate::health::{Finding, RiskDecision, Verdict};
use crate::incident::Incident;
use crate::policy::{ChangeType, WindowKind};
use crate::progress::Tally;
use crate::release::access::{Approval, ApprovalsNeeded};
use crate::release::change::{DeferredApprovals, Owed};
use crate::release::change_error::ChangeError;
use crate::release::error::unblocking_actions;
use crate::release::error_messages::window_closed_message;
use crate::release::{Release, ReleaseError};
use crate::roster::Member;
use crate::stage::{Gate, Stage};
use crate::text::counted;
use crate::version::{ReleaseKind, Version};

pub(crate) const TIME: &str = "%Y-%m-%d %H:%M UTC";

/// How many open items a summary lists before it only counts the rest.
const LISTED_ITEMS: usize = 10;

/// Where a release stands and what it takes to move on: a snapshot to
/// render, store or send, taken by [`Release::status`].
///
/// The next move comes from the same check that
/// [`advance_to`](Release::advance_to) runs, so a status that says a
/// release can move is never contradicted by the move. `Display` prints it
/// for a person, as `Display` for a [`Release`] does.
///
/// ```
/// use release_workflow::{NextAction, Stage};
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(t0)?;
/// let status = release.status();
/// let next = status.next_move.as_ref().ok_or("a planned release has a next move")?;
/// assert_eq!(next.to, Stage::Frozen);
/// assert!(!next.can_move());
/// assert_eq!(next.open_items.len(), 8);
/// assert_eq!(next.next_actions(), [NextAction::SettleItems]);
/// let json = serde_json::to_value(&status)?;
/// assert_eq!(json["next_move"]["to"], "frozen");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReleaseStatus {
    /// The version being released.
    pub version: Version,
    /// Patch, minor or major.
    pub kind: ReleaseKind,
    /// The service, if named.
    pub service: Option<String>,
    /// The day the release is meant to go out.
    pub target_date: NaiveDate,
    /// The stage it is in.
    pub stage: Stage,
    /// When it entered that stage.
    pub since: Option<DateTime<Utc>>,
    /// Who owns the release now: the planner, or whoever the role was
    /// handed to.
    pub release_manager: Actor,
    /// Who carries the pager now.
    pub on_call: Actor,
    /// Everyone on the roster now, with the roles each holds.
    pub people: Vec<Member>,
    /// The checklist's name.
    pub checklist: String,
    /// Settled and total items of each gate the template uses, in gate
    /// order; the group that does not apply (rollback items before a
    /// rollback, post-release items after one) is left out.
    pub progress: Vec<GateProgress>,
    /// The release's health while it is watched (deploying, verifying,
    /// released) and its template has criteria.
    pub health: Option<HealthStatus>,
    /// The incidents it caused.
    pub incidents: Vec<Incident>,
    /// The approvals given and not lapsed, oldest first.
    pub approvals: Vec<Approval>,
    /// The change windows overridden for the release, by name.
    pub overridden_windows: Vec<String>,
    /// The next forward move and what blocks it; `None` in a final stage.
    pub next_move: Option<NextMove>,
    /// Until when a released release may still be rolled back.
    pub rollback_allowed_until: Option<DateTime<Utc>>,
    /// How the release was rolled back, once it was.
    pub rollback: Option<RollbackStatus>,
    /// What is left to close a final release; `None` before it is final.
    pub closing: Option<Closing>,
    /// The latest event.
    pub last_event: Option<Event>,
    /// The change type: normal, standard or emergency.
    #[serde(default)]
    pub change_type: ChangeType,
    /// What an emergency change deferred of its gates' approvals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred_approvals: Vec<DeferredApprovals>,
    /// The items an emergency change deferred and has not done yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred_items: Vec<ItemId>,
    /// What an emergency change owes before it closes ([`Release::owed`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owed: Vec<Owed>,
    /// When what it owes falls due ([`Release::review_due`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_due: Option<DateTime<Utc>>,
    /// Whether it owes something past that time, at the time of a
    /// [`status_at`](Release::status_at); always `false` in a
    /// [`status`](Release::status), which is taken at no time.
    #[serde(default)]
    pub overdue: bool,
}

/// Settled and total items of one gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GateProgress {
    /// The gate.
    pub gate: Gate,
    /// Its items, settled of total.
    #[serde(flatten)]
    pub tally: Tally,
}

/// The release's health, as the next move sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthStatus {
    /// Every criterion judged now.
    pub verdict: Verdict,
    /// The risk decisions taken on inconclusive findings.
    pub decisions: Vec<RiskDecision>,
    /// How many observations were recorded.
    pub observations: usize,
    /// What the dry-run criteria find: reported, never blocking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dry_run: Vec<Finding>,
}

/// The next forward move and everything that blocks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextMove {
    /// The stage it moves to.
    pub to: Stage,
    /// The gate that guards it.
    pub gate: Gate,
    /// The gate's open items, in checklist order.
    pub open_items: Vec<Item>,
    /// The health that blocks the move: a roll-back verdict, or the
    /// inconclusive findings nobody has decided on (the missing
    /// decisions).
    pub health: Option<Verdict>,
    /// The approvals the gate still needs, when its policy asks for them.
    pub approvals: Option<ApprovalsNeeded>,
    /// The change window that keeps the release from starting to deploy
    /// at the time of a [`status_at`](Release::status_at); always `None`
    /// in a [`status`](Release::status), which is taken at no time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<ClosedWindow>,
    /// The release of the same service in flight that keeps this one from
    /// starting to deploy, in a [`status_among`](Release::status_among);
    /// `None` in the other statuses, which see no other release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<HeldBy>,
}

/// The release of the same service in flight: one release of a service
/// deploys at a time. The same facts as
/// [`ChangeError::ServiceInFlight`](crate::release::ChangeError::ServiceInFlight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldBy {
    /// The service.
    pub service: String,
    /// The version of the release in flight.
    pub version: Version,
    /// Its stage: deploying or verifying.
    pub stage: Stage,
    /// The roles that may allow a parallel deployment.
    pub allowers: Vec<Role>,
}

impl NextMove {
    /// Whether the move would be accepted: nothing blocks it. From
    /// [`status`](Release::status), change windows are not judged (they
    /// depend on when the move is made); from
    /// [`status_at`](Release::status_at) they are.
    pub fn can_move(&self) -> bool {
        self.open_items.is_empty()
            && self.health.is_none()
            && self.approvals.is_none()
            && self.window.is_none()
            && self.held_by.is_none()
    }

    /// What can be done next: move on, or clear what blocks the move.
    pub fn next_actions(&self) -> Vec<NextAction> {
        if self.can_move() {
            return vec![NextAction::Advance];
        }
        let mut actions = unblocking_actions(&self.open_items, self.health.as_ref(), self.approvals.as_ref());
        if self.window.is_some() {
            actions.push(NextAction::WaitOrOverrideWindow);
        }
        if self.held_by.is_some() {
            actions.push(NextAction::WaitOrDeployInParallel);
        }
        actions
    }
}

/// A change window closed to the start of a deployment at some time: a
/// freeze the release would start in, or the deployment windows it would
/// start outside of. The same facts as [`ReleaseError::WindowClosed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedWindow {
    /// The window, in words (its name, kind and schedule).
    pub window: String,
    /// A freeze, or a deployment window.
    pub kind: WindowKind,
    /// The time the status was taken at.
    pub at: DateTime<Utc>,
    /// When the freeze ends, or a deployment window next opens; `None` for
    /// a one-off deployment window that is over.
    pub until: Option<DateTime<Utc>>,
    /// The window's time zone, which the message gives `until` in too.
    pub time_zone: chrono_tz::Tz,
    /// The roles that may override the window; empty when nobody may.
    pub overriders: Vec<Role>,
}

impl ClosedWindow {
    /// Whether someone may override the window (a role the policy names).
    pub fn can_be_overridden(&self) -> bool {
        !self.overriders.is_empty()
    }
}

impl fmt::Display for ClosedWindow {
    /// As [`ReleaseError::WindowClosed`] says it: when the window opens, in
    /// its time zone and in UTC, and who may override it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&window_closed_message(
            &self.window,
            self.kind,
            self.at,
            self.until,
            self.time_zone,
            &self.overriders,
        ))
    }
}

/// How a release was rolled back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackStatus {
    /// The stage it left.
    pub from: Stage,
    /// Why.
    pub reason: RollbackReason,
    /// Who rolled it back.
    pub by: Actor,
    /// When.
    pub at: DateTime<Utc>,
}

/// What is left to close a final release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    /// The group that closes it: post-release items once released,
    /// rollback items once rolled back.
    pub group: Gate,
    /// Its open items, in checklist order.
    pub open_items: Vec<Item>,
}

impl Release {
    /// Where the release stands and what it takes to move on, as data.
    pub fn status(&self) -> ReleaseStatus {
        let plan = self.plan();
        let hidden = match self.stage() {
            Stage::RolledBack => Gate::PostRelease,
            _ => Gate::Rollback,
        };
        let watched = matches!(self.stage(), Stage::Deploying | Stage::Verifying | Stage::Released);
        let health = (watched && !self.template().criteria().is_empty()).then(|| HealthStatus {
            verdict: self.verdict(),
            decisions: self.risk_decisions().to_vec(),
            observations: self.observations().len(),
            dry_run: self.dry_run_findings(),
        });
        let closing_group = match self.stage() {
            Stage::Released => Some(Gate::PostRelease),
            Stage::RolledBack => Some(Gate::Rollback),
            _ => None,
        };
        ReleaseStatus {
            version: plan.version().clone(),
            kind: plan.kind(),
            service: plan.service().map(str::to_owned),
            target_date: plan.target_date(),
            stage: self.stage(),
            since: self.entered_at(self.stage()),
            release_manager: self.release_manager(),
            on_call: self.on_call(),
            people: self.roster().members().to_vec(),
            checklist: self.template().name().to_owned(),
            progress: self
                .progress_by_gate()
                .into_iter()
                .filter(|(gate, _)| *gate != hidden)
                .map(|(gate, tally)| GateProgress { gate, tally })
                .collect(),
            health,
            incidents: self.incidents().to_vec(),
            approvals: self.approvals().to_vec(),
            overridden_windows: self.more.overrides.clone(),
            next_move: self.next_move(),
            rollback_allowed_until: match self.stage() {
                Stage::Released => self.monitoring_window_closes_at(),
                _ => None,
            },
            rollback: self.rollback_event().map(|(from, reason, event)| RollbackStatus {
                from,
                reason: reason.clone(),
                by: event.by.clone(),
                at: event.at,
            }),
            closing: closing_group
                .map(|group| Closing { group, open_items: self.open_items(group).cloned().collect() }),
            last_event: self.events().last().cloned(),
            change_type: self.change_type(),
            deferred_approvals: self.deferred_approvals().to_vec(),
            deferred_items: self
                .items()
                .filter(|(_, status)| status.is_deferred())
                .map(|(item, _)| item.id().clone())
                .collect(),
            owed: self.owed(),
            review_due: self.review_due(),
            overdue: false,
        }
    }

    /// Where the release stands at `at` and what it takes to move on: the
    /// [`status`](Release::status), with the change windows judged at `at`.
    /// Inside a freeze (or outside every deployment window), a move into
    /// `Deploying` is not ready: [`NextMove::window`] says which window,
    /// when it opens and who may override it. The status a dashboard shows
    /// "now", in one call.
    ///
    /// ```
    /// use release_workflow::{Actor, Gate, NextAction, Release, ReleaseKind, Role, Stage, Template};
    /// use release_workflow::policy::{ChangeWindow, Policy, WindowKind};
    ///
    /// let weekend = ChangeWindow::weekly(
    ///     "Weekend freeze", WindowKind::Freeze, release_workflow::chrono_tz::Europe::Berlin,
    ///     "fri 18:00".parse()?, "mon 06:00".parse()?,
    /// )?;
    /// let template = Template::octoacme().with_policy(Policy::octoacme().with_window(weekend)?)?;
    /// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
    /// # let grace = Actor::new("grace", "Grace", Role::ON_CALL_ENGINEER)?;
    /// let friday: chrono::DateTime<chrono::Utc> = "2026-12-04T09:00:00Z".parse()?;
    /// let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
    ///     .target_date("2026-12-05".parse()?).release_manager(ada.clone()).on_call(grace)
    ///     .template(template).plan(friday)?;
    /// # let freeze: Vec<String> = release.open_items(Gate::Freeze).map(|item| item.id().to_string()).collect();
    /// # for item in freeze { release.complete(&item, &ada, friday)?; }
    /// release.advance_to(Stage::Frozen, &ada, friday)?;
    /// // Saturday morning: the weekend freeze holds the deployment, beside
    /// // the deploy gate's open items and its missing approval.
    /// let status = release.status_at("2026-12-05T10:00:00Z".parse()?);
    /// let next = status.next_move.ok_or("a next move")?;
    /// let window = next.window.as_ref().ok_or("the freeze")?;
    /// assert!(window.to_string().contains("holds until Mon 2026-12-07 06:00 CET"), "{window}");
    /// assert!(window.can_be_overridden(), "a change approver may");
    /// assert!(next.next_actions().contains(&NextAction::WaitOrOverrideWindow));
    /// // `status()` judges no time, so no window.
    /// assert!(release.status().next_move.is_some_and(|next| next.window.is_none()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status_at(&self, at: DateTime<Utc>) -> ReleaseStatus {
        let mut status = self.status();
        status.overdue = status.review_due.is_some_and(|due| at > due) && !status.owed.is_empty();
        if let Some(next) = status.next_move.as_mut()
            && next.to == Stage::Deploying
            && let Err(ReleaseError::WindowClosed { window, kind, at, until, time_zone, overriders }) =
                self.check_windows(at)
        {
            next.window = Some(ClosedWindow { window, kind, at, until, time_zone, overriders });
        }
        status
    }

    /// Where the release stands at `at` beside `others`, releases a tool
    /// supplies (a store's [`status`](crate::store::ReleaseStore::status)
    /// supplies its own): the [`status_at`](Release::status_at), and a
    /// move into `Deploying` held by another release of the service in
    /// flight says which ([`NextMove::held_by`]).
    pub fn status_among<'a>(
        &self,
        at: DateTime<Utc>,
        others: impl IntoIterator<Item = &'a Release>,
    ) -> ReleaseStatus {
        let mut status = self.status_at(at);
        if let Some(next) = status.next_move.as_mut()
            && next.to == Stage::Deploying
            && let Err(ReleaseError::Change(refusal)) = self.check_in_flight(others)
            && let ChangeError::ServiceInFlight { service, version, stage, allowers } = *refusal
        {
            next.held_by = Some(HeldBy { service, version, stage, allowers });
        }
        status
    }

    /// The next forward move, judged by the check `advance_to` runs.
    fn next_move(&self) -> Option<NextMove> {
        let to = self.stage().next()?;
        let gate = to.entry_gate()?;
        match self.check_advance(to) {
            Ok(()) => Some(NextMove {
                to,
                gate,
                open_items: Vec::new(),
                health: None,
                approvals: None,
                window: None,
                held_by: None,
            }),
            Err(ReleaseError::TransitionBlocked { gate, open, health, approvals, .. }) => Some(NextMove {
                to,
                gate,
                open_items: open,
                health,
                approvals: approvals.map(|a| *a),
                window: None,
                held_by: None,
            }),
            // The table has the edge to the next stage, so the check refuses
            // with nothing but `TransitionBlocked`.
            Err(_) => None,
        }
    }
}

impl fmt::Display for Release {
    /// A few lines: the version and stage, the people, progress per gate,
    /// health, and what blocks the next step (or what is left to close the
    /// release). The same as the [`status`](Release::status)'s `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.status(), f)
    }
}

impl fmt::Display for ReleaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Release {} ({})", self.version, self.kind)?;
        if let Some(service) = &self.service {
            write!(f, " of {service}")?;
        }
        writeln!(f, ", target {}", self.target_date)?;
        write!(f, "  stage      {}", self.stage)?;
        if let Some(since) = self.since {
            write!(f, " since {}", since.format(TIME))?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "  people     {} (release manager), {} (on call)",
            self.release_manager.name(),
            self.on_call.name()
        )?;
        writeln!(f, "  checklist  {}", self.checklist)?;
        let current_gate = self.next_move.as_ref().map(|next| next.gate);
        for GateProgress { gate, tally } in &self.progress {
            let marker = if Some(*gate) == current_gate {
                "→"
            } else if tally.is_complete() {
                "✓"
            } else {
                " "
            };
            writeln!(f, "    {marker} {gate:<13}{:>3}/{}", tally.settled, tally.total)?;
        }
        self.fmt_health(f)?;
        for incident in &self.incidents {
            writeln!(f, "  incident   {incident}")?;
        }
        for approval in &self.approvals {
            writeln!(
                f,
                "  approved   {} gate by {} at {}",
                approval.gate,
                approval.by.name(),
                approval.at.format(TIME)
            )?;
        }
        for window in &self.overridden_windows {
            writeln!(f, "  overridden change window \"{window}\"")?;
        }
        self.fmt_change_type(f)?;
        self.fmt_next(f)?;
        if let Some(last) = &self.last_event {
            write!(f, "  last event {last}")?;
        }
        Ok(())
    }
}

impl ReleaseStatus {
    /// A standard or emergency change says so; an emergency change says
    /// what it deferred, what it owes and by when.
    fn fmt_change_type(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.change_type == ChangeType::Normal {
            return Ok(());
        }
        writeln!(f, "  change     {}", self.change_type)?;
        for deferred in &self.deferred_approvals {
            writeln!(
                f,
                "  deferred   approvals of the {} gate, by {} at {}: {}",
                deferred.gate,
                deferred.by.name(),
                deferred.at.format(TIME),
                deferred.reason
            )?;
        }
        for item in &self.deferred_items {
            writeln!(f, "  deferred   item `{item}`, owed")?;
        }
        if self.owed.is_empty() {
            return Ok(());
        }
        let due = match (self.review_due, self.overdue) {
            (Some(due), true) => format!(", OVERDUE since {}", due.format(TIME)),
            (Some(due), false) => format!(", due {}", due.format(TIME)),
            (None, _) => String::new(),
        };
        writeln!(f, "  owes{due}: {}", NextAction::SettleWhatIsOwed.describe())?;
        for owed in &self.owed {
            writeln!(f, "               - {owed}")?;
        }
        Ok(())
    }

    fn fmt_health(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(health) = &self.health else {
            return Ok(());
        };
        let blocking = self.next_move.as_ref().and_then(|next| next.health.as_ref());
        for finding in &health.dry_run {
            writeln!(f, "  dry run    {finding}")?;
        }
        match (&health.verdict, blocking) {
            (Verdict::Healthy, _) => {
                writeln!(
                    f,
                    "  health     healthy ({})",
                    counted(health.observations, "observation", "observations")
                )
            }
            (Verdict::Inconclusive { .. }, None) if !health.decisions.is_empty() => {
                writeln!(f, "  health     inconclusive, risk accepted:")?;
                for decision in &health.decisions {
                    writeln!(f, "               - by {}: {}", decision.by.name(), decision.why)?;
                }
                Ok(())
            }
            (verdict, undecided) => {
                let shown = undecided.unwrap_or(verdict);
                let text = shown.to_string().replace("\n  ", "\n               ");
                writeln!(f, "  health     {text}")
            }
        }
    }

    fn fmt_next(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(next) = &self.next_move {
            return fmt_next_move(f, next);
        }
        if let Some(until) = self.rollback_allowed_until {
            writeln!(f, "  rollback   allowed until {}", until.format(TIME))?;
        }
        if let Some(rollback) = &self.rollback {
            let by = rollback.by.name();
            match &rollback.reason {
                RollbackReason::Criteria { findings } => {
                    writeln!(f, "  rolled back from {} by {by}, on tripped criteria:", rollback.from)?;
                    for finding in findings {
                        writeln!(f, "               - {finding}")?;
                    }
                }
                reason => writeln!(f, "  rolled back from {} by {by}, {reason}", rollback.from)?,
            }
        }
        if let Some(closing) = &self.closing {
            let count = closing.open_items.len();
            if count == 0 && !self.owed.is_empty() {
                writeln!(f, "  to close   every {} item is settled; what it owes is open", closing.group)?;
            } else if count == 0 {
                writeln!(f, "  closed     every {} item is settled", closing.group)?;
            } else {
                let noun = if count == 1 { "item" } else { "items" };
                writeln!(f, "  to close   {count} open {} {noun}:", closing.group)?;
                fmt_items(f, &closing.open_items)?;
            }
        }
        Ok(())
    }
}

fn fmt_next_move(f: &mut fmt::Formatter<'_>, next: &NextMove) -> fmt::Result {
    if next.can_move() {
        return writeln!(f, "  next       ready to move to {}", next.to);
    }
    let count = next.open_items.len();
    if count > 0 {
        writeln!(f, "  next       {} is blocked by {}:", next.to, counted(count, "open item", "open items"))?;
        fmt_items(f, &next.open_items)?;
    }
    if let Some(verdict) = &next.health {
        let lead = if count > 0 {
            "             and by the release's health".to_owned()
        } else {
            format!("  next       {} is blocked by the release's health", next.to)
        };
        let (says, action) = match verdict {
            Verdict::RollBack { .. } => ("says roll back", NextAction::RollBackOnCriteria),
            _ => ("is inconclusive", NextAction::AcceptRiskOrRollBack),
        };
        writeln!(f, "{lead}, which {says}: {}", action.describe())?;
    }
    if let Some(approvals) = &next.approvals {
        let lead = if count > 0 || next.health.is_some() {
            "             and by approvals".to_owned()
        } else {
            format!("  next       {} is blocked by approvals", next.to)
        };
        writeln!(f, "{lead}: the {} gate needs {approvals}", next.gate)?;
    }
    if let Some(held) = &next.held_by {
        let lead = if count > 0 || next.health.is_some() || next.approvals.is_some() {
            "             and by another release".to_owned()
        } else {
            format!("  next       {} is blocked by another release", next.to)
        };
        writeln!(
            f,
            "{lead}: release {} of {} is {}; {}",
            held.version,
            held.service,
            held.stage,
            NextAction::WaitOrDeployInParallel.describe()
        )?;
    }
    if let Some(window) = &next.window {
        let lead = if count > 0 || next.health.is_some() || next.approvals.is_some() || next.held_by.is_some()
        {
            "             and by a change window".to_owned()
        } else {
            format!("  next       {} is blocked by a change window", next.to)
        };
        let text = window.to_string().replace('\n', "\n             ");
        writeln!(f, "{lead}: {text}")?;
    }
    Ok(())
}

/// Lists items, the first [`LISTED_ITEMS`] of them, then how many more.
fn fmt_items(f: &mut fmt::Formatter<'_>, items: &[Item]) -> fmt::Result {
    for item in items.iter().take(LISTED_ITEMS) {
        writeln!(f, "               - {item}")?;
    }
    if items.len() > LISTED_ITEMS {
        writeln!(f, "               … and {} more", items.len() - LISTED_ITEMS)?;
    }
    Ok(())
}
