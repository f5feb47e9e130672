//! Release versions and the kind of release a version bump makes.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoStaticStr, VariantArray};

pub use semver::Version;

use crate::Error;

/// Parses a release version, `MAJOR.MINOR.PATCH[-pre][+build]`, with the
/// `semver` crate's strict rules (no leading zeros, no missing parts).
///
/// ```
/// let version = release_workflow::parse_version("2.4.0-rc.1")?;
/// assert_eq!((version.major, version.minor, version.patch), (2, 4, 0));
/// assert!(release_workflow::parse_version("2.4").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidVersion`] saying what is wrong; a leading `v` gets a hint
/// to drop it.
pub fn parse_version(text: &str) -> Result<Version, Error> {
    Version::parse(text).map_err(|error| {
        let hint =
            if text.starts_with(['v', 'V']) && Version::parse(text.get(1..).unwrap_or_default()).is_ok() {
                "; drop the leading 'v'".to_owned()
            } else {
                String::new()
            };
        Error::InvalidVersion { input: crate::text::shorten(text), problem: format!("{error}{hint}") }
    })
}

/// How big a release is, as its version bump says.
///
/// Displays and parses in lowercase (`"minor"`), ignoring ASCII case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
    VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum ReleaseKind {
    /// Fixes only; the patch number went up.
    Patch,
    /// New, compatible features; the minor number went up.
    Minor,
    /// Incompatible changes; the major number went up.
    Major,
}

impl ReleaseKind {
    /// Parses `"patch"`, `"minor"` or `"major"`, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownName`] for any other text.
    pub fn parse(text: &str) -> Result<ReleaseKind, Error> {
        text.parse().map_err(|_| Error::unknown_name::<ReleaseKind>("release kind", text))
    }

    /// The kind of release that goes from `previous` to `next`.
    ///
    /// The first of major, minor and patch that went up decides. When only
    /// the pre-release part differs (`2.4.0-rc.1` → `2.4.0`), the version
    /// itself decides, as semver's pre-release convention has it: `X.0.0` is
    /// major, `X.Y.0` minor, anything else a patch.
    ///
    /// ```
    /// use release_workflow::{parse_version, ReleaseKind};
    ///
    /// let kind = ReleaseKind::between(&parse_version("2.3.7")?, &parse_version("2.4.0")?)?;
    /// assert_eq!(kind, ReleaseKind::Minor);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::VersionNotNewer`] when `next` does not take precedence over
    /// `previous`; build metadata is ignored, as SemVer §10 says, so
    /// `2.4.0+build.7` does not come after `2.4.0`.
    pub fn between(previous: &Version, next: &Version) -> Result<ReleaseKind, Error> {
        // Precedence, not `Ord`: build metadata does not make a version newer
        // (SemVer §10), so `2.4.0` → `2.4.0+build.7` is not a release.
        if next.cmp_precedence(previous).is_le() {
            return Err(Error::VersionNotNewer { previous: previous.to_string(), next: next.to_string() });
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
