//! The statuses of a release's items, kept for the settled ones only.
//!
//! Most items of most releases are open, and a dashboard holds thousands
//! of releases: a release keeps its settled items' statuses with their
//! places in the checklist, in checklist order, and an item not there is
//! open. The `many_releases` bench in `benches/integrity.rs` prints the
//! heap 10,000 loaded releases hold.

use crate::checklist::ItemStatus;

/// The status of every item not settled.
static OPEN: ItemStatus = ItemStatus::Open;

/// The settled items' statuses by their index in the checklist, sorted by
/// index; every other item is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(super) struct Settled {
    statuses: Vec<(usize, ItemStatus)>,
}

impl Settled {
    /// The status of the item at `index`: open unless it was settled.
    pub(super) fn get(&self, index: usize) -> &ItemStatus {
        match self.statuses.binary_search_by_key(&index, |(at, _)| *at) {
            Ok(found) => self.statuses.get(found).map_or(&OPEN, |(_, status)| status),
            Err(_) => &OPEN,
        }
    }

    /// Sets the status of the item at `index`; an open status forgets it.
    pub(super) fn set(&mut self, index: usize, status: ItemStatus) {
        match (self.statuses.binary_search_by_key(&index, |(at, _)| *at), status.is_settled()) {
            (Ok(found), true) => {
                if let Some(slot) = self.statuses.get_mut(found) {
                    slot.1 = status;
                }
            }
            (Ok(found), false) => {
                self.statuses.remove(found);
            }
            (Err(at), true) => self.statuses.insert(at, (index, status)),
            (Err(_), false) => {}
        }
    }

    /// The statuses of `count` items, in checklist order.
    pub(super) fn in_order(&self, count: usize) -> impl Iterator<Item = &ItemStatus> + '_ {
        let mut settled = self.statuses.iter().peekable();
        (0..count).map(move |index| match settled.next_if(|(at, _)| *at == index) {
            Some((_, status)) => status,
            None => &OPEN,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn done(minute: i64) -> ItemStatus {
        let ada = crate::actor::Actor::new("ada", "Ada", crate::actor::Role::RELEASE_MANAGER).unwrap();
        ItemStatus::Done { by: ada, at: chrono::DateTime::from_timestamp(minute * 60, 0).unwrap() }
    }

    proptest! {
        /// Whatever is set in whatever order, the statuses read as a plain
        /// list of every item's status would.
        #[test]
        fn reads_as_a_list_of_every_status(changes in proptest::collection::vec((0usize..12, 0i64..3), 0..40)) {
            let mut settled = Settled::default();
            let mut list = vec![ItemStatus::Open; 12];
            for (index, minute) in changes {
                let status = if minute == 0 { ItemStatus::Open } else { done(minute) };
                settled.set(index, status.clone());
                list[index] = status;
            }
            for (index, status) in list.iter().enumerate() {
                prop_assert_eq!(settled.get(index), status);
            }
            prop_assert_eq!(settled.in_order(12).cloned().collect::<Vec<_>>(), list.clone());
            prop_assert_eq!(settled.statuses.len(), list.iter().filter(|status| status.is_settled()).count());
            prop_assert!(settled.statuses.windows(2).all(|pair| pair[0].0 < pair[1].0));
        }
    }

    #[test]
    fn past_the_last_item_every_status_is_open() {
        let mut settled = Settled::default();
        settled.set(3, done(1));
        assert_eq!(settled.get(99), &ItemStatus::Open);
        assert_eq!(settled.in_order(2).filter(|status| status.is_settled()).count(), 0);
        assert_eq!(settled.in_order(5).filter(|status| status.is_settled()).count(), 1);
    }
}
