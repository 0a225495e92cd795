#!/bin/bash
# Copy pipes (SPEC 4): TYPE copy with TARGET_DATASOURCE runs when its .pipe
# is touched and on COPY_SCHEDULE, in COPY_MODE append or replace; each run
# is a "copy" row in the ops log. Also a copy pipe recovering quarantined
# rows, as Tinybird's docs recommend.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
W=$MNT/acme/web
export W
printf 'SCHEMA >\n    `id` UInt32,\n    `v` String\n' >"$W/datasources/src.datasource"
printf 'SCHEMA >\n    `id` UInt32,\n    `n` UInt64\n' >"$W/datasources/snap.datasource"
printf "1,a\n2,b\n2,c\nx,bad\n" >>"$W/datasources/src.csv"
printf 'NODE c\nSQL >\n    SELECT id, count() AS n FROM src GROUP BY id ORDER BY id\n\nTYPE copy\nTARGET_DATASOURCE snap\nCOPY_MODE replace\n' >"$W/copies/snap.pipe"

expect 'touch runs a copy pipe; replace mode swaps the target rows' '
	is "$(tail -n +2 "$W/datasources/snap.csv" | wc -l)" "0" &&
	touch "$W/copies/snap.pipe" && touch "$W/copies/snap.pipe" &&
	is "$(tail -n +2 "$W/datasources/snap.csv" | tr "\n" " ")" "1,1 2,2 " &&
	is "$(grep -c "\"copy\",\"t_[0-9a-f]*\",\"snap\",\"ok\"" "$W/tinybird/datasources_ops_log.csv")" "2"
'
expect 'a copy pipe over the quarantine recovers rows into the data source (append mode)' '
	printf "NODE fix\nSQL >\n    SELECT 99 AS id, assumeNotNull(v) AS v FROM src_quarantine\n\nTYPE copy\nTARGET_DATASOURCE src\n" >"$W/copies/recover.pipe" &&
	touch "$W/copies/recover.pipe" &&
	is "$(tail -n +2 "$W/datasources/src.csv" | tr "\n" " ")" "1,\"a\" 2,\"b\" 2,\"c\" 99,\"bad\" "
'
expect 'a copy pipe whose target does not exist fails the touch with a message' '
	printf "NODE c\nSQL >\n    SELECT 1 AS id\n\nTYPE copy\nTARGET_DATASOURCE nowhere\n" >"$W/copies/broken.pipe" &&
	fails_with "No such file or directory" touch "$W/copies/broken.pipe" &&
	grep -q "copy pipe .broken.: no data source .nowhere." "$W/.errors"
'
expect 'COPY_SCHEDULE runs the pipe by itself (every minute here)' '
	printf "NODE c\nSQL >\n    SELECT 7 AS id, count() AS n FROM src\n\nTYPE copy\nTARGET_DATASOURCE snap\nCOPY_SCHEDULE \"* * * * *\"\n" >"$W/copies/tick.pipe" &&
	for _ in $(seq 75); do grep -q "^7," "$W/datasources/snap.csv" && break; sleep 1; done &&
	grep -q "^7,4$" "$W/datasources/snap.csv"
'
rs_umount || echo "not ok - unmount"
done_testing
