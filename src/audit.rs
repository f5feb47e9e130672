//! The audit trail: a release's events, filtered and rendered for people.
//!
//! [`AuditTrail::of`] a release lists its events as a person reads them
//! (when, who, in which role, what), numbered as the log numbers them;
//! filters narrow it by person, role, event type or time, and `Display`
//! writes it as a table.
//!
//! ```
//! use release_workflow::{Gate, audit::AuditTrail, event::EventType};
//! # use release_workflow::{Actor, Release, ReleaseKind, Role};
//! # let ada = Actor::new("ada", "Ada Lovelace", Role::RELEASE_MANAGER)?;
//! # let at: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
//! # let mut release = Release::builder().service("checkout").version("2.4.0").kind(ReleaseKind::Minor)
//! #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone()).plan(at)?;
//! release.complete("planning.scope-documented", &ada, at)?;
//! let trail = AuditTrail::of(&release);
//! assert_eq!(trail.len(), 2);
//! assert_eq!(trail.of_type(EventType::ItemCompleted).len(), 1);
//! println!("{}", AuditTrail::of(&release).by_person(ada.id()));
//! # let _ = Gate::Freeze;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

use crate::actor::{PersonId, Role};
use crate::event::{Event, EventType};
use crate::release::Release;

/// A view of a release's log: every event, or those a filter keeps, each
/// with its position in the log.
///
/// A refused operation leaves no event, so the trail is exactly what
/// happened.
///
/// ```
/// # use release_workflow::{Actor, Release, ReleaseKind, Role};
/// use release_workflow::{audit::AuditTrail, event::EventType};
/// # let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?;
/// # let grace = Actor::new("grace", "Grace", Role::ON_CALL_ENGINEER)?;
/// # let t0: chrono::DateTime<chrono::Utc> = "2026-11-30T09:00:00Z".parse()?;
/// # let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor)
/// #     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(grace.clone()).plan(t0)?;
/// release.complete("planning.scope-documented", &grace, t0)?;
/// release.complete("planning.version-confirmed", &ada, t0)?;
/// let by_grace = AuditTrail::of(&release).by("Grace");
/// assert_eq!(by_grace.len(), 1);
/// assert_eq!(AuditTrail::of(&release).of_type(EventType::ItemCompleted).len(), 2);
/// println!("{}", AuditTrail::of(&release));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTrail<'a> {
    entries: Vec<(usize, &'a Event)>,
}

impl<'a> AuditTrail<'a> {
    /// The whole log of `release`.
    pub fn of(release: &'a Release) -> AuditTrail<'a> {
        AuditTrail { entries: release.events().iter().enumerate().collect() }
    }

    fn keep(self, keep: impl Fn(&Event) -> bool) -> AuditTrail<'a> {
        AuditTrail { entries: self.entries.into_iter().filter(|(_, event)| keep(event)).collect() }
    }

    /// The events of the actor with this name.
    #[must_use]
    pub fn by(self, actor_name: &str) -> AuditTrail<'a> {
        self.keep(|event| event.by.name() == actor_name)
    }

    /// The events of the person with this id, in whatever role they acted:
    /// what an auditor asks of one person, since names can repeat.
    #[must_use]
    pub fn by_person(self, person: &PersonId) -> AuditTrail<'a> {
        self.keep(|event| event.by.id() == person)
    }

    /// The events taken in this role, by whoever held it.
    #[must_use]
    pub fn in_role(self, role: &Role) -> AuditTrail<'a> {
        self.keep(|event| event.by.role() == role)
    }

    /// The events of this type.
    #[must_use]
    pub fn of_type(self, event_type: EventType) -> AuditTrail<'a> {
        self.keep(|event| event.what.event_type() == event_type)
    }

    /// The events from `from` (included) to `to` (excluded).
    #[must_use]
    pub fn between(self, from: DateTime<Utc>, to: DateTime<Utc>) -> AuditTrail<'a> {
        self.keep(|event| from <= event.at && event.at < to)
    }

    /// The events kept, each with its position in the log (from 0).
    pub fn entries(&self) -> &[(usize, &'a Event)] {
        &self.entries
    }

    /// The events kept, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &'a Event> + '_ {
        self.entries.iter().map(|(_, event)| *event)
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Display for AuditTrail<'_> {
    /// One line per event: its position, when, who, what.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, event) in &self.entries {
            writeln!(f, "#{position:<4} {event}")?;
        }
        Ok(())
    }
}
