//! Reading deployment records from JSON text: the shape this crate
//! writes by a fast path (`scan`), everything else by serde.

use crate::metrics::error::MetricsError;
use crate::metrics::record::DeploymentRecord;

impl DeploymentRecord {
    /// Reads a record from JSON text, such as a line of a JSON Lines file:
    /// the shape this crate serializes a record in, checked as
    /// [`DeploymentRecord::new`] and its setters check.
    ///
    /// ```
    /// use release_workflow::metrics::DeploymentRecord;
    ///
    /// let line = r#"{"release":"web@1.0.0","service":"web","version":"1.0.0","started_at":"2026-11-30T14:00:00Z","commits":[]}"#;
    /// let record = DeploymentRecord::from_json(line)?;
    /// assert_eq!(record.service(), "web");
    /// assert!(DeploymentRecord::from_json("{").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`MetricsError::MalformedJson`] for text that is not a record, or a
    /// record that breaks a rule, with serde's message and position.
    pub fn from_json(text: &str) -> Result<DeploymentRecord, MetricsError> {
        match crate::metrics::scan::record(text.trim_ascii()) {
            Some(record) => Ok(record),
            None => serde_json::from_str(text)
                .map_err(|error| MetricsError::MalformedJson { problem: error.to_string() }),
        }
    }

    /// As [`from_json`](DeploymentRecord::from_json), for bytes straight
    /// from a file.
    ///
    /// # Errors
    ///
    /// As [`from_json`](DeploymentRecord::from_json); text that is not UTF-8
    /// is [`MetricsError::MalformedJson`].
    pub fn from_json_bytes(bytes: &[u8]) -> Result<DeploymentRecord, MetricsError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => DeploymentRecord::from_json(text),
            Err(_) => serde_json::from_slice(bytes)
                .map_err(|error| MetricsError::MalformedJson { problem: error.to_string() }),
        }
    }
}
