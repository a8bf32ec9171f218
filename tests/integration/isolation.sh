#!/bin/bash
# Namespaces: pid, mount, uts, net, ipc; nothing crosses between host and container.
. "$(dirname "$0")/lib.sh"
require userns
plan 12
host_name=$(cat /proc/sys/kernel/hostname) host_uts=$(readlink /proc/self/ns/uts)

expect "the command is pid 1" "$("$ROOST" run --rm "$ROOTFS" sh -c 'echo $$')" 1
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'ls /proc | grep -c "^[0-9]"')
ok_if "host processes are invisible (at most sh and ls are seen)" test "$out" -le 3
out=$("$ROOST" run --rm -v "$T:/t" "$ROOTFS" sh -c 'cut -d" " -f5 /proc/self/mountinfo')
bad=$(printf '%s\n' "$out" | grep -Ev '^/$|^/(proc|dev|sys)(/|$)|^/t$|^/etc/(hosts|hostname|resolv.conf)$')
expect "the container sees only its own mounts" "$bad" ""
expect "the hostname defaults to the container's name" "$("$ROOST" run --rm --name hn "$ROOTFS" hostname)" hn
expect "--hostname sets it" "$("$ROOST" run --rm --hostname box "$ROOTFS" hostname)" box
set -- $("$ROOST" run --rm --hostname box "$ROOTFS" sh -c 'readlink /proc/self/ns/uts; hostname') "" ""
ctr_uts=$1 ctr_name=$2
set --
expect "--hostname is set in a uts namespace of the container's own; the host's hostname is untouched" \
	"$([ -n "$ctr_uts" ] && [ "$ctr_uts" != "$host_uts" ] && echo own || echo "not own ('$ctr_uts')") $ctr_name $(cat /proc/sys/kernel/hostname)" \
	"own box $host_name"
expect "network none: only lo" "$("$ROOST" run --rm --network=none "$ROOTFS" ls /sys/class/net)" lo
out=$("$ROOST" run --rm --network=none "$ROOTFS" sh -c 'cat /sys/class/net/lo/flags')
expect "network none: lo is up" "$(( out & 1 ))" 1
expect "--network=host: the host's interfaces" \
	"$("$ROOST" run --rm --network=host "$ROOTFS" ls /sys/class/net | sort | tr '\n' ' ')" \
	"$(ls /sys/class/net | sort | tr '\n' ' ')"
ipc_host=$(readlink /proc/self/ns/ipc)
expect "a new ipc namespace" "$("$ROOST" run --rm "$ROOTFS" readlink /proc/self/ns/ipc | grep -c "$ipc_host")" 0

# While a container runs, its mounts do not show on the host.
mkfifo "$T/up" "$T/go"
"$ROOST" run --rm --name live -v "$T:/t" "$ROOTFS" sh -c 'mount -t tmpfs none /mnt 2>/dev/null; echo up > /t/up; read x < /t/go' &
pid=$!
await "$T/up" >/dev/null
expect "the container's mounts are invisible on the host" "$(grep -c "$XDG_DATA_HOME" /proc/self/mountinfo)" 0
echo go > "$T/go"
wait "$pid"
expect "and nothing is left mounted after it exits" "$(grep -c "$T" /proc/self/mountinfo)" 0
done_testing
