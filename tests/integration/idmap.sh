#!/bin/bash
# The user namespace: id maps from /etc/subuid and /etc/subgid, file ownership on the host.
. "$(dirname "$0")/lib.sh"
require userns newuidmap subid
plan 10

uid=$(id -u)
gid=$(id -g)
want_u="0 $uid 1;1 $SUBUID_START $SUBUID_COUNT"
want_g="0 $gid 1;1 $SUBGID_START $SUBGID_COUNT"
# Several ranges are concatenated: compare with every range of the caller, in order.
all_u=$(awk -F: -v u="$(id -un)" -v n="$uid" 'BEGIN{i=1} ($1==u||$1==n)&&NF==3 {printf ";%d %d %d", i, $2, $3; i+=$3}' /etc/subuid)
map() { "$ROOST" run --rm "$ROOTFS" cat "/proc/self/$1" | awk '{printf "%s%s %s %s", (NR>1?";":""), $1, $2, $3}'; }
expect "uid map: root is the caller, then every subordinate range" "$(map uid_map)" "0 $uid 1$all_u"
match "gid map: root is the caller's group, then the subordinate range" "$(map gid_map)" "^$want_g"
expect "inside, the command runs as root" "$("$ROOST" run --rm "$ROOTFS" id -u):$("$ROOST" run --rm "$ROOTFS" id -g)" "0:0"

mkdir "$T/vol"
"$ROOST" run --rm -v "$T/vol:/vol" "$ROOTFS" sh -c 'touch /vol/by-root; mkdir /vol/d; chown 1000:50 /vol/d; chmod 777 /vol/d'
expect "a file written as container root belongs to the caller on the host" \
	"$(stat -c '%u:%g' "$T/vol/by-root")" "$uid:$gid"
expect "a chown to 1000:50 inside is the matching subordinate id on the host" \
	"$(stat -c '%u:%g' "$T/vol/d")" "$((SUBUID_START + 999)):$((SUBGID_START + 49))"

"$ROOST" run --name owner -u 1000 "$ROOTFS" sh -c 'echo x > /tmp/by-1000'
f="$XDG_DATA_HOME/roost/containers/owner/upper/tmp/by-1000"
expect "a file written as container uid 1000 belongs to subordinate id start+999" \
	"$(stat -c %u "$f" 2>&1)" "$((SUBUID_START + 999))"
"$ROOST" rm owner >/dev/null
expect "roost rm removes a layer holding subordinate-owned files" \
	"$(ls "$XDG_DATA_HOME/roost/containers")" ""

out=$("$ROOST" run --rm --userns=keep-id "$ROOTFS" sh -c 'id -u; id -g; cat /proc/self/uid_map' | tr -s ' \n' ' ')
match "keep-id: the command runs as the caller's uid and gid" "$out" "^$uid $gid "
match "keep-id: the caller's id maps to itself" "$out" " $uid $uid 1 "
"$ROOST" run --rm --userns=keep-id -v "$T/vol:/vol" "$ROOTFS" touch /vol/by-me
expect "keep-id: files in a bound directory belong to the caller" "$(stat -c %u "$T/vol/by-me")" "$uid"
done_testing
