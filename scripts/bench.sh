#!/bin/bash
# make bench: ingestion of the shared/bench events CSV into roost through
# the mount, against ClickHouse (MergeTree) and DuckDB loading the same file
# in the same run; on-disk sizes; roost's peak RSS; export check.
#   BENCH_ROWS=10000000 (default)  BENCH_DIR=/tmp/roost-bench
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${ROOST_SHARED:-$ROOT/../shared}
B=$SHARED/bench
ROWS=${BENCH_ROWS:-10000000}
DIR=${BENCH_DIR:-/tmp/roost-bench}
export TZ=UTC
mkdir -p "$DIR"
CSV=$DIR/events_$ROWS.csv
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

"$B/setup-peers.sh" >"$DIR/setup-peers.log" 2>&1 || { echo "peer setup failed: $DIR/setup-peers.log"; exit 1; }
cc -O2 -o "$DIR/gen_events" "$B/gen_events.c"
cc -O2 -o "$DIR/bench-read" "$ROOT/scripts/bench-read.c"
[ -s "$CSV" ] || "$DIR/gen_events" "$ROWS" csv 42 >"$CSV"
"$DIR/gen_events" --countries >"$DIR/countries.csv"
cat "$CSV" >/dev/null	# page cache, for everyone

# ---- roost
MNT=$DIR/mnt STORE=$DIR/store
fusermount3 -u -z "$MNT" 2>/dev/null || true
rm -rf "$STORE"; mkdir -p "$MNT" "$STORE"
printf '[storage]\npath = %s\n' "$STORE" >"$DIR/roost.ini"
/usr/bin/time -v -o "$DIR/roost.time" "$ROOT/build/roostfs" -f -c "$DIR/roost.ini" "$MNT" 2>"$DIR/roost.log" &
for _ in $(seq 100); do grep -q " $MNT fuse" /proc/mounts && break; sleep 0.1; done
trap 'fusermount3 -u -z "$MNT" 2>/dev/null || true' EXIT
mkdir "$MNT/bench" "$MNT/bench/ws"
cat >"$MNT/bench/ws/datasources/events.datasource" <<'D'
SCHEMA >
    `timestamp` DateTime,
    `session_id` String,
    `user_id` UInt64,
    `action` LowCardinality(String),
    `country` LowCardinality(String),
    `device` LowCardinality(String),
    `browser` LowCardinality(String),
    `pathname` String,
    `referrer` String,
    `duration_ms` UInt32,
    `revenue` Float64

ENGINE "MergeTree"
ENGINE_PARTITION_KEY "toYYYYMM(timestamp)"
ENGINE_SORTING_KEY "timestamp"
D
t=$(now); cp "$CSV" "$MNT/bench/ws/datasources/events.csv"; roost_load=$(since "$t")
dpid=$(pgrep -n -f "roostfs -f -c $DIR/roost.ini")
ingest_rss=$(awk '/VmHWM/ { print int($2 / 1024) }' /proc/$dpid/status)
t=$(now); roost_rows=$(tail -n +2 "$MNT/bench/ws/datasources/events.csv" | wc -l); roost_export=$(since "$t")
# queries: each ClickHouse query of the suite as a pipe, read with cat
printf 'SCHEMA >\n    `code` String,\n    `name` String,\n    `region` String\n' \
	>"$MNT/bench/ws/datasources/countries.datasource"
cp "$DIR/countries.csv" "$MNT/bench/ws/datasources/countries.csv"
for q in "$B"/queries/clickhouse/*.sql; do
	n=$(basename "$q" .sql)
	# one write: every close of the .pipe validates it, and a pipeline's
	# children would each close a copy of the descriptor half-written
	p=$(printf 'NODE endpoint\nSQL >\n'; grep -v '^--' "$q" | sed 's/^/    /')
	printf '%s\n' "$p" >"$MNT/bench/ws/endpoints/$n.pipe"
done
# let background merges settle before sizes and timings
sleep 5
roost_bytes=$(du -sb "$STORE"/orgs/bench/ws/ws/ds/*/data | awk '{ s += $1 } END { print s }')
: >"$DIR/roost_times.tsv"
answers_ok=0
for q in "$B"/queries/clickhouse/*.sql; do
	n=$(basename "$q" .sql)
	f="$MNT/bench/ws/endpoints/$n"
	tail -n +2 "$f.tsv" >"$DIR/$n.roost.tsv"	# warm-up, and the answer
	ref="$B/results/$ROWS/answers/ch_mergetree/$n.tsv"
	[ -f "$ref" ] && cmp -s "$ref" "$DIR/$n.roost.tsv" && answers_ok=$((answers_ok + 1))
	ts=""
	for r in 1 2 3; do
		# $EPOCHREALTIME: no date(1) fork inside the measured interval
		t=$EPOCHREALTIME; cat "$f.csv" >/dev/null; e=$EPOCHREALTIME
		ts="$ts $(awk -v a="$t" -v b="$e" 'BEGIN { printf "%.4f", b - a }')"
	done
	printf '%s\t%s\n' "$n" "$(echo $ts | tr ' ' '\n' | sort -n | sed -n 2p)" >>"$DIR/roost_times.tsv"
done
# the same reads from one process (no process start inside the interval,
# as DuckDB is timed): open + read to EOF + close, median of 3 after a warm-up
"$DIR/bench-read" 3 "$MNT"/bench/ws/endpoints/q*.csv >"$DIR/roost_read.tsv"
# what a cat costs with nothing to do: a local empty file
: >"$DIR/empty"; ts=""
for r in 1 2 3; do t=$EPOCHREALTIME; cat "$DIR/empty" >/dev/null; e=$EPOCHREALTIME
	ts="$ts $(awk -v a="$t" -v b="$e" 'BEGIN { printf "%.4f", b - a }')"; done
cat_floor=$(echo $ts | tr ' ' '\n' | sort -n | sed -n 2p)
fusermount3 -u "$MNT"; wait
roost_rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$DIR/roost.time")

# ---- DuckDB
ddb=$DIR/events.duckdb; rm -f "$ddb" "$ddb.wal"
sed -e "s#@EVENTS_CSV@#$CSV#" -e "s#@COUNTRIES_CSV@#$DIR/countries.csv#" "$B/schema/duckdb.sql" >"$DIR/duckdb_load.sql"
t=$(now); node "$B/engines/duckdb.mjs" exec "$ddb" "$DIR/duckdb_load.sql" >/dev/null; duck_load=$(since "$t")
duck_bytes=$(stat -c %s "$ddb")
node "$B/engines/duckdb.mjs" bench "$ddb" 3 "$B"/queries/duckdb/*.sql >"$DIR/duck_times.tsv"

# ---- ClickHouse MergeTree
"$B/ch-server.sh" start >/dev/null
CHC() { clickhouse-client --port 19000 "$@"; }
sed -e "s#@DB@#bench_mt#g" -e "s#@ENGINE_EVENTS@#ENGINE = MergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY timestamp#" \
    -e "s#@ENGINE_DIM@#ENGINE = MergeTree() ORDER BY code#" "$B/schema/clickhouse.sql" | sed -e 's/--.*$//' | CHC -n
t=$(now); CHC --database bench_mt --allow_experimental_low_cardinality_type=1 -q "INSERT INTO events FORMAT CSV" <"$CSV"; ch_load=$(since "$t")
CHC --database bench_mt -q "OPTIMIZE TABLE events FINAL"
ch_bytes=$(CHC -q "SELECT sum(bytes_on_disk) FROM system.parts WHERE database='bench_mt' AND table='events' AND active")
"$B/ch-server.sh" stop >/dev/null

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<T

ingest of $ROWS rows ($(mib "$(stat -c %s "$CSV")") MiB CSV), same file, same run:

| engine | load s | Mrows/s | roost speed-up | on disk MiB |
|---|---:|---:|---:|---:|
| roost (cp through the mount) | $roost_load | $(awk -v r="$ROWS" -v s="$roost_load" 'BEGIN{printf "%.2f", r/s/1e6}') | 1.00x | $(mib "$roost_bytes") |
| DuckDB | $duck_load | $(awk -v r="$ROWS" -v s="$duck_load" 'BEGIN{printf "%.2f", r/s/1e6}') | $(ratio "$duck_load" "$roost_load")x | $(mib "$duck_bytes") |
| ClickHouse MergeTree | $ch_load | $(awk -v r="$ROWS" -v s="$ch_load" 'BEGIN{printf "%.2f", r/s/1e6}') | $(ratio "$ch_load" "$roost_load")x | $(mib "$ch_bytes") |

roost: rows exported $roost_rows (export ${roost_export}s); daemon peak RSS $ingest_rss MiB after the cp, $((roost_rss / 1024)) MiB after the queries too
T

echo
echo "queries through the mount vs DuckDB in-process, same data, median of 3 after a warm-up:"
echo "'cat' runs cat <pipe>.csv (its process start, ${cat_floor} s for a cat of an empty local file"
echo "here, is inside the interval); 'read' opens and reads <pipe>.csv to EOF from one process."
echo
echo "| query | roost cat s | roost read s | DuckDB s | cat/DuckDB | read/DuckDB |"
echo "|---|---:|---:|---:|---:|---:|"
TAB=$(printf '\t')
join -t "$TAB" <(sort "$DIR/roost_times.tsv") <(cut -f1,2 "$DIR/roost_read.tsv" | sort) |
	join -t "$TAB" - <(cut -f1,2 "$DIR/duck_times.tsv" | sort) |
	awk -F'\t' '{ r = $2 / $4; w = $3 / $4; printf "| %s | %.4f | %.4f | %.4f | %.2fx | %.2fx |\n", $1, $2, $3, $4, r, w
		l += log(r); m += log(w); n++ }
		END { printf "| **geomean** | | | | **%.2fx** | **%.2fx** |\n", exp(l / n), exp(m / n) }'
echo
echo "answers equal to ClickHouse's (results/$ROWS/answers/ch_mergetree): $answers_ok of 16"
