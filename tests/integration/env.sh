#!/bin/bash
# Environment, user and working directory.
. "$(dirname "$0")/lib.sh"
require userns
plan 15

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
long=n123456789012345678901234567890123456789012345678901234567890123456789
expect "a 70-character --name runs, its hostname cut to 64 as podman does" \
	"$("$ROOST" run --rm --name "$long" "$ROOTFS" hostname 2>&1)" "${long:0:64}"
expect "--env-file DIR is refused in one line" "$("$ROOST" run --rm --env-file "$T" "$ROOTFS" true 2>&1; echo "rc=$?")" \
	"roost: --env-file $T: a directory; want a file of KEY=VALUE lines
rc=125"
expect "-u 99999999999 is out of range" "$("$ROOST" run --rm -u 99999999999 "$ROOTFS" true 2>&1)" \
	"roost: -u 99999999999: uid 99999999999 is out of range (0 to 4294967294)"
# A profile that kills execve: the command never ran, and roost says so in one line.
cat >"$T/deny-exec.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["execve", "execveat"], "action": "SCMP_ACT_KILL_PROCESS"}]}
J
out=$("$ROOST" run --rm --security-opt seccomp="$T/deny-exec.json" "$ROOTFS" true 2>&1); rc=$?
expect "a profile killing execve: the container's status is the signal's" "$rc" 159
expect "a profile killing execve: one line says the command never ran" "$out" \
	"roost: the command never ran: the container died of signal 31 (Bad system call) before execve; the seccomp profile refused execve or a call made before it"
expect "-w sets the working directory" "$("$ROOST" run --rm -w /etc "$ROOTFS" pwd)" /etc
done_testing
