//! One deployment, summarized for the metrics.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::time;
use crate::checklist::ItemStatus;
use crate::event::EventKind;
use crate::metrics::error::MetricsError;
use crate::release::Release;
use crate::stage::Stage;
use crate::text::{MAX_NAME_CHARS, check_line};

/// A deployment's rollback: when it was decided and when the previous
/// version was back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RollbackSpan {
    /// When the rollback was decided: a failure starts here at the latest.
    #[serde(with = "time::rfc3339")]
    pub decided_at: DateTime<Utc>,
    /// When service was restored on the previous version; `None` while the
    /// rollback is under way.
    #[serde(default, with = "time::rfc3339_option", skip_serializing_if = "Option::is_none")]
    pub restored_at: Option<DateTime<Utc>>,
}

/// An incident a deployment caused, as the metrics need it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IncidentSpan {
    /// The incident's id.
    #[serde(deserialize_with = "time::shared_str::deserialize")]
    pub id: Arc<str>,
    /// When it started.
    #[serde(with = "time::rfc3339")]
    pub opened_at: DateTime<Utc>,
    /// When service was restored; `None` while it is open.
    #[serde(default, with = "time::rfc3339_option", skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A compact summary of one deployment: everything the DORA metrics need.
///
/// A [`Release`] that has entered `Deploying` converts into one
/// ([`DeploymentRecord::from_release`]); a team can also build records from
/// deployments recorded elsewhere, such as a CI system's log, and use the
/// metrics without the state machine.
///
/// Records are checked when built and when deserialized: times must follow
/// each other (production after the start, a restoration after its
/// decision, an incident's end after its start, and nothing before the
/// deployment started), and names must be single lines.
///
/// ```
/// use release_workflow::metrics::DeploymentRecord;
///
/// let record: DeploymentRecord = serde_json::from_str(r#"{
///     "release": "checkout@2.4.0", "service": "checkout", "version": "2.4.0",
///     "started_at": "2026-11-30T14:00:00Z", "production_at": "2026-11-30T14:20:00Z",
///     "commits": ["2026-11-28T10:00:00Z"],
///     "incidents": [{"id": "INC-7", "opened_at": "2026-11-30T15:00:00Z", "resolved_at": "2026-11-30T15:40:00Z"}]
/// }"#)?;
/// assert!(record.is_failure());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RecordFields")]
pub struct DeploymentRecord {
    release: Arc<str>,
    service: Arc<str>,
    version: String,
    #[serde(with = "time::rfc3339")]
    started_at: DateTime<Utc>,
    #[serde(default, with = "time::rfc3339_option", skip_serializing_if = "Option::is_none")]
    production_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rollback: Option<RollbackSpan>,
    #[serde(with = "time::rfc3339_vec")]
    commits: Vec<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    incidents: Vec<IncidentSpan>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    remediation: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    emergency: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFields {
    #[serde(with = "time::shared_str")]
    release: Arc<str>,
    #[serde(with = "time::shared_str")]
    service: Arc<str>,
    version: String,
    #[serde(with = "time::rfc3339")]
    started_at: DateTime<Utc>,
    #[serde(default, with = "time::rfc3339_option")]
    production_at: Option<DateTime<Utc>>,
    #[serde(default)]
    rollback: Option<RollbackSpan>,
    #[serde(default, with = "time::rfc3339_vec")]
    commits: Vec<DateTime<Utc>>,
    #[serde(default)]
    incidents: Vec<IncidentSpan>,
    #[serde(default)]
    remediation: bool,
    #[serde(default)]
    emergency: bool,
}

impl TryFrom<RecordFields> for DeploymentRecord {
    type Error = MetricsError;

    /// Builds and checks a record from its deserialized fields.
    fn try_from(fields: RecordFields) -> Result<Self, MetricsError> {
        let record = DeploymentRecord {
            release: fields.release,
            service: fields.service,
            version: fields.version,
            started_at: fields.started_at,
            production_at: fields.production_at,
            rollback: fields.rollback,
            commits: fields.commits,
            incidents: fields.incidents,
            remediation: fields.remediation,
            emergency: fields.emergency,
        };
        record.validate()?;
        Ok(record)
    }
}

impl DeploymentRecord {
    /// A deployment of `service` at `version` that started at `started_at`;
    /// the release id defaults to `service@version`.
    ///
    /// ```
    /// use release_workflow::metrics::DeploymentRecord;
    ///
    /// let started: chrono::DateTime<chrono::Utc> = "2026-11-30T14:00:00Z".parse()?;
    /// let record = DeploymentRecord::new("checkout", "2.4.0", started)?
    ///     .with_production_at(started + chrono::TimeDelta::minutes(20))?
    ///     .with_commits(["2026-11-28T10:00:00Z".parse()?]);
    /// assert_eq!(record.release(), "checkout@2.4.0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MetricsError::Text`] for a service or version that is not one
    /// trimmed line.
    pub fn new(
        service: &str,
        version: &str,
        started_at: DateTime<Utc>,
    ) -> Result<DeploymentRecord, MetricsError> {
        let record = DeploymentRecord {
            release: format!("{service}@{version}").into(),
            service: service.into(),
            version: version.to_owned(),
            started_at,
            production_at: None,
            rollback: None,
            commits: Vec::new(),
            incidents: Vec::new(),
            remediation: false,
            emergency: false,
        };
        record.validate()?;
        Ok(record)
    }
}

impl DeploymentRecord {
    /// The same record under another release id.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Text`] for an id that is not one trimmed line.
    pub fn with_release_id(self, release: &str) -> Result<DeploymentRecord, MetricsError> {
        self.checked(|record| record.release = release.into())
    }

    /// The same record, in production from `at`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidRecord`] when `at` is before the deployment started.
    pub fn with_production_at(self, at: DateTime<Utc>) -> Result<DeploymentRecord, MetricsError> {
        self.checked(|record| record.production_at = Some(at))
    }

    /// The same record, shipping changes committed at these times. A commit
    /// after production is kept; the metrics report it as excluded.
    #[must_use]
    pub fn with_commits(mut self, commits: impl IntoIterator<Item = DateTime<Utc>>) -> DeploymentRecord {
        self.commits.extend(commits);
        self
    }

    /// The same record, rolled back.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidRecord`] when the rollback is decided before the
    /// deployment started or restored before it was decided.
    pub fn with_rollback(self, rollback: RollbackSpan) -> Result<DeploymentRecord, MetricsError> {
        self.checked(|record| record.rollback = Some(rollback))
    }

    /// The same record, with an incident it caused.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidRecord`] for an incident that opens before the
    /// deployment started, resolves before it opened, or repeats an id.
    pub fn with_incident(self, incident: IncidentSpan) -> Result<DeploymentRecord, MetricsError> {
        self.checked(|record| record.incidents.push(incident))
    }

    /// The same record, marked as an unplanned remediation of an incident.
    #[must_use]
    pub fn with_remediation(mut self) -> DeploymentRecord {
        self.remediation = true;
        self
    }

    /// The same record, marked as an [emergency change](crate::policy::ChangeType::Emergency).
    #[must_use]
    pub fn with_emergency(mut self) -> DeploymentRecord {
        self.emergency = true;
        self
    }

    fn checked(
        mut self,
        change: impl FnOnce(&mut DeploymentRecord),
    ) -> Result<DeploymentRecord, MetricsError> {
        change(&mut self);
        self.validate()?;
        Ok(self)
    }

    /// Summarizes a release that has entered `Deploying`.
    ///
    /// Its production time is when it entered `Verifying`; a rollback is
    /// decided when the release entered `RolledBack`, and restored when
    /// the template's [restoration item](crate::Template::restoration) was
    /// settled (or at the rollback itself, for a template that declares
    /// none). The release id is `service@version`; a
    /// release planned without a service counts as [`UNNAMED_SERVICE`].
    ///
    /// # Errors
    ///
    /// [`MetricsError::NotDeployed`] for a release that never entered `Deploying`.
    pub fn from_release(release: &Release) -> Result<DeploymentRecord, MetricsError> {
        let started_at = release.entered_at(Stage::Deploying).ok_or(MetricsError::NotDeployed {
            release: release.version().to_string(),
            stage: release.stage(),
        })?;
        let service = release.service().unwrap_or(UNNAMED_SERVICE);
        let version = release.version().to_string();
        let rollback = release.events().iter().find_map(|event| match event.what {
            EventKind::RolledBack { .. } => Some(RollbackSpan { decided_at: event.at, restored_at: None }),
            _ => None,
        });
        let rollback = rollback.map(|mut span| {
            let restoration = release.template().restoration().map(|item| item.id().as_str());
            span.restored_at = match restoration.and_then(|item| release.item_status(item)) {
                None => Some(span.decided_at),
                Some(ItemStatus::Open) => None,
                Some(status) => status.settled_at(),
            };
            span
        });
        Ok(DeploymentRecord {
            release: format!("{service}@{version}").into(),
            service: service.into(),
            version,
            started_at,
            production_at: release.entered_at(Stage::Verifying),
            rollback,
            commits: release.changes().map(crate::plan::Change::committed_at).collect(),
            incidents: release
                .incidents()
                .iter()
                .map(|incident| IncidentSpan {
                    id: incident.id().into(),
                    opened_at: incident.opened_at(),
                    resolved_at: incident.resolved_at(),
                })
                .collect(),
            remediation: release.plan().remediates().is_some(),
            emergency: release.change_type() == crate::policy::ChangeType::Emergency,
        })
    }

    fn validate(&self) -> Result<(), MetricsError> {
        self.borrowed().validate()
    }

    /// The record's fields, borrowed.
    pub(crate) fn borrowed(&self) -> RecordRef<'_> {
        RecordRef {
            release: &self.release,
            shared_release: Some(&self.release),
            service: &self.service,
            shared_service: Some(&self.service),
            version: &self.version,
            started_at: self.started_at,
            production_at: self.production_at,
            rollback: self.rollback.as_ref(),
            commits: &self.commits,
            incidents: &self.incidents,
            remediation: self.remediation,
            emergency: self.emergency,
        }
    }

    /// The release's id (`service@version` unless given).
    pub fn release(&self) -> &str {
        &self.release
    }

    /// The release's id, shared: reports cite it without copying it.
    pub fn release_id(&self) -> &Arc<str> {
        &self.release
    }

    /// The service deployed.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The service, shared: per-service reports key by it without
    /// copying it.
    pub fn service_id(&self) -> &Arc<str> {
        &self.service
    }

    /// The version deployed.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// When the deployment started (the release entered `Deploying`).
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// When it reached production (entered `Verifying`), if it did.
    pub fn production_at(&self) -> Option<DateTime<Utc>> {
        self.production_at
    }

    /// Its rollback, if it was rolled back.
    pub fn rollback(&self) -> Option<&RollbackSpan> {
        self.rollback.as_ref()
    }

    /// The commit times of the changes it shipped.
    pub fn commits(&self) -> &[DateTime<Utc>] {
        &self.commits
    }

    /// The incidents it caused.
    pub fn incidents(&self) -> &[IncidentSpan] {
        &self.incidents
    }

    /// Whether it was an unplanned remediation of an incident.
    pub fn is_remediation(&self) -> bool {
        self.remediation
    }

    /// Whether it was an [emergency change](crate::policy::ChangeType::Emergency).
    pub fn is_emergency(&self) -> bool {
        self.emergency
    }

    /// Whether it failed: rolled back, or linked to at least one incident.
    pub fn is_failure(&self) -> bool {
        self.rollback.is_some() || !self.incidents.is_empty()
    }
}

/// A record's fields borrowed from where they were read: a record, or a
/// line of JSON read without building one.
#[derive(Debug, Clone)]
pub(crate) struct RecordRef<'a> {
    pub(crate) release: &'a str,
    /// The release id already shared, when the record has one.
    pub(crate) shared_release: Option<&'a Arc<str>>,
    pub(crate) service: &'a str,
    pub(crate) shared_service: Option<&'a Arc<str>>,
    pub(crate) version: &'a str,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) production_at: Option<DateTime<Utc>>,
    pub(crate) rollback: Option<&'a RollbackSpan>,
    pub(crate) commits: &'a [DateTime<Utc>],
    pub(crate) incidents: &'a [IncidentSpan],
    pub(crate) remediation: bool,
    pub(crate) emergency: bool,
}

impl RecordRef<'_> {
    /// Checks the rules of a record.
    pub(crate) fn validate(&self) -> Result<(), MetricsError> {
        check_line("release id", self.release, MAX_NAME_CHARS)?;
        check_line("service", self.service, MAX_NAME_CHARS)?;
        check_line("version", self.version, MAX_NAME_CHARS)?;
        let problem =
            |problem: String| Err(MetricsError::InvalidRecord { release: self.release.to_string(), problem });
        let started = self.started_at;
        if let Some(production) = self.production_at.filter(|at| *at < started) {
            return problem(format!(
                "reaches production at {production}, before it started deploying at {started}"
            ));
        }
        if let Some(rollback) = self.rollback {
            if rollback.decided_at < started {
                return problem(format!(
                    "decides its rollback at {}, before it started deploying",
                    rollback.decided_at
                ));
            }
            if let Some(restored) = rollback.restored_at.filter(|at| *at < rollback.decided_at) {
                return problem(format!("restores at {restored}, before its rollback was decided"));
            }
        }
        for (position, incident) in self.incidents.iter().enumerate() {
            check_line("incident id", &incident.id, MAX_NAME_CHARS)?;
            if incident.opened_at < started {
                return problem(format!(
                    "has incident {} opening before the deployment started",
                    incident.id
                ));
            }
            if incident.resolved_at.is_some_and(|resolved| resolved < incident.opened_at) {
                return problem(format!("has incident {} resolving before it opened", incident.id));
            }
            if self.incidents.iter().take(position).any(|earlier| earlier.id == incident.id) {
                return problem(format!("lists incident {} twice", incident.id));
            }
        }
        Ok(())
    }

    /// The release id, shared: the record's own, or a new one.
    pub(crate) fn shared_release(&self) -> Arc<str> {
        self.shared_release.map_or_else(|| Arc::from(self.release), Arc::clone)
    }

    /// The service, shared: the record's own, or a new one.
    pub(crate) fn shared_service(&self) -> Arc<str> {
        self.shared_service.map_or_else(|| Arc::from(self.service), Arc::clone)
    }

    /// Whether it failed: rolled back, or linked to at least one incident.
    pub(crate) fn is_failure(&self) -> bool {
        self.rollback.is_some() || !self.incidents.is_empty()
    }

    /// An owned record of these fields.
    #[cfg(feature = "store")]
    pub(crate) fn to_record(&self) -> DeploymentRecord {
        DeploymentRecord {
            release: self.shared_release(),
            service: self.shared_service(),
            version: self.version.to_owned(),
            started_at: self.started_at,
            production_at: self.production_at,
            rollback: self.rollback.cloned(),
            commits: self.commits.to_vec(),
            incidents: self.incidents.to_vec(),
            remediation: self.remediation,
            emergency: self.emergency,
        }
    }
}

/// The service name of records made from releases planned without one.
pub const UNNAMED_SERVICE: &str = "unnamed";

impl TryFrom<&Release> for DeploymentRecord {
    type Error = MetricsError;

    fn try_from(release: &Release) -> Result<Self, MetricsError> {
        DeploymentRecord::from_release(release)
    }
}
