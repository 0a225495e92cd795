#!/bin/bash
# kill -9 of the daemon at random moments during large ingestions: after a
# remount every data source holds exactly the rows of the ingestions whose
# close() returned 0 (SPEC 10), and no unfinished part is left behind.
. "$(dirname "$0")/lib.sh"
RUNS=${CRASH_RUNS:-20}
ROWS=${CRASH_ROWS:-300000}

rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
DS=$MNT/acme/web/datasources
export DS
printf 'SCHEMA >\n    `id` UInt64,\n    `run` UInt32,\n    `pad` String\n\nENGINE_SORTING_KEY "id"\n' >"$DS/c.datasource"

: >"$TMPROOT/expected_runs"
crashed=0
for k in $(seq 1 "$RUNS"); do
	# run k: ids k*10^7 + i, in one file of $ROWS rows
	awk -v k="$k" -v n="$ROWS" 'BEGIN { for (i = 0; i < n; i++) printf "%d,%d,padding-%d-%d\n", k * 10000000 + i, k, k, i }' >"$TMPROOT/run.csv"
	dd if="$TMPROOT/run.csv" of="$DS/c.csv" bs=256k oflag=append conv=notrunc status=none 2>/dev/null &
	ddpid=$!
	# kill at a random moment: before, during or after the ingestion
	sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", (r % 200) / 1000 }')"
	if [ $((k % 4)) -ne 0 ]; then
		kill -9 "$DAEMON_PID"
		crashed=$((crashed + 1))
	fi
	if wait "$ddpid"; then echo "$k ok"; else echo "$k failed"; fi >>"$TMPROOT/expected_runs"
	if [ $((k % 4)) -ne 0 ]; then
		rs_reap
		rs_mount || { echo "remount failed after kill $k"; cat "$LOG"; exit 1; }
	fi
done
# end on a crash too, so the checks below see what recovery left
kill -9 "$DAEMON_PID"
rs_reap
rs_mount || { echo "remount failed after the last kill"; exit 1; }
# the last run whose close failed may have committed just before the kill
# (the daemon died between commit and reply): then all its rows are there
expect "after $RUNS runs ($crashed kills) each run is there entirely or not at all, as close() said" '
	tail -n +2 "$DS/c.csv" | cut -d, -f2 | sort -n | uniq -c | awk "{print \$2, \$1}" >have &&
	ok=$(awk "\$2 == \"ok\" {print \$1}" expected_runs | tr "\n" " ") &&
	while read -r run cnt; do
		[ "$cnt" = "'"$ROWS"'" ] || { echo "run $run has $cnt rows, not all or nothing" >&2; exit 1; }
		case " $ok " in *" $run "*) ;; *) grep -q "^$run failed" expected_runs || exit 1
			echo "run $run committed although close() failed (killed between commit and reply)" >&2 ;; esac
	done <have &&
	for r in $ok; do grep -q "^$r " have || { echo "run $r acknowledged but missing" >&2; exit 1; }; done
'
# background merges write new parts while the daemon runs: look at the
# storage once it has unmounted cleanly
rs_umount || echo "not ok - unmount"
expect 'no unfinished parts are left in storage' '
	d=$(ls -d "$STORE"/orgs/acme/ws/web/ds/*/data) &&
	for p in "$d"/*/; do
		name=$(basename "$p")
		grep -qx "$name" "$d/manifest" || grep -q "$name" "$d/manifest" || { echo "orphan part $name" >&2; exit 1; }
	done &&
	! ls "$d" | grep -q "\.tmp$"
'
done_testing
