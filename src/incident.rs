//! Production incidents, linked to the release that caused them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::health::HealthError;
use crate::text::{MAX_NAME_CHARS, MAX_TITLE_CHARS, check_line, named_enum};

/// How bad an incident is, from `Sev1` (worst) to `Sev4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IncidentSeverity {
    /// A critical outage or data loss.
    Sev1,
    /// A major function is down or badly degraded.
    Sev2,
    /// A minor function is impaired.
    Sev3,
    /// A cosmetic or low-impact problem.
    Sev4,
}

named_enum!(IncidentSeverity, "incident severity", {
    Sev1 => "sev1",
    Sev2 => "sev2",
    Sev3 => "sev3",
    Sev4 => "sev4",
});

/// A production incident caused by a release.
///
/// Its times are when the incident started and ended, which may be earlier
/// than when they were recorded; DORA recovery time is measured between
/// them.
///
/// ```
/// use release_workflow::incident::{Incident, IncidentSeverity};
///
/// let opened: chrono::DateTime<chrono::Utc> = "2026-11-30T10:20:00Z".parse()?;
/// let incident = Incident::new("INC-204", IncidentSeverity::Sev2, "Checkout 500s for EU users", opened)?;
/// assert!(incident.resolved_at().is_none());
/// assert!(incident.resolved(opened - chrono::TimeDelta::minutes(1)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "IncidentFields")]
pub struct Incident {
    id: String,
    severity: IncidentSeverity,
    summary: String,
    opened_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentFields {
    id: String,
    severity: IncidentSeverity,
    summary: String,
    opened_at: DateTime<Utc>,
    #[serde(default)]
    resolved_at: Option<DateTime<Utc>>,
}

impl TryFrom<IncidentFields> for Incident {
    type Error = HealthError;

    fn try_from(fields: IncidentFields) -> Result<Self, HealthError> {
        let incident = Incident::new(fields.id, fields.severity, fields.summary, fields.opened_at)?;
        match fields.resolved_at {
            Some(resolved_at) => incident.resolved(resolved_at),
            None => Ok(incident),
        }
    }
}

impl Incident {
    /// An open incident that started at `opened_at`.
    ///
    /// # Errors
    ///
    /// [`HealthError::Text`] for an id or summary that is not one trimmed
    /// line (ids at most [`MAX_NAME_CHARS`] characters, summaries
    /// [`MAX_TITLE_CHARS`]).
    pub fn new(
        id: impl Into<String>,
        severity: IncidentSeverity,
        summary: impl Into<String>,
        opened_at: DateTime<Utc>,
    ) -> Result<Incident, HealthError> {
        let (id, summary) = (id.into(), summary.into());
        check_line("incident id", &id, MAX_NAME_CHARS)?;
        check_line("incident summary", &summary, MAX_TITLE_CHARS)?;
        Ok(Incident { id, severity, summary, opened_at, resolved_at: None })
    }

    /// The same incident, resolved at `resolved_at`: for incidents recorded
    /// after they ended.
    ///
    /// # Errors
    ///
    /// [`HealthError::InvalidIncident`] when `resolved_at` is before the incident
    /// opened.
    pub fn resolved(mut self, resolved_at: DateTime<Utc>) -> Result<Incident, HealthError> {
        self.check_resolution(resolved_at)?;
        self.resolved_at = Some(resolved_at);
        Ok(self)
    }

    pub(crate) fn check_resolution(&self, resolved_at: DateTime<Utc>) -> Result<(), HealthError> {
        if let Some(earlier) = self.resolved_at {
            return Err(HealthError::InvalidIncident {
                incident: self.id.clone(),
                problem: format!("was already resolved at {earlier}: an incident is resolved once"),
            });
        }
        if resolved_at < self.opened_at {
            return Err(HealthError::InvalidIncident {
                incident: self.id.clone(),
                problem: format!(
                    "cannot be resolved at {resolved_at}, before it opened at {}: check the times",
                    self.opened_at
                ),
            });
        }
        Ok(())
    }

    /// The incident's id in the team's incident tracker.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How bad it is.
    pub fn severity(&self) -> IncidentSeverity {
        self.severity
    }

    /// What happened, in a line.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// When the incident started.
    pub fn opened_at(&self) -> DateTime<Utc> {
        self.opened_at
    }

    /// When service was restored, once it was.
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at
    }

    pub(crate) fn resolve(&mut self, resolved_at: DateTime<Utc>) {
        self.resolved_at = Some(resolved_at);
    }
}

impl fmt::Display for Incident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}, opened {}",
            self.id,
            self.severity,
            self.summary,
            self.opened_at.format("%Y-%m-%d %H:%M UTC")
        )?;
        match self.resolved_at {
            Some(at) => write!(f, ", resolved {}", at.format("%Y-%m-%d %H:%M UTC")),
            None => f.write_str(", unresolved"),
        }
    }
}
