//! The PostgreSQL store's SQL: its schema's migrations and the statements
//! it prepares. `{schema}` stands for the schema's name, checked to be a
//! plain identifier before it is put in.

/// Each migration, from the version before it to its own (the first from
/// an empty schema to version 1). `{schema}` is replaced by the schema's
/// name, checked to be a plain identifier.
pub(super) const MIGRATIONS: [&str; 1] = [r#"
CREATE TABLE {schema}.releases (
    key text PRIMARY KEY,
    service text,
    version text NOT NULL,
    stage text NOT NULL,
    format integer NOT NULL,
    events bigint NOT NULL CHECK (events > 0),
    head text,
    last_event_at timestamptz NOT NULL
);
CREATE INDEX releases_by_stage ON {schema}.releases (stage, key COLLATE "C");
CREATE INDEX releases_by_service ON {schema}.releases (service, key COLLATE "C");
CREATE TABLE {schema}.events (
    key text NOT NULL REFERENCES {schema}.releases (key),
    seq bigint NOT NULL CHECK (seq >= 0),
    line text NOT NULL,
    PRIMARY KEY (key, seq)
);
"#];

/// A release's summary as an append checks it.
pub(super) const SELECT_SUMMARY: &str = "SELECT format, events, head FROM {schema}.releases WHERE key = $1";

/// A release's summary and its events, in one statement and so from one
/// snapshot. A release row without events (rows deleted behind the
/// store's back) comes as one row with no event.
pub(super) const SELECT_LOG: &str = "SELECT r.format, r.events, r.head, e.seq, e.line
    FROM {schema}.releases r LEFT JOIN {schema}.events e ON e.key = r.key
    WHERE r.key = $1 ORDER BY e.seq";

pub(super) const SELECT_KEYS: &str = "SELECT key FROM {schema}.releases ORDER BY key COLLATE \"C\"";

pub(super) const SELECT_LISTED: &str =
    "SELECT key, service, version, stage, events, last_event_at FROM {schema}.releases
    WHERE ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR service = $2)
    ORDER BY key COLLATE \"C\"";

/// A release and its events in one statement, so in one transaction with
/// one round trip; nothing when the key is taken.
pub(super) const INSERT_RELEASE: &str = "WITH created AS (
        INSERT INTO {schema}.releases (key, service, version, stage, format, events, head, last_event_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING RETURNING key)
    INSERT INTO {schema}.events (key, seq, line)
    SELECT created.key, new.seq, new.line FROM created, unnest($9::bigint[], $10::text[]) AS new (seq, line)";

/// New events and the summary they lead to, in one statement; nothing when
/// the release no longer has the events the writer read. A writer racing
/// on the same release waits for the row lock, then finds the count moved
/// and writes nothing; should two ever insert the same `seq`, the primary
/// key refuses the second.
pub(super) const APPEND_EVENTS: &str = "WITH moved AS (
        UPDATE {schema}.releases SET stage = $2, events = $3, head = $4, last_event_at = $5
        WHERE key = $1 AND events = $6 RETURNING key)
    INSERT INTO {schema}.events (key, seq, line)
    SELECT moved.key, new.seq, new.line FROM moved, unnest($7::bigint[], $8::text[]) AS new (seq, line)";
