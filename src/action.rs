//! What can be done next: the way forward an error or a status points at,
//! as data a tool can act on.

use crate::text::named_enum;

/// A way forward, for tools: what an error or a status says a person can do
/// next, in a form a program can act on (offer a button, run a command).
///
/// Messages say the same in words; [`methods`](NextAction::methods) names
/// the operations of this crate that do it, for tools that map actions to
/// code.
///
/// ```
/// use release_workflow::NextAction;
///
/// let action = NextAction::AcceptRiskOrRollBack;
/// assert_eq!(action.to_string(), "accept-risk-or-roll-back");
/// assert_eq!(action.methods(), ["accept_risk", "roll_back"]);
/// assert_eq!(action.describe(), "accept the risk with a reason, or roll the release back");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum NextAction {
    /// Settle the open items: complete them, mark if-applicable ones not
    /// applicable, or waive required ones, with a reason.
    SettleItems,
    /// Reopen the item, with a reason, before settling it another way.
    ReopenItem,
    /// Accept the risk of the undecided findings, or roll back.
    AcceptRiskOrRollBack,
    /// Roll back, citing the criteria that tripped.
    RollBackOnCriteria,
    /// Roll back on a decision, with a reason.
    RollBackWithReason,
    /// Move forward to the next stage.
    Advance,
    /// Ship the change or fix in a new release.
    ShipNewRelease,
    /// Load the release again and redo the change on top of it.
    ReloadAndRedo,
    /// Load the stored release and append to it instead of creating it.
    LoadAndAppend,
    /// Pick a key the store has.
    ChooseStoredKey,
    /// Trust the release's checklist, if it was changed on purpose; otherwise
    /// restore the log from a copy you trust.
    TrustTemplate,
    /// Restore the log from a copy you trust, or recover its longest valid
    /// prefix.
    RestoreLog,
    /// Ask someone the policy lets approve, who neither planned the release
    /// nor wrote one of its changes, to approve the gate.
    GetApproval,
    /// Wait until the change window allows deploying, or have someone the
    /// policy permits override it with a reason.
    WaitOrOverrideWindow,
    /// Act as someone on the release's roster, in a role it gives them and
    /// the policy permits.
    ActAsPermittedRole,
    /// Complete the required item, or waive it with a reason.
    CompleteOrWaive,
    /// Mark the if-applicable item not applicable, with a reason.
    MarkNotApplicable,
    /// Use a name the checklist has (an item, a criterion's signal or id,
    /// a change window): the message lists them or the closest ones.
    UseKnownName,
    /// Record observations of the criterion's signal instead of raising
    /// a flag.
    RecordObservations,
    /// Clear the raised flag first.
    ClearFlag,
    /// Open the incident on the release first.
    OpenIncident,
    /// Upgrade this crate to a version that reads the stored format.
    UpgradeCrate,
    /// Hand the role over to someone else before the person holding it
    /// leaves the roster.
    HandOverRole,
    /// Add someone the policy lets approve to the release's roster: nobody
    /// on it may give the approval a gate needs.
    StaffApprover,
    /// Ask someone the emergency-change policy names as a reviewer, who
    /// neither planned the release nor wrote one of its changes, to
    /// approve its review.
    GetReview,
    /// Settle what an emergency change owes: complete its deferred items
    /// and its review item, and get its review approved.
    SettleWhatIsOwed,
    /// Wait until the other release of the service is released or rolled
    /// back, or have someone the policy permits allow a parallel
    /// deployment with a reason.
    WaitOrDeployInParallel,
}

named_enum!(NextAction, "next action", {
    SettleItems => "settle-items",
    ReopenItem => "reopen-item",
    AcceptRiskOrRollBack => "accept-risk-or-roll-back",
    RollBackOnCriteria => "roll-back-on-criteria",
    RollBackWithReason => "roll-back-with-reason",
    Advance => "advance",
    ShipNewRelease => "ship-new-release",
    ReloadAndRedo => "reload-and-redo",
    LoadAndAppend => "load-and-append",
    ChooseStoredKey => "choose-stored-key",
    TrustTemplate => "trust-template",
    RestoreLog => "restore-log",
    GetApproval => "get-approval",
    WaitOrOverrideWindow => "wait-or-override-window",
    ActAsPermittedRole => "act-as-permitted-role",
    CompleteOrWaive => "complete-or-waive",
    MarkNotApplicable => "mark-not-applicable",
    UseKnownName => "use-known-name",
    RecordObservations => "record-observations",
    ClearFlag => "clear-flag",
    OpenIncident => "open-incident",
    UpgradeCrate => "upgrade-crate",
    HandOverRole => "hand-over-role",
    StaffApprover => "staff-approver",
    GetReview => "get-review",
    SettleWhatIsOwed => "settle-what-is-owed",
    WaitOrDeployInParallel => "wait-or-deploy-in-parallel",
});

impl NextAction {
    /// The action in words, as messages say it.
    pub const fn describe(self) -> &'static str {
        match self {
            NextAction::SettleItems => {
                "settle each one: complete it, mark an if-applicable item not applicable, or waive a required \
                 one, with a reason"
            }
            NextAction::ReopenItem => "reopen it with a reason to settle it another way",
            NextAction::AcceptRiskOrRollBack => "accept the risk with a reason, or roll the release back",
            NextAction::RollBackOnCriteria => "roll the release back on the criteria that tripped",
            NextAction::RollBackWithReason => "roll the release back with a reason",
            NextAction::Advance => "move the release forward",
            NextAction::ShipNewRelease => "ship a new release",
            NextAction::ReloadAndRedo => "load the release again and redo the change",
            NextAction::LoadAndAppend => "load the stored release and append to it instead",
            NextAction::ChooseStoredKey => "choose a key the store has",
            NextAction::TrustTemplate => {
                "if the checklist was changed on purpose, add it to the templates you trust; otherwise \
                 restore the log from a copy you trust"
            }
            NextAction::RestoreLog => {
                "restore the log from a copy you trust, or recover its longest valid prefix and redo what \
                 was lost"
            }
            NextAction::GetApproval => {
                "ask someone the policy lets approve, who neither planned the release nor wrote one of its \
                 changes, to approve it"
            }
            NextAction::WaitOrOverrideWindow => {
                "wait until the window allows deploying, or override it with a reason if you may"
            }
            NextAction::ActAsPermittedRole => {
                "act as someone on the release's roster, in a role the roster gives them and the policy permits"
            }
            NextAction::CompleteOrWaive => "complete it, or waive it with a reason",
            NextAction::MarkNotApplicable => "mark it not applicable with a reason",
            NextAction::UseKnownName => "use a name the checklist has",
            NextAction::RecordObservations => "record observations of its signal instead",
            NextAction::ClearFlag => "clear the flag first",
            NextAction::OpenIncident => "open the incident first",
            NextAction::UpgradeCrate => "upgrade this crate",
            NextAction::HandOverRole => "hand the role over to someone first",
            NextAction::StaffApprover => {
                "add someone the policy lets approve, who neither planned the release nor wrote one of its \
                 changes, to the release's roster"
            }
            NextAction::GetReview => {
                "ask someone the policy names to review emergency changes, who neither planned the release nor \
                 wrote one of its changes, to approve the review"
            }
            NextAction::SettleWhatIsOwed => {
                "complete the deferred items and the review item, and get the review approved"
            }
            NextAction::WaitOrDeployInParallel => {
                "wait until that release is released or rolled back, or allow a parallel deployment with a \
                 reason if you may"
            }
        }
    }

    /// The operations of this crate that carry the action out, for tools
    /// that map actions to code.
    pub const fn methods(self) -> &'static [&'static str] {
        match self {
            NextAction::SettleItems => &["complete", "mark_not_applicable", "waive"],
            NextAction::ReopenItem => &["reopen"],
            NextAction::AcceptRiskOrRollBack => &["accept_risk", "roll_back"],
            NextAction::RollBackOnCriteria => &["roll_back_on_criteria"],
            NextAction::RollBackWithReason => &["roll_back"],
            NextAction::Advance => &["advance_to"],
            NextAction::ShipNewRelease => &["builder"],
            NextAction::ReloadAndRedo => &["load", "append"],
            NextAction::LoadAndAppend => &["load", "append"],
            NextAction::ChooseStoredKey => &["keys"],
            NextAction::TrustTemplate => &["trusting"],
            NextAction::RestoreLog => &["recover"],
            NextAction::GetApproval => &["approve"],
            NextAction::WaitOrOverrideWindow => &["override_window"],
            NextAction::ActAsPermittedRole => &[],
            NextAction::CompleteOrWaive => &["complete", "waive"],
            NextAction::MarkNotApplicable => &["mark_not_applicable"],
            NextAction::UseKnownName => &["items", "criteria", "change_windows"],
            NextAction::RecordObservations => &["observe", "record_observation", "record_observations"],
            NextAction::ClearFlag => &["clear_flag"],
            NextAction::OpenIncident => &["open_incident"],
            NextAction::UpgradeCrate => &[],
            NextAction::HandOverRole => &["hand_over"],
            NextAction::StaffApprover => &["add_member", "hand_over"],
            NextAction::GetReview => &["approve_review"],
            NextAction::SettleWhatIsOwed => &["complete", "approve_review"],
            NextAction::WaitOrDeployInParallel => &["allow_parallel_deploy"],
        }
    }
}
