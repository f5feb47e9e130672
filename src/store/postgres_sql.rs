//! The PostgreSQL store's SQL: its schema's migrations and the statements
//! it prepares. `{schema}` stands for the schema's name, checked to be a
//! plain identifier before it is put in, and quoted.

use postgres::Client;

use crate::store::error::StoreError;
use crate::store::postgres::{SCHEMA_VERSION, database};

/// Each migration, from the version before it to its own (the first from
/// an empty schema to version 1). `{schema}` is replaced by the schema's
/// name, checked to be a plain identifier.
pub(super) const MIGRATIONS: [&str; 4] = [
    r#"
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
"#,
    // Version 2: each summary row's check, so that a listing notices a row
    // changed outside the store. Rows from version 1 have none until a
    // listing verifies them against their logs.
    r#"
ALTER TABLE {schema}.releases ADD COLUMN summary_check text;
"#,
    // Version 3: the checklist versions the logs name, each kept once by
    // its fingerprint; and each release's checklist fingerprint, so that a
    // listing reports a release whose checklist the reader does not trust
    // without loading every log. Rows from before have none until a
    // listing verifies them against their logs. Where a migrated log came
    // from (`{"format":4,"head":"…"}`), as a file store's header says it.
    // And the trust ledger: who trusted or revoked which version, in order.
    r#"
ALTER TABLE {schema}.releases ADD COLUMN checklist text;
ALTER TABLE {schema}.releases ADD COLUMN migrated text;
CREATE TABLE {schema}.checklists (
    fingerprint text PRIMARY KEY,
    template text NOT NULL
);
CREATE TABLE {schema}.trust_ledger (
    position bigint PRIMARY KEY CHECK (position >= 0),
    entry text NOT NULL
);
"#,
    // Version 4: the change feed. Each event's number in it, given from a
    // one-row counter that every write updates in its own statement: the
    // row's lock makes writers commit in the order of their numbers, so a
    // reader that sees a number has seen every smaller one. Events stored
    // before have none and are not in the feed. And each release's
    // deployment record (JSON; none for a release never deployed) with its
    // check, so that a DORA report reads rows, not logs. Rows from before
    // have no check until a report verifies them against their logs.
    r#"
ALTER TABLE {schema}.releases ADD COLUMN deployment text;
ALTER TABLE {schema}.releases ADD COLUMN deployment_check text;
ALTER TABLE {schema}.events ADD COLUMN feed bigint;
CREATE UNIQUE INDEX events_by_feed ON {schema}.events (feed);
CREATE TABLE {schema}.feed_counter (last bigint NOT NULL CHECK (last >= 0));
INSERT INTO {schema}.feed_counter (last) VALUES (0);
"#,
];

/// Waits for, then holds until the transaction ends, the lock of one
/// service's moves into flight (`$1` names the schema and the service).
pub(super) const LOCK_SERVICE: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

/// Another release of the service in flight, by its summary row.
pub(super) const SELECT_IN_FLIGHT: &str = "SELECT version, stage FROM {schema}.releases
    WHERE service = $1 AND stage IN ('deploying', 'verifying') AND key <> $2 ORDER BY key COLLATE \"C\" LIMIT 1";

/// A release's summary as an append checks it.
pub(super) const SELECT_SUMMARY: &str = "SELECT format, events, head, service, version, stage, last_event_at FROM {schema}.releases WHERE key = $1";

/// A release's summary and its events, in one statement and so from one
/// snapshot. A release row without events (rows deleted behind the
/// store's back) comes as one row with no event.
pub(super) const SELECT_LOG: &str = "SELECT r.format, r.events, r.head, r.service, r.version, r.stage,
        r.last_event_at, e.seq, e.line, (SELECT count(*) FROM {schema}.trust_ledger) AS ledger_entries
    FROM {schema}.releases r LEFT JOIN {schema}.events e ON e.key = r.key
    WHERE r.key = $1 ORDER BY e.seq";

/// The logs of many releases, a row each with its summary in the columns
/// of [`SELECT_LOG`], its key, how many events it has with the least and
/// the greatest number (which prove them numbered 0 to n - 1, the key
/// being unique), its lines joined by newlines (none for a release
/// without events), and the trust ledger's length. Joined by the server,
/// the lines cost less to send and to read than an array of them.
pub(super) const SELECT_LOGS: &str = "SELECT r.format, r.events, r.head, r.service, r.version, r.stage,
        r.last_event_at, r.key, count(e.seq), min(e.seq), max(e.seq),
        string_agg(e.line, E'\\n' ORDER BY e.seq),
        (SELECT count(*) FROM {schema}.trust_ledger) AS ledger_entries
    FROM {schema}.releases r LEFT JOIN {schema}.events e ON e.key = r.key
    WHERE r.key = ANY($1) GROUP BY r.key";

/// A checklist version kept, unless it is kept already.
pub(super) const KEEP_CHECKLIST: &str = "INSERT INTO {schema}.checklists (fingerprint, template) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING";

/// The trust ledger's entries, in order.
pub(super) const SELECT_LEDGER: &str = "SELECT entry FROM {schema}.trust_ledger ORDER BY position";

/// A trust entry, appended only while the ledger has `$1` entries, and the
/// checklist version it names kept first (`$3`, `$4`; none for a
/// revocation). Two writers racing for one position: the key refuses the
/// second, which then writes nothing.
pub(super) const INSERT_TRUST: &str = "WITH kept AS (
        INSERT INTO {schema}.checklists (fingerprint, template)
        SELECT $3::text, $4::text WHERE $4::text IS NOT NULL ON CONFLICT (fingerprint) DO NOTHING)
    INSERT INTO {schema}.trust_ledger (position, entry)
    SELECT $1, $2 WHERE (SELECT count(*) FROM {schema}.trust_ledger) = $1
    ON CONFLICT (position) DO NOTHING";

pub(super) const SELECT_KEYS: &str = "SELECT key FROM {schema}.releases ORDER BY key COLLATE \"C\"";

pub(super) const SELECT_LISTED: &str =
    "SELECT key, service, version, stage, events, last_event_at, head, summary_check, checklist
    FROM {schema}.releases
    WHERE ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR service = $2)
    ORDER BY key COLLATE \"C\"";

/// The feed's changes after `$1`, at most `$2`, in order.
pub(super) const SELECT_FEED: &str =
    "SELECT feed, key, seq FROM {schema}.events WHERE feed > $1 ORDER BY feed LIMIT $2";

/// The rows a listing reads ([`SELECT_LISTED`]'s columns), each with its
/// deployment record and that record's check.
pub(super) const SELECT_DEPLOYMENTS: &str =
    "SELECT key, service, version, stage, events, last_event_at, head, summary_check, checklist,
        deployment, deployment_check
    FROM {schema}.releases
    WHERE ($1::text IS NULL OR stage = $1) AND ($2::text IS NULL OR service = $2)
    ORDER BY key COLLATE \"C\"";

/// The deployment record and check of a row written before they existed,
/// once a report has read them from its log; nothing if the row moved.
pub(super) const FILL_DEPLOYMENT: &str = "UPDATE {schema}.releases SET deployment = $2, deployment_check = $3
    WHERE key = $1 AND events = $4 AND deployment_check IS NULL";

/// A kept checklist version, by fingerprint.
pub(super) const SELECT_CHECKLIST: &str = "SELECT template FROM {schema}.checklists WHERE fingerprint = $1";

/// A release and its events in one statement, so in one transaction with
/// one round trip; nothing when the key is taken. The checklist version it
/// names is kept with it (`$13`, unless this store knows it is kept): a
/// log never names a version its schema does not keep.
pub(super) const INSERT_RELEASE: &str = "WITH kept AS (
        INSERT INTO {schema}.checklists (fingerprint, template)
        SELECT $12, $13::text WHERE $13::text IS NOT NULL ON CONFLICT (fingerprint) DO NOTHING),
    created AS (
        INSERT INTO {schema}.releases
            (key, service, version, stage, format, events, head, last_event_at, summary_check, checklist,
             deployment, deployment_check)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11, $12, $15, $16) ON CONFLICT (key) DO NOTHING RETURNING key),
    numbered AS (
        UPDATE {schema}.feed_counter SET last = last + $6
        WHERE EXISTS (SELECT 1 FROM created) RETURNING last - $6 AS before),
    notified AS (SELECT pg_notify($14, '') FROM numbered)
    INSERT INTO {schema}.events (key, seq, line, feed)
    SELECT created.key, new.seq, new.line, numbered.before + new.seq + 1
    FROM created, numbered, (SELECT count(*) FROM notified) AS sent, unnest($9::bigint[], $10::text[]) AS new (seq, line)";

/// New events and the summary they lead to, in one statement; nothing when
/// the release no longer has the events the writer read. A writer racing
/// on the same release waits for the row lock, then finds the count moved
/// and writes nothing; should two ever insert the same `seq`, the primary
/// key refuses the second.
pub(super) const APPEND_EVENTS: &str = "WITH moved AS (
        UPDATE {schema}.releases
        SET stage = $2, events = $3, head = $4, last_event_at = $5, summary_check = $9, checklist = $10,
            deployment = $12, deployment_check = $13
        WHERE key = $1 AND events = $6 RETURNING key),
    numbered AS (
        UPDATE {schema}.feed_counter SET last = last + ($3 - $6)
        WHERE EXISTS (SELECT 1 FROM moved) RETURNING last - ($3 - $6) AS before),
    notified AS (SELECT pg_notify($11, '') FROM numbered)
    INSERT INTO {schema}.events (key, seq, line, feed)
    SELECT moved.key, new.seq, new.line, numbered.before + new.seq - $6 + 1
    FROM moved, numbered, (SELECT count(*) FROM notified) AS sent, unnest($7::bigint[], $8::text[]) AS new (seq, line)";

/// The check and checklist of a summary row written before they existed,
/// once a listing has verified the row against its log; nothing if the
/// row moved meanwhile.
pub(super) const FILL_SUMMARY_CHECK: &str = "UPDATE {schema}.releases SET summary_check = $2, checklist = $4
    WHERE key = $1 AND events = $3 AND (summary_check IS NULL OR checklist IS NULL)";

/// A release's log brought to the current format, in one statement: its
/// summary row (only while it still has the events and the format the
/// migration read, so a concurrent append makes it write nothing), every
/// event line, and the checklist version the new planning line names.
pub(super) const MIGRATE_LOG: &str = "WITH moved AS (
        UPDATE {schema}.releases
        SET format = $2, head = $3, summary_check = $4, checklist = $5, migrated = $6
        WHERE key = $1 AND events = $7 AND format = $8 RETURNING key),
    kept AS (
        INSERT INTO {schema}.checklists (fingerprint, template)
        SELECT $5, $9::text WHERE $9::text IS NOT NULL ON CONFLICT (fingerprint) DO NOTHING)
    UPDATE {schema}.events e SET line = new.line
    FROM moved, unnest($10::bigint[], $11::text[]) AS new (seq, line)
    WHERE e.key = moved.key AND e.seq = new.seq";

/// A schema name as SQL names it: quoted, so that a plain name that is
/// also a keyword (`user`, `select`, `order`) is a name. The name is
/// checked plain first, so it holds no quote to escape, and quoting keeps
/// its lowercase spelling.
pub(super) fn quoted(schema: &str) -> String {
    format!("\"{schema}\"")
}

/// A schema name used as an identifier in SQL: plain, so that it cannot
/// carry SQL, and then [quoted](quoted) where it is used.
pub(super) fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let mut chars = schema.chars();
    let plain = chars.next().is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63;
    if plain {
        Ok(())
    } else {
        Err(StoreError::Schema {
            schema: crate::text::shorten(schema),
            problem:
                "is not a plain identifier: use lowercase ASCII letters, digits and '_', starting with a \
                      letter, at most 63 characters"
                    .to_owned(),
        })
    }
}

/// Creates the store's tables or brings them to [`SCHEMA_VERSION`], in one
/// transaction under an advisory lock: replicas starting together migrate
/// once, and a migration that fails leaves the schema as it was.
pub(super) fn migrate(client: &mut Client, schema: &str) -> Result<(), StoreError> {
    let failed = database("migrate the schema of");
    let ident = quoted(schema);
    let mut transaction = client.transaction().map_err(&failed)?;
    transaction
        .execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            &[&format!("release-workflow schema {schema}")],
        )
        .map_err(&failed)?;
    transaction
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {ident};
             CREATE TABLE IF NOT EXISTS {ident}.schema_version (version integer NOT NULL);"
        ))
        .map_err(&failed)?;
    let found: i32 = transaction
        .query_one(&format!("SELECT coalesce(max(version), 0) FROM {ident}.schema_version"), &[])
        .map_err(&failed)?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::Schema {
            schema: schema.to_owned(),
            problem: format!(
                "is at version {found}, written by a newer release-workflow; this one reads up to version \
                 {SCHEMA_VERSION}: upgrade the crate in every tool that uses the database"
            ),
        });
    }
    for (version, migration) in (1..).zip(MIGRATIONS).skip(usize::try_from(found).unwrap_or(0)) {
        transaction.batch_execute(&migration.replace("{schema}", &ident)).map_err(&failed)?;
        transaction
            .execute(&format!("INSERT INTO {ident}.schema_version (version) VALUES ($1)"), &[&version])
            .map_err(&failed)?;
    }
    transaction.commit().map_err(&failed)
}
