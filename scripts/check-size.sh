#!/bin/bash
# Warn about source files past ~800 lines (style.md): one concept per file.
cd "$(dirname "$0")/.."
find engine fs mount tests/unit -name '*.[ch]' | while read -r f; do
	n=$(wc -l <"$f")
	[ "$n" -gt 800 ] && echo "warning: $f has $n lines (split it by phase or concept)"
done
exit 0
