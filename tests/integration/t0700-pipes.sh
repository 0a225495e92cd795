#!/bin/bash
# Pipes read as files (SPEC 4): endpoint results in every format, template
# parameters in the name, q=, node chaining, validation at close, errors
# from open() with Tinybird's messages; the playground.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
W=$MNT/acme/web
export W
cp -r "$SHARED/examples/web_analytics/datasources" "$SHARED/examples/web_analytics/fixtures" "$W/"
cp "$SHARED/examples/web_analytics/endpoints/revenue_by_region.pipe" "$W/endpoints/"
cp "$SHARED/examples/web_analytics/endpoints/hourly_kpis.pipe" "$W/pipes/"
cat >"$W/pipes/by_device.pipe" <<'P'
NODE views
SQL >
    SELECT device, count() AS views FROM page_views GROUP BY device

NODE endpoint
SQL >
    %
    SELECT device, views FROM views
    WHERE views >= {{Int32(min_views, 1)}}
    {% if defined(device) %} AND device = {{String(device)}} {% end %}
    ORDER BY device
P
cat >"$W/pipes/needs.pipe" <<'P'
NODE endpoint
SQL >
    %
    SELECT count() AS c FROM page_views WHERE load_ms > {{Int32(ms, required=True)}}
    {% if defined(fail) %} {{ error('fail was given') }} {% end %}
P

expect 'ls shows each pipe with its .json and .csv results' '
	is "$(ls "$W/endpoints" | tr "\n" " ")" "revenue_by_region.csv revenue_by_region.json revenue_by_region.pipe " &&
	is "$(stat -c %s "$W/endpoints/revenue_by_region.json")" "0"
'
expect 'revenue_by_region of the example returns the right rows (LEFT JOIN, template if)' '
	printf "\"region\",\"revenue\",\"paying_sessions\"\n\"Americas\",99,1\n\"Europe\",49.5,1\n" >want &&
	cat "$W/endpoints/revenue_by_region.csv" >got && same want got &&
	is "$(tail -n +2 "$W/endpoints/revenue_by_region.csv?since=2024-03-02%2000:00:00")" "\"Americas\",99,1"
'
expect 'hourly_kpis of the example: a node read as a scalar subquery, quantile, countIf, days=' '
	printf "\"hour\",\"views\",\"sessions\",\"median_load_ms\",\"mobile_views\"\n\"2024-03-01 10:00:00\",3,2,180,1\n\"2024-03-01 11:00:00\",1,1,410,1\n\"2024-03-02 09:00:00\",2,1,185,0\n" >want &&
	cat "$W/pipes/hourly_kpis.csv" >got && same want got &&
	is "$(tail -n +2 "$W/pipes/hourly_kpis.csv?days=0" | wc -l)" "0"
'
expect 'the JSON envelope has meta, data, rows and statistics' '
	python3 -c "
import json
d = json.load(open(\"$W/endpoints/revenue_by_region.json\"))
assert d[\"meta\"] == [{\"name\": \"region\", \"type\": \"LowCardinality(String)\"}, {\"name\": \"revenue\", \"type\": \"Nullable(Float64)\"}, {\"name\": \"paying_sessions\", \"type\": \"UInt64\"}], d[\"meta\"]
assert d[\"data\"] == [{\"region\": \"Americas\", \"revenue\": 99, \"paying_sessions\": 1}, {\"region\": \"Europe\", \"revenue\": 49.5, \"paying_sessions\": 1}], d[\"data\"]
assert d[\"rows\"] == 2 and d[\"statistics\"][\"rows_read\"] > 0 and \"elapsed\" in d[\"statistics\"]
"
'
expect 'the JSON envelope is laid out as ClickHouse FORMAT JSON prints it' '
	{
		printf "{\n\t\"meta\":\n\t[\n"
		printf "\t\t{\n\t\t\t\"name\": \"region\",\n\t\t\t\"type\": \"LowCardinality(String)\"\n\t\t},\n"
		printf "\t\t{\n\t\t\t\"name\": \"revenue\",\n\t\t\t\"type\": \"Nullable(Float64)\"\n\t\t},\n"
		printf "\t\t{\n\t\t\t\"name\": \"paying_sessions\",\n\t\t\t\"type\": \"UInt64\"\n\t\t}\n"
		printf "\t],\n\n\t\"data\":\n\t[\n"
		printf "\t\t{\n\t\t\t\"region\": \"Americas\",\n\t\t\t\"revenue\": 99,\n\t\t\t\"paying_sessions\": 1\n\t\t},\n"
		printf "\t\t{\n\t\t\t\"region\": \"Europe\",\n\t\t\t\"revenue\": 49.5,\n\t\t\t\"paying_sessions\": 1\n\t\t}\n"
		printf "\t],\n\n\t\"rows\": 2,\n\n"
		printf "\t\"statistics\":\n\t{\n\t\t\"elapsed\": E,\n\t\t\"rows_read\": R,\n\t\t\"bytes_read\": B\n\t}\n}\n"
	} >want.json &&
	sed -e "s/\(\"elapsed\": \)[0-9.]*/\1E/" -e "s/\(\"rows_read\": \)[0-9]*/\1R/" \
		-e "s/\(\"bytes_read\": \)[0-9]*/\1B/" "$W/endpoints/revenue_by_region.json" >got.json &&
	same want.json got.json &&
	printf "\t\"data\":\n\t[\n\n\t],\n\n\t\"rows\": 0,\n\n\t\"statistics\":\n" >want0.json &&
	grep -A 7 "^.\"data\":" "$W/endpoints/revenue_by_region.json?q=SELECT+*+FROM+_+WHERE+0" >got0.json &&
	same want0.json got0.json
'
expect 'nodes read earlier nodes; parameters reach the template' '
	is "$(cat "$W/pipes/by_device.csv")" "$(printf "\"device\",\"views\"\n\"desktop\",2\n\"mobile\",2\n\"tablet\",2")" &&
	is "$(tail -n +2 "$W/pipes/by_device.csv?device=mobile")" "\"mobile\",2" &&
	is "$(cat "$W/pipes/by_device.csv?min_views=3" | wc -l)" "1" &&
	is "$(cat "$W/pipes/by_device.ndjson?device=tablet")" "{\"device\":\"tablet\",\"views\":2}" &&
	is "$(tail -n +2 "$W/pipes/by_device.tsv?device=tablet")" "$(printf "tablet\t2")"
'
expect 'q= runs SQL over the pipe result as _' '
	is "$(cat "$W/pipes/by_device.csv?q=SELECT%20sum(views)%20AS%20total%20FROM%20_")" "$(printf "\"total\"\n6")"
'
expect 'a missing required parameter fails open() with EINVAL and Tinybird'"'"'s message' '
	fails_with "Invalid argument" cat "$W/pipes/needs.csv" &&
	grep -q "open pipes/needs.csv EINVAL Template Syntax Error: Required parameter is not defined. Check the parameters ms. Please provide a value or set a default value in the pipe code." "$W/.errors"
'
expect 'an invalid Int32 and error() fail with their messages' '
	fails_with "Invalid argument" cat "$W/pipes/needs.csv?ms=abc" &&
	grep -q "Template Syntax Error: Error validating .abc. to type Int32" "$W/.errors" &&
	fails_with "Invalid argument" cat "$W/pipes/needs.csv?ms=1&fail=1" &&
	grep -q "EINVAL fail was given" "$W/.errors" &&
	is "$(tail -n +2 "$W/pipes/needs.csv?ms=200")" "3"
'
expect 'a table that does not exist fails when the pipe runs, naming the node' '
	printf "NODE endpoint\nSQL >\n    SELECT count() FROM evnts\n" >"$W/pipes/typo.pipe" &&
	fails_with "Invalid argument" cat "$W/pipes/typo.json" &&
	grep -q "unknown table .evnts. in node .endpoint." "$W/.errors"
'
expect 'a syntax error in a node fails close() with the node and line; the old version stays' '
	cp "$W/pipes/by_device.pipe" good.pipe &&
	printf "NODE endpoint\nSQL >\n    SELEC device FROM page_views\n" | fails_with "Invalid argument" tee "$W/pipes/by_device.pipe" &&
	grep -q "close pipes/by_device.pipe EINVAL node .endpoint., line 3: syntax error" "$W/.errors" &&
	cmp good.pipe "$W/pipes/by_device.pipe"
'
expect 'pipe names are one namespace across the pipe folders' '
	fails_with "File exists" cp good.pipe "$W/endpoints/by_device.pipe"
'
expect 'results are read-only' '
	fails_with "Permission denied" sh -c "echo x >\"$W/pipes/by_device.csv\""
'
expect 'the playground runs each user'"'"'s own SQL' '
	printf "SELECT device, count() AS n FROM page_views GROUP BY device ORDER BY device\n" >"$W/playground/q1.sql" &&
	is "$(ls "$W/playground" | tr "\n" " ")" "q1.csv q1.json q1.sql " &&
	is "$(cat "$W/playground/q1.csv")" "$(printf "\"device\",\"n\"\n\"desktop\",2\n\"mobile\",2\n\"tablet\",2")"
'
expect 'joins: an empty right side gives no rows (INNER) or defaults (LEFT); FULL JOIN keeps both sides; the daemon lives' '
	printf "SELECT count() AS c FROM page_views AS a INNER JOIN (SELECT device FROM page_views WHERE 0) AS e ON a.device = e.device\n" >"$W/playground/ej.sql" &&
	is "$(tail -n +2 "$W/playground/ej.csv")" "0" &&
	printf "SELECT count() AS c, countIf(e.device = '"'"''"'"') AS d FROM page_views AS a LEFT JOIN (SELECT device FROM page_views WHERE 0) AS e ON a.device = e.device\n" >"$W/playground/el.sql" &&
	is "$(tail -n +2 "$W/playground/el.csv")" "6,6" &&
	printf "SELECT a.device AS l, b.device AS r, count() AS n FROM (SELECT device FROM page_views WHERE device != '"'"'tablet'"'"') AS a FULL JOIN (SELECT device FROM page_views WHERE device != '"'"'mobile'"'"') AS b ON a.device = b.device GROUP BY l, r ORDER BY l, r\n" >"$W/playground/fj.sql" &&
	is "$(tail -n +2 "$W/playground/fj.csv")" "$(printf "\"\",\"tablet\",2\n\"desktop\",\"desktop\",4\n\"mobile\",\"\",2")" &&
	is "$(tail -n +2 "$W/playground/q1.csv" | wc -l)" "3"
'
cat >"$W/pipes/device_mix.pipe" <<'P'
NODE seen
SQL >
    SELECT device, count() AS views, max(revenue) AS top_revenue FROM page_views
    WHERE device != 'tablet' GROUP BY device

NODE slow
SQL >
    SELECT device, max(load_ms) AS slowest FROM page_views WHERE device != 'mobile' GROUP BY device

NODE endpoint
SQL >
    SELECT * FROM seen FULL JOIN slow USING device ORDER BY device
P
expect 'a node with FULL JOIN USING: the key once and first, the right side'"'"'s key and defaults for a right-only row' '
	printf "\"device\",\"views\",\"top_revenue\",\"slowest\"\n\"desktop\",2,49.5,180\n\"mobile\",2,\\\\N,0\n\"tablet\",0,\\\\N,220\n" >want &&
	cat "$W/pipes/device_mix.csv" >got && same want got
'
expect 'service data sources are tables in SQL' '
	printf "SELECT count() > 0 AS ok FROM tinybird.datasources_ops_log WHERE event_type = '"'"'create'"'"'\n" >"$W/playground/ops.sql" &&
	is "$(tail -n +2 "$W/playground/ops.csv")" "1"
'
expect 'every request is a row in tinybird.pipe_stats_rt; failures also in endpoint_errors' '
	grep -q "^\"20[0-9-]* [0-9:]*\",\"[0-9A-Z]*\",\"by_device\",\"by_device\",[0-9.e-]*,[0-9]*,6,1,\\\\N,0,200,\"device=tablet\",\"root\"$" "$W/tinybird/pipe_stats_rt.csv" &&
	grep -q "\"needs\",\"needs\",\"ms=abc\",\\\\N,400,\"Template Syntax Error: Error validating .abc. to type Int32\",\"root\"$" "$W/tinybird/endpoint_errors.csv" &&
	printf "SELECT pipe_name, count() AS n FROM tinybird.pipe_stats_rt WHERE pipe_name = '"'"'needs'"'"' AND error = 1 GROUP BY pipe_name\n" >"$W/playground/errs.sql" &&
	is "$(tail -n +2 "$W/playground/errs.csv")" "\"needs\",3"
'
expect 'tinybird/pipe_stats.csv aggregates requests per day and pipe' '
	grep -q "^\"20[0-9-]*\",\"needs\",\"needs\",4,3," "$W/tinybird/pipe_stats.csv"
'
expect 'organization/pipe_stats.csv and pipe_stats_rt.csv hold the requests of every workspace' '
	grep -q "^\"web\",\"20[0-9-]*\",\"needs\",\"needs\",4,3,[0-9.e-]*,[0-9]*,[0-9]*$" "$MNT/acme/organization/pipe_stats.csv" &&
	is "$(grep -c "^\"web\",.*\"needs\",\"needs\"" "$MNT/acme/organization/pipe_stats_rt.csv")" "4"
'
# burst=<k>-<i> marks the requests of the next tests: 3 readers at once, 100 each
burst_rows() { grep -c ',"device=mobile&burst=[0-9]*-[0-9]*",' "$W/tinybird/pipe_stats_rt.csv" || true; }
burst_sql() {
	cat >"$W/playground/burst.sql" <<'Q'
SELECT count() AS n, uniqExact(parameters) AS u FROM tinybird.pipe_stats_rt WHERE startsWith(parameters, 'device=mobile&burst=')
Q
	tail -n +2 "$W/playground/burst.csv"
}
expect 'many fast requests, 3 at a time: exactly one pipe_stats_rt row each, in the CSV and in SQL' '
	for k in 1 2 3; do
		( for i in $(seq 100); do cat "$W/pipes/by_device.csv?device=mobile&burst=$k-$i" >/dev/null || true; done ) &
	done
	wait
	# release (which logs) runs after close returns: give the last ones a moment
	for _ in $(seq 50); do [ "$(burst_rows)" -ge 300 ] && break; sleep 0.1; done
	is "$(burst_rows)" "300" &&
	is "$(burst_sql)" "300,300" &&
	is "$(grep -c "^\"web\",.*\"device=mobile&burst=" "$MNT/acme/organization/pipe_stats_rt.csv")" "300"
'
rs_umount || echo "not ok - unmount"
rs_mount || exit 1
expect 'after a remount the requests are all there once (queued rows are written at unmount)' '
	is "$(burst_rows)" "300" &&
	is "$(burst_sql)" "300,300"
'
rs_umount || echo "not ok - unmount"
done_testing
