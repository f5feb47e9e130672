//! Reading deployment records from JSON text, fast.
//!
//! Histories of a million records are read line by line, and most lines
//! are the plain shape this crate writes: no escapes, timestamps in UTC.
//! Those are read here by hand; anything else — escapes, unknown or
//! repeated fields, odd timestamps, errors — goes to serde, so the answer is
//! always exactly serde's.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::record::RecordFields;
use super::time;
use super::{DeploymentRecord, IncidentSpan, RollbackSpan};
use crate::metrics::error::MetricsError;

impl DeploymentRecord {
    /// Reads a record from JSON text, such as a line of a JSON Lines file.
    ///
    /// Accepts and refuses exactly what deserializing with `serde_json`
    /// does, and gives the same record; it is faster for the plain records
    /// this crate writes.
    ///
    /// ```
    /// use release_workflow::DeploymentRecord;
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
    /// [`MetricsError::MalformedJson`] for text that is not a record, with serde's
    /// message; [`MetricsError::InvalidRecord`] or [`MetricsError::Text`] for a
    /// record that breaks a rule.
    pub fn from_json(text: &str) -> Result<DeploymentRecord, MetricsError> {
        DeploymentRecord::from_json_bytes(text.as_bytes())
    }

    /// As [`from_json`](DeploymentRecord::from_json), for bytes straight
    /// from a file: only the strings the record keeps are checked as UTF-8,
    /// not the whole line.
    ///
    /// # Errors
    ///
    /// As [`from_json`](DeploymentRecord::from_json); text that is not UTF-8
    /// is [`MetricsError::MalformedJson`].
    pub fn from_json_bytes(bytes: &[u8]) -> Result<DeploymentRecord, MetricsError> {
        let reader = Reader { bytes, at: 0 };
        match reader.record() {
            Some(fields) => DeploymentRecord::from_fields(fields),
            None => serde_json::from_slice(bytes)
                .map_err(|error| MetricsError::MalformedJson { problem: error.to_string() }),
        }
    }
}

/// Fills an empty field; a repeated field (or a value that did not read)
/// hands the text to serde.
fn set<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

/// A cursor over the text; every method returns `None` to hand the text to
/// serde.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_whitespace(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.bytes.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied()
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.at..)?;
        let length = rest.iter().position(|byte| matches!(byte, b'"' | b'\\') || *byte < 0x20)?;
        if rest.get(length) != Some(&b'"') {
            return None;
        }
        let text = std::str::from_utf8(rest.get(..length)?).ok()?;
        self.at += length + 1;
        Some(text)
    }

    fn timestamp(&mut self) -> Option<DateTime<Utc>> {
        time::parse(self.string()?)
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        self.skip_whitespace();
        let found = self.bytes.get(self.at..).is_some_and(|rest| rest.starts_with(word));
        if found {
            self.at += word.len();
        }
        found
    }

    fn null(&mut self) -> bool {
        self.literal(b"null")
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// `{ "key": value, ... }`, calling `field` for each key.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            field(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `[ item, ... ]`.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(items);
                }
                _ => return None,
            }
        }
    }

    fn optional_timestamp(&mut self) -> Option<Option<DateTime<Utc>>> {
        if self.null() { Some(None) } else { self.timestamp().map(Some) }
    }

    fn rollback(&mut self) -> Option<Option<RollbackSpan>> {
        if self.null() {
            return Some(None);
        }
        let (mut decided_at, mut restored_at) = (None, None);
        self.object(|reader, key| match key {
            "decided_at" => set(&mut decided_at, reader.timestamp()),
            "restored_at" => set(&mut restored_at, reader.optional_timestamp()),
            _ => None,
        })?;
        Some(Some(RollbackSpan { decided_at: decided_at?, restored_at: restored_at.flatten() }))
    }

    fn incident(&mut self) -> Option<IncidentSpan> {
        let (mut id, mut opened_at, mut resolved_at) = (None, None, None);
        self.object(|reader, key| match key {
            "id" => set(&mut id, reader.string().map(Arc::from)),
            "opened_at" => set(&mut opened_at, reader.timestamp()),
            "resolved_at" => set(&mut resolved_at, reader.optional_timestamp()),
            _ => None,
        })?;
        Some(IncidentSpan { id: id?, opened_at: opened_at?, resolved_at: resolved_at.flatten() })
    }

    fn record(mut self) -> Option<RecordFields> {
        let (mut release, mut service, mut version, mut started_at) = (None, None, None, None);
        let (mut production_at, mut rollback, mut commits, mut incidents, mut remediation) =
            (None, None, None, None, None);
        self.object(|reader, key| match key {
            "release" => set(&mut release, reader.string().map(Arc::from)),
            "service" => set(&mut service, reader.string().map(Arc::from)),
            "version" => set(&mut version, reader.string().map(str::to_owned)),
            "started_at" => set(&mut started_at, reader.timestamp()),
            "production_at" => set(&mut production_at, reader.optional_timestamp()),
            "rollback" => set(&mut rollback, reader.rollback()),
            "commits" => set(&mut commits, reader.array(Reader::timestamp)),
            "incidents" => set(&mut incidents, reader.array(Reader::incident)),
            "remediation" => set(&mut remediation, reader.boolean()),
            _ => None,
        })?;
        self.skip_whitespace();
        if self.at != self.bytes.len() {
            return None;
        }
        Some(RecordFields {
            release: release?,
            service: service?,
            version: version?,
            started_at: started_at?,
            production_at: production_at.flatten(),
            rollback: rollback.flatten(),
            commits: commits.unwrap_or_default(),
            incidents: incidents.unwrap_or_default(),
            remediation: remediation.unwrap_or(false),
        })
    }
}
