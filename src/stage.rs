//! The stages of a release, the gates between them and the transition table.

use crate::text::named_enum;

/// Where a release stands.
///
/// A release starts [`Planned`](Stage::Planned) and moves forward one stage at
/// a time until it is [`Released`](Stage::Released), or it is
/// [`RolledBack`](Stage::RolledBack) from `Deploying`, `Verifying` or (while
/// the monitoring window is open) `Released`:
///
/// | from | to | allowed when |
/// |---|---|---|
/// | Planned | Frozen | every [`Gate::Freeze`] item is settled |
/// | Frozen | Deploying | every [`Gate::Deploy`] item is settled |
/// | Deploying | Verifying | every [`Gate::Verify`] item is settled |
/// | Verifying | Released | every [`Gate::Release`] item is settled |
/// | Deploying, Verifying | RolledBack | a rollback reason is given |
/// | Released | RolledBack | a reason is given and the monitoring window is open |
///
/// `Stage` displays as its name in kebab case (`rolled-back`), and parses
/// from it with [`FromStr`](std::str::FromStr), ignoring ASCII case.
///
/// ```
/// use release_workflow::Stage;
///
/// let stage: Stage = "frozen".parse()?;
/// assert_eq!(stage, Stage::Frozen);
/// assert_eq!(stage.next(), Some(Stage::Deploying));
/// assert!(stage.can_move_to(Stage::Deploying));
/// assert!(!stage.can_move_to(Stage::Released));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Scope, people and dates are being settled; code still changes.
    Planned,
    /// Code is frozen; the release is being built, tested and prepared.
    Frozen,
    /// The deployment to production is under way.
    Deploying,
    /// The release is in production and being verified.
    Verifying,
    /// The release is live and verified; post-release work follows. Final,
    /// except for a rollback while the monitoring window is open.
    Released,
    /// The release was taken out of production; the rollback checklist
    /// follows. Final.
    RolledBack,
}

named_enum!(Stage, "stage", {
    Planned => "planned",
    Frozen => "frozen",
    Deploying => "deploying",
    Verifying => "verifying",
    Released => "released",
    RolledBack => "rolled-back" | "rolled_back",
});

impl Stage {
    /// The stage a release moves to when it goes forward from this one, or
    /// `None` from a final stage.
    pub const fn next(self) -> Option<Stage> {
        match self {
            Stage::Planned => Some(Stage::Frozen),
            Stage::Frozen => Some(Stage::Deploying),
            Stage::Deploying => Some(Stage::Verifying),
            Stage::Verifying => Some(Stage::Released),
            Stage::Released | Stage::RolledBack => None,
        }
    }

    /// Whether the transition table has an edge from this stage to `target`.
    ///
    /// This says nothing about the checklist: the edge may still be blocked by
    /// open items, a missing rollback reason or a closed monitoring window.
    pub const fn can_move_to(self, target: Stage) -> bool {
        match target {
            Stage::RolledBack => self.can_roll_back(),
            _ => matches!(self.next(), Some(next) if next as u8 == target as u8),
        }
    }

    /// Whether a release in this stage may be rolled back (for `Released`,
    /// only while its monitoring window is open).
    pub const fn can_roll_back(self) -> bool {
        matches!(self, Stage::Deploying | Stage::Verifying | Stage::Released)
    }

    /// The gate whose items must be settled to enter this stage going
    /// forward; `None` for `Planned` and `RolledBack`.
    pub const fn entry_gate(self) -> Option<Gate> {
        match self {
            Stage::Planned | Stage::RolledBack => None,
            Stage::Frozen => Some(Gate::Freeze),
            Stage::Deploying => Some(Gate::Deploy),
            Stage::Verifying => Some(Gate::Verify),
            Stage::Released => Some(Gate::Release),
        }
    }

    /// Whether no forward move leaves this stage.
    pub const fn is_final(self) -> bool {
        matches!(self, Stage::Released | Stage::RolledBack)
    }

    /// Whether items of `gate` can be worked (completed, waived, marked not
    /// applicable, reopened) while a release is in this stage.
    ///
    /// Before release, the items of every gate not yet passed can be worked,
    /// so teams can prepare ahead. A gate already passed is closed: reopening
    /// its work would contradict the transition it allowed. `PostRelease`
    /// items are worked once `Released`, `Rollback` items once `RolledBack`.
    pub const fn can_work(self, gate: Gate) -> bool {
        match gate {
            Gate::PostRelease => matches!(self, Stage::Released),
            Gate::Rollback => matches!(self, Stage::RolledBack),
            Gate::Freeze | Gate::Deploy | Gate::Verify | Gate::Release => match gate.exit_stage() {
                Some(exit) => !self.is_final() && (self as u8) < (exit as u8),
                None => false,
            },
        }
    }
}

/// What a checklist item guards.
///
/// The four gating values each guard one forward transition: a release cannot
/// enter the gate's [`exit_stage`](Gate::exit_stage) while one of the gate's
/// items is open. `PostRelease` and `Rollback` gate nothing; they group the
/// work that closes a released or a rolled-back release.
///
/// ```
/// use release_workflow::{Gate, Stage};
///
/// assert_eq!(Gate::Deploy.exit_stage(), Some(Stage::Deploying));
/// assert_eq!("post-release".parse::<Gate>()?, Gate::PostRelease);
/// assert!(!Gate::Rollback.is_gating());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gate {
    /// Guards `Planned` → `Frozen`.
    Freeze,
    /// Guards `Frozen` → `Deploying`.
    Deploy,
    /// Guards `Deploying` → `Verifying`.
    Verify,
    /// Guards `Verifying` → `Released`.
    Release,
    /// Work after a release; settles nothing but the release's closure.
    PostRelease,
    /// Work after a rollback; settles nothing but the release's closure.
    Rollback,
}

named_enum!(Gate, "gate", {
    Freeze => "freeze",
    Deploy => "deploy",
    Verify => "verify",
    Release => "release",
    PostRelease => "post-release",
    Rollback => "rollback",
});

impl Gate {
    /// The stage this gate lets a release enter, or `None` for the
    /// non-gating groups.
    pub const fn exit_stage(self) -> Option<Stage> {
        match self {
            Gate::Freeze => Some(Stage::Frozen),
            Gate::Deploy => Some(Stage::Deploying),
            Gate::Verify => Some(Stage::Verifying),
            Gate::Release => Some(Stage::Released),
            Gate::PostRelease | Gate::Rollback => None,
        }
    }

    /// Whether this gate guards a transition.
    pub const fn is_gating(self) -> bool {
        self.exit_stage().is_some()
    }

    /// The final stage whose closure this group's items decide, for the
    /// non-gating groups.
    pub const fn closes(self) -> Option<Stage> {
        match self {
            Gate::PostRelease => Some(Stage::Released),
            Gate::Rollback => Some(Stage::RolledBack),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_forward_edge_is_guarded_by_the_gate_that_exits_into_it() {
        for &stage in Stage::ALL {
            if let Some(next) = stage.next() {
                let gate = next.entry_gate();
                assert_eq!(gate.and_then(Gate::exit_stage), Some(next));
            }
        }
    }

    #[test]
    fn work_windows_close_once_a_gate_is_passed() {
        assert!(Stage::Planned.can_work(Gate::Freeze));
        assert!(Stage::Planned.can_work(Gate::Release));
        assert!(!Stage::Frozen.can_work(Gate::Freeze));
        assert!(Stage::Verifying.can_work(Gate::Release));
        assert!(!Stage::Released.can_work(Gate::Release));
        assert!(!Stage::RolledBack.can_work(Gate::Release));
        assert!(Stage::Released.can_work(Gate::PostRelease));
        assert!(!Stage::Verifying.can_work(Gate::PostRelease));
        assert!(Stage::RolledBack.can_work(Gate::Rollback));
        assert!(!Stage::Released.can_work(Gate::Rollback));
    }
}
