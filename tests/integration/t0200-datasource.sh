#!/bin/bash
# .datasource definitions through the mount: create, validate, change,
# editors, rename, delete, persistence.
. "$(dirname "$0")/lib.sh"
rs_mount || exit 1
mkdir "$MNT/acme" "$MNT/acme/web"
DS=$MNT/acme/web/datasources
export DS

cat >"$TMPROOT/events.datasource" <<'D'
DESCRIPTION >
    Page views

SCHEMA >
    `ts` DateTime `json:$.ts`,
    `path` String `json:$.page.path`,
    `n` UInt32 DEFAULT 1

ENGINE "MergeTree"
ENGINE_PARTITION_KEY "toYYYYMM(ts)"
ENGINE_SORTING_KEY "path, ts"
D

expect 'cp of a .datasource creates the data source and its files' '
	cp events.datasource "$DS/" &&
	is "$(ls "$DS" | tr "\n" " ")" "events.csv events.datasource events.ndjson " &&
	cmp events.datasource "$DS/events.datasource" &&
	is "$(stat -c %s "$DS/events.datasource")" "$(stat -c %s events.datasource)"
'
expect 'data files report size 0 and a 1 MiB block size' '
	is "$(stat -c "%s %o" "$DS/events.csv")" "0 1048576"
'
expect 'an invalid definition fails close() with EINVAL, says line:col, keeps the old one' '
	printf "SCHEMA >\n    \`ts\` DateTim\n" >bad.datasource &&
	fails_with "Invalid argument" cp bad.datasource "$DS/events.datasource" &&
	cmp events.datasource "$DS/events.datasource" &&
	grep -q "close datasources/events.datasource EINVAL 2:10: column .ts.: unknown type .DateTim." "$MNT/acme/web/.errors"
'
expect 'an unknown keyword is refused with its position' '
	printf "SCHEMA >\n    a Int32\nCOLOUR blue\n" | fails_with "Invalid argument" tee "$DS/other.datasource" >/dev/null &&
	grep -q "3:1: COLOUR is not a valid option in datasource files" "$MNT/acme/web/.errors" &&
	! test -e "$DS/other.datasource"
'
expect 'a failed create is a row in the ops log' '
	grep -q "\"create\",\"\",\"other\",\"error\"" "$MNT/acme/web/tinybird/datasources_ops_log.csv"
'
expect 'writing to a data source that does not exist is ENOENT' '
	fails_with "No such file or directory" cp events.datasource "$DS/nope.csv"
'
expect 'adding a column applies at once; old rows read its DEFAULT' '
	printf "2024-01-01 00:00:00,/a,5\n" >>"$DS/events.csv" &&
	sed "s/\`n\` UInt32 DEFAULT 1/\`n\` UInt32 DEFAULT 1,\n    \`country\` String DEFAULT '"'"'XX'"'"'/" events.datasource >v2.datasource &&
	cp v2.datasource "$DS/events.datasource" &&
	is "$(cat "$DS/events.csv")" "$(printf "\"ts\",\"path\",\"n\",\"country\"\n\"2024-01-01 00:00:00\",\"/a\",5,\"XX\"")"
'
expect 'a type change without FORWARD_QUERY is refused' '
	sed "s/\`n\` UInt32/\`n\` String/" v2.datasource >v3.datasource &&
	fails_with "Invalid argument" cp v3.datasource "$DS/events.datasource" &&
	grep -q "column .n.: cannot change type from UInt32 to String without FORWARD_QUERY" "$MNT/acme/web/.errors" &&
	cmp v2.datasource "$DS/events.datasource"
'
expect 'FORWARD_QUERY migrates the stored rows to new types; a failing one changes nothing' '
	printf "SCHEMA >\n    \`id\` String,\n    \`amount\` String\n" >"$DS/mig.datasource" &&
	printf "1,10.5\n2,20\n" >>"$DS/mig.csv" &&
	printf "SCHEMA >\n    \`id\` UInt32,\n    \`amount\` Float64,\n    \`note\` String DEFAULT '"'"'migrated'"'"'\n\nFORWARD_QUERY >\n    SELECT toUInt32(id) AS id, toFloat64(amount) * 2 AS amount\n" >mig2.datasource &&
	cp mig2.datasource "$DS/mig.datasource" &&
	is "$(cat "$DS/mig.csv")" "$(printf "\"id\",\"amount\",\"note\"\n1,21,\"migrated\"\n2,40,\"migrated\"")" &&
	grep -q "\"alter\",\"t_[0-9a-f]*\",\"mig\",\"ok\",[0-9.e-]*,\\\\N,\"[0-9A-Z]*\",\"[0-9A-Z]*\",\\\\N,2,0" "$MNT/acme/web/tinybird/datasources_ops_log.csv" &&
	printf "SCHEMA >\n    \`id\` String,\n    \`amount\` Float64\n\nFORWARD_QUERY >\n    SELECT nosuchfn(id) AS id, amount\n" >mig3.datasource &&
	fails_with "Invalid argument" cp mig3.datasource "$DS/mig.datasource" &&
	grep -q "unknown function .nosuchfn. (in FORWARD_QUERY)" "$MNT/acme/web/.errors" &&
	cmp mig2.datasource "$DS/mig.datasource" && is "$(tail -n +2 "$DS/mig.csv" | wc -l)" "2"
'
expect 'sed -i edits a definition (scratch file renamed over it)' '
	sed -i "s/Page views/Page views, edited/" "$DS/events.datasource" &&
	grep -q "Page views, edited" "$DS/events.datasource" &&
	is "$(ls -a "$DS" | grep -c sed)" "0"
'
expect 'vim-style save: f renamed to f~, f rewritten, f~ removed' '
	mv "$DS/events.datasource" "$DS/events.datasource~" &&
	test -e "$DS/events.datasource" && test -e "$DS/events.datasource~" &&
	cp v2.datasource "$DS/events.datasource" &&
	rm "$DS/events.datasource~" && cmp v2.datasource "$DS/events.datasource" &&
	is "$(cat "$DS/events.csv" | wc -l)" "2"
'
expect 'real vim with backups (rename f -> f~, write f, fsync, remove f~)' '
	vim -u NONE -N -n -es -c "set backupskip= nobackup writebackup backupcopy=no" \
		-c "%s/Page views/Page views by vim/" -c "wq" "$DS/events.datasource" &&
	grep -q "Page views by vim" "$DS/events.datasource" &&
	! test -e "$DS/events.datasource~" && is "$(cat "$DS/events.csv" | wc -l)" "2"
'
expect 'real vim writing in place (backupcopy=yes) and ed' '
	vim -u NONE -N -n -es -c "set backupcopy=yes" -c "%s/by vim/by vim again/" -c "wq" "$DS/events.datasource" &&
	grep -q "Page views by vim again" "$DS/events.datasource" &&
	printf ",s/by vim again/by ed/\nw\nq\n" | ed -s "$DS/events.datasource" &&
	grep -q "Page views by ed" "$DS/events.datasource"
'
expect 'an editor saving an invalid definition is told so; the old one stays' '
	! vim -u NONE -N -n -es -c "set backupcopy=yes" -c "%s/UInt32/UInt33/" -c "wq" "$DS/events.datasource" &&
	grep -q "UInt32" "$DS/events.datasource" &&
	grep -q "unknown type .UInt33." "$MNT/acme/web/.errors"
'
expect 'editor scratch files can be created, written and removed' '
	echo x >"$DS/.events.datasource.swp" && echo y >"$DS/4913" &&
	rm "$DS/.events.datasource.swp" "$DS/4913"
'
expect 'in-place rewrite with truncate and fsync (vim without backup, nano)' '
	python3 -c "
import os
fd = os.open(\"$DS/events.datasource\", os.O_WRONLY)
os.ftruncate(fd, 0)
os.write(fd, open(\"events.datasource\", \"rb\").read())
os.fsync(fd)
os.close(fd)" &&
	cmp events.datasource "$DS/events.datasource"
'
expect 'mv renames a data source with its rows' '
	mv "$DS/events.datasource" "$DS/pageviews.datasource" &&
	! test -e "$DS/events.datasource" && test -e "$DS/pageviews.csv" &&
	is "$(sed -n 2p "$DS/pageviews.csv")" "\"2024-01-01 00:00:00\",\"/a\",5" &&
	grep -q "\"rename\",\"t_[0-9a-f]*\",\"pageviews\",\"ok\"" "$MNT/acme/web/tinybird/datasources_ops_log.csv"
'
expect 'computed files cannot be removed; rm of the definition deletes' '
	fails_with "Operation not permitted" rm "$DS/pageviews.csv" &&
	cp events.datasource "$DS/gone.datasource" && rm "$DS/gone.datasource" &&
	! test -e "$DS/gone.csv" &&
	grep -q "\"delete\",\"t_[0-9a-f]*\",\"gone\",\"ok\"" "$MNT/acme/web/tinybird/datasources_ops_log.csv"
'
expect 'chmod is EPERM; chmod to the current mode is accepted' '
	fails_with "Operation not permitted" chmod 600 "$DS/pageviews.datasource" &&
	chmod 644 "$DS/pageviews.datasource"
'
expect 'the example project datafiles load with cp -r' '
	mkdir "$MNT/acme/ex" &&
	cp -r "$SHARED/examples/web_analytics/." "$MNT/acme/ex/" &&
	is "$(ls "$MNT/acme/ex/datasources" | grep -c datasource)" "3" &&
	is "$(ls "$MNT/acme/ex/endpoints" | grep "\.pipe$" | tr "\n" " ")" "hourly_kpis.pipe revenue_by_region.pipe top_pages.pipe " &&
	is "$(tail -n +2 "$MNT/acme/ex/datasources/countries.csv" | wc -l)" "$(tail -n +2 "$SHARED/examples/web_analytics/fixtures/countries.csv" | wc -l)"
'
rs_umount || echo "not ok - unmount"
rs_mount || exit 1
expect 'definitions and rows persist across a remount' '
	cmp events.datasource "$DS/pageviews.datasource" &&
	is "$(sed -n 2p "$DS/pageviews.csv")" "\"2024-01-01 00:00:00\",\"/a\",5"
'
rs_umount || echo "not ok - unmount"
done_testing
