#!/bin/bash
# Run every integration test against one roostfs binary; prints
# "integration: N passed, N failed" (counting test cases).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOSTFS=${1:-build/roostfs}
case "$ROOSTFS" in /*) ;; *) ROOSTFS=$ROOT/$ROOSTFS ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:quarantine_size_mb=16}
pass=0 fail=0 bad=0
for t in "$ROOT"/tests/integration/t[0-9]*.sh; do
	[ -n "${ONLY:-}" ] && case "$t" in *"$ONLY"*) ;; *) continue ;; esac
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(not ok|#)' | head -n 60
	line=$(echo "$out" | tail -n 1)
	echo "$line"
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "$t did not finish:"; echo "$out" | tail -n 30; bad=$((bad + 1))
	else
		pass=$((pass + p)); fail=$((fail + f))
	fi
	[ $rc -ne 0 ] && [ -n "$p" ] && [ "$f" = 0 ] && { echo "$t exited $rc"; bad=$((bad + 1)); }
done
echo "integration ($(basename "$ROOSTFS")): $pass passed, $((fail + bad)) failed"
[ $((fail + bad)) -eq 0 ]
