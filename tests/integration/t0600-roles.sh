#!/bin/bash
# Roles as POSIX modes (SPEC 6), as real Unix users: what each role sees in
# stat/ls/test, what each may do, EACCES and nothing changed otherwise,
# audit rows for denials, members/admins files, no cache leaks.
. "$(dirname "$0")/lib.sh"
for u in roost_orgadm roost_adm roost_guest roost_viewer roost_other roost_none roost_grp; do
	id -u "$u" >/dev/null 2>&1 || useradd -M -N -s /bin/sh "$u" || exit 1
done
getent group roost_ops >/dev/null || groupadd roost_ops
usermod -a -G roost_ops roost_grp
write_config "[organization acme]
admins = roost_orgadm"
rs_mount || exit 1
as() { # as USER CMD...: run with the user's uid, gid and groups
	local u=$1; shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}
export -f as
mkdir "$MNT/acme" "$MNT/acme/web" "$MNT/acme/other"
W=$MNT/acme/web
DS=$W/datasources
export W DS
printf 'roost_adm admin\nroost_guest guest\nroost_viewer viewer\n@roost_ops guest\n' >"$W/members"
printf 'roost_other admin\n' >"$MNT/acme/other/members"
printf 'SCHEMA >\n    `id` UInt32\n' >"$TMPROOT/t.datasource"
cp "$TMPROOT/t.datasource" "$DS/"
printf "1\n2\n" >>"$DS/t.csv"
chmod 755 "$TMPROOT"; chmod 644 "$TMPROOT/t.datasource"

expect 'modes follow the role: viewer r--, guest rw-, admin rw- (members rw- for admins only)' '
	is "$(as roost_viewer stat -c %A "$DS/t.csv")" "-r--r--r--" &&
	is "$(as roost_guest stat -c %A "$DS/t.csv")" "-rw-r--r--" &&
	is "$(as roost_adm stat -c %A "$DS/t.datasource")" "-rw-r--r--" &&
	is "$(as roost_viewer stat -c %A "$DS")" "dr-xr-xr-x" &&
	is "$(as roost_guest stat -c %A "$DS")" "drwxr-xr-x" &&
	is "$(as roost_guest stat -c %A "$W/members")" "-r--r--r--" &&
	is "$(as roost_adm stat -c %A "$W/members")" "-rw-r--r--" &&
	is "$(as roost_viewer stat -c %A "$DS/t.tsv")" "-r--r--r--"
'
expect 'a non-member sees the workspace as d--------- and gets EACCES inside' '
	is "$(as roost_none stat -c %A "$W")" "d---------" &&
	is "$(as roost_other stat -c %A "$W")" "d---------" &&
	fails_with "Permission denied" as roost_none ls "$W" &&
	fails_with "Permission denied" as roost_none cat "$DS/t.csv" &&
	fails_with "Permission denied" as roost_none stat "$W/members"
'
expect 'test -r/-w agree with the modes' '
	as roost_viewer test -r "$DS/t.csv" && ! as roost_viewer test -w "$DS/t.csv" &&
	as roost_guest test -w "$DS/t.csv" && ! as roost_none test -r "$DS/t.csv" &&
	! as roost_guest test -w "$W/members" && as roost_adm test -w "$W/members"
'
expect 'everyone in the workspace reads definitions, exports and members' '
	for u in roost_viewer roost_guest roost_adm roost_grp roost_orgadm; do
		as $u cat "$DS/t.datasource" >/dev/null && as $u cat "$DS/t.csv" >/dev/null &&
		as $u cat "$W/members" >/dev/null || exit 1
	done
'
expect 'viewers cannot ingest, truncate, create, change or delete; nothing changes' '
	fails_with "Permission denied" as roost_viewer sh -c "printf \"3\n\" | cat >>\"$DS/t.csv\"" &&
	fails_with "Permission denied" as roost_viewer truncate -s 0 "$DS/t.csv" &&
	fails_with "Permission denied" as roost_viewer cp "$TMPROOT/t.datasource" "$DS/u.datasource" &&
	fails_with "Permission denied" as roost_viewer rm "$DS/t.datasource" &&
	fails_with "Permission denied" as roost_viewer mv "$DS/t.datasource" "$DS/v.datasource" &&
	fails_with "Permission denied" as roost_viewer sh -c "echo x >\"$W/tests/a.yaml\"" &&
	is "$(tail -n +2 "$DS/t.csv" | tr "\n" " ")" "1 2 " && cmp "$TMPROOT/t.datasource" "$DS/t.datasource" &&
	! test -e "$DS/u.datasource"
'
expect 'escalation by a viewer fails: O_RDWR, rename over a definition, chmod, chown, links' '
	fails_with "Permission denied" as roost_viewer /usr/bin/python3 -c "import os; os.open(\"$DS/t.datasource\", os.O_RDWR)" &&
	fails_with "Permission denied" as roost_viewer mv "$DS/t.datasource" "$DS/t.datasource~" &&
	fails_with "Operation not permitted" as roost_viewer chmod 666 "$DS/t.csv" &&
	fails_with "Operation not permitted" as roost_viewer ln -s /etc/passwd "$DS/l" &&
	fails_with "Operation not permitted" as roost_viewer ln "$DS/t.datasource" "$DS/h" &&
	cmp "$TMPROOT/t.datasource" "$DS/t.datasource"
'
expect 'guests (also through a group) ingest, create and delete data sources' '
	printf "3\n" | as roost_guest sh -c "cat >>\"$DS/t.csv\"" &&
	printf "4\n" | as roost_grp sh -c "cat >>\"$DS/t.csv\"" &&
	is "$(tail -n +2 "$DS/t.csv" | tr "\n" " ")" "1 2 3 4 " &&
	as roost_guest cp "$TMPROOT/t.datasource" "$DS/g.datasource" && as roost_guest rm "$DS/g.datasource"
'
expect 'guests cannot change members or delete the workspace; admins can change members' '
	fails_with "Permission denied" as roost_guest sh -c "echo \"roost_none admin\" >>\"$W/members\"" &&
	! grep -q roost_none "$W/members" &&
	fails_with "Permission denied" as roost_guest rmdir "$W" &&
	as roost_adm sh -c "printf \"roost_none viewer\n\" >>\"$W/members\"" &&
	is "$(as roost_none stat -c %A "$W")" "dr-xr-xr-x" &&
	as roost_none cat "$DS/t.csv" >/dev/null
'
expect 'a malformed members line is EINVAL naming the line; the file is unchanged' '
	before=$(cat "$W/members") &&
	! as roost_adm sh -c "printf \"roost_x owner\n\" | cat >>\"$W/members\"" 2>err &&
	grep -q "Invalid argument" err &&
	is "$(cat "$W/members")" "$before" &&
	as roost_adm grep -q "close members EINVAL line 6: Role .owner. is not valid" "$W/.errors"
'
expect 'org admins see organization/, edit admins, create workspaces, act as admins' '
	as roost_orgadm ls "$MNT/acme/organization" >/dev/null &&
	grep -qx roost_orgadm "$MNT/acme/organization/admins" &&
	fails_with "Permission denied" as roost_adm ls "$MNT/acme/organization" &&
	as roost_orgadm mkdir "$MNT/acme/neww" && fails_with "Permission denied" as roost_adm mkdir "$MNT/acme/neww2" &&
	is "$(as roost_orgadm stat -c %A "$W/members")" "-rw-r--r--" &&
	as roost_orgadm rmdir "$MNT/acme/neww"
'
expect 'org admins read organization views with the numbers of every workspace; others get EACCES' '
	cp "$TMPROOT/t.datasource" "$MNT/acme/other/datasources/o.datasource" &&
	printf "7\n8\n9\n" >>"$MNT/acme/other/datasources/o.csv" &&
	printf "x\n" | cat >>"$MNT/acme/other/datasources/o.csv" &&
	as roost_orgadm cat "$MNT/acme/organization/workspaces.csv" >ws.csv &&
	is "$(head -n 1 ws.csv)" "\"workspace\",\"created\",\"members\",\"datasources\",\"pipes\",\"rows\",\"storage_bytes\",\"quarantined_rows\",\"requests\",\"errors\"" &&
	grep -q "^\"web\",\"20[0-9-]* [0-9:]*\",5,1,0,4,[0-9]*,0,0,[0-9]*$" ws.csv &&
	grep -q "^\"other\",\"20[0-9-]* [0-9:]*\",1,1,0,3,[0-9]*,1,0,0$" ws.csv &&
	as roost_orgadm grep -q "^\"roost_viewer\",\"web\",\"viewer\"$" "$MNT/acme/organization/members.csv" &&
	as roost_orgadm grep -q "^\"other\",\"t_[0-9a-f]*\",\"o\",3,[0-9]*,1,[0-9]*$" "$MNT/acme/organization/datasources_storage.csv" &&
	as roost_orgadm grep -q "^\"other\",\"20.*\",\"append\",\"t_[0-9a-f]*\",\"o\",\"ok\"" "$MNT/acme/organization/datasources_ops_log.csv" &&
	as roost_orgadm cat "$MNT/acme/organization/workspaces.json" | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"rows\"]==2, d" &&
	fails_with "Permission denied" as roost_adm cat "$MNT/acme/organization/workspaces.csv" &&
	fails_with "Permission denied" as roost_viewer cat "$MNT/acme/organization/members.csv"
'
expect 'organization.<view> works in SQL for org admins only' '
	printf "SELECT workspace, rows FROM organization.workspaces ORDER BY workspace\n" >q.sql && chmod 644 q.sql &&
	as roost_orgadm sh -c "cat q.sql >\"$W/playground/orgq.sql\"" &&
	is "$(as roost_orgadm cat "$W/playground/orgq.csv")" "$(printf "\"workspace\",\"rows\"\n\"other\",3\n\"web\",4")" &&
	as roost_guest sh -c "cat q.sql >\"$W/playground/orgq.sql\"" &&
	fails_with "Permission denied" as roost_guest cat "$W/playground/orgq.csv" &&
	as roost_guest grep -q "organization.workspaces is for organization admins" "$W/.errors"
'
expect 'tinybird/datasources_storage.csv shows rows and bytes per data source' '
	grep -q "^\"20[0-9-]* [0-9:]*\",\"t_[0-9a-f]*\",\"t\",4,[0-9]*,0,0$" "$W/tinybird/datasources_storage.csv"
'
expect 'denied operations are audited in the ops log and in the caller'"'"'s own .errors' '
	grep -q "\"create\",\"\",\"datasources/u.datasource\",\"error\",0,\"permission denied.*\",\"\",\\\\N,\\\\N,\\\\N,\\\\N,\"\[\]\",\"\[\]\",\"\[\]\",\"roost_viewer\"" "$W/tinybird/datasources_ops_log.csv" &&
	as roost_viewer grep -q "create datasources/u.datasource EACCES" "$W/.errors" &&
	! as roost_guest grep -q "u.datasource" "$W/.errors"
'
expect 'more escalation: xattrs, paths through another workspace, open with O_TRUNC' '
	fails_with "Operation not supported" as roost_viewer /usr/bin/python3 -c "import os; os.setxattr(\"$DS/t.csv\", \"user.x\", b\"1\")" &&
	fails_with "Permission denied" as roost_viewer sh -c "printf \"5\n\" | cat >>\"$W/../other/datasources/o.csv\"" &&
	fails_with "Permission denied" as roost_viewer sh -c "cat \"$MNT/acme/web/datasources/../../other/members\"" &&
	fails_with "Permission denied" as roost_viewer /usr/bin/python3 -c "import os; os.open(\"$DS/t.csv\", os.O_WRONLY | os.O_TRUNC)" &&
	is "$(tail -n +2 "$DS/t.csv" | tr "\n" " ")" "1 2 3 4 "
'
expect 'the kernel never serves one user'"'"'s view to another (stat loop)' '
	for i in $(seq 1 1000); do
		[ "$(as roost_guest stat -c %A "$DS/t.csv")" = "-rw-r--r--" ] || exit 1
		[ "$(as roost_viewer stat -c %A "$DS/t.csv")" = "-r--r--r--" ] || exit 1
		as roost_viewer test -w "$DS/t.csv" && exit 1
	done; true
'
rs_umount || echo "not ok - unmount"
rs_mount || exit 1
expect 'members and admins persist across a remount' '
	grep -q "roost_none viewer" "$W/members" && as roost_viewer cat "$DS/t.csv" >/dev/null &&
	fails_with "Permission denied" as roost_other ls "$W"
'
rs_umount || echo "not ok - unmount"
done_testing
