#!/bin/bash
# The single-id fallback (a user without subordinate ids), a newuidmap that refuses, and
# the fuse-overlayfs fallback reached for real: a store on a filesystem overlayfs refuses.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
plan 15
test_user=${ROOST_TEST_USER:-roosttest}
nouser=roostnoid
id "$nouser" >/dev/null 2>&1 || useradd -M -s /bin/sh "$nouser"
sed -i "/^$nouser:/d" /etc/subuid /etc/subgid
uid=$(id -u "$nouser")
chown -R "$nouser:" "$ROOTFS" # a user's own rootfs, as it would be (root's is warned about)

out=$(as_user "$nouser" "$ROOST" run --rm "$ROOTFS" sh -c 'cat /proc/self/uid_map; cat /proc/self/setgroups; chown 1000 /tmp 2>/dev/null && echo chowned || echo refused' 2>&1)
rc=$?
expect "no subordinate ids: the container still runs" "$rc" 0
match "no subordinate ids: a single-id map, root is the caller" "$out" "^ +0 +$uid +1$"
expect "exactly one warning" "$(printf '%s\n' "$out" | grep -c '^roost: warning:')" 1
match "the warning says what is lost and the exact line to add" "$out" \
	"warning: no subordinate ids for '$nouser' in /etc/subuid: running with a single-id map.*add the line '$nouser:[0-9]+:65536' to /etc/subuid and /etc/subgid"
match "setgroups is denied before the gid map" "$out" "^deny$"
match "ids outside the map cannot be used" "$out" "^refused$"
out=$(as_user "$nouser" "$ROOST" run --rm --userns=keep-id "$ROOTFS" id -u 2>/dev/null)
expect "keep-id with a single-id map: the caller's own uid" "$out" "$uid"

# A newuidmap without its setuid bit refuses every map: one line with the cause.
chown -R "$test_user:" "$ROOTFS"
cp /usr/bin/newuidmap "$T/newuidmap"
mkdir -p "$T/u-t" && chown "$test_user:" "$T/u-t"
chmod 0755 "$T/newuidmap"
out=$(unshare -m sh -c 'mount --bind "$1" /usr/bin/newuidmap && shift && exec "$@"' sh "$T/newuidmap" \
	runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" \
	"$ROOST" run --rm "$ROOTFS" true 2>&1)
rc=$?
expect "newuidmap refusing the map: status 125" "$rc" 125
match "newuidmap refusing the map: one line naming it and the fix" "$out" \
	"^roost: /usr/bin/newuidmap refused the id map \(.*\); it is not setuid root"

# A store on overlayfs (as in a container, or a live system): the kernel refuses it as the
# upper dir (its log says "not supported as upperdir"), and roost falls back to fuse-overlayfs.
store="$T/u-$test_user/data"
mkdir -p "$T/ovl/l" "$T/ovl/u" "$T/ovl/w" "$store"
mount -t overlay overlay -o "lowerdir=$T/ovl/l,upperdir=$T/ovl/u,workdir=$T/ovl/w" "$store"
trap 'umount -l "$store" 2>/dev/null; _cleanup' EXIT
chown "$test_user:" "$store" "$T/u-$test_user"
cp "$FSPROBE" "$ROOTFS/bin/fsprobe"
cp "$SRCDIR/tests/integration/fs-ops.sh" "$ROOTFS/fs-ops.sh"
out=$(as_user "$test_user" timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" sh -c 'grep " / " /proc/self/mounts | cut -d" " -f3' 2>&1)
match "a store on overlayfs: the fallback's note names the measured cause" "$out" \
	"^roost: the store is on overlayfs, which overlayfs refuses as its upper directory \($store/roost/containers/[0-9a-f]+/upper\): using fuse-overlayfs, which is slower$"
expect "a store on overlayfs: the root is fuse-overlayfs" "$(printf '%s\n' "$out" | tail -n 1)" fuse.fuse-overlayfs
match "the note blames the store, not the kernel's version" "$(printf '%s' "$out" | grep -c 'Linux 5.11')" "^0$"
out=$(as_user "$test_user" timeout 120 "$ROOST" run --rm --network=none "$ROOTFS" sh /fs-ops.sh 2>/dev/null)
expect "the real fallback: creates, renames, deletes, chmod/chown, links, xattrs, deep paths, 2000 files" \
	"$out" "$(cat "$SRCDIR/tests/integration/fs-ops.expected")"
out=$(as_user "$test_user" env ROOST_OVERLAY=kernel timeout 60 "$ROOST" run --rm --network=none "$ROOTFS" true 2>&1)
match "ROOST_OVERLAY=kernel there: the refusal names the store" "$out" \
	"^roost: mount overlayfs on .*\(ROOST_OVERLAY=kernel\): the store is on overlayfs"
expect "no fuse-overlayfs left, no container left" \
	"$(pgrep -f "fuse-overlayfs .*$store" | wc -l) $(ls "$store/roost/containers" | wc -l)" "0 0"
done_testing
