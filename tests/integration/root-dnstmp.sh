#!/bin/bash
# DNS through slirp's forwarder when the host's /etc/resolv.conf links into /tmp (issue 11):
# the network process covers /tmp with a tmpfs of its own and must still find the file. The
# host's /etc and /tmp are replaced in a mount namespace of the test's own; the resolver is a
# dnsmasq on the host's loopback that answers one test name. Every roost run is a user's.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
require probe
command -v dnsmasq >/dev/null || skip_all "no dnsmasq (package dnsmasq-base)"
plan 2
user=${ROOST_TEST_USER:-roosttest}
mkdir -p "$T/u" && chown "$user:" "$T/u"
chown -R "$user:" "$ROOTFS"
dnsmasq --keep-in-foreground --user=nobody --group=nogroup --bind-interfaces \
	--listen-address=127.0.0.155 --port=53 --no-resolv --no-hosts --pid-file="$T/dns.pid" \
	--address=/roost-test.example/192.0.2.9 2>"$T/dns.err" &
dns_pid=$!
trap 'kill "$dns_pid" 2>/dev/null; _cleanup' EXIT
cp -a /etc "$T/etc"
rm -f "$T/etc/resolv.conf"
ln -s /tmp/roost-dns/resolv.conf "$T/etc/resolv.conf"
out=$(unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1/etc" /etc &&
	mount -t tmpfs -o mode=1777 tmpfs /tmp && mkdir /tmp/roost-dns && chmod 755 /tmp/roost-dns &&
	echo "nameserver 127.0.0.155" >/tmp/roost-dns/resolv.conf && shift && exec "$@"' sh "$T" \
	runuser -u "$user" -- env XDG_DATA_HOME="$T/u/data" XDG_RUNTIME_DIR="$T/u/run" \
	"$ROOST" run --rm "$ROOTFS" sh -c 'nslookup roost-test.example 2>&1 | grep -c 192.0.2.9;
		grep nameserver /etc/resolv.conf | head -1' 2>"$T/run.err")
expect "DNS through 10.0.2.3 reaches the resolver named by a resolv.conf in /tmp" \
	"$(echo "$out" | sed -n 1p)" 1
expect "the container's resolv.conf names slirp's forwarder" "$(echo "$out" | sed -n 2p)" \
	"nameserver 10.0.2.3"
