#!/bin/bash
# The main job: build roostfs and mount it on the embedded default storage
# with a sample organization/workspace holding the example project and rows.
#   scripts/demo.sh [MOUNTPOINT]       (default /tmp/roost)
set -e
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MNT=${1:-/tmp/roost}
SHARED=${ROOST_SHARED:-$ROOT/../shared}
scripts/install-deps.sh
make -j2 build/roostfs
mkdir -p "$MNT"
if ! grep -q " $(realpath "$MNT") fuse" /proc/mounts; then
	build/roostfs "$MNT"
fi
W=$MNT/demo/web
[ -d "$MNT/demo" ] || mkdir "$MNT/demo"
if [ ! -d "$W" ]; then
	mkdir "$W"
	cp -r "$SHARED/examples/web_analytics/." "$W/"
fi
echo "roost is mounted on $MNT (storage: \${XDG_DATA_HOME:-~/.local/share}/roost)"
echo "try:"
echo "  ls -l $W/datasources"
echo "  cat $W/datasources/page_views.csv"
echo "  printf 'ES,Spain,Europe\n' >> $W/datasources/countries.csv"
echo "  tail $W/tinybird/datasources_ops_log.csv"
echo "unmount with: fusermount3 -u $MNT"
ls -l "$W/datasources"
