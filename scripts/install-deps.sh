#!/bin/bash
# Install the Debian packages roost needs to build, run and test, when
# they are missing. Idempotent; needs root (or sudo) only when installing.
set -e
PKGS="gcc make pkg-config libfuse3-dev fuse3 liblz4-dev libinih-dev libpcre2-dev valgrind rsync python3 procps psmisc vim ed"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
