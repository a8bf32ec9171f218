#!/bin/bash
# Environment, user and working directory.
. "$(dirname "$0")/lib.sh"
require userns
plan 10

out=$("$ROOST" run --rm --name envc "$ROOTFS" env)
match "PATH is set" "$out" "^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$"
match "HOME is root's" "$out" "^HOME=/root$"
match "HOSTNAME is the container's" "$out" "^HOSTNAME=envc$"
match "container=roost" "$out" "^container=roost$"
printf '# settings\nA=from-file\nB=two words\n\nC=file\n' > "$T/env"
out=$(HOSTVAR=hv "$ROOST" run --rm --env-file "$T/env" -e C=cli -e HOSTVAR "$ROOTFS" sh -c 'echo "$A|$B|$C|$HOSTVAR"')
expect "--env-file and -e (later wins, bare KEY copies ours)" "$out" "from-file|two words|cli|hv"
expect "roost's own environment does not leak in" "$(SECRET=x "$ROOST" run --rm "$ROOTFS" sh -c 'echo "${SECRET:-unset}"')" unset
expect "-u NAME uses the container's passwd" "$("$ROOST" run --rm -u user "$ROOTFS" sh -c 'echo $(id -u):$(id -g):$HOME')" "1000:1000:/home/user"
expect "-u UID:GID" "$("$ROOST" run --rm -u 1234:50 "$ROOTFS" sh -c 'echo $(id -u):$(id -g)')" "1234:50"
expect "-u user:staff names a group" "$("$ROOST" run --rm -u user:staff "$ROOTFS" id -g)" 50
expect "-w sets the working directory" "$("$ROOST" run --rm -w /etc "$ROOTFS" pwd)" /etc
done_testing
