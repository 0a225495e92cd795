#!/bin/bash
# lib.sh - the integration-test harness: every test really mounts roostfs.
#
#   . "$(dirname "$0")/lib.sh"
#   rs_mount                      # storage in $STORE, mounted on $MNT, log in $LOG
#   expect 'what it shows' 'shell commands...'   # run in a subshell, must succeed
#   rs_umount                     # clean unmount, daemon must exit 0
#   done_testing                  # prints "<name>: N passed, N failed"
#
# The EXIT trap unmounts whatever this test mounted, even when it fails.
# ROOSTFS names the binary (default build/roostfs); ROOST_SHARED the shared dir.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROOSTFS=${ROOSTFS:-$ROOT/build/roostfs}
case "$ROOSTFS" in /*) ;; *) ROOSTFS=$ROOT/$ROOSTFS ;; esac
SHARED=${ROOST_SHARED:-$ROOT/../shared}
TNAME=$(basename "$0" .sh)
TMPROOT=$(mktemp -d /tmp/roost-test.XXXXXX)
chmod 755 "$TMPROOT"
STORE=$TMPROOT/store
MNT=$TMPROOT/mnt
LOG=$TMPROOT/roostfs.log
CFG=$TMPROOT/roost.ini
mkdir -p "$MNT" "$STORE"
export ROOT ROOSTFS SHARED TMPROOT STORE MNT LOG CFG
DAEMON_PID=
T_PASS=0
T_FAIL=0
T_N=0

write_config() {
	cat >"$CFG" <<EOC
[storage]
path = $STORE
$*
EOC
}
write_config

is_mounted() { grep -q " $1 fuse" /proc/mounts; }

rs_mount() {
	"$ROOSTFS" -f -c "$CFG" "$@" "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 200); do
		is_mounted "$MNT" && return 0
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			echo "roostfs exited before mounting:" >&2
			cat "$LOG" >&2
			DAEMON_PID=
			return 1
		fi
		sleep 0.05
	done
	echo "roostfs did not mount in 10 s" >&2
	return 1
}

# Unmount and wait for the daemon; its exit status must be 0.
rs_umount() {
	local st=0
	[ -n "$DAEMON_PID" ] || return 0
	for _ in $(seq 1 50); do
		fusermount3 -u "$MNT" 2>/dev/null && break
		sleep 0.1
	done
	is_mounted "$MNT" && fusermount3 -u -z "$MNT" 2>/dev/null
	wait "$DAEMON_PID" || st=$?
	DAEMON_PID=
	if [ "$st" -ne 0 ]; then
		echo "roostfs exited with status $st" >&2
		tail -n 20 "$LOG" >&2
	fi
	# nothing may have been written into the bare mountpoint
	[ -z "$(ls -A "$MNT")" ] || { echo "mountpoint not empty after unmount" >&2; st=1; }
	return $st
}

# The daemon was killed: clear the dead mount.
rs_reap() {
	[ -n "$DAEMON_PID" ] && { wait "$DAEMON_PID"; } 2>/dev/null
	DAEMON_PID=
	for _ in $(seq 1 50); do
		is_mounted "$MNT" || return 0
		fusermount3 -u -z "$MNT" 2>/dev/null
		sleep 0.1
	done
}

cleanup() {
	if [ -n "$DAEMON_PID" ]; then
		fusermount3 -u -z "$MNT" 2>/dev/null
		kill "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	is_mounted "$MNT" && fusermount3 -u -z "$MNT" 2>/dev/null
	grep -q " $STORE " /proc/mounts && umount -l "$STORE" 2>/dev/null
	# never descend into a mount that is still there
	if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMPROOT" >&2; else rm -rf --one-file-system "$TMPROOT"; fi
}
trap cleanup EXIT

expect() {
	local desc=$1 body=$2 out
	T_N=$((T_N + 1))
	out=$(cd "$TMPROOT" && bash -c "set -e -o pipefail; $(declare -f); $body" 2>&1)
	if [ $? -eq 0 ]; then
		T_PASS=$((T_PASS + 1))
		echo "ok $T_N - $desc"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok $T_N - $desc"
		echo "$out" | sed 's/^/#   /'
	fi
}

# helpers usable inside expect bodies
# errno of a failed command as the text the C library prints
fails_with() { # fails_with 'Invalid argument' cmd...
	local want=$1 out
	shift
	if out=$("$@" 2>&1); then echo "unexpected success: $*" >&2; return 1; fi
	case "$out" in *"$want"*) return 0 ;; esac
	echo "expected '$want', got: $out" >&2
	return 1
}
same() { # same FILE_EXPECTED FILE_ACTUAL
	if ! cmp -s "$1" "$2"; then diff -u "$1" "$2" | head -n 40 >&2; return 1; fi
}
is() { # is ACTUAL EXPECTED
	[ "$1" = "$2" ] || { printf 'got:  %q\nwant: %q\n' "$1" "$2" >&2; return 1; }
}

done_testing() {
	echo "$TNAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
