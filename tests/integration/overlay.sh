#!/bin/bash
# Kernel overlayfs and the fuse-overlayfs fallback, each forced with ROOST_OVERLAY: the
# same file operations on both, and the fuse daemon's lifetime and reach.
. "$(dirname "$0")/lib.sh"
require userns
plan 22

cp "$FSPROBE" "$ROOTFS/bin/fsprobe"
cp "$SRCDIR/tests/integration/fs-ops.sh" "$ROOTFS/fs-ops.sh"
want_ops=$(cat "$SRCDIR/tests/integration/fs-ops.expected")
before=$(tree_sum "$ROOTFS")
out=$(ROOST_OVERLAY=kernel timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3; echo x > /etc/motd; rm /bin/ls; cat /etc/motd' 2>&1)
expect "kernel overlayfs: the root is an overlay and takes writes" "$(echo $out)" "overlay x"
out=$(ROOST_OVERLAY=kernel timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh /fs-ops.sh 2>&1)
expect "kernel overlayfs: creates, renames, deletes, chmod/chown, links, xattrs, deep paths, 2000 files" "$out" "$want_ops"

if ! command -v fuse-overlayfs >/dev/null; then
	for i in $(seq 3 20); do echo "ok $i # SKIP no fuse-overlayfs"; done
	_n=20
elif ! { exec 9<>/dev/fuse; } 2>/dev/null; then
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm "$ROOTFS" true 2>&1); rc=$?
	expect "no access to /dev/fuse: status 125" "$rc" 125
	match "no access to /dev/fuse: one line with the fix" "$out" "^roost: /dev/fuse is not accessible .*chmod 0666 /dev/fuse"
	for i in $(seq 5 20); do echo "ok $i # SKIP /dev/fuse is not accessible here"; done
	_n=20
else
	exec 9>&-
	mine() { pgrep -u "$(id -u)" -f "fuse-overlayfs .*$XDG_DATA_HOME" | wc -l; }
	"$ROOST" run --name f "$ROOTFS" true
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3; echo y > /etc/motd; rm /bin/ls; cat /etc/motd' 2>&1)
	expect "fuse-overlayfs: the root is a fuse mount and takes writes" "$(echo $out)" "fuse.fuse-overlayfs y"
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'echo a > /d && cat /d' 2>&1); rc=$?
	expect "fuse-overlayfs: a file created in / (it used to hang)" "$rc $out" "0 a"
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh /fs-ops.sh 2>&1)
	expect "fuse-overlayfs: creates, renames, deletes, chmod/chown, links, xattrs, deep paths, 2000 files" "$out" "$want_ops"
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none -u 1000 "$ROOTFS" sh -c 'echo z > /tmp/z && cat /tmp/z; id -u' 2>&1)
	expect "fuse-overlayfs: a non-root user writes too" "$(echo $out)" "z 1000"
	out=$(ROOST_OVERLAY=auto timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" true 2>&1)
	expect "auto: the kernel's overlay, no note" "$out" ""
	"$ROOST" rm f >/dev/null
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'exit 5' 2>&1); rc=$?
	expect "fuse-overlayfs: exit status passes" "$rc" 5
	expect "fuse-overlayfs: no process left behind" "$(mine)" 0
	expect "fuse-overlayfs: no mount left behind" "$(grep -c fuse /proc/self/mountinfo)" 0
	for i in 1 2 3; do
		ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none --pid=host "$ROOTFS" sh -c 'echo a > /d' 2>&1
	done
	expect "fuse-overlayfs with --pid=host: no daemon left after 3 runs" "$(mine)" 0

	# Container root looks for the daemon in /proc and tries its fds and root on the host.
	cat >"$ROOTFS/reach.sh" <<'R'
n=0 links=0
for d in /proc/[0-9]*; do
	[ "$(cat $d/comm 2>/dev/null)" = fuse-overlayfs ] || continue
	grep -q "$1" $d/cmdline 2>/dev/null || continue # this test's own, not another's
	n=$((n + 1)) p=${d#/proc/}
	for f in /proc/$p/fd/*; do
		readlink "$f" >/dev/null 2>&1 && links=$((links + 1))
		echo x 2>/dev/null >"$f/../escape-fd" && echo "wrote $f/../escape-fd"
		echo x 2>/dev/null >"$f/../../escape-fd2" && echo "wrote $f/../../escape-fd2"
	done
	echo x 2>/dev/null >/proc/$p/root/$1/escape-root && echo "wrote /proc/$p/root"
	cat /proc/$p/environ >/dev/null 2>&1 && echo "read /proc/$p/environ"
done
echo "daemons $n, links read $links"
R
	for opts in "--pid=host" "--privileged --pid=host"; do
		out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none $opts "$ROOTFS" sh /reach.sh "$T" 2>&1)
		expect "fuse-overlayfs, $opts: root sees the daemon but none of its fds, root or memory" "$out" "daemons 1, links read 0"
		expect "fuse-overlayfs, $opts: nothing written on the host through /proc" "$(find "$T" -name 'escape-*' | wc -l)" 0
	done
	out=$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh /reach.sh "$T" 2>&1)
	expect "fuse-overlayfs: the daemon is outside the container's pid namespace" "$out" "daemons 0, links read 0"

	# The daemon's death: one line, and roost ends.
	ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'echo up > /up; exec sleep 50' >"$T/death.out" 2>&1 &
	bg=$!
	for i in $(seq 200); do
		[ -n "$(find "$XDG_DATA_HOME/roost/containers" -path '*/upper/up' 2>/dev/null)" ] && break
		timeout 0.05 tail -f /dev/null
	done
	pid=$(pgrep -u "$(id -u)" -f "fuse-overlayfs .*$XDG_DATA_HOME")
	[ -n "$pid" ] && kill -9 $pid
	wait $bg; rc=$?
	expect "the daemon killed: roost ends (not the 60 s timeout)" "$([ "$rc" != 124 ] && [ -n "$pid" ] && echo ended)" ended
	expect "the daemon killed: one line says what died" "$(cat "$T/death.out")" \
		"roost: fuse-overlayfs died (signal 9): the container's root filesystem is gone"
	expect "the daemon killed: nothing left behind" "$(mine) $(ls "$XDG_DATA_HOME/roost/containers" | wc -l)" "0 0"
	expect "fuse-overlayfs: a clean run says nothing of the daemon" \
		"$(ROOST_OVERLAY=fuse timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" true 2>&1)" ""
fi
expect "neither touched ROOTFS (but for the test's scripts)" "$(rm "$ROOTFS/reach.sh" 2>/dev/null; tree_sum "$ROOTFS")" "$before"
out=$(ROOST_OVERLAY=sideways "$ROOST" run --rm "$ROOTFS" true 2>&1)
expect "a bad ROOST_OVERLAY is named" "$out" "roost: ROOST_OVERLAY=sideways: want auto, kernel or fuse"
done_testing
