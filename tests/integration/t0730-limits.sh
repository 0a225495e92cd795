#!/bin/bash
# Query limits (SPEC 9): query_timeout -> ETIMEDOUT, max_result -> EFBIG,
# each with a message naming the limit; an interrupted reader (Ctrl-C)
# cancels its query: the daemon's CPU goes quiet within a second.
. "$(dirname "$0")/lib.sh"
write_config "[limits acme/slow]
query_timeout = 20ms
max_concurrent_queries = 1
[limits acme/small]
max_result = 1K"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/slow" "$MNT/acme/small" "$MNT/acme/web"
for w in slow small web; do
	printf 'SCHEMA >\n    `id` UInt32\n' >"$MNT/acme/$w/datasources/n.datasource"
	seq 1 3000 >"$MNT/acme/$w/datasources/n.csv"
	printf 'SELECT sum(a.id * b.id) AS s FROM n AS a CROSS JOIN n AS b\n' >"$MNT/acme/$w/playground/heavy.sql"
	printf 'SELECT id FROM n ORDER BY id\n' >"$MNT/acme/$w/playground/all.sql"
done
export MNT

expect 'a query over query_timeout fails with ETIMEDOUT and names the limit' '
	fails_with "Connection timed out" cat "$MNT/acme/slow/playground/heavy.csv" &&
	grep -q "ETIMEDOUT query exceeded query_timeout" "$MNT/acme/slow/.errors"
'
expect 'a result over max_result fails with EFBIG and names the limit' '
	fails_with "File too large" cat "$MNT/acme/small/playground/all.csv" &&
	grep -q "EFBIG result larger than max_result (1024 bytes)" "$MNT/acme/small/.errors" &&
	is "$(cat "$MNT/acme/small/playground/heavy.csv")" "$(printf "\"s\"\n20263502250000")"
'
expect 'past max_concurrent_queries a result fails to open with EAGAIN naming the limit' '
	printf "SELECT 1 AS one\n" >"$MNT/acme/slow/playground/one.sql" &&
	exec 3<"$MNT/acme/slow/playground/one.csv" &&
	fails_with "Resource temporarily unavailable" cat "$MNT/acme/slow/playground/one.csv" &&
	grep -q "EAGAIN too many queries at once: max_concurrent_queries is 1" "$MNT/acme/slow/.errors" &&
	exec 3<&- && sleep 0.2 && is "$(tail -n +2 "$MNT/acme/slow/playground/one.csv")" "1"
'
expect 'the same queries run within the default limits' '
	is "$(tail -n +2 "$MNT/acme/web/playground/heavy.csv")" "20263502250000" &&
	is "$(tail -n +2 "$MNT/acme/web/playground/all.csv" | wc -l)" "3000"
'
expect 'an interrupted reader cancels its query: the CPU is freed within a second' "
	seq 1 6000 >six.csv && cp six.csv \"\$MNT/acme/web/datasources/n.csv\" &&
	{ timeout -s INT 0.2 cat \"\$MNT/acme/web/playground/heavy.csv\" >/dev/null 2>&1 || true; } &&
	sleep 1 && t0=\$(awk '{ print \$14 + \$15 }' /proc/$DAEMON_PID/stat) &&
	sleep 1 && t1=\$(awk '{ print \$14 + \$15 }' /proc/$DAEMON_PID/stat) &&
	echo \"cpu ticks in the second after: \$((t1 - t0))\" >&2 && [ \$((t1 - t0)) -lt 20 ]
"
rs_umount || echo "not ok - unmount"
done_testing
