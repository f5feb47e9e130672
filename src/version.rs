//! Release versions and the kind of release a version bump makes.
//!
//! Versions are semantic versions ([`Version`], the `semver` crate's,
//! re-exported), read strictly by [`parse_version`]. A release's
//! [`ReleaseKind`] follows from the bump from the previous version, or is
//! declared, and a declared kind that contradicts the bump is refused.
//!
//! ```
//! use release_workflow::{ReleaseKind, version::parse_version};
//!
//! let (previous, next) = (parse_version("2.3.7")?, parse_version("2.4.0")?);
//! assert_eq!(ReleaseKind::between(&previous, &next)?, ReleaseKind::Minor);
//! assert!(ReleaseKind::between(&next, &previous).is_err(), "a release goes forward");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use semver::Version;

use crate::text::named_enum;

/// A version the crate refuses: text that is not a version, or a version
/// that does not fit the release it is given for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// A version that is not `MAJOR.MINOR.PATCH[-pre][+build]`.
    #[error(
        "\"{input}\" is not a release version ({problem}): write MAJOR.MINOR.PATCH, such as 2.4.0 or 2.4.0-rc.1"
    )]
    Invalid {
        /// The text given, shortened.
        input: String,
        /// What the parser found wrong.
        problem: String,
    },

    /// A release version that does not come after the previous one.
    #[error("version {next} does not come after the previous version {previous}: release a higher version")]
    NotNewer {
        /// The previous version.
        previous: String,
        /// The version given.
        next: String,
    },

    /// A release kind that contradicts the version bump.
    #[error(
        "the release was declared {given}, but {previous} → {version} is a {inferred} bump: \
         drop the explicit kind or fix the versions"
    )]
    KindMismatch {
        /// The kind given.
        given: ReleaseKind,
        /// The kind the bump says.
        inferred: ReleaseKind,
        /// The previous version.
        previous: String,
        /// The new version.
        version: String,
    },
}

/// Parses a release version, `MAJOR.MINOR.PATCH[-pre][+build]`, with the
/// `semver` crate's strict rules (no leading zeros, no missing parts).
///
/// ```
/// let version = release_workflow::version::parse_version("2.4.0-rc.1")?;
/// assert_eq!((version.major, version.minor, version.patch), (2, 4, 0));
/// assert!(release_workflow::version::parse_version("2.4").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`VersionError::Invalid`] saying what is wrong; a leading `v` gets a hint
/// to drop it.
pub fn parse_version(text: &str) -> Result<Version, VersionError> {
    Version::parse(text).map_err(|error| {
        let hint =
            if text.starts_with(['v', 'V']) && Version::parse(text.get(1..).unwrap_or_default()).is_ok() {
                "; drop the leading 'v'".to_owned()
            } else {
                String::new()
            };
        VersionError::Invalid { input: crate::text::shorten(text), problem: format!("{error}{hint}") }
    })
}

/// How big a release is, as its version bump says.
///
/// Displays and parses in lowercase (`"minor"`), ignoring ASCII case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReleaseKind {
    /// Fixes only; the patch number went up.
    Patch,
    /// New, compatible features; the minor number went up.
    Minor,
    /// Incompatible changes; the major number went up.
    Major,
}

named_enum!(ReleaseKind, "release kind", {
    Patch => "patch",
    Minor => "minor",
    Major => "major",
});

impl ReleaseKind {
    /// The kind of release that goes from `previous` to `next`.
    ///
    /// The first of major, minor and patch that went up decides. When only
    /// the pre-release part differs (`2.4.0-rc.1` → `2.4.0`), the version
    /// itself decides, as semver's pre-release convention has it: `X.0.0` is
    /// major, `X.Y.0` minor, anything else a patch.
    ///
    /// ```
    /// use release_workflow::{ReleaseKind, version::parse_version};
    ///
    /// let kind = ReleaseKind::between(&parse_version("2.3.7")?, &parse_version("2.4.0")?)?;
    /// assert_eq!(kind, ReleaseKind::Minor);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`VersionError::NotNewer`] when `next` does not take precedence over
    /// `previous`; build metadata is ignored, as SemVer §10 says, so
    /// `2.4.0+build.7` does not come after `2.4.0`.
    pub fn between(previous: &Version, next: &Version) -> Result<ReleaseKind, VersionError> {
        // Precedence, not `Ord`: build metadata does not make a version newer
        // (SemVer §10), so `2.4.0` → `2.4.0+build.7` is not a release.
        if next.cmp_precedence(previous).is_le() {
            return Err(VersionError::NotNewer { previous: previous.to_string(), next: next.to_string() });
        }
        Ok(if next.major != previous.major {
            ReleaseKind::Major
        } else if next.minor != previous.minor {
            ReleaseKind::Minor
        } else if next.patch != previous.patch {
            ReleaseKind::Patch
        } else {
            ReleaseKind::of(next)
        })
    }

    /// The kind a version announces on its own: `X.0.0` is major, `X.Y.0`
    /// minor, anything else a patch.
    pub fn of(version: &Version) -> ReleaseKind {
        match (version.minor, version.patch) {
            (0, 0) => ReleaseKind::Major,
            (_, 0) => ReleaseKind::Minor,
            _ => ReleaseKind::Patch,
        }
    }
}
