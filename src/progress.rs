//! Counting settled items.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many of a group's items are settled: `settled` of `total`.
///
/// Displays as `settled/total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tally {
    /// Items settled.
    pub settled: usize,
    /// Items in the group.
    pub total: usize,
}

impl Tally {
    /// Whether every item of the group is settled (true for an empty group).
    pub fn is_complete(&self) -> bool {
        self.settled == self.total
    }

    /// The items still open.
    pub fn open(&self) -> usize {
        self.total.saturating_sub(self.settled)
    }

    pub(crate) fn count(&mut self, settled: bool) {
        self.total += 1;
        self.settled += usize::from(settled);
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.settled, self.total)
    }
}
