//! A value computed once, on first use, from a value that does not change
//! afterwards.

use std::fmt;
use std::sync::OnceLock;

/// Something derived from its owner and kept, such as a template's
/// fingerprint or its items' positions. It takes no part in comparing,
/// hashing or printing its owner: it only restates it, so equal owners are
/// equal whether it was computed yet or not.
#[derive(Clone)]
pub(crate) struct Memo<T>(OnceLock<T>);

impl<T> Default for Memo<T> {
    fn default() -> Memo<T> {
        Memo(OnceLock::new())
    }
}

impl<T> Memo<T> {
    /// The value, computed with `compute` the first time.
    pub(crate) fn get_or(&self, compute: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(compute)
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Memo<T>) -> bool {
        true
    }
}

impl<T> Eq for Memo<T> {}

impl<T> std::hash::Hash for Memo<T> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<T> fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Memo")
    }
}
