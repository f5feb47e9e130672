//! Work on more than one thread, without ever failing for want of one.
//!
//! Starting a thread can fail (a system out of threads, a limit on a
//! container); the standard library's scoped `spawn` then panics. These
//! helpers start threads with `std::thread::Builder` instead and do the
//! work on the calling thread when one cannot start.

use std::sync::mpsc;
use std::thread::{Builder, Scope, ScopedJoinHandle};

/// The most threads any computation here starts, whatever it is asked.
pub(crate) const MAX_THREADS: usize = 256;

/// Runs `there` on a thread of its own while `here` runs on this one, and
/// returns both results; both here, one after the other, when `parallel`
/// is false or no thread can start.
pub(crate) fn side_by_side<A, B>(
    parallel: bool,
    there: impl FnOnce() -> A + Send,
    here: impl FnOnce() -> B,
) -> (A, B)
where
    A: Send + Default,
{
    if !parallel {
        let b = here();
        return (there(), b);
    }
    std::thread::scope(|scope| {
        let started = start(scope, there);
        let b = here();
        // A thread that started and returns always has a result.
        (started.finish().unwrap_or_default(), b)
    })
}

/// Work handed to a thread, or kept when no thread could start.
pub(crate) enum Started<'scope, A, F> {
    /// Running on its own thread.
    There(ScopedJoinHandle<'scope, Option<A>>),
    /// No thread could start: to be done by whoever finishes it.
    Here(F),
}

/// Starts `work` on a thread of `scope`, or keeps it to do later here.
pub(crate) fn start<'scope, A, F>(scope: &'scope Scope<'scope, '_>, work: F) -> Started<'scope, A, F>
where
    A: Send + 'scope,
    F: FnOnce() -> A + Send + 'scope,
{
    // The work goes over a channel once the thread runs, so that a thread
    // that cannot start does not take the work with it.
    let (sender, receiver) = mpsc::channel::<F>();
    match Builder::new().spawn_scoped(scope, move || receiver.recv().ok().map(|work| work())) {
        Ok(handle) => match sender.send(work) {
            Ok(()) => Started::There(handle),
            Err(mpsc::SendError(work)) => Started::Here(work),
        },
        Err(_) => Started::Here(work),
    }
}

impl<A, F: FnOnce() -> A> Started<'_, A, F> {
    /// The work's result: joined from its thread, or done here. A panic on
    /// the thread goes on here. `None` only if the thread never received
    /// its work, which `start` rules out.
    pub(crate) fn finish(self) -> Option<A> {
        match self {
            Started::There(handle) => match handle.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Started::Here(work) => Some(work()),
        }
    }

    /// Whether the work runs on a thread of its own.
    #[cfg(feature = "store")]
    pub(crate) fn is_running(&self) -> bool {
        matches!(self, Started::There(_))
    }
}

/// `work` done on every item of `items`, on up to `threads` threads that
/// each take a contiguous share of at least `least_share` items; the
/// results in the items' order. A share whose thread cannot start is done
/// here.
#[cfg(any(feature = "store", test))]
pub(crate) fn map_in_shares<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    least_share: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(MAX_THREADS).min(items.len() / least_share.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(work).collect();
    }
    let share = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let started: Vec<_> = items
            .chunks(share)
            .map(|chunk| start(scope, move || chunk.iter().map(work).collect::<Vec<R>>()))
            .collect();
        started.into_iter().flat_map(|share| share.finish().unwrap_or_default()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Mutex;

    /// The results of `map_in_shares` over `count` items, and how many
    /// threads did the work.
    fn shared(count: usize, threads: usize) -> (Vec<usize>, usize) {
        let seen = Mutex::new(HashSet::new());
        let items: Vec<usize> = (0..count).collect();
        let results = map_in_shares(&items, threads, 32, |item| {
            seen.lock().unwrap().insert(std::thread::current().id());
            item * 2
        });
        let used = seen.lock().unwrap().len();
        (results, used)
    }

    #[test]
    fn shares_are_at_least_the_least_share_and_results_keep_their_order() {
        for (count, threads, used) in
            [(0, 2, 0), (31, 2, 1), (40, 2, 1), (64, 2, 2), (64, 1, 1), (100, 3, 3), (100, 8, 3)]
        {
            let (results, threads_used) = shared(count, threads);
            assert_eq!(results, (0..count).map(|item| item * 2).collect::<Vec<_>>(), "{count} on {threads}");
            assert_eq!(threads_used, used, "{count} items on up to {threads} threads");
        }
    }
}
