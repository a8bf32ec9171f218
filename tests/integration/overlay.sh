#!/bin/bash
# Kernel overlayfs and the fuse-overlayfs fallback, each forced with ROOST_OVERLAY.
. "$(dirname "$0")/lib.sh"
require userns
plan 9

before=$(tree_sum "$ROOTFS")
out=$(ROOST_OVERLAY=kernel "$ROOST" run --rm "$ROOTFS" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3; echo x > /etc/motd; rm /bin/ls; cat /etc/motd' 2>&1)
expect "kernel overlayfs: the root is an overlay and takes writes" "$(echo $out)" "overlay x"

if ! command -v fuse-overlayfs >/dev/null; then
	for i in 2 3 4 5 6 7; do echo "ok $i # SKIP no fuse-overlayfs"; done
	exit 0
fi
if ! { exec 9<>/dev/fuse; } 2>/dev/null; then
	out=$(ROOST_OVERLAY=fuse "$ROOST" run --rm "$ROOTFS" true 2>&1); rc=$?
	expect "no access to /dev/fuse: status 125" "$rc" 125
	match "no access to /dev/fuse: one line with the fix" "$out" "^roost: /dev/fuse is not accessible .*chmod 0666 /dev/fuse"
	for i in 4 5 6 7; do echo "ok $i # SKIP /dev/fuse is not accessible here"; done
else
	exec 9>&-
	"$ROOST" run --name f "$ROOTFS" true
	out=$(ROOST_OVERLAY=fuse "$ROOST" run --rm "$ROOTFS" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3; echo y > /etc/motd; rm /bin/ls; cat /etc/motd' 2>&1)
	expect "fuse-overlayfs: the root is a fuse mount and takes writes" "$(echo $out)" "fuse.fuse-overlayfs y"
	out=$(ROOST_OVERLAY=fuse "$ROOST" run --rm -u 1000 "$ROOTFS" sh -c 'echo z > /tmp/z && cat /tmp/z; id -u' 2>&1)
	expect "fuse-overlayfs: a non-root user writes too" "$(echo $out)" "z 1000"
	out=$(ROOST_OVERLAY=auto "$ROOST" run --rm "$ROOTFS" true 2>&1)
	expect "auto: the kernel's overlay, no note" "$out" ""
	"$ROOST" rm f >/dev/null
	out=$(ROOST_OVERLAY=fuse "$ROOST" run --rm "$ROOTFS" sh -c 'exit 5' 2>&1); rc=$?
	expect "fuse-overlayfs: exit status passes" "$rc" 5
	expect "fuse-overlayfs: no process left behind" "$(pgrep -u "$(id -u)" -c fuse-overlayfs)" 0
	expect "fuse-overlayfs: no mount left behind" "$(grep -c fuse /proc/self/mountinfo)" 0
fi
expect "neither touched ROOTFS" "$(tree_sum "$ROOTFS")" "$before"
out=$(ROOST_OVERLAY=sideways "$ROOST" run --rm "$ROOTFS" true 2>&1)
expect "a bad ROOST_OVERLAY is named" "$out" "roost: ROOST_OVERLAY=sideways: want auto, kernel or fuse"
done_testing
