#!/bin/bash
# The root filesystem: overlay over ROOTFS, volumes, tmpfs, --read-only, the host system.
. "$(dirname "$0")/lib.sh"
require userns
plan 24

before=$(tree_sum "$ROOTFS")
"$ROOST" run --name w "$ROOTFS" sh -c 'echo new > /etc/motd; rm /bin/true; mkdir /newdir; echo x > /newdir/f'
expect "ROOTFS is unchanged after the container wrote to /" "$(tree_sum "$ROOTFS")" "$before"
up="$XDG_DATA_HOME/roost/containers/w/upper"
expect "the change landed in the container's upper dir" "$(cat "$up/etc/motd")" "new"
expect "the next container sees the pristine image" "$("$ROOST" run --rm "$ROOTFS" cat /etc/motd)" "hello from the image"
"$ROOST" rm w >/dev/null

mkdir -p "$T/vol/sub" && echo host > "$T/vol/file"
out=$("$ROOST" run --rm -v "$T/vol:/data:ro" "$ROOTFS" sh -c 'cat /data/file; echo x > /data/new 2>/dev/null && echo wrote || echo refused')
expect "a ro volume is readable and refuses writes" "$(echo $out)" "host refused"
out=$("$ROOST" run --rm -v "$T/vol:/data" "$ROOTFS" sh -c 'echo in > /data/new && cat /data/new')
expect "a rw volume takes writes" "$out" "in"
expect "the write reached the host" "$(cat "$T/vol/new")" "in"
out=$("$ROOST" run --rm -v "$T/vol/file:/etc/hostfile:ro" "$ROOTFS" cat /etc/hostfile)
expect "a file can be a volume" "$out" "host"
# Recursive: a mount below the volume source comes along (a nested volume stands in for it).
out=$("$ROOST" run --rm -v "$T/vol:/a" -v "$ROOTFS/etc:/a/sub:ro" "$ROOTFS" cat /a/sub/motd)
expect "volumes nest" "$out" "hello from the image"
out=$("$ROOST" run --rm --tmpfs /scratch "$ROOTFS" sh -c 'grep " /scratch " /proc/self/mounts | cut -d" " -f3; touch /scratch/x && echo ok')
expect "--tmpfs mounts a tmpfs" "$(echo $out)" "tmpfs ok"
out=$("$ROOST" run --rm --tmpfs /t:size=10m,noexec "$ROOTFS" sh -c 'grep " /t " /proc/self/mounts; ls -d /t:* 2>/dev/null')
match "--tmpfs /t:size=10m,noexec: the size and flags reach the mount" "$out" "^tmpfs /t tmpfs rw,nosuid,nodev,noexec,.*size=10240k"
expect "--tmpfs /t:size=10m: no directory named after the options" "$(printf '%s\n' "$out" | grep -c '^/t:')" 0

out=$("$ROOST" run --rm --read-only "$ROOTFS" sh -c 'touch /x 2>&1; touch /tmp/x /run/x /dev/shm/x && echo tmp-ok')
match "--read-only: / refuses writes" "$out" "Read-only file system"
match "--read-only: /tmp, /run and /dev/shm take writes" "$out" "tmp-ok"
out=$("$ROOST" run --rm -w /made/here "$ROOTFS" pwd)
expect "-w creates the working directory" "$out" "/made/here"

out=$("$ROOST" run --rm "$ROOTFS" sh -c 'cd /proc && ls -d kcore keys timer_list sched_debug 2>/dev/null | while read f; do wc -c < $f; done | sort -u')
expect "masked /proc files read empty" "$out" "0"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'echo 1 > /proc/sys/kernel/domainname 2>&1; echo x > /proc/sysrq-trigger 2>&1' 2>&1)
match "/proc/sys is read-only" "$out" "Read-only file system"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'grep -E " /(proc/(sys|irq|bus)|sys) " /proc/self/mounts | cut -d" " -f4 | cut -c1-2 | sort -u')
expect "/sys, /proc/sys, /proc/irq, /proc/bus are mounted ro" "$out" "ro"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'ls /dev | tr "\n" " "; readlink /dev/ptmx; readlink /dev/fd')
match "/dev holds the standard nodes and links" "$out" "^fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
out=$("$ROOST" run --rm "$ROOTFS" sh -c 'head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok; head -c 8 /dev/urandom | wc -c')
expect "device nodes work" "$(echo $out)" "4 null-ok 8"

# The host system, read-only, with private /home, /tmp, /run.
out=$(cd "$T" && "$ROOST" run --rm -- sh -c 'find /home /tmp /run -mindepth 1 | wc -l; touch /usr/x 2>&1; ls /etc/os-release')
match "host system: /usr is read-only" "$out" "Read-only file system"
match "host system: /home, /tmp and /run are empty" "$out" "^0"
match "host system: /etc is the host's" "$out" "/etc/os-release"
out=$(cd "$T/vol" && "$ROOST" run --rm -- sh -c "ls $T/vol 2>&1 || echo absent")
match "host system: the current directory is not shared unless asked" "$out" "absent"
out=$(cd "$T/vol" && "$ROOST" run --rm -v "$PWD:$PWD" -w "$PWD" -- cat file)
expect "host system: -v \"\$PWD:\$PWD\" -w \"\$PWD\" shares it" "$out" "host"
done_testing
