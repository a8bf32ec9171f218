#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/deps.sh - install what roost needs on Debian 12 (run as root).
#   contrib/deps.sh          build and run roost
#   contrib/deps.sh test     also what the test suite needs
#   contrib/deps.sh bench    also the peers bench/startup compares against
set -eu

build="meson ninja-build pkg-config gcc libc6-dev libseccomp-dev libcap-dev libslirp-dev
       libglib2.0-dev libmnl-dev libjson-c-dev libarchive-dev libssl-dev
       libcurl4-openssl-dev"
run="uidmap fuse-overlayfs"
test="busybox-static bsdutils procps util-linux coreutils passwd python3 iproute2 dnsmasq-base zstd openssl curl docker-registry musl-tools golang-go default-jre-headless nodejs"
bench="hyperfine crun bubblewrap runc podman"

want="$build $run"
case "${1:-}" in
test) want="$want $test" ;;
bench) want="$want $test $bench" ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "roost: missing packages:$missing; install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "roost: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
