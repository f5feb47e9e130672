-- The DORA report of examples/dora.rs, in DuckDB, for a side-by-side timing
-- (benches/duckdb/compare.sh runs both):
--   duckdb -c ".read benches/duckdb/dora.sql"   (with the file at /tmp/history.jsonl)
-- Same definitions: deployments started in [from, to); lead time per change
-- from commit to production, commits after production left out; a failure
-- is rolled back or has an incident; recovery from the first incident or
-- the rollback decision to the last restoration; interpolated quantiles.
WITH d AS (
    SELECT * FROM read_json('/tmp/history.jsonl', format = 'newline_delimited',
        columns = {release: 'VARCHAR', service: 'VARCHAR', version: 'VARCHAR',
                   started_at: 'TIMESTAMPTZ', production_at: 'TIMESTAMPTZ',
                   rollback: 'STRUCT(decided_at TIMESTAMPTZ, restored_at TIMESTAMPTZ)',
                   commits: 'TIMESTAMPTZ[]',
                   incidents: 'STRUCT(id VARCHAR, opened_at TIMESTAMPTZ, resolved_at TIMESTAMPTZ)[]',
                   remediation: 'BOOLEAN'})
    WHERE started_at >= TIMESTAMPTZ '2026-01-01 00:00:00+00' AND started_at < TIMESTAMPTZ '2027-01-01 00:00:00+00'
),
failures AS (
    SELECT
        least(list_min(list_transform(coalesce(incidents, []), lambda i: i.opened_at)), rollback.decided_at) AS started,
        CASE WHEN list_bool_or(list_transform(coalesce(incidents, []), lambda i: i.resolved_at IS NULL))
                  OR (rollback IS NOT NULL AND rollback.restored_at IS NULL) THEN NULL
             ELSE greatest(list_max(list_transform(coalesce(incidents, []), lambda i: i.resolved_at)), rollback.restored_at)
        END AS restored
    FROM d WHERE rollback IS NOT NULL OR len(coalesce(incidents, [])) > 0
),
leads AS (
    SELECT epoch_ms(production_at) - epoch_ms(c) AS lead_ms
    FROM (SELECT production_at, unnest(commits) AS c FROM d WHERE production_at IS NOT NULL)
),
days AS (SELECT DISTINCT CAST(started_at AT TIME ZONE 'UTC' AS DATE) AS day FROM d),
-- Every week the window touches, partial weeks included (as fourkeys and DevLake).
weeks AS (
    SELECT w.week, count(days.day) AS deploy_days
    FROM (SELECT DISTINCT date_trunc('week', DATE '2026-01-01' + INTERVAL (n) DAY) AS week
          FROM range(0, 365) t(n)) w
    LEFT JOIN days ON date_trunc('week', days.day) = w.week
    GROUP BY w.week
)
SELECT
    (SELECT count(*) FROM d) AS deployments,
    (SELECT count(*) FROM d) / 365.0 AS per_day,
    (SELECT quantile_cont(deploy_days, 0.5) FROM weeks) AS deploy_days_per_week,
    (SELECT quantile_cont(lead_ms, 0.5) / 3600000.0 FROM leads WHERE lead_ms >= 0) AS lead_time_median_h,
    (SELECT quantile_cont(lead_ms, 0.9) / 3600000.0 FROM leads WHERE lead_ms >= 0) AS lead_time_p90_h,
    (SELECT count(*) FROM leads WHERE lead_ms < 0) AS commits_after_production,
    (SELECT count(*) FROM failures) / (SELECT count(*) FROM d)::DOUBLE AS change_failure_rate,
    (SELECT quantile_cont(epoch_ms(restored) - epoch_ms(started), 0.5) / 3600000.0 FROM failures WHERE restored IS NOT NULL) AS recovery_median_h,
    (SELECT quantile_cont(epoch_ms(restored) - epoch_ms(started), 0.9) / 3600000.0 FROM failures WHERE restored IS NOT NULL) AS recovery_p90_h,
    (SELECT count(*) FROM failures WHERE restored IS NULL) AS unresolved,
    (SELECT count(*) FROM d WHERE rollback IS NOT NULL) AS rollbacks,
    (SELECT quantile_cont(epoch_ms(production_at) - epoch_ms(started_at), 0.5) / 60000.0 FROM d WHERE production_at IS NOT NULL) AS duration_median_min,
    (SELECT count(*) FILTER (WHERE remediation) FROM d) / (SELECT count(*) FROM d)::DOUBLE AS rework_rate;
