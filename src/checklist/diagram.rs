//! A template's workflow as a Mermaid state diagram.

use std::fmt::Write as _;

use crate::checklist::template::Template;
use crate::health::Severity;
use crate::stage::{Gate, Stage};
use crate::text::counted;

/// The stages in the order the diagram declares them.
const STAGES: [Stage; 6] =
    [Stage::Planned, Stage::Frozen, Stage::Deploying, Stage::Verifying, Stage::Released, Stage::RolledBack];

impl Template {
    /// The workflow of this checklist as a [Mermaid](https://mermaid.js.org)
    /// state diagram, which GitHub renders in a ```` ```mermaid ```` block:
    /// the stages; each forward move labelled with its gate, the number of
    /// items it waits for, the approvals the policy asks for and, into
    /// released, the healthy verdict (unless every criterion is in a dry
    /// run); the rollback edges with the number of critical criteria that
    /// can trip (dry runs never do); and the items that close each final
    /// stage.
    ///
    /// ```
    /// use release_workflow::Template;
    ///
    /// let diagram = Template::octoacme().mermaid();
    /// assert!(diagram.starts_with("stateDiagram-v2\n"));
    /// assert!(diagram.contains("    Frozen --> Deploying : deploy gate, 25 items, 1 approval\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mermaid(&self) -> String {
        let mut out = String::from("stateDiagram-v2\n    direction LR\n");
        // Writing to a String cannot fail.
        for stage in STAGES {
            let _ = writeln!(out, "    state \"{}\" as {}", label(stage), node(stage));
        }
        let _ = writeln!(out, "    [*] --> {}", node(Stage::Planned));
        let mut stage = Stage::Planned;
        while let Some(next) = stage.next() {
            let _ = writeln!(out, "    {} --> {} : {}", node(stage), node(next), self.move_label(next));
            stage = next;
        }
        // Only a critical criterion outside a dry run can give a roll-back
        // verdict: a dry run is judged and reported but never trips, and a
        // warning asks a person, whose rollback is a decision.
        let can_roll_back = self
            .criteria()
            .iter()
            .filter(|criterion| !criterion.is_dry_run() && criterion.severity() == Severity::Critical)
            .count();
        let trips = match can_roll_back {
            0 => "a decision".to_owned(),
            1 => "1 critical criterion or a decision".to_owned(),
            n => format!("any of {n} critical criteria or a decision"),
        };
        for from in STAGES.into_iter().filter(|stage| stage.can_roll_back()) {
            let within = if from == Stage::Released { ", within the monitoring window" } else { "" };
            let _ = writeln!(
                out,
                "    {} --> {} : roll back on {trips}{within}",
                node(from),
                node(Stage::RolledBack)
            );
        }
        for (stage, gate) in [(Stage::Released, Gate::PostRelease), (Stage::RolledBack, Gate::Rollback)] {
            let _ = writeln!(out, "    {} --> [*] : {}", node(stage), self.closing_label(gate));
        }
        out
    }

    /// What a forward move into `to` waits for.
    fn move_label(&self, to: Stage) -> String {
        let Some(gate) = to.entry_gate() else { return String::new() };
        let mut parts = vec![format!("{gate} gate"), counted(self.gate_items(gate).count(), "item", "items")];
        if let Some(rule) = self.policy().and_then(|policy| policy.approvals_for(gate)) {
            parts.push(counted(rule.count() as usize, "approval", "approvals"));
        }
        if to == Stage::Released && self.criteria().iter().any(|criterion| !criterion.is_dry_run()) {
            parts.push("healthy verdict".to_owned());
        }
        parts.join(", ")
    }

    /// What closes a final stage: the items of its group.
    fn closing_label(&self, gate: Gate) -> String {
        match self.gate_items(gate).count() {
            0 => "closed, no items to settle".to_owned(),
            1 => "closed when its 1 item is settled".to_owned(),
            count => format!("closed when its {count} items are settled"),
        }
    }
}

/// The diagram's id of a stage: its name without the hyphen.
fn node(stage: Stage) -> String {
    stage
        .as_str()
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The diagram's label of a stage.
fn label(stage: Stage) -> String {
    stage.as_str().replace('-', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_labels_name_the_stages() {
        assert_eq!(node(Stage::RolledBack), "RolledBack");
        assert_eq!(label(Stage::RolledBack), "rolled back");
        assert_eq!(node(Stage::Planned), "Planned");
    }
}
