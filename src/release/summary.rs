//! The summary a release manager reads: `Display` for a release.

use std::fmt;

use crate::{Gate, Item, Release, RollbackReason, Stage};

const TIME: &str = "%Y-%m-%d %H:%M UTC";

impl fmt::Display for Release {
    /// A few lines: the version and stage, the people, progress per gate,
    /// and what blocks the next step (or what is left to close the release).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.plan();
        write!(f, "Release {} ({})", plan.version(), plan.kind())?;
        if let Some(service) = plan.service() {
            write!(f, " of {service}")?;
        }
        writeln!(f, ", target {}", plan.target_date())?;
        write!(f, "  stage      {}", self.stage())?;
        if let Some(since) = self.entered_at(self.stage()) {
            write!(f, " since {}", since.format(TIME))?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "  people     {} (release manager), {} (on call)",
            plan.release_manager().name(),
            plan.on_call().name()
        )?;
        writeln!(f, "  checklist  {}", self.template().name())?;
        let current_gate = self.stage().next().and_then(Stage::entry_gate);
        let hidden = match self.stage() {
            Stage::RolledBack => Gate::PostRelease,
            _ => Gate::Rollback,
        };
        for (gate, tally) in self.progress_by_gate().into_iter().filter(|(gate, _)| *gate != hidden) {
            let marker = if Some(gate) == current_gate {
                "→"
            } else if tally.is_complete() {
                "✓"
            } else {
                " "
            };
            writeln!(f, "    {marker} {:<13}{:>3}/{}", gate.to_string(), tally.settled, tally.total)?;
        }
        self.fmt_health(f)?;
        self.fmt_next_step(f)?;
        if let Some(last) = self.events().last() {
            write!(f, "  last event {}", last)?;
        }
        Ok(())
    }
}

impl Release {
    fn fmt_health(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let watched = matches!(self.stage(), Stage::Deploying | Stage::Verifying | Stage::Released);
        if watched && !self.template().criteria().is_empty() {
            let samples = self.observations().len();
            match self.undecided_health() {
                None if self.verdict().is_healthy() => {
                    writeln!(f, "  health     healthy ({samples} observations)")?
                }
                None => {
                    writeln!(f, "  health     inconclusive, risk accepted:")?;
                    for decision in self.risk_decisions() {
                        writeln!(f, "               - by {}: {}", decision.by.name(), decision.why)?;
                    }
                }
                Some(verdict) => {
                    let text = verdict.to_string().replace("\n  ", "\n               ");
                    writeln!(f, "  health     {text}")?;
                }
            }
        }
        for incident in self.incidents() {
            writeln!(f, "  incident   {incident}")?;
        }
        Ok(())
    }

    fn fmt_next_step(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stage() {
            Stage::Released => {
                if let Some(closes) = self.monitoring_window_closes_at() {
                    writeln!(f, "  rollback   allowed until {}", closes.format(TIME))?;
                }
                self.fmt_closing(f, Gate::PostRelease)
            }
            Stage::RolledBack => {
                let rollback = self.rollback_event().map(|(from, reason, event)| (from, reason, &event.by));
                if let Some((from, reason, by)) = rollback {
                    match reason {
                        RollbackReason::Criteria { findings } => {
                            writeln!(f, "  rolled back from {from} by {}, on tripped criteria:", by.name())?;
                            for finding in findings {
                                writeln!(f, "               - {finding}")?;
                            }
                        }
                        reason => writeln!(f, "  rolled back from {from} by {}, {reason}", by.name())?,
                    }
                }
                self.fmt_closing(f, Gate::Rollback)
            }
            stage => {
                let Some(next) = stage.next() else {
                    return Ok(());
                };
                let blockers = self.blocking_items(next);
                if blockers.is_empty() {
                    writeln!(f, "  next       ready to move to {next}")
                } else {
                    let noun = if blockers.len() == 1 { "item" } else { "items" };
                    writeln!(f, "  next       {next} is blocked by {} open {noun}:", blockers.len())?;
                    fmt_items(f, &blockers)
                }
            }
        }
    }

    fn fmt_closing(&self, f: &mut fmt::Formatter<'_>, group: Gate) -> fmt::Result {
        let open: Vec<_> = self.open_items(group).collect();
        if open.is_empty() {
            return writeln!(f, "  closed     every {group} item is settled");
        }
        let noun = if open.len() == 1 { "item" } else { "items" };
        writeln!(f, "  to close   {} open {group} {noun}:", open.len())?;
        fmt_items(f, &open)
    }
}

/// Lists items, the first [`LISTED_ITEMS`] of them, then how many more.
fn fmt_items(f: &mut fmt::Formatter<'_>, items: &[&Item]) -> fmt::Result {
    for item in items.iter().take(LISTED_ITEMS) {
        writeln!(f, "               - {item}")?;
    }
    if items.len() > LISTED_ITEMS {
        writeln!(f, "               … and {} more", items.len() - LISTED_ITEMS)?;
    }
    Ok(())
}

/// How many open items a summary lists before it only counts the rest.
const LISTED_ITEMS: usize = 10;
