//! The words of the release's longer refusals, beside the errors in
//! `error` that use them.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::action::NextAction;
use crate::actor::Role;
use crate::checklist::{Item, ItemId, TemplateDifference};
use crate::digest::Digest;
use crate::health::Verdict;
use crate::policy::WindowKind;
use crate::release::access::ApprovalsNeeded;
use crate::release::error::ChainProblem;
use crate::stage::{Gate, Stage};
use crate::text::did_you_mean;

pub(super) fn untrusted_message(
    template: &str,
    fingerprint: &Digest,
    closest: Option<&str>,
    differences: &[TemplateDifference],
) -> String {
    const SHOWN: usize = 8;
    let mut message =
        format!("the release's checklist \"{template}\" (fingerprint {fingerprint}) is not a trusted one");
    match closest {
        None => message.push_str(": no template is trusted"),
        Some(closest) => {
            let listed: Vec<String> = differences.iter().take(SHOWN).map(ToString::to_string).collect();
            let _ = write!(message, "; against trusted \"{closest}\": {}", listed.join("; "));
            if differences.len() > SHOWN {
                let _ = write!(message, "; and {} more", differences.len() - SHOWN);
            }
        }
    }
    // What to do comes last, where a person reads on to after the list.
    let _ = write!(message, "\n{}", NextAction::TrustTemplate.describe());
    message
}

pub(super) fn broken_chain_message(position: usize, problem: ChainProblem) -> String {
    // Events are counted from 1 in words, as a person counts them.
    let event = position + 1;
    match problem {
        ChainProblem::Unchained => format!("event {event} of the log {problem}"),
        _ => format!("event {event} of the log {problem}: {}", NextAction::RestoreLog.describe()),
    }
}

pub(super) fn unknown_item_message(item: &str, suggestions: &[ItemId]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|id| format!("`{id}`")).collect();
    let use_known = NextAction::UseKnownName.describe();
    let hint = match quoted.as_slice() {
        [] => format!(": {use_known}"),
        _ => format!("{} {use_known}", did_you_mean(&quoted, use_known)),
    };
    format!("the template has no item `{item}`{hint}")
}

pub(super) fn not_workable_message(item: &ItemId, gate: Gate, stage: Stage) -> String {
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

pub(super) fn not_allowed_message(from: Stage, to: Stage) -> String {
    if to == Stage::RolledBack && from.can_roll_back() {
        return format!(
            "a release does not move forward to {to}: {} instead",
            NextAction::RollBackWithReason.describe()
        );
    }
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
    message
}

pub(super) fn blocked_message(
    from: Stage,
    to: Stage,
    gate: Gate,
    open: &[Item],
    health: Option<&Verdict>,
    approvals: Option<&ApprovalsNeeded>,
) -> String {
    let mut message = format!("cannot move from {from} to {to}:");
    if !open.is_empty() {
        let count = open.len();
        let noun = if count == 1 { "item is" } else { "items are" };
        let _ = write!(message, "\n{count} {gate} {noun} not settled:");
        for item in open {
            let _ = write!(message, "\n  - {item}");
        }
        let _ = write!(message, "\n{}", NextAction::SettleItems.describe());
    }
    match health {
        Some(verdict @ Verdict::RollBack { .. }) => {
            let _ = write!(
                message,
                "\nthe release's health says {verdict}\n{}",
                NextAction::RollBackOnCriteria.describe()
            );
        }
        Some(verdict) => {
            let _ = write!(
                message,
                "\nthe release's health is {verdict}\na person must decide: {}",
                NextAction::AcceptRiskOrRollBack.describe()
            );
        }
        None => {}
    }
    if let Some(approvals) = approvals {
        let _ =
            write!(message, "\nthe {gate} gate needs {approvals}\n{}", approvals.next_action().describe());
    }
    message
}

pub(super) fn window_closed_message(
    window: &str,
    kind: WindowKind,
    at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    time_zone: chrono_tz::Tz,
    overriders: &[Role],
) -> String {
    let at = at.format("%Y-%m-%d %H:%M UTC");
    let local = until.map(|until| crate::policy::local_text(time_zone, until));
    let mut message = match (kind, until, local) {
        (WindowKind::Freeze, Some(until), Some(local)) => format!(
            "cannot start deploying at {at}: {window} holds until {local} ({} UTC)",
            until.format("%Y-%m-%d %H:%M")
        ),
        (_, Some(until), Some(local)) => format!(
            "cannot start deploying at {at}, outside every deployment window: {window} opens next, at {local} ({} \
             UTC)",
            until.format("%Y-%m-%d %H:%M")
        ),
        _ => format!("cannot start deploying at {at}, outside every deployment window: {window} is over"),
    };
    let who = if overriders.is_empty() {
        "nobody may override it".to_owned()
    } else {
        let roles: Vec<&str> = overriders.iter().map(Role::as_str).collect();
        format!("{} may override it", roles.join(" or "))
    };
    let _ = write!(message, "\n{} ({who})", NextAction::WaitOrOverrideWindow.describe());
    message
}

pub(super) fn decision_message(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Healthy => "the release is healthy: there is no risk to accept".to_owned(),
        Verdict::RollBack { .. } => format!(
            "a roll-back verdict cannot be accepted: {} (a flag raised in error can be cleared):\n{verdict}",
            NextAction::RollBackOnCriteria.describe()
        ),
        Verdict::Inconclusive { .. } => format!("every finding is already decided:\n{verdict}"),
    }
}
