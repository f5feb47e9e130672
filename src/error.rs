//! The one error type of the crate.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use strum::VariantArray;

use crate::{CriterionId, Gate, Item, ItemId, ReleaseKind, Stage, Verdict};

/// Everything that can go wrong, each case naming the item, stage or field
/// involved and saying what to do about it.
///
/// Whenever an operation on a [`Release`](crate::Release) returns an error,
/// the release is exactly as it was before the call: nothing was recorded.
/// The type is `Send + Sync + 'static`, `Clone` and comparable, so tools can
/// keep and match errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A name (stage, gate, role, kind, requirement) that names nothing.
    #[error("unknown {what} \"{input}\": expected one of {expected}")]
    UnknownName {
        /// What kind of name was expected.
        what: &'static str,
        /// The text given.
        input: String,
        /// The accepted names.
        expected: String,
    },

    /// A piece of text (name, title, reason, id) that breaks its rules.
    #[error("the {field} \"{value}\" {problem}: give one trimmed line of at most {max_chars} characters")]
    InvalidText {
        /// Which text.
        field: &'static str,
        /// The text given, shortened.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
        /// The longest accepted.
        max_chars: usize,
    },

    /// A malformed id (of an item or a criterion).
    #[error("the {what} \"{id}\" {problem}: use dot-separated lowercase slugs such as `{example}`")]
    InvalidId {
        /// What the id names.
        what: &'static str,
        /// The id given, shortened.
        id: String,
        /// What is wrong with it.
        problem: &'static str,
        /// A well-formed id of the same kind.
        example: &'static str,
    },

    /// A checklist item that a template cannot hold.
    #[error("checklist item `{item}` {problem}")]
    InvalidItem {
        /// The item's id.
        item: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A template whose name or sections break the rules.
    #[error("template \"{template}\" {problem}")]
    InvalidTemplate {
        /// The template's name.
        template: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A version that is not `MAJOR.MINOR.PATCH[-pre][+build]`.
    #[error(
        "\"{input}\" is not a release version ({problem}): write MAJOR.MINOR.PATCH, such as 2.4.0 or 2.4.0-rc.1"
    )]
    InvalidVersion {
        /// The text given, shortened.
        input: String,
        /// What the parser found wrong.
        problem: String,
    },

    /// A release version that does not come after the previous one.
    #[error("version {next} does not come after the previous version {previous}: release a higher version")]
    VersionNotNewer {
        /// The previous version.
        previous: String,
        /// The version given.
        next: String,
    },

    /// A release kind that contradicts the version bump.
    #[error(
        "the release was declared {given}, but {previous} → {version} is a {inferred} bump: \
         drop the explicit kind or fix the versions"
    )]
    KindMismatch {
        /// The kind given.
        given: ReleaseKind,
        /// The kind the bump says.
        inferred: ReleaseKind,
        /// The previous version.
        previous: String,
        /// The new version.
        version: String,
    },

    /// A required field left out of a release plan.
    #[error("the release plan needs `{field}`: set it on the builder")]
    MissingField {
        /// The builder method that sets it.
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

    /// An item id that the release's template does not have.
    #[error("{}", unknown_item_message(item, suggestions))]
    UnknownItem {
        /// The id given, shortened.
        item: String,
        /// The template's closest ids.
        suggestions: Vec<ItemId>,
    },

    /// Settling an item that is already settled.
    #[error("`{item}` is already {status}: reopen it first to change how it is settled")]
    ItemAlreadySettled {
        /// The item.
        item: ItemId,
        /// How it is settled now.
        status: &'static str,
    },

    /// Reopening an item that is open.
    #[error("`{item}` is already open: there is nothing to reopen")]
    ItemAlreadyOpen {
        /// The item.
        item: ItemId,
    },

    /// Marking a required item not applicable.
    #[error(
        "`{item}` is required, so it cannot be marked not applicable: complete it, or waive it with a reason"
    )]
    ItemIsRequired {
        /// The item.
        item: ItemId,
    },

    /// Waiving an item that may simply be marked not applicable.
    #[error("`{item}` applies only if applicable, so it is not waived: mark it not applicable with a reason")]
    ItemIsOptional {
        /// The item.
        item: ItemId,
    },

    /// Working by hand an item that the workflow settles itself.
    #[error("`{item}` is settled by the workflow when the release enters {stage}: it is not worked by hand")]
    SettledByWorkflow {
        /// The item.
        item: ItemId,
        /// The stage whose entry settles it.
        stage: Stage,
    },

    /// Working an item whose gate is passed or not yet open.
    #[error("{}", not_workable_message(item, *gate, *stage))]
    ItemNotWorkable {
        /// The item.
        item: ItemId,
        /// Its gate.
        gate: Gate,
        /// The release's stage.
        stage: Stage,
    },

    /// An operation timed before the release's last event.
    #[error(
        "{at} is before the release's last event at {last}: events cannot go back in time; \
         pass the current time"
    )]
    TimeWentBackwards {
        /// The time given.
        at: DateTime<Utc>,
        /// The last event's time.
        last: DateTime<Utc>,
    },

    /// A move the transition table does not have.
    #[error("{}", not_allowed_message(*from, *to))]
    TransitionNotAllowed {
        /// The release's stage.
        from: Stage,
        /// The stage asked for.
        to: Stage,
    },

    /// A forward move blocked by open items of its gate, or by the
    /// release's health.
    #[error("{}", blocked_message(*from, *to, *gate, open, health.as_ref()))]
    TransitionBlocked {
        /// The release's stage.
        from: Stage,
        /// The stage asked for.
        to: Stage,
        /// The gate that guards the move.
        gate: Gate,
        /// Every open item of the gate, in checklist order.
        open: Vec<Item>,
        /// The verdict, when health blocks the move: `RollBack`, or
        /// `Inconclusive` with the findings nobody has decided on.
        health: Option<Verdict>,
    },

    /// A number that is NaN or infinite.
    #[error("{value} is not a finite number: give a real measurement")]
    NotFinite {
        /// The value given.
        value: String,
    },

    /// A malformed signal name.
    #[error("the signal name \"{signal}\" {problem}: use names such as `error_rate` or `latency_p95_ms`")]
    InvalidSignal {
        /// The name given, shortened.
        signal: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// A threshold that cannot be judged.
    #[error("the threshold on {signal} {problem}")]
    InvalidThreshold {
        /// Its signal.
        signal: String,
        /// What is wrong with it.
        problem: String,
    },

    /// A rollback criterion that a template cannot hold.
    #[error("rollback criterion `{criterion}` {problem}")]
    InvalidCriterion {
        /// The criterion's id.
        criterion: String,
        /// What is wrong with it.
        problem: String,
    },

    /// An observation of a signal that no criterion watches.
    #[error(
        "no rollback criterion watches the signal `{signal}`, so it is not recorded: the template's signals are {known}"
    )]
    UnknownSignal {
        /// The signal given.
        signal: String,
        /// The signals the template's criteria watch.
        known: String,
    },

    /// A criterion id that the template does not have.
    #[error("the template has no rollback criterion `{criterion}`: its criteria are {known}")]
    UnknownCriterion {
        /// The id given, shortened.
        criterion: String,
        /// The template's criteria.
        known: String,
    },

    /// Raising or clearing a flag on a threshold criterion.
    #[error("`{criterion}` is a threshold on {signal}, not a flag: record observations of {signal} instead")]
    NotAFlag {
        /// The criterion.
        criterion: CriterionId,
        /// The signal it watches.
        signal: String,
    },

    /// Raising a flag that is already raised.
    #[error(
        "the flag on `{criterion}` is already raised (by {by} at {at}): clear it first to raise it again"
    )]
    FlagAlreadyRaised {
        /// The criterion.
        criterion: CriterionId,
        /// Who raised it.
        by: String,
        /// When.
        at: DateTime<Utc>,
    },

    /// Clearing a flag that is not raised.
    #[error("the flag on `{criterion}` is not raised: there is nothing to clear")]
    FlagNotRaised {
        /// The criterion.
        criterion: CriterionId,
    },

    /// Health work outside the stages that allow it.
    #[error("{what} cannot be recorded while the release is {stage}: {when}")]
    NotMonitoring {
        /// The release's stage.
        stage: Stage,
        /// What was attempted.
        what: &'static str,
        /// When it is allowed.
        when: &'static str,
    },

    /// A decision asked for when the verdict needs none, or cannot take one.
    #[error("{}", decision_message(verdict))]
    NothingToDecide {
        /// The verdict at the time.
        verdict: Verdict,
    },

    /// A rollback on the criteria when none tripped.
    #[error(
        "no critical rollback criterion has tripped (the verdict is {verdict}): roll back on a decision, with a reason"
    )]
    NoCriterionTripped {
        /// The verdict at the time: `Healthy` or `Inconclusive`.
        verdict: Verdict,
    },

    /// A logged rollback that cites other criteria than the observations trip.
    #[error(
        "the rollback cites findings that the recorded observations and flags do not produce: the log was edited"
    )]
    CitationMismatch,

    /// An incident that cannot be recorded as given.
    #[error("incident `{incident}` {problem}")]
    InvalidIncident {
        /// The incident's id.
        incident: String,
        /// What is wrong.
        problem: String,
    },

    /// An incident id that the release does not have.
    #[error("the release has no incident `{incident}`: open it first")]
    UnknownIncident {
        /// The id given, shortened.
        incident: String,
    },

    /// A report window that does not go forward.
    #[error("the window from {from} to {to} is empty: `from` must be before `to`")]
    InvalidWindow {
        /// Its start.
        from: DateTime<Utc>,
        /// Its end.
        to: DateTime<Utc>,
    },

    /// Text that is not the JSON of what was asked for.
    #[error("malformed JSON: {problem}")]
    MalformedJson {
        /// What the parser found wrong, and where.
        problem: String,
    },

    /// A trend over more periods than it can hold.
    #[error(
        "a {period}ly trend of this window would have more than {max} periods: shorten the window or use months"
    )]
    TooManyPeriods {
        /// The period asked for.
        period: String,
        /// The most periods a trend has.
        max: usize,
    },

    /// A release that is not a deployment yet.
    #[error("release {release} is {stage}: it becomes a deployment once it enters Deploying")]
    NotDeployed {
        /// The release's version.
        release: String,
        /// Its stage.
        stage: Stage,
    },

    /// A deployment record whose times contradict each other.
    #[error("deployment record `{release}` {problem}: fix the record")]
    InvalidRecord {
        /// The record's release id.
        release: String,
        /// What is wrong.
        problem: String,
    },

    /// A store that cannot be read or written.
    #[error("cannot {action} {}: {message}", path.display())]
    StoreIo {
        /// The file or directory.
        path: PathBuf,
        /// What the store was doing.
        action: &'static str,
        /// What the system said.
        message: String,
    },

    /// A release key that cannot name a stored release.
    #[error("the release key \"{key}\" {problem}")]
    InvalidKey {
        /// The key given, shortened.
        key: String,
        /// What is wrong with it.
        problem: &'static str,
    },

    /// Creating a release that the store already has.
    #[error("the store already has release {key}: load it and append to it instead")]
    ReleaseExists {
        /// Its key.
        key: String,
    },

    /// Loading a release that the store does not have.
    #[error("the store has no release {key}: check the key against `keys()`")]
    ReleaseNotFound {
        /// The key asked for.
        key: String,
    },

    /// An append on top of a version the writer did not read.
    #[error(
        "release {key} has {actual} stored events, but this writer read {expected}: another writer changed it; \
         load it again and redo the change"
    )]
    StoreConflict {
        /// The release.
        key: String,
        /// The events the writer read.
        expected: usize,
        /// The events stored.
        actual: usize,
    },

    /// A log with a line that cannot be read, or that breaks a rule.
    #[error("{}, line {line}: {problem}", path.display())]
    CorruptLog {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },

    /// A file where a release log should be that is not one.
    #[error("{} is not a release log: {problem}", path.display())]
    NotALog {
        /// The file.
        path: PathBuf,
        /// Why not.
        problem: String,
    },

    /// A rollback of a released release after its monitoring window.
    #[error(
        "the monitoring window of this release closed at {closed_at} (released at {released_at}), so it \
         can no longer be rolled back: ship a fix as a new release"
    )]
    MonitoringWindowClosed {
        /// When the release entered `Released`.
        released_at: DateTime<Utc>,
        /// When the window closed.
        closed_at: DateTime<Utc>,
    },

    /// Adding a change once the release is frozen.
    #[error(
        "the release is {stage}: changes can only be added while it is planned; ship the change in the next release"
    )]
    ChangesFrozen {
        /// The release's stage.
        stage: Stage,
    },

    /// An event whose recorded stage differs from the release's.
    #[error(
        "the event says the release was {recorded}, but it is {actual}: the log is out of order or was edited"
    )]
    StageMismatch {
        /// The stage the event records.
        recorded: Stage,
        /// The release's stage.
        actual: Stage,
    },

    /// A log that does not start with the release's plan, or plans twice.
    #[error("{problem}")]
    MalformedLog {
        /// What is wrong.
        problem: &'static str,
    },

    /// A stored release in a format this version of the crate cannot read.
    #[error(
        "the stored release uses format {found}, but this crate reads format {supported}: upgrade the crate"
    )]
    UnsupportedFormat {
        /// The format found.
        found: u32,
        /// The format this crate writes and reads.
        supported: u32,
    },

    /// A log event that breaks a rule, at its position in the log.
    #[error("event {position} of the log is refused: {source}")]
    Replay {
        /// The event's position, from 0.
        position: usize,
        /// The rule it breaks.
        source: Box<Error>,
    },
}

impl Error {
    /// An [`Error::UnknownName`] listing every variant of `T`.
    pub(crate) fn unknown_name<T>(what: &'static str, input: &str) -> Error
    where
        T: VariantArray + Into<&'static str> + Copy,
    {
        let names: Vec<&'static str> = T::VARIANTS.iter().map(|variant| (*variant).into()).collect();
        Error::unknown_name_of(what, input, &names)
    }

    pub(crate) fn unknown_name_of(what: &'static str, input: &str, names: &[&str]) -> Error {
        Error::UnknownName { what, input: crate::text::shorten(input), expected: names.join(", ") }
    }
}

fn unknown_item_message(item: &str, suggestions: &[ItemId]) -> String {
    let mut message = format!("the template has no item `{item}`");
    match suggestions {
        [] => message.push_str(": check the id against the template's items"),
        [only] => {
            let _ = write!(message, ": did you mean `{only}`?");
        }
        several => {
            let list: Vec<String> = several.iter().map(|id| format!("`{id}`")).collect();
            let _ = write!(message, ": did you mean one of {}?", list.join(", "));
        }
    }
    message
}

fn not_workable_message(item: &ItemId, gate: Gate, stage: Stage) -> String {
    let why = match (gate.exit_stage(), gate.closes()) {
        (Some(exit), _) if stage.is_final() => {
            format!("the release is {stage}, so {gate} items (for entering {exit}) no longer matter")
        }
        (Some(exit), _) => format!("the release is already {stage}, past the {gate} gate into {exit}"),
        (None, Some(closes)) => {
            format!("{gate} items are worked once the release is {closes}; it is {stage}")
        }
        (None, None) => format!("{gate} items cannot be worked while the release is {stage}"),
    };
    format!("`{item}` cannot be worked: {why}")
}

fn not_allowed_message(from: Stage, to: Stage) -> String {
    let mut message = format!("a release cannot move from {from} to {to}");
    match (from.next(), from.can_roll_back()) {
        (Some(next), true) => {
            let _ = write!(message, ": from {from} it can move to {next}, or be rolled back");
        }
        (Some(next), false) => {
            let _ = write!(message, ": from {from} it can only move to {next}");
        }
        (None, true) => {
            let _ = write!(
                message,
                ": {from} is final; it can only be rolled back, within its monitoring window"
            );
        }
        (None, false) => {
            let _ = write!(message, ": {from} is final");
        }
    }
    if to == Stage::RolledBack && from.can_roll_back() {
        message.push_str("; use `roll_back` with a reason");
    }
    message
}

fn blocked_message(from: Stage, to: Stage, gate: Gate, open: &[Item], health: Option<&Verdict>) -> String {
    let mut message = format!("cannot move from {from} to {to}:");
    if !open.is_empty() {
        let count = open.len();
        let noun = if count == 1 { "item is" } else { "items are" };
        let _ = write!(message, "\n{count} {gate} {noun} not settled:");
        for item in open {
            let _ = write!(message, "\n  - {item}");
        }
        message.push_str(
            "\nsettle each one (complete it, mark an if-applicable item not applicable, or waive a required one, \
             with a reason)",
        );
    }
    match health {
        Some(verdict @ Verdict::RollBack { .. }) => {
            let _ = write!(
                message,
                "\nthe release's health says {verdict}\nroll it back (`roll_back_on_criteria`)"
            );
        }
        Some(verdict) => {
            let _ = write!(
                message,
                "\nthe release's health is {verdict}\na person must decide: accept the risk with a reason \
                 (`accept_risk`), or roll back"
            );
        }
        None => {}
    }
    message
}

fn decision_message(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Healthy => "the release is healthy: there is no risk to accept".to_owned(),
        Verdict::RollBack { .. } => format!(
            "a roll-back verdict cannot be accepted; roll the release back, or clear what tripped it if it was \
             wrong:\n{verdict}"
        ),
        Verdict::Inconclusive { .. } => format!("every finding is already decided:\n{verdict}"),
    }
}
