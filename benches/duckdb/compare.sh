#!/usr/bin/env bash
# The dora example against DuckDB on the same JSON Lines history, side by
# side in one run: wall time and peak memory of each whole process, the
# best and the median of RUNS runs, interleaved so both see the same
# machine. Also the time to read the file once (`cat FILE > /dev/null`):
# the floor of any reader.
#
#   bash benches/duckdb/compare.sh [RECORDS] [RUNS]      # defaults: 1000000 5
#
# Needs DuckDB's command-line shell (installed here from PyPI if missing:
# `pip install duckdb-cli`) and GNU time (/usr/bin/time). The history is generated once, deterministically, at
# /tmp/history.jsonl (`dora.sql` reads it there). Both compute the same
# report over 2026: the example's report and weekly trend, DuckDB's
# `dora.sql` (the report, in SQL).
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-1000000}
runs=${2:-5}
file=/tmp/history.jsonl
command -v duckdb > /dev/null || pip install --quiet duckdb-cli
cargo build --quiet --release --example dora
if [ ! -s "$file" ] || [ "$(wc -l < "$file")" -ne "$records" ]; then
    ./target/release/examples/dora --generate "$records" > "$file"
fi
echo "file: $file, $(wc -l < "$file") lines, $(du -m "$file" | cut -f1) MB; $(nproc) cores"
cat "$file" > /dev/null # into the page cache, for every contender alike
ours=(./target/release/examples/dora "$file" --from 2026-01-01 --to 2027-01-01)
duck=(duckdb -c ".read benches/duckdb/dora.sql")
measure() { # prints "seconds kilobytes"
    /usr/bin/time -f "%e %M" -o /tmp/compare.time "$@" > /dev/null
    cat /tmp/compare.time
}
: > /tmp/compare.ours; : > /tmp/compare.duck; : > /tmp/compare.cat
for _ in $(seq "$runs"); do
    measure "${ours[@]}" >> /tmp/compare.ours
    measure "${duck[@]}" >> /tmp/compare.duck
    measure cat "$file" >> /tmp/compare.cat
done
summary() { # best and median seconds, peak kilobytes
    sort -n "$1" | awk '{ s[NR] = $1; if ($2 > m) m = $2 } END { printf "%.2f %.2f %d", s[1], s[int((NR + 1) / 2)], m / 1024 }'
}
read -r ours_best ours_median ours_mb <<< "$(summary /tmp/compare.ours)"
read -r duck_best duck_median duck_mb <<< "$(summary /tmp/compare.duck)"
read -r cat_best cat_median _ <<< "$(summary /tmp/compare.cat)"
printf '%-28s %9s %9s %12s\n' "" "best s" "median s" "peak MB"
printf '%-28s %9s %9s %12s\n' "dora example (report+trend)" "$ours_best" "$ours_median" "$ours_mb"
printf '%-28s %9s %9s %12s\n' "DuckDB $(duckdb --version | cut -d' ' -f1) (dora.sql)" "$duck_best" "$duck_median" "$duck_mb"
printf '%-28s %9s %9s\n' "cat FILE > /dev/null" "$cat_best" "$cat_median"
awk -v o="$ours_median" -v d="$duck_median" 'BEGIN { printf "ratio of medians (ours / DuckDB): %.2f (target <= 0.50)\n", o / d }'
