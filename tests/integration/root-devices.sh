#!/bin/bash
# Host set-ups that stop roost: each gets one line with the cause and the fix.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
plan 8
test_user=${ROOST_TEST_USER:-roosttest}
chown -R "$test_user:" "$ROOTFS" # a user's own rootfs, as it would be (root's is warned about)
mkdir -p "$T/u-t" && chown "$test_user:" "$T/u-t"
run_as_test_user() {
	runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" "$@"
}

# /dev/fuse as some hosts ship it: 0600 root. Only the fuse fallback needs it.
mknod "$T/fuse" c 10 229
chmod 0600 "$T/fuse"
out=$(unshare -m sh -c 'mount --bind "$1" /dev/fuse && shift && exec "$@"' sh "$T/fuse" \
	runuser -u "$test_user" -- env ROOST_OVERLAY=fuse XDG_DATA_HOME="$T/u-t/data" \
	XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" run --rm "$ROOTFS" true 2>&1)
rc=$?
expect "/dev/fuse 0600 with the fuse fallback: status 125" "$rc" 125
expect "/dev/fuse 0600: one line with the fix" "$out" \
	"roost: /dev/fuse is not accessible (mode 0600) and fuse-overlayfs needs it: sudo chmod 0666 /dev/fuse (as distributions ship it)"
out=$(unshare -m sh -c 'mount --bind "$1" /dev/fuse && shift && exec "$@"' sh "$T/fuse" \
	runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" \
	"$ROOST" run --rm "$ROOTFS" true 2>&1)
expect "/dev/fuse 0600 does not stop a container that does not need it" "$?:$out" "0:"

# /dev/net/tun 0600: user-mode networking (the default) cannot start; none and host still work.
mknod "$T/tun" c 10 200
chmod 0600 "$T/tun"
out=$(unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' sh "$T/tun" \
	runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" \
	"$ROOST" run --rm "$ROOTFS" true 2>&1)
rc=$?
expect "/dev/net/tun 0600: status 125 and one line with the fix" "$rc:$out" \
	"125:roost: /dev/net/tun is not accessible (mode 0600) and user-mode networking needs it: sudo chmod 0666 /dev/net/tun (as distributions ship it), or use --network=none or --network=host"
out=$(unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' sh "$T/tun" \
	runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" \
	"$ROOST" run --rm --network=none "$ROOTFS" true 2>&1)
expect "/dev/net/tun 0600 does not stop --network=none" "$?:$out" "0:"
expect "nothing is left of the failed container" "$(ls -A "$T/u-t/data/roost/containers" "$T/u-t/run/roost" 2>/dev/null | grep -v ':$' | grep -c .)" 0

# User namespaces switched off by the administrator (where this machine lets root say so).
old=$(cat /proc/sys/user/max_user_namespaces)
if ! (echo "$old" >/proc/sys/user/max_user_namespaces) 2>/dev/null; then
	echo "ok 7 # SKIP user.max_user_namespaces cannot be changed here"
	echo "ok 8 # SKIP user.max_user_namespaces cannot be changed here"
	exit 0
fi
trap 'echo "$old" > /proc/sys/user/max_user_namespaces; _cleanup' EXIT
echo 0 >/proc/sys/user/max_user_namespaces
out=$(run_as_test_user "$ROOST" run --rm "$ROOTFS" true 2>&1)
rc=$?
echo "$old" >/proc/sys/user/max_user_namespaces
expect "user namespaces disabled: status 125" "$rc" 125
expect "user namespaces disabled: one line with the sysctl that fixes it" "$out" \
	"roost: user namespaces are disabled (user.max_user_namespaces=0): sudo sysctl -w user.max_user_namespaces=28633 (and add it to /etc/sysctl.d/ to keep it)"
done_testing
