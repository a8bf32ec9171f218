#!/bin/bash
# Host set-ups that stop roost: each gets one line with the cause and the fix.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
plan 5
test_user=${ROOST_TEST_USER:-roosttest}
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

# User namespaces switched off by the administrator (where this machine lets root say so).
old=$(cat /proc/sys/user/max_user_namespaces)
if ! (echo "$old" >/proc/sys/user/max_user_namespaces) 2>/dev/null; then
	echo "ok 4 # SKIP user.max_user_namespaces cannot be changed here"
	echo "ok 5 # SKIP user.max_user_namespaces cannot be changed here"
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
