#!/bin/bash
# Shared data sources (SPEC 6): SHARED_WITH by admins of the origin only,
# read-only <origin>.<ds> files in the destination, live rows, unsharing,
# EBUSY on delete while shared, origin workspace deletion.
. "$(dirname "$0")/lib.sh"
for u in roost_adm roost_guest; do
	id -u "$u" >/dev/null 2>&1 || useradd -M -N -s /bin/sh "$u" || exit 1
done
rs_mount || exit 1
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
export -f as
mkdir "$MNT/acme" "$MNT/acme/web" "$MNT/acme/mkt"
printf 'roost_adm admin\nroost_guest guest\n' >"$MNT/acme/web/members"
printf 'roost_guest viewer\n' >"$MNT/acme/mkt/members"
O=$MNT/acme/web/datasources D=$MNT/acme/mkt/datasources
export O D
chmod 755 "$TMPROOT"
printf 'SCHEMA >\n    `id` UInt32\n' >"$TMPROOT/e.datasource"
printf 'SCHEMA >\n    `id` UInt32\n\nSHARED_WITH >\n    mkt\n' >"$TMPROOT/e_shared.datasource"
chmod 644 "$TMPROOT"/*.datasource
cp "$TMPROOT/e.datasource" "$O/events.datasource"
printf "1\n2\n" >>"$O/events.csv"

expect 'a guest cannot share: EACCES with Tinybird'"'"'s message, nothing shared' '
	fails_with "Permission denied" as roost_guest cp "$TMPROOT/e_shared.datasource" "$O/events.datasource" &&
	as roost_guest grep -q "invalid permissions to share a datasource as guest" "$MNT/acme/web/.errors" &&
	! ls "$D" | grep -q "web.events"
'
expect 'an admin of the origin shares; the destination sees read-only files with the rows' '
	as roost_adm cp "$TMPROOT/e_shared.datasource" "$O/events.datasource" &&
	is "$(ls "$D" | tr "\n" " ")" "web.events.csv web.events.datasource web.events.ndjson " &&
	is "$(tail -n +2 "$D/web.events.csv" | tr "\n" " ")" "1 2 " &&
	is "$(as roost_guest stat -c %A "$D/web.events.csv")" "-r--r--r--" &&
	is "$(stat -c %A "$D/web.events.datasource")" "-r--r--r--" &&
	cmp "$TMPROOT/e_shared.datasource" "$D/web.events.datasource"
'
expect 'rows ingested in the origin are visible at once in the destination' '
	printf "3\n" >>"$O/events.csv" && is "$(tail -n +2 "$D/web.events.csv" | tr "\n" " ")" "1 2 3 "
'
expect 'the destination queries <origin>.<ds> in SQL' '
	printf "NODE endpoint\nSQL >\n    SELECT count() AS c FROM web.events\n" >"$MNT/acme/mkt/pipes/uses.pipe" &&
	is "$(tail -n +2 "$MNT/acme/mkt/pipes/uses.csv")" "3"
'
expect 'the destination cannot write, truncate, remove or rename the shared data source' '
	fails_with "Permission denied" sh -c "printf \"9\n\" | cat >>\"$D/web.events.csv\"" &&
	fails_with "Permission denied" truncate -s 0 "$D/web.events.csv" &&
	fails_with "Permission denied" rm "$D/web.events.datasource" &&
	fails_with "Permission denied" mv "$D/web.events.datasource" "$D/x.datasource" &&
	is "$(tail -n +2 "$O/events.csv" | wc -l)" "3"
'
expect 'deleting or renaming a shared data source is EBUSY naming the destinations' '
	fails_with "Device or resource busy" rm "$O/events.datasource" &&
	grep -q "cannot delete data source .events.: it is shared with .mkt.; remove them from SHARED_WITH first" "$MNT/acme/web/.errors" &&
	fails_with "Device or resource busy" mv "$O/events.datasource" "$O/ev.datasource" &&
	test -e "$O/events.csv"
'
expect 'unsharing removes the files from the destination; dependent pipes fail with a message' '
	cp "$TMPROOT/e.datasource" "$O/events.datasource" &&
	! ls "$D" | grep -q web.events && fails_with "No such file or directory" cat "$D/web.events.csv" &&
	fails_with "Invalid argument" cat "$MNT/acme/mkt/pipes/uses.csv" &&
	grep -q "unknown table .web.events. in node .endpoint." "$MNT/acme/mkt/.errors"
'
expect 'deleting the origin workspace removes what it shared' '
	cp "$TMPROOT/e_shared.datasource" "$O/events.datasource" && test -e "$D/web.events.csv" &&
	rmdir "$MNT/acme/web" && ! ls "$D" | grep -q web.events
'
rs_umount || echo "not ok - unmount"
done_testing
