#!/bin/bash
# Run unit test binaries; with VALGRIND=1 under valgrind (errors fail).
# Prints one closing line "unit: N passed, N failed" (counting binaries).
pass=0 fail=0
for t in "$@"; do
	if [ -n "$VALGRIND" ]; then
		export RS_SKIP_SLOW=1	# the 1M-row SQL golden test runs in the other passes
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$t" >"$t.log" 2>&1
	else
		"$t" >"$t.log" 2>&1
	fi
	rc=$?
	tail -n 1 "$t.log"
	if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); cat "$t.log"; fi
done
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ]
