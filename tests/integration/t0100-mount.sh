#!/bin/bash
# Mounting, the tree of organizations and workspaces, names, persistence,
# config errors, clean exits.
. "$(dirname "$0")/lib.sh"

expect 'a bad config is refused with FILE:LINE: message' '
	printf "[storage]\npath = /tmp/x\ncolour = blue\n" >bad.ini &&
	! "$ROOSTFS" -f -c bad.ini "$MNT" 2>err &&
	grep -q "bad.ini:3: unknown key .colour. in \[storage\]" err &&
	printf "[limits]\nquery_timeout = soon\n" >bad2.ini &&
	! "$ROOSTFS" -f -c bad2.ini "$MNT" 2>err2 &&
	grep -q "bad2.ini:2: invalid value .soon. for query_timeout" err2 &&
	printf "[storage]\n[nonsense]\n" >bad3.ini &&
	! "$ROOSTFS" -f -c bad3.ini "$MNT" 2>err3 &&
	grep -q "bad3.ini:2: unknown section \[nonsense\]" err3
'

rs_mount || exit 1

expect 'an empty mount lists only .errors' '
	is "$(ls -A "$MNT")" ".errors"
'
expect 'mkdir creates organizations and workspaces with the fixed folders' '
	mkdir "$MNT/acme" && mkdir "$MNT/acme/web" &&
	is "$(ls "$MNT/acme")" "$(printf "organization\nweb")" &&
	is "$(ls "$MNT/acme/web" | tr "\n" " ")" "copies datasources endpoints fixtures materializations members pipes playground tests tinybird " &&
	test -d "$MNT/acme/web/datasources" && test -f "$MNT/acme/web/.errors"
'
expect 'the creator is the first admin of a workspace' '
	is "$(cat "$MNT/acme/web/members")" "root admin"
'
expect 'invalid names are refused with EINVAL, existing ones with EEXIST' '
	fails_with "Invalid argument" mkdir "$MNT/1acme" &&
	fails_with "Invalid argument" mkdir "$MNT/organization" &&
	fails_with "File exists" mkdir "$MNT/acme/organization" &&
	fails_with "Invalid argument" mkdir "$MNT/acme/bad-name" &&
	fails_with "File exists" mkdir "$MNT/acme" &&
	fails_with "File exists" mkdir "$MNT/acme/web" &&
	grep -q "mkdir 1acme EINVAL invalid organization name" "$MNT/.errors"
'
expect 'folders of a workspace cannot be made or removed' '
	fails_with "Operation not permitted" mkdir "$MNT/acme/web/datasources/sub" &&
	fails_with "Operation not permitted" rmdir "$MNT/acme/web/pipes"
'
expect 'a missing workspace is ENOENT' '
	fails_with "No such file or directory" ls "$MNT/acme/nope" &&
	fails_with "No such file or directory" ls "$MNT/nope/web"
'
expect 'stat and find see the tree' '
	is "$(stat -c %F "$MNT/acme/web")" "directory" &&
	find "$MNT/acme" >found && grep -q "/acme/web/tinybird/datasources_ops_log.csv" found
'
expect 'rmdir of a workspace deletes it' '
	mkdir "$MNT/acme/tmp" && rmdir "$MNT/acme/tmp" && ! test -e "$MNT/acme/tmp"
'
expect 'links and special files are not allowed' '
	fails_with "Operation not permitted" ln -s x "$MNT/acme/web/tests/l" &&
	echo hi >"$MNT/acme/web/tests/a.yaml" &&
	fails_with "Operation not permitted" ln "$MNT/acme/web/tests/a.yaml" "$MNT/acme/web/tests/b.yaml" &&
	fails_with "Operation not permitted" mkfifo "$MNT/acme/web/tests/f"
'
rs_umount || echo "not ok - unmount"

rs_mount || exit 1
expect 'organizations and workspaces persist across a remount' '
	test -d "$MNT/acme/web/datasources" && is "$(cat "$MNT/acme/web/tests/a.yaml")" "hi" &&
	! test -e "$MNT/acme/tmp"
'
expect 'SIGTERM unmounts and exits 0' "
	kill -TERM $DAEMON_PID && for i in \$(seq 50); do grep -q ' $MNT fuse' /proc/mounts || break; sleep 0.1; done &&
	! grep -q ' $MNT fuse' /proc/mounts
"
wait "$DAEMON_PID"; st=$?
DAEMON_PID=
expect "the daemon's exit status after SIGTERM is 0" "[ $st -eq 0 ]"
rs_mount || exit 1
kill -9 "$DAEMON_PID"
expect 'after kill -9 the mount goes away by itself (auto_unmount)' "
	for i in \$(seq 50); do grep -q ' $MNT fuse' /proc/mounts || break; sleep 0.1; done &&
	! grep -q ' $MNT fuse' /proc/mounts
"
rs_reap
# started with a low soft limit of open files, the daemon takes the hard one
# (parts keep a descriptor per column file)
nofile=$(ulimit -Sn)
ulimit -Sn 256
rs_mount || exit 1
ulimit -Sn "$nofile"
expect 'and a remount finds everything' '
	test -d "$MNT/acme/web/datasources" && is "$(cat "$MNT/acme/web/tests/a.yaml")" "hi"
'
expect 'the daemon raises its soft limit of open files to the hard limit' "
	soft=\$(awk '/^Max open files/ { print \$4 }' /proc/$DAEMON_PID/limits) &&
	hard=\$(awk '/^Max open files/ { print \$5 }' /proc/$DAEMON_PID/limits) &&
	echo \"soft \$soft hard \$hard\" >&2 && [ \"\$soft\" != 256 ] && is \"\$soft\" \"\$hard\"
"
rs_umount || echo "not ok - unmount"

# Without -f roostfs daemonizes: its background threads (merges, the copy
# schedule) must run in the daemon, and the daemon must exit once unmounted.
"$ROOSTFS" -c "$CFG" "$MNT" >>"$LOG" 2>&1
DAEMON_PID=$(pgrep -n -f "roostfs -c $CFG $MNT")	# cleanup() kills it on failure
expect 'without -f the daemon merges parts in the background' '
	printf "SCHEMA >\n    x UInt32\n" >"$MNT/acme/web/datasources/m.datasource" &&
	printf "1\n" >>"$MNT/acme/web/datasources/m.csv" &&
	printf "2\n" >>"$MNT/acme/web/datasources/m.csv" &&
	for _ in $(seq 100); do
		n=0; for m in "$STORE"/orgs/acme/ws/web/ds/*/data/manifest; do
			n=$((n + $(grep -c "^part " "$m"))); done
		[ "$n" = 1 ] && break; sleep 0.1
	done && [ "$n" = 1 ] &&
	is "$(tail -n +2 "$MNT/acme/web/datasources/m.csv" | sort | tr "\n" " ")" "1 2 "
'
expect 'without -f the daemon exits once unmounted' "
	fusermount3 -u $MNT &&
	for _ in \$(seq 100); do kill -0 $DAEMON_PID 2>/dev/null || break; sleep 0.1; done &&
	! kill -0 $DAEMON_PID 2>/dev/null
"
kill -9 "$DAEMON_PID" 2>/dev/null	# one that did not exit (not our child: no wait)
DAEMON_PID=
rs_reap
done_testing
