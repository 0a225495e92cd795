#!/bin/bash
# Failures of a whole operation (SPEC 8): disk full, corrupt data on disk,
# storage quota, ingestion size limit. Each gives its errno, a message in
# .errors, and loses nothing that was committed before.
. "$(dirname "$0")/lib.sh"
mount -t tmpfs -o size=6m roost-test "$STORE" || { echo "cannot mount a tmpfs"; exit 1; }
cleanup_tmpfs() { umount "$STORE" 2>/dev/null; }
write_config "[limits]
max_ingest = 40M
[limits acme/quota]
max_storage = 200K
[limits acme/small]
max_ingest = 1M"
rs_mount || { cleanup_tmpfs; exit 1; }
mkdir "$MNT/acme" "$MNT/acme/web" "$MNT/acme/quota" "$MNT/acme/small"
W=$MNT/acme/web
DS=$W/datasources
export W DS
printf 'SCHEMA >\n    `id` UInt32,\n    `blob` String\n' >"$TMPROOT/b.datasource"
for ws in web quota small; do cp "$TMPROOT/b.datasource" "$MNT/acme/$ws/datasources/"; done
printf "1,first\n2,second\n" >>"$DS/b.csv"
# incompressible rows: 20 MB of base64 never fits in a 6 MB file system
head -c 15000000 /dev/urandom | base64 -w 76 | awk '{ printf "%d,%s\n", NR + 100, $0 }' >"$TMPROOT/big.csv"

expect 'a full disk fails the ingestion with ENOSPC and keeps earlier rows' '
	fails_with "No space left on device" cp big.csv "$DS/b.csv" &&
	is "$(tail -n +2 "$DS/b.csv" | tr "\n" " ")" "1,\"first\" 2,\"second\" " &&
	grep -q "ENOSPC" "$W/.errors"
'
expect 'nothing half-written stays on the full disk' '
	[ "$(du -sk "$STORE" | cut -f1)" -lt 1024 ] &&
	printf "3,third\n" >>"$DS/b.csv" && is "$(tail -n +2 "$DS/b.csv" | wc -l)" "3"
'
# the table holds two parts that a background merge joins: corrupt a part
# once the directory holds just the parts its manifest names, one part
expect 'a corrupted block on disk gives EIO naming the file, and the daemon lives' '
	d=$(ls -d "$STORE"/orgs/acme/ws/web/ds/*/data) &&
	for _ in $(seq 100); do
		[ "$(ls -d "$d"/p_* | wc -l)" = 1 ] && [ "$(grep -c "^part " "$d/manifest")" = 1 ] && break
		sleep 0.1
	done &&
	f=$(ls "$d"/p_*/c1.bin) &&
	sz=$(stat -c %s "$f") &&
	printf "\xff\xff\xff\xff" | dd of="$f" bs=1 seek=$((sz / 2)) conv=notrunc status=none &&
	fails_with "Input/output error" cat "$DS/b.csv" &&
	grep -q "read datasources/b.csv EIO .*c1.bin" "$W/.errors" &&
	ls "$DS" >/dev/null
'
expect 'the storage quota fails the commit with EDQUOT and names max_storage' '
	head -c 400000 /dev/urandom | base64 -w 76 | awk "{ printf \"%d,%s\n\", NR, \$0 }" >q.csv &&
	fails_with "Disk quota exceeded" cp q.csv "$MNT/acme/quota/datasources/b.csv" &&
	grep -q "EDQUOT workspace storage quota exceeded: max_storage is 204800 bytes" "$MNT/acme/quota/.errors" &&
	is "$(tail -n +2 "$MNT/acme/quota/datasources/b.csv" | wc -l)" "0"
'
expect 'an ingestion past max_ingest fails the write with EFBIG' '
	head -c 2000000 /dev/zero | tr "\0" a | fold -w 100 | awk "{ printf \"%d,%s\n\", NR, \$0 }" >s.csv &&
	fails_with "File too large" cp s.csv "$MNT/acme/small/datasources/b.csv" &&
	grep -q "EFBIG ingestion larger than max_ingest (1048576 bytes)" "$MNT/acme/small/.errors" &&
	is "$(tail -n +2 "$MNT/acme/small/datasources/b.csv" | wc -l)" "0"
'
rs_umount || echo "not ok - unmount"
cleanup_tmpfs
done_testing
