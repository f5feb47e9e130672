//! The umbrella error, for callers that want one type to match on.
//!
//! Each layer owns its errors, beside the code that raises them:
//!
//! | layer | error | raised by |
//! |---|---|---|
//! | text, ids, names | [`TextError`], [`ParseError`] | names, titles, reasons, ids; `FromStr` of every named enum |
//! | versions | [`VersionError`] | [`parse_version`](crate::parse_version), [`ReleaseKind::between`](crate::ReleaseKind::between) |
//! | health | [`HealthError`] | thresholds, criteria, observations, incidents |
//! | checklist | [`TemplateError`] | items and templates |
//! | policy | [`PolicyError`] | policies, grants, approval rules, change windows |
//! | plan | [`PlanError`] | [`ReleaseBuilder`](crate::ReleaseBuilder) |
//! | release | [`ReleaseError`] | every operation on a [`Release`](crate::Release), replay, stored releases; [`AccessError`](crate::AccessError) inside it for who may act |
//! | typed | [`WrongStage`] | a handle asked for a release in another stage |
//! | metrics | [`MetricsError`] | windows, deployment records, trends |
//! | store | `StoreError` | `ReleaseStore` implementations (`store` feature) |
//!
//! A function returns its own layer's error, so a caller matches exactly
//! the cases it can meet. An error of a layer below travels up wrapped
//! (`ReleaseError::Text` for an empty reason, say) with its message
//! unchanged. [`Error`] gathers them all, for code that mixes layers and
//! wants one `match` or one `?`.

use crate::action::NextAction;
use crate::checklist::{MarkdownError, TemplateError};
use crate::health::HealthError;
use crate::metrics::MetricsError;
use crate::plan::PlanError;
use crate::policy::PolicyError;
use crate::release::ReleaseError;
#[cfg(feature = "store")]
use crate::store::StoreError;
use crate::text::{ParseError, TextError};
use crate::typed::WrongStage;
use crate::version::VersionError;

/// Any error of the crate: one variant per layer, each holding that layer's
/// error with its message and data unchanged.
///
/// Every layer's error converts into it, so `?` works across layers:
///
/// ```
/// use release_workflow::{Actor, Error, Release, ReleaseError, ReleaseKind, Role, Stage};
///
/// fn freeze_now(release: &mut Release, by: &Actor) -> Result<(), Error> {
///     let now = "2026-11-30T09:00:00Z".parse().map_err(|_| Error::from(ReleaseError::CitationMismatch))?;
///     release.advance_to(Stage::Frozen, by, now)?; // a ReleaseError
///     Ok(())
/// }
///
/// let ada = Actor::new("ada", "Ada", Role::RELEASE_MANAGER)?; // a TextError
/// let mut release = Release::builder().version("2.4.0").kind(ReleaseKind::Minor) // a PlanError
///     .target_date("2026-12-01".parse()?).release_manager(ada.clone()).on_call(ada.clone())
///     .plan("2026-11-30T08:00:00Z".parse()?)?;
/// match freeze_now(&mut release, &ada) {
///     Err(Error::Release(ReleaseError::TransitionBlocked { open, .. })) => assert_eq!(open.len(), 8),
///     other => panic!("expected a refusal, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A name that names nothing.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Text that breaks its rules.
    #[error(transparent)]
    Text(#[from] TextError),
    /// A version that does not parse or does not fit.
    #[error(transparent)]
    Version(#[from] VersionError),
    /// A criterion, threshold, observation or incident that cannot be judged.
    #[error(transparent)]
    Health(#[from] HealthError),
    /// An item or template that breaks a checklist's rules.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A policy that names what does not exist or leaves work nobody may
    /// do.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A Markdown checklist that cannot be read, naming its line.
    #[error(transparent)]
    Markdown(#[from] MarkdownError),
    /// A release plan that is incomplete or contradicts itself.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// An operation the release's rules refuse.
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// A typed handle asked for a release in another stage.
    #[error(transparent)]
    WrongStage(#[from] WrongStage),
    /// A window, record or trend the metrics refuse.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// A store that cannot do what was asked.
    #[cfg(feature = "store")]
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// What can be done next, as data, for the errors that point at an
    /// operation; see [`NextAction`].
    pub fn next_actions(&self) -> Vec<NextAction> {
        match self {
            Error::Release(error) => error.next_actions(),
            #[cfg(feature = "store")]
            Error::Store(error) => error.next_actions(),
            _ => Vec::new(),
        }
    }
}
