#!/bin/bash
# The test command: install what is missing, build, run every test
# (unit tests in release, ASan+UBSan and valgrind builds; integration tests
# that mount for real, against the release and the ASan+UBSan daemons).
set -e
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make -j2 test
