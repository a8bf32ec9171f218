#!/bin/bash
# Networking set-ups that need root: the host's ping_group_range both ways, a test host in a
# network namespace of our own (ping and TCP relayed through slirp), and DNS through slirp's
# forwarder to a resolver on the host's loopback, found through a resolv.conf link that is
# replaced while the container runs. Every roost run is still an unprivileged user's.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
require probe
command -v dnsmasq >/dev/null || skip_all "no dnsmasq (package dnsmasq-base)"
command -v ip >/dev/null || skip_all "no ip (package iproute2)"
plan 13
user=${ROOST_TEST_USER:-roosttest}
mkdir -p "$T/u" && chown "$user:" "$T/u"
chown -R "$user:" "$ROOTFS" # a user's own rootfs, as it would be
chmod 666 /dev/net/tun
roost_as_user() {
	runuser -u "$user" -- env XDG_DATA_HOME="$T/u/data" XDG_RUNTIME_DIR="$T/u/run" "$ROOST" "$@"
}

peer=roostpeer$$
orig_range=$(cat /proc/sys/net/ipv4/ping_group_range)
cleanup_net() {
	echo "$orig_range" >/proc/sys/net/ipv4/ping_group_range
	[ -n "${orig_start:-}" ] && echo "$orig_start" >/proc/sys/net/ipv4/ip_unprivileged_port_start
	ip link del "rp$$" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
	[ -n "${dns_pids:-}" ] && kill $dns_pids 2>/dev/null
	[ -n "${echo_pid:-}" ] && kill "$echo_pid" 2>/dev/null
	_cleanup
}
trap cleanup_net EXIT

# A test host: .2 in a network namespace of ours, .1 on our side of a veth, in a documentation
# network that this machine does not use itself.
net=""
for n in 198.51.100 203.0.113 192.0.2 10.254.254; do
	ip -4 addr | grep -q " $n\." || ip -4 route | grep -q "^$n\." || { net=$n; break; }
done
[ -n "$net" ] || skip_all "every test network is in use on this machine"
ip netns add "$peer"
ip link add "rp$$" type veth peer name eth0 netns "$peer"
ip addr add "$net.1/24" dev "rp$$"
ip link set "rp$$" up
ip netns exec "$peer" ip addr add "$net.2/24" dev eth0
ip netns exec "$peer" ip link set eth0 up
ip netns exec "$peer" ip link set lo up

gid=$(id -g "$user")
echo "1 0" >/proc/sys/net/ipv4/ping_group_range
out=$(roost_as_user run --rm "$ROOTFS" sh -c "ping -c1 -W3 $net.2 | grep -c 'bytes from'" 2>&1)
match "host range '1 0': one line when the container pings out, with the sysctl that fixes it" "$out" \
	"^roost: warning: ping from the container to other hosts will not work: the host's net.ipv4.ping_group_range \(1 0\) leaves out your group $gid; fix: sudo sysctl -w net.ipv4.ping_group_range='$gid $gid'"
match "host range '1 0': the ping gets no reply (none is faked)" "$out" "^0$"
expect "host range '1 0': a container that never pings out hears nothing of it" \
	"$(roost_as_user run --rm "$ROOTFS" probe ping 10.0.2.2 2>&1)" reply
echo "$gid $gid" >/proc/sys/net/ipv4/ping_group_range
out=$(roost_as_user run --rm "$ROOTFS" sh -c "ping -c1 -W3 $net.2 | grep -c 'bytes from'" 2>&1)
expect "host range covering the user: no diagnosis, and the test host answers the ping" "$out" 1
echo "$orig_range" >/proc/sys/net/ipv4/ping_group_range

port=$(free_port)
start_echo $net.2 "$port" ip netns exec "$peer"
expect "TCP to a test host goes out through slirp" \
	"$(roost_as_user run --rm "$ROOTFS" probe tcp $net.2 "$port" out 2>/dev/null)" "echo:out"
expect "UDP too" "$(roost_as_user run --rm "$ROOTFS" probe udp $net.2 "$port" out 2>/dev/null)" "echo:out"

# DNS: resolvers on the host's loopback, named by a resolv.conf that is a link (as with
# systemd-resolved's 127.0.0.53), in a mount namespace of the test's own.
dnsmasq --keep-in-foreground --user=nobody --group=nogroup --bind-interfaces \
	--listen-address=127.0.0.153 --port=53 --no-resolv --no-hosts --log-queries --log-facility=- --pid-file="$T/dns1.pid" \
	--address=/roost-test.example/192.0.2.7 2>"$T/dns1.err" &
dns_pids=$!
dnsmasq --keep-in-foreground --user=nobody --group=nogroup --bind-interfaces \
	--listen-address=127.0.0.154 --port=53 --no-resolv --no-hosts --log-queries --log-facility=- --pid-file="$T/dns2.pid" \
	--address=/roost-test.example/192.0.2.8 2>"$T/dns2.err" &
dns_pids="$dns_pids $!"
cp -a /etc "$T/etc"
mkdir -p "$T/resolv"
echo "nameserver 127.0.0.153" >"$T/resolv/resolv.conf"
rm -f "$T/etc/resolv.conf"
ln -s "$T/resolv/resolv.conf" "$T/etc/resolv.conf"
chmod 755 "$T/resolv"
# The user may write the file behind the link (as a user's own resolver set-up would let it):
# that roost leaves it alone is then something it does, not a permission it lacks.
chown "$user:" "$T/resolv/resolv.conf"
host_resolv=$(readlink /etc/resolv.conf; md5sum </etc/resolv.conf)
mkfifo "$T/ready" "$T/go"
chmod 666 "$T/ready" "$T/go"
unshare -m sh -c 'mount --bind "$1/etc" /etc && shift && exec "$@"' sh "$T" \
	runuser -u "$user" -- env XDG_DATA_HOME="$T/u/data" XDG_RUNTIME_DIR="$T/u/run" \
	"$ROOST" run --rm -v "$T:/t" "$ROOTFS" sh -c '
		nslookup roost-test.example 2>&1 | grep -c 192.0.2.7
		echo ready > /t/ready; read x < /t/go
		i=0
		while [ $i -lt 20 ] && ! nslookup roost-test.example 2>&1 | grep -q 192.0.2.8; do
			i=$((i + 1)); sleep 0.5
		done
		nslookup roost-test.example 2>&1 | grep -c 192.0.2.8
		grep nameserver /etc/resolv.conf | head -1' >"$T/dns.out" 2>"$T/dns.err" &
rpid=$!
await "$T/ready" >/dev/null
during=$(readlink "$T/etc/resolv.conf"):$(cat "$T/resolv/resolv.conf")
# Replace the file behind the link, as resolvconf or NetworkManager do.
echo "nameserver 127.0.0.154" >"$T/resolv/resolv.conf.new"
mv "$T/resolv/resolv.conf.new" "$T/resolv/resolv.conf"
echo go >"$T/go"
wait "$rpid"
out=$(cat "$T/dns.out")
expect "DNS through 10.0.2.3 reaches the resolver on the host's loopback" "$(echo "$out" | sed -n 1p)" 1
expect "a replaced resolv.conf is followed while the container runs" "$(echo "$out" | sed -n 2p)" 1
expect "the container's resolv.conf names slirp's forwarder" "$(echo "$out" | sed -n 3p)" "nameserver 10.0.2.3"
queries=$(cat "$T/dns1.err" "$T/dns2.err" | grep -E ': query\[')
match "the resolvers were asked, and only our test name" \
	"$(printf '%s\n' "$queries" | grep -c .) asked, $(printf '%s\n' "$queries" | grep -v ' roost-test\.example from ' | grep -c .) other" \
	'^[1-9][0-9]* asked, 0 other$'
expect "the host's resolv.conf, its link and the file behind it, are untouched during and after the run" \
	"$during|$(readlink "$T/etc/resolv.conf"):$(cat "$T/resolv/resolv.conf")|$(readlink /etc/resolv.conf; md5sum </etc/resolv.conf)" \
	"$T/resolv/resolv.conf:nameserver 127.0.0.153|$T/resolv/resolv.conf:nameserver 127.0.0.154|$host_resolv"
# Privileged host ports: refused below the sysctl, published once root lowers it to that port.
orig_start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
echo 1024 >/proc/sys/net/ipv4/ip_unprivileged_port_start
mkfifo -m 0666 "$T/up80"
out=$(roost_as_user run --rm -p 127.0.0.1:80:80 "$ROOTFS" true 2>&1); rc=$?
expect "host port 80 below the sysctl: 125 and the fixes" "$rc:$(echo "$out" | grep -c 'ip_unprivileged_port_start=80')" "125:1"
echo 80 >/proc/sys/net/ipv4/ip_unprivileged_port_start
roost_as_user run --rm -v "$T:/t" -p 127.0.0.1:80:7 "$ROOTFS" sh -c \
	'probe echo-server 7 > /t/up80 & i=0; while [ $i -lt 300 ] && [ ! -e /t/stop80 ]; do sleep 0.1; i=$((i+1)); done' 2>/dev/null &
c80=$!
await "$T/up80" >/dev/null
for i in $(seq 50); do [ "$("$PROBE" tcp 127.0.0.1 80 x 2>/dev/null)" = x ] && break; done
expect "after lowering the sysctl to exactly 80, port 80 is published" "$("$PROBE" tcp 127.0.0.1 80 low)" low
touch "$T/stop80"
wait "$c80"
echo "$orig_start" >/proc/sys/net/ipv4/ip_unprivileged_port_start
done_testing
