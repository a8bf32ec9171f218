#!/bin/bash
# User-mode networking (--network=slirp, the default): tap0, addresses, the host's loopback
# only when allowed, /etc files, ping, and the network process confined and short-lived.
. "$(dirname "$0")/lib.sh"
require userns tun probe
plan 34

out=$("$ROOST" run --rm "$ROOTFS" sh -c 'cat /sys/class/net/tap0/mtu; ip -4 addr show tap0 | grep -o "inet [^ ]*"; ip route | grep default; ip -6 addr show tap0 | grep -o "inet6 fd00[^ ]*"; ip -6 route | grep default | cut -d" " -f1-3; cat /sys/class/net/lo/operstate' 2>/dev/null)
expect "tap0: MTU 65520, 10.0.2.100/24 via 10.0.2.2, fd00::100/64 via fd00::2, lo up" "$(echo $out)" \
	"65520 inet 10.0.2.100/24 default via 10.0.2.2 dev tap0 inet6 fd00::100/64 default via fd00::2 unknown"
out=$("$ROOST" run --rm --network=slirp:mtu=1500,cidr=10.9.8.0/24,ipv6=false "$ROOTFS" sh -c 'cat /sys/class/net/tap0/mtu; ip -4 addr show tap0 | grep -o "inet [^ ]*"; ip route | grep default; ip -6 addr show tap0 | grep -c fd00' 2>/dev/null)
expect "options: mtu, cidr, ipv6=false" "$(echo $out)" "1500 inet 10.9.8.100/24 default via 10.9.8.2 dev tap0 0"
out=$("$ROOST" run --rm --network=slirp:speed=fast "$ROOTFS" true 2>&1); rc=$?
expect "an unknown key is an error (125, one line)" "$rc:$out" \
	"125:roost: --network: unknown key 'speed' (want mtu, cidr, ipv6, allow_host_loopback or dns)"
out=$("$ROOST" run --rm --network=slirp:cidr=10.0.0.0/28 "$ROOTFS" true 2>&1)
match "a network too small for .100 is refused" "$out" "prefix must be /8 to /25"
out=$("$ROOST" run --rm --network=slirp:mtu=1000 "$ROOTFS" true 2>&1)
match "an MTU too small for IPv6 says so" "$out" "too small for IPv6"

port=$(free_port)
start_echo 127.0.0.1 "$port"
allow=--network=slirp:allow_host_loopback=true
expect "TCP to the host's loopback with allow_host_loopback" \
	"$("$ROOST" run --rm $allow "$ROOTFS" probe tcp 10.0.2.2 "$port" hello 2>/dev/null)" "echo:hello"
expect "UDP to the host's loopback with allow_host_loopback" \
	"$("$ROOST" run --rm $allow "$ROOTFS" probe udp 10.0.2.2 "$port" hi 2>/dev/null)" "echo:hi"
match "TCP to the host's loopback fails at once by default (unreachable, not a hang)" \
	"$("$ROOST" run --rm "$ROOTFS" probe tcp 10.0.2.2 "$port" hello 2>"$T/last.err")" "^(refused|Network is unreachable)$"
expect "UDP to the host's loopback gets nothing by default" \
	"$("$ROOST" run --rm "$ROOTFS" probe udp 10.0.2.2 "$port" hi 2>/dev/null)" "no reply"
expect "a closed port is refused, not a hang" \
	"$("$ROOST" run --rm $allow "$ROOTFS" probe tcp 10.0.2.2 1 x 2>/dev/null)" "refused"
kill "$echo_pid" 2>/dev/null; wait "$echo_pid" 2>/dev/null

port6=$(free_port)
start_echo ::1 "$port6"
expect "IPv6: TCP to the host's ::1 through fd00::2" \
	"$("$ROOST" run --rm $allow "$ROOTFS" probe tcp fd00::2 "$port6" six 2>/dev/null)" "echo:six"
expect "IPv6: UDP too" \
	"$("$ROOST" run --rm $allow "$ROOTFS" probe udp fd00::2 "$port6" six 2>/dev/null)" "echo:six"
kill "$echo_pid" 2>/dev/null; wait "$echo_pid" 2>/dev/null

out=$("$ROOST" run --rm --hostname web1 --network=slirp:allow_host_loopback=true,dns=false "$ROOTFS" sh -c 'probe resolve web1; probe resolve host.roost.internal; cat /etc/hostname; grep -c nameserver /etc/resolv.conf; grep nameserver /etc/resolv.conf | head -1' 2>/dev/null)
expect "/etc/hosts: the hostname and host.roost.internal resolve (no DNS asked); hostname written" \
	"$(echo $out | cut -d' ' -f1-3)" "10.0.2.100 10.0.2.2 web1"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'grep -c nameserver /etc/resolv.conf; grep nameserver /etc/resolv.conf | head -1' 2>/dev/null)
# fd00::3 only when the host has an IPv6 resolver for libslirp to forward to.
n_ns=$((1 + $(grep -c '^nameserver[[:space:]]*[^[:space:]]*:' /etc/resolv.conf)))
[ "$n_ns" -gt 2 ] && n_ns=2
expect "resolv.conf names slirp's forwarders (10.0.2.3, fd00::3 when the host has IPv6 DNS)" "$(echo $out)" "$n_ns nameserver 10.0.2.3"
out=$("$ROOST" run --rm --network=slirp:dns=false "$ROOTFS" sh -c 'grep -c "nameserver 10.0.2.3" /etc/resolv.conf; grep -c "^nameserver 127\." /etc/resolv.conf' 2>/dev/null)
expect "dns=false: no forwarder, and no loopback nameserver the container cannot reach" "$(echo $out)" "0 0"
expect "the image's /etc files are untouched" "$(cat "$ROOTFS/etc/passwd" | wc -l):$(ls "$ROOTFS/etc" | tr '\n' ' ')" "3:group motd nsswitch.conf passwd "
rm -f "$ROOTFS/etc/hosts"; ln -s /run/nowhere/hosts "$ROOTFS/etc/hosts"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'grep -c localhost /etc/hosts' 2>/dev/null)
expect "an image whose /etc/hosts is a dangling link still gets one" "$out" 2
expect "... and the image keeps its link" "$(readlink "$ROOTFS/etc/hosts")" /run/nowhere/hosts
rm -f "$ROOTFS/etc/hosts"

out=$("$ROOST" run --rm "$ROOTFS" sh -c 'ping -c1 -W5 10.0.2.2 | grep -c "bytes from"; cat /proc/sys/net/ipv4/ping_group_range | tr "\t" " "' 2>/dev/null)
expect "ping to the gateway works; ping_group_range inside is the span of mapped gids" \
	"$(echo $out)" "1 0 $((SUBGID_COUNT))"
expect "a non-root user inside pings too (ICMP datagram socket, no CAP_NET_RAW)" \
	"$("$ROOST" run --rm -u 1000 "$ROOTFS" probe ping 10.0.2.2 2>/dev/null)" reply
expect "ip_unprivileged_port_start is 0 inside" \
	"$("$ROOST" run --rm "$ROOTFS" cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null)" 0

# The host-side ping diagnosis (root-net.sh checks both ways with a test host): pinging the
# gateway, which slirp answers itself, never brings it up.
expect "pinging the gateway never brings up the host's ping diagnosis" \
	"$("$ROOST" run --rm "$ROOTFS" probe ping 10.0.2.2 2>&1)" reply
expect "--network=none: only lo, no tap" "$("$ROOST" run --rm --network=none "$ROOTFS" ls /sys/class/net 2>/dev/null)" lo

# The network process: its own pid, confined, gone with the container.
mkfifo "$T/ready" "$T/go" "$T/flooded" "$T/go2"
"$ROOST" run --rm --name nc1 --network=slirp:dns=false,allow_host_loopback=true -v "$T:/t" "$ROOTFS" sh -c '
	echo ready > /t/ready; read x < /t/go
	probe flood 30000 > /dev/null; echo done > /t/flooded; read x < /t/go2
	probe tcp 10.0.2.2 '"$(free_port)"' x' >"$T/nc1.out" 2>&1 &
rpid=$!
await "$T/ready" >/dev/null
npid=$(cat "$XDG_RUNTIME_DIR/roost/nc1/netpid")
status=/proc/$npid/status
match "the network process is confined (no_new_privs, seccomp) before the command runs" "$(grep -E '^(NoNewPrivs|Seccomp):' "$status" | tr -s '\t ' ' ' | tr '\n' ' ')" "NoNewPrivs: 1 Seccomp: 2"
expect "the network process lives in its own user namespace" \
	"$([ "$(readlink /proc/$npid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && echo yes)" yes
# Not dumpable: even the user who started it cannot open its root or its host sockets.
match "the network process's root and fds are out of the user's reach (not dumpable)" \
	"$(ls /proc/$npid/root/ 2>&1; ls -l /proc/$npid/fd/ 2>&1 | grep -c socket)" "Permission denied"
fds0=$(ls /proc/$npid/fd | wc -l)
rss0=$(awk '/^VmRSS/ {print $2}' "$status")
echo go > "$T/go"
await "$T/flooded" >/dev/null
alive=$([ -d "/proc/$npid" ] && echo yes || echo no)
fds1=$(ls /proc/$npid/fd 2>/dev/null | wc -l)
rss1=$(awk '/^VmRSS/ {print $2}' "$status" 2>/dev/null)
expect "a flood from the container does not crash the network process" "$alive" yes
ok_if "... nor leak descriptors ($fds0 before, $fds1 after, 64 UDP flows at most)" test "$fds1" -le $((fds0 + 70))
ok_if "... nor memory (VmRSS ${rss0} kB before, ${rss1:-?} kB after; 16 MiB allowed)" test "${rss1:-999999}" -le $((rss0 + 16384))
echo go > "$T/go2"
wait "$rpid"
match "the network still works after the flood" "$(cat "$T/nc1.out")" "refused|echo"
gone=$(timeout 10 tail --pid="$npid" -f /dev/null && echo yes)
expect "when the container exits, the network process ends" "$gone" yes
expect "and no process of ours is left" "$(pgrep -u "$(id -u)" -f "^$ROOST run.*--name nc1" | wc -l)" 0
expect "roost's stderr had no warning about the network process" "$(grep -c 'network process' "$T/nc1.out")" 0
# A network process that dies while the container runs is reported, not hidden.
mkfifo "$T/r2" "$T/g2"
"$ROOST" run --rm --name nc2 -v "$T:/t" "$ROOTFS" sh -c 'echo r > /t/r2; read x < /t/g2' 2>"$T/nc2.err" &
rpid=$!
await "$T/r2" >/dev/null
kill -KILL "$(cat "$XDG_RUNTIME_DIR/roost/nc2/netpid")"
echo g > "$T/g2"
wait "$rpid"
match "a network process killed mid-run is reported" "$(cat "$T/nc2.err")" \
	"the network process stopped \(signal 9\): the container has no network from now on"
done_testing
