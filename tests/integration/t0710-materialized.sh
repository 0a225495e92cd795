#!/bin/bash
# Materialized views (SPEC 4): the example project unchanged (cp -r), its
# top_pages endpoint over an AggregatingMergeTree fed by
# materializations/daily_pages.pipe; backfill at creation; every new
# ingestion flows through; the tests/*.yaml expectations hold.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
W=$MNT/acme/web
export W
cp -r "$SHARED/examples/web_analytics/." "$W/"

expect 'top_pages returns the rows of tests/top_pages.yaml (all_devices)' '
	printf "{\"pathname\":\"\\\\/\",\"visits\":3,\"views\":3}\n{\"pathname\":\"\\\\/pricing\",\"visits\":2,\"views\":2}\n{\"pathname\":\"\\\\/docs\",\"visits\":1,\"views\":1}\n" >want &&
	cat "$W/endpoints/top_pages.ndjson?date_from=2024-03-01&date_to=2024-03-31" >got && same want got
'
expect 'top_pages with device=mobile (mobile_only)' '
	printf "{\"pathname\":\"\\\\/\",\"visits\":1,\"views\":1}\n{\"pathname\":\"\\\\/docs\",\"visits\":1,\"views\":1}\n" >want &&
	cat "$W/endpoints/top_pages.ndjson?device=mobile" >got && same want got
'
expect 'tests/top_pages.result runs the cases of tests/top_pages.yaml' '
	is "$(ls "$W/tests" | tr "\n" " ")" "top_pages.result top_pages.yaml " &&
	is "$(cat "$W/tests/top_pages.result")" "$(printf "ok 1 - all_devices\nok 2 - mobile_only\n# 2 passed, 0 failed")"
'
expect 'a failing case is not ok with expected and actual rows' '
	sed "s/\"views\":3}/\"views\":9}/" "$SHARED/examples/web_analytics/tests/top_pages.yaml" >"$W/tests/top_pages.yaml" &&
	grep -q "^not ok 1 - all_devices$" "$W/tests/top_pages.result" &&
	grep -q "^#   expected: {\"pathname\":\"/\",\"visits\":3,\"views\":9}$" "$W/tests/top_pages.result" &&
	grep -q "^# 1 passed, 1 failed$" "$W/tests/top_pages.result" &&
	cp "$SHARED/examples/web_analytics/tests/top_pages.yaml" "$W/tests/top_pages.yaml"
'
expect 'a new ingestion flows through the view at once' '
	printf "{\"timestamp\":\"2024-03-03 10:00:00\",\"session_id\":\"s9\",\"page\":{\"path\":\"/docs\"},\"device\":\"mobile\",\"load_ms\":100}\n{\"timestamp\":\"2024-03-03 10:01:00\",\"session_id\":\"s9\",\"page\":{\"path\":\"/docs\"},\"device\":\"mobile\",\"load_ms\":100}\n" >>"$W/datasources/page_views.ndjson" &&
	is "$(head -n 1 "$W/endpoints/top_pages.ndjson?device=mobile")" "{\"pathname\":\"\\/docs\",\"visits\":2,\"views\":3}"
'
expect 'a view created after the rows backfills them; BACKFILL skip does not' '
	printf "SCHEMA >\n    \`device\` LowCardinality(String),\n    \`n\` AggregateFunction(count)\n\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"device\"\n" >"$W/datasources/per_device.datasource" &&
	printf "NODE m\nSQL >\n    SELECT device, countState() AS n FROM page_views GROUP BY device\n\nTYPE materialized\nDATASOURCE per_device\n" >"$W/materializations/per_device.pipe" &&
	printf "NODE endpoint\nSQL >\n    SELECT device, countMerge(n) AS n FROM per_device GROUP BY device ORDER BY device\n" >"$W/endpoints/devices.pipe" &&
	is "$(tail -n +2 "$W/endpoints/devices.csv" | tr "\n" " ")" "\"desktop\",2 \"mobile\",4 \"tablet\",2 " &&
	printf "SCHEMA >\n    \`device\` LowCardinality(String),\n    \`n\` AggregateFunction(count)\n\nENGINE \"AggregatingMergeTree\"\nENGINE_SORTING_KEY \"device\"\nBACKFILL skip\n" >"$W/datasources/later.datasource" &&
	printf "NODE m\nSQL >\n    SELECT device, countState() AS n FROM page_views GROUP BY device\n\nTYPE materialized\nDATASOURCE later\n" >"$W/materializations/later.pipe" &&
	is "$(tail -n +2 "$W/datasources/later.csv" | wc -l)" "0"
'
expect 'scripts/roost-check exits 1 with the rows when a check pipe returns rows, 0 otherwise' '
	printf "NODE endpoint\nSQL >\n    %%\n    SELECT count() AS c FROM page_views HAVING c > {{Int32(max, 100)}}\n" >"$W/pipes/too_many.pipe" &&
	"$ROOT/scripts/roost-check" "$W/pipes/too_many.pipe" &&
	! "$ROOT/scripts/roost-check" "$W/pipes/too_many.pipe" "max=1" >out && grep -q "^\"c\"$" out
'
rs_umount || echo "not ok - unmount"
rs_mount || exit 1
expect 'the views keep working after a remount' '
	printf "{\"timestamp\":\"2024-03-03 11:00:00\",\"session_id\":\"s10\",\"page\":{\"path\":\"/\"},\"device\":\"tablet\",\"load_ms\":100}\n" >>"$W/datasources/page_views.ndjson" &&
	is "$(tail -n +2 "$W/endpoints/devices.csv" | tr "\n" " ")" "\"desktop\",2 \"mobile\",4 \"tablet\",3 "
'
rs_umount || echo "not ok - unmount"
done_testing
