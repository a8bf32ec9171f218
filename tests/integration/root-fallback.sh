#!/bin/bash
# The single-id fallback (a user without subordinate ids) and a newuidmap that refuses.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
plan 9
test_user=${ROOST_TEST_USER:-roosttest}
nouser=roostnoid
id "$nouser" >/dev/null 2>&1 || useradd -M -s /bin/sh "$nouser"
sed -i "/^$nouser:/d" /etc/subuid /etc/subgid
uid=$(id -u "$nouser")

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
done_testing
