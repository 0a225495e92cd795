#!/bin/bash
# ENGINE_TTL: expired rows are removed by the background merges within
# seconds; a TTL added later applies to the rows already there.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
DS=$MNT/acme/web/datasources
export DS
printf 'SCHEMA >\n    `ts` DateTime,\n    `id` UInt32\n\nENGINE_SORTING_KEY "ts"\nENGINE_TTL "ts + INTERVAL 1 DAY"\n' >"$DS/t.datasource"
now=$(date -u +"%Y-%m-%d %H:%M:%S")
export now
printf "2020-01-01 00:00:00,1\n%s,2\n2021-06-01 00:00:00,3\n" "$now" >>"$DS/t.csv"
expect 'rows past their TTL disappear; fresh rows stay' '
	for _ in $(seq 50); do [ "$(tail -n +2 "$DS/t.csv" | wc -l)" = 1 ] && break; sleep 0.2; done &&
	is "$(tail -n +2 "$DS/t.csv")" "\"$now\",2"
'
expect 'a bad TTL is refused with its reason' '
	printf "SCHEMA >\n    \`ts\` DateTime\n\nENGINE_TTL \"id + INTERVAL 1 DAY\"\n" | fails_with "Invalid argument" tee "$DS/u.datasource" >/dev/null &&
	grep -q "unknown column .id. in ENGINE_TTL" "$MNT/acme/web/.errors"
'
expect 'a TTL added to an existing data source applies to its rows' '
	printf "SCHEMA >\n    \`d\` Date,\n    \`id\` UInt32\n" >"$DS/v.datasource" &&
	printf "2019-05-05,1\n2100-01-01,2\n" >>"$DS/v.csv" &&
	is "$(tail -n +2 "$DS/v.csv" | wc -l)" "2" &&
	printf "SCHEMA >\n    \`d\` Date,\n    \`id\` UInt32\n\nENGINE_TTL \"d + toIntervalMonth(1)\"\n" >"$DS/v.datasource" &&
	for _ in $(seq 50); do [ "$(tail -n +2 "$DS/v.csv" | wc -l)" = 1 ] && break; sleep 0.2; done &&
	is "$(tail -n +2 "$DS/v.csv")" "\"2100-01-01\",2"
'
rs_umount || echo "not ok - unmount"
done_testing
