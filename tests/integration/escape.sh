#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# escape.sh - the escape suite: container root tries to act on the host
#
# One test per way out found by the attacker's review (issue 10) and per
# classic of the field, each named after it. Container root, default options
# unless the name says otherwise, and again with --privileged where that
# matters. Every attempt aims at a path under $T or at a line this test reads
# back, so nothing harms the host when it gets out. The last line counts
# what got out. Where the kernel refuses an attempt with roost's guard off
# too, the test says so in its name: it proves the kernel, not roost.
. "$(dirname "$0")/lib.sh"
require userns newuidmap subid
[ -x "${ESCAPE:-}" ] || skip_all "no escape payload (ESCAPE)"
PTY="$SRCDIR/tests/integration/ptyrun.py"
plan 51

escaped=0
attempts=0
held() { # held DESC GOT REGEX: the attempt did not get out when GOT matches REGEX
	attempts=$((attempts + 1))
	_before=$_failed
	match "$1" "$2" "$3"
	[ "$_failed" = "$_before" ] || escaped=$((escaped + 1))
}
absent() { # absent DESC FILE: the attempt left no FILE on the host
	attempts=$((attempts + 1))
	if [ -e "$2" ]; then
		_result 1 "$1"
		echo "#   $2 was written from inside the container"
		escaped=$((escaped + 1))
		rm -f "$2"
	else
		_result 0 "$1"
	fi
}
run() { "$ROOST" run --rm --network=none "$@"; }

# --- 1. --init's pid 1 is a copy of roost: it must keep none of roost's fds ---------------
for opts in "" "--cap-drop ALL" "--read-only" "--security-opt no-new-privileges"; do
	# shellcheck disable=SC2086
	got=$(run --init $opts "$ROOTFS" sh -c '
		ls /proc/1/fd 2>&1 | tr "\n" " "
		for f in 3 4 5 6; do escape write /proc/1/fd/$f/../escape-init >/dev/null; done
		escape open /proc/1/exe r' 2>&1 | tr '\n' ' ')
	held "--init${opts:+ ($opts)}: pid 1's fds are out of reach (/proc/1/fd)" "$got" \
		"Permission denied.*EACCES $"
done
absent "--init: nothing written through /proc/1/fd/N/.. in the caller's store" \
	"$XDG_DATA_HOME/escape-init"
absent "--init: nothing written through /proc/1/fd/N/.. in the runtime dir" \
	"$XDG_RUNTIME_DIR/escape-init"
got=$(run --init -- sh -c 'ls /proc/1/fd 2>&1; cat /proc/1/environ 2>&1 | head -c 40' 2>&1 | tr '\n' ' ')
held "--init in the host-system mode: pid 1's fds and environment are out of reach" "$got" \
	"Permission denied.*Permission denied"
# CVE-2019-5736: the runtime's own binary through /proc/PID/exe.
got=$(run --init "$ROOTFS" sh -c 'escape open /proc/1/exe path; escape open /proc/1/exe w' 2>&1 | tr '\n' ' ')
held "CVE-2019-5736: roost's binary is out of reach through --init's /proc/1/exe" "$got" \
	"^EACCES EACCES $"

# --- 2. the caller's fds -----------------------------------------------------------------
mkdir -p "$T/fdleak"
exec 7<"$T/fdleak"
got=$(run "$ROOTFS" sh -c 'escape fds; escape write /proc/self/fd/7/x' 2>&1)
held "the caller's open fds do not reach the container (fd 7 on a host directory)" "$got" \
	"^ENOENT$"
absent "nothing written through the caller's fd 7" "$T/fdleak/x"
got=$(run -- sh -c 'ls /proc/self/fd | tr "\n" " "' 2>&1)
held "host-system mode: the command has stdio and nothing else" "$got" "^0 1 2 3 $"
exec 7<&-
exec 3<"$T/fdleak" 4</dev/null
got=$(run --preserve-fds 2 "$ROOTFS" escape fds 2>&1 | tr '\n' ' ')
expect "--preserve-fds 2 passes fds 3 and 4, and only them" "$got" "3 $T/fdleak 4 /dev/null "
got=$(LISTEN_FDS=1 sh -c 'LISTEN_PID=$$ exec "$0" run --rm --network=none "$1" sh -c \
	"echo \$LISTEN_FDS \$LISTEN_PID; escape fds"' "$ROOST" "$ROOTFS" 2>&1 | tr '\n' ' ')
expect "socket activation: LISTEN_FDS passes fd 3 and LISTEN_PID names the command" "$got" \
	"1 1 3 $T/fdleak "
exec 3<&- 4<&-
got=$(run --preserve-fds 3 "$ROOTFS" true 2>&1)
match "--preserve-fds of a closed fd is refused in one line" "$got" "^roost: --preserve-fds 3: fd 3 is not open"

# --- CVE-2016-9962 / CVE-2024-21626: a working directory through a leaked fd --------------
exec 7<"$T/fdleak"
got=$(run -w /proc/self/fd/7 "$ROOTFS" sh -c 'pwd; escape write x' 2>&1)
held "CVE-2024-21626: -w /proc/self/fd/7 does not start in a host directory" "$got" \
	"^roost: working directory /proc/self/fd/7"
absent "CVE-2024-21626: nothing written in the host directory" "$T/fdleak/x"
exec 7<&-

# --- 3. TIOCSTI into the caller's terminal --------------------------------------------------
for opts in "" "-i"; do
	got=$(python3 "$PTY" sh -c "\"\$0\" run --rm --network=none $opts \"\$1\" escape tiocsti 'echo INJECTED
'; timeout 2 head -n 1 || :" "$ROOST" "$ROOTFS" 2>&1 | tr -d '\r' | tr '\n' ' ')
	held "TIOCSTI (CVE-2017-5226 class)${opts:+ with $opts}: nothing typed into the caller's terminal" \
		"$got" "^fd0=[A-Z]+ fd1=EPERM fd2=EPERM tty=ENXIO $"
done
got=$(python3 "$PTY" "$ROOST" run --rm --network=none "$ROOTFS" escape ttymode 2>&1 | tr -d '\r')
held "the caller's terminal as stdout/stderr is write-only inside (no reading what the user types)" \
	"$got" "^fd0=ro fd1=wo fd2=wo$"
# roost is the session leader here, as under a shell: the terminal's ^C goes to roost's group.
python3 "$PTY" --timeout 10 --after ready --send '\x03' "$ROOST" run --rm --network=none "$ROOTFS" \
	sh -c 'echo ready; sleep 30; echo after-sleep' >"$T/ctrlc" 2>&1
expect "^C at the terminal still reaches a foreground container's processes (no -t): sleep ends, sh with it" \
	"$?" 130
got=$(python3 "$PTY" sh -c "\"\$0\" run --rm --network=none \"\$1\" escape tioclinux" "$ROOST" "$ROOTFS" 2>&1 | tr -d '\r')
held "TIOCLINUX: no console selection pasted (the kernel refuses it on a pty anyway)" "$got" \
	"^fd0=[A-Z]+ fd1=[A-Z]+ fd2=[A-Z]+$"

# --- 7. the caller's session keyring -------------------------------------------------------
got=$("$ESCAPE" keysession roost-escape-$$ s3cret "$ESCAPE" findkey roost-escape-$$ 2>&1)
match "keyrings: the probe finds a key on the host (so the next test can fail)" "$got" "s=found:s3cret"
for opts in "" "--privileged"; do
	# shellcheck disable=SC2086
	got=$("$ESCAPE" keysession roost-escape-$$ s3cret "$ROOST" run --rm --network=none $opts \
		"$ROOTFS" escape findkey roost-escape-$$ 2>&1)
	held "keyrings${opts:+ ($opts)}: the caller's session keyring is out of reach" "$got" \
		"^s=E[A-Z]+ u=E[A-Z]+ us=E[A-Z]+$"
done

# --- 6. helpers and host processes with --pid=host ------------------------------------------
port=$(free_port)
mkdir -p "$T/pids"
mkfifo "$T/pids/go"
sleep 60 &
host_sleep=$!
"$ROOST" run --rm --network=none --privileged --pid=host -p "127.0.0.1:$port:80" \
	-v "$T/pids:/x" "$ROOTFS" sh -c '
	read go </x/go
	for p in $(cat /x/list); do
		[ "$p" = "$$" ] && continue # this very shell: the container itself
		escape write "/proc/$p/root'"$T"'/pids/escape-$p" >/dev/null
		readlink "/proc/$p/cwd" >/dev/null 2>&1 && echo "cwd-$p"
		for f in 0 1 2 3 4 5; do readlink "/proc/$p/fd/$f"; done 2>/dev/null | grep -q . && echo "fd-$p"
		[ "$(escape open /proc/$p/mem rw)" = ok ] && echo "mem-$p"
	done
	echo done' >"$T/pids/out" 2>&1 &
roost_pid=$!
_i=0
while [ "$(pgrep -P "$roost_pid" | wc -l)" -lt 2 ] && [ "$_i" -lt 100 ]; do
	_i=$((_i + 1))
	sleep 0.1
done
{ pgrep -P "$roost_pid"; echo "$$"; echo "$host_sleep"; } >"$T/pids/list"
echo go >"$T/pids/go"
wait "$roost_pid"
kill "$host_sleep" 2>/dev/null
wait "$host_sleep" 2>/dev/null
got=$(tr '\n' ' ' <"$T/pids/out")
held "--privileged --pid=host -p: roost's helpers and the user's processes keep their fds and memory" \
	"$got" "^done $"
attempts=$((attempts + 1))
leaked=$(ls "$T/pids" | grep -c '^escape-')
expect "--privileged --pid=host -p: nothing written through /proc/PID/root of the relay or the user's processes" \
	"$leaked" 0
[ "$leaked" = 0 ] || escaped=$((escaped + 1))
sleep 60 &
host_sleep=$!
got=$(run --pid=host "$ROOTFS" sh -c "sysprobe ptrace $host_sleep; escape open /proc/$host_sleep/mem rw; sysprobe kill $host_sleep" 2>&1 | tr '\n' ' ')
held "--pid=host: ptrace, /proc/PID/mem and signals of a host process are refused" "$got" \
	"^EPERM EACCES EPERM $"
kill "$host_sleep" 2>/dev/null
wait "$host_sleep" 2>/dev/null

# --- 5. fuse-overlayfs under --privileged: its fds are on the host's layer directories -------
if command -v fuse-overlayfs >/dev/null && [ -w /dev/fuse ]; then
	for opts in "--privileged" "--privileged --pid=host"; do
		# shellcheck disable=SC2086
		got=$(ROOST_OVERLAY=fuse "$ROOST" run --rm --network=none $opts "$ROOTFS" sh -c '
			n=0
			for d in /proc/[0-9]*; do
				[ "$(cat $d/comm 2>/dev/null)" = fuse-overlayfs ] || continue
				grep -q "'"$T"'" $d/cmdline 2>/dev/null || continue # this test'"'"'s own
				n=$((n + 1))
				for f in $d/fd/*; do escape write "$f/../escape-fuse" >/dev/null; done
				escape write "$d/root'"$T"'/escape-fuse" >/dev/null
				[ "$(escape open $d/mem rw)" = ok ] && echo "mem $d"
			done
			echo "daemons $n"' 2>&1)
		want=0
		[ "$opts" = "--privileged" ] || want=1
		held "--privileged with fuse-overlayfs ($opts): the daemon is out of reach ($want visible)" \
			"$got" "^daemons $want$"
		absent "--privileged with fuse-overlayfs ($opts): nothing written through the daemon's fds" \
			"$(find "$T" -name escape-fuse | head -n 1)"
	done
else
	echo "ok $((_n += 1)) # SKIP no fuse-overlayfs or /dev/fuse is not usable"
	echo "ok $((_n += 1)) # SKIP no fuse-overlayfs or /dev/fuse is not usable"
	echo "ok $((_n += 1)) # SKIP no fuse-overlayfs or /dev/fuse is not usable"
	echo "ok $((_n += 1)) # SKIP no fuse-overlayfs or /dev/fuse is not usable"
fi

# --- 10. a volume source swapped for a symlink ----------------------------------------------
mkdir -p "$T/swap/vol"
echo mine >"$T/swap/vol/marker"
ln -s / "$T/swap/link"
python3 - "$T/swap" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1].encode()
end = time.monotonic() + 30
while time.monotonic() < end and os.path.exists(sys.argv[1] + "/vol"):
    # renameat2(RENAME_EXCHANGE): vol is the directory or the link to /, never missing
    libc.syscall(316, -100, d + b"/vol", -100, d + b"/link", 2)
PY
swapper=$!
mismatch=0
started=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	inside=$(ROOST_DEBUG=1 "$ROOST" run --rm --network=none -v "$T/swap/vol:/mnt" "$ROOTFS" \
		stat -c '%d %i' /mnt 2>"$T/swap/err") || continue
	started=$((started + 1))
	said=$(sed -n 's/.*(device \([0-9]*\):\([0-9]*\), inode \([0-9]*\)) is what gets mounted.*/\1 \2 \3/p' "$T/swap/err")
	set -- $said
	[ $# = 3 ] && [ "$inside" = "$((($1 << 8) | $2)) $3" ] || { mismatch=$((mismatch + 1)); echo "# run $i: roost said '$said', the container has '$inside'"; }
done
rm -rf "$T/swap/vol" "$T/swap/link"
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
ok_if "a volume source swapped mid-start: some of 20 runs started ($started; the others were refused)" \
	[ "$started" -gt 0 ]
attempts=$((attempts + 1))
expect "a volume source swapped for a symlink to / mid-start: what is mounted is what roost resolved" "$mismatch" 0
[ "$mismatch" = 0 ] || escaped=$((escaped + 1))

# ROOTFS swapped for a symlink to / by another container (one that can write its parent).
mkdir -p "$T/rswap"
cp -a "$ROOTFS" "$T/rswap/root"
echo mine >"$T/rswap/root/etc/marker"
ln -s / "$T/rswap/link"
python3 - "$T/rswap" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
d = sys.argv[1].encode()
end = time.monotonic() + 30
while time.monotonic() < end and os.path.exists(sys.argv[1] + "/root"):
    libc.syscall(316, -100, d + b"/root", -100, d + b"/link", 2)  # renameat2 RENAME_EXCHANGE
PY
swapper=$!
host=0 mine=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	case $(timeout 20 "$ROOST" run --rm --network=none "$T/rswap/root" sh -c \
		'[ -e /etc/marker ] && echo mine || echo host' 2>/dev/null) in
	mine) mine=$((mine + 1)) ;;
	host) host=$((host + 1)) ;;
	esac
done
kill "$swapper" 2>/dev/null
wait "$swapper" 2>/dev/null
rm -rf "$T/rswap/root" "$T/rswap/link"
ok_if "ROOTFS swapped mid-start: some of 20 runs started on the real one ($mine)" [ "$mine" -gt 0 ]
attempts=$((attempts + 1))
expect "ROOTFS swapped for a symlink to / mid-start: no container ever runs on the host's /" "$host" 0
[ "$host" = 0 ] || escaped=$((escaped + 1))
got=$(run / true 2>&1)
match "ROOTFS / is refused in one line (the host system is '--')" "$got" "^roost: ROOTFS '/' is the host's /"

# --pid=host: what the command leaves behind (here a daemon on the caller's terminal) dies with it.
left=$(run --pid=host "$ROOTFS" sh -c 'setsid sleep 30 </dev/null >/dev/null 2>&1 & echo $!' 2>&1)
alive=$( [ -n "$left" ] && kill -0 "$left" 2>/dev/null && echo alive)
[ -n "$alive" ] && kill "$left"
attempts=$((attempts + 1))
expect "--pid=host: a process the container leaves behind does not outlive it (pid $left)" "$alive" ""
[ -z "$alive" ] || escaped=$((escaped + 1))

# --- 11. no_new_privs only when asked ------------------------------------------------------
got=$(run "$ROOTFS" sh -c 'cp /bin/escape /suid && chmod 4755 /suid && escape as 1000 /suid euid' 2>&1)
expect "setuid programs work inside by default (no no_new_privs with the filter)" "$got" 0
got=$(run --security-opt no-new-privileges "$ROOTFS" sh -c \
	'cp /bin/escape /suid && chmod 4755 /suid && escape as 1000 /suid euid' 2>&1)
expect "--security-opt no-new-privileges: setuid gives nothing" "$got" 1000

# --- the classics ------------------------------------------------------------------------
mkdir -p "$T/dst-src"
rm -rf "$T/evil-root"
cp -a "$ROOTFS" "$T/evil-root"
ln -s "/../../../../../$T/dst-target" "$T/evil-root/evil"
got=$(run -v "$T/dst-src:/evil/x" "$T/evil-root" sh -c 'ls -d /evil/x' 2>&1)
absent "symlink on a mount destination: the bind lands inside the container" "$T/dst-target"

masked='wc -c </proc/keys; ls /sys/firmware | wc -l'
got=$(run "$ROOTFS" sh -c "$masked; umount /proc/keys 2>&1 || echo refused; mount -t proc proc /mnt 2>&1 || echo refused" 2>&1 | tr '\n' ' ')
held "mounts over masked paths: /proc/keys and /sys/firmware stay masked, no new proc can be mounted" \
	"$got" "^0 0 .*refused .*refused $"
got=$(run --privileged "$ROOTFS" sh -c "$masked" 2>&1 | tr '\n' ' ')
match "mounts over masked paths: unmasked (--privileged) they have content (the mask is the cause)" \
	"$got" "^[1-9][0-9]* [1-9][0-9]* $"

before=$(cat /proc/sys/kernel/core_pattern)
for opts in "" "--privileged"; do
	# shellcheck disable=SC2086
	got=$(run $opts "$ROOTFS" sh -c 'for f in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /sys/kernel/uevent_helper /sys/kernel/profiling; do escape write $f; done' 2>&1 | tr '\n' ' ')
	if [ -z "$opts" ]; then
		held "writes to /proc/sys and /sys are refused (read-only: EROFS)" "$got" \
			"^(EROFS |ENOENT ){4}$"
	else
		held "writes to /proc/sys and /sys with --privileged are refused (by the kernel)" "$got" \
			"^(E[A-Z]+ ){4}$"
	fi
done
expect "the host's core_pattern is unchanged" "$(cat /proc/sys/kernel/core_pattern)" "$before"

for opts in "" "--privileged"; do
	# shellcheck disable=SC2086
	got=$(run $opts "$ROOTFS" escape handle /etc/passwd 2>&1)
	held "open_by_handle_at (shocker)${opts:+ ($opts; the kernel refuses it)}: refused" "$got" "^E[A-Z]+$|=E[A-Z]+$"
done

got=$(run "$ROOTFS" escape userns 2>&1)
held "new user namespaces are refused by default" "$got" "^EPERM$"
got=$(run --security-opt seccomp=unconfined "$ROOTFS" escape userns 2>&1)
expect "new user namespaces: with seccomp=unconfined the kernel allows one (the filter is the cause)" "$got" ok

got=$(run "$ROOTFS" escape uring 2>&1)
held "io_uring is refused by default (ENOSYS, so programs fall back)" "$got" "^ENOSYS$"
got=$(run --security-opt seccomp=unconfined "$ROOTFS" escape uring 2>&1)
match "io_uring: with seccomp=unconfined the kernel allows it (the filter is the cause)" "$got" "^(ok|EPERM)$"

echo "# escape suite: $escaped of $attempts attempts got out"
done_testing
