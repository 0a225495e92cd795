#!/bin/bash
# Background merges: many small ingestions become few parts, rows intact,
# readers undisturbed; an ops log of many rows stays one table.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
DS=$MNT/acme/web/datasources
export DS
printf 'SCHEMA >\n    `id` UInt32,\n    `ts` DateTime\n\nENGINE_PARTITION_KEY "toYYYYMM(ts)"\nENGINE_SORTING_KEY "ts, id"\n' >"$DS/m.datasource"
for i in $(seq 1 40); do printf "%d,2024-0%d-01 00:00:%02d\n" "$i" $((i % 2 + 1)) $((60 - i)) >>"$DS/m.csv"; done
expect 'forty appends are merged into one part within seconds' '
	m=$(ls -d "$STORE"/orgs/acme/ws/web/ds/*/data)/manifest &&
	for _ in $(seq 100); do [ "$(grep -c "^part " "$m")" -eq 1 ] && break; sleep 0.2; done &&
	[ "$(grep -c "^part " "$m")" -eq 1 ]
'
# one part is sorted by (partition key, sorting key); exports read parts in
# order, so with one part the export is in key order
expect 'after merging, every row is there in sorting-key order' '
	tail -n +2 "$DS/m.csv" | cut -d, -f1 >ids &&
	is "$(wc -l <ids)" "40" &&
	is "$(tr "\n" " " <ids)" "$(for i in $(seq 40 -1 1); do [ $((i % 2)) -eq 0 ] && printf "%d " $i; done; for i in $(seq 40 -1 1); do [ $((i % 2)) -eq 1 ] && printf "%d " $i; done)"
'
rs_umount || echo "not ok - unmount"
rs_mount || exit 1
expect 'merged parts survive a remount' '
	is "$(tail -n +2 "$DS/m.csv" | wc -l)" "40"
'
rs_umount || echo "not ok - unmount"
done_testing
