#!/bin/bash
# --rm, names, ps, rm: nothing is left behind that was not asked for; stop signals end a
# container; --init reaps.
. "$(dirname "$0")/lib.sh"
require userns
plan 20

"$ROOST" run --rm "$ROOTFS" sh -c 'mkdir -p /srv/x; chown -R 1000 /srv; echo x > /srv/x/f; chown 1000 /srv/x/f'
expect "--rm leaves no container directory" "$(ls -A "$XDG_DATA_HOME/roost/containers")" ""
expect "--rm leaves no runtime state" "$(ls -A "$XDG_RUNTIME_DIR/roost")" ""
expect "no mount is left behind" "$(grep -c "$T" /proc/self/mountinfo)" 0
"$ROOST" run --name keep "$ROOTFS" true
match "without --rm the container stays and 'ps -a' lists it" "$("$ROOST" ps -a)" "^keep +exited"
out=$("$ROOST" run --name keep "$ROOTFS" true 2>&1); rc=$?
expect "a name in use: 125" "$rc" 125
expect "a name in use: one line with the fix" "$out" "roost: the name 'keep' is already in use by a container: remove it with 'roost rm keep' or choose another --name"
expect "roost rm removes it" "$("$ROOST" rm keep)" keep
expect "and then nothing is left" "$(ls -A "$XDG_DATA_HOME/roost/containers")" ""
out=$("$ROOST" rm keep 2>&1); rc=$?
expect "rm of an unknown name: 125 and a message" "$rc:$out" "125:roost: no container named 'keep' (see 'roost ps -a')"

mkfifo "$T/ready"
"$ROOST" run --name busy -v "$T:/t" "$ROOTFS" sh -c 'echo ready > /t/ready; exec sleep 30' &
pid=$!
await "$T/ready" >/dev/null
match "ps lists a running container with its pid" "$("$ROOST" ps)" "^busy +running +[0-9]+"
"$ROOST" rm -f busy >/dev/null
wait "$pid" 2>/dev/null
expect "rm -f stops and removes a running one" "$(ls -A "$XDG_DATA_HOME/roost/containers")" ""
expect "an option whose value is '--' takes it, and the options go on to ROOTFS" \
	"$("$ROOST" run --rm --hostname -- "$ROOTFS" hostname 2>&1)" "--"

# kill -9 of roost at 20 random moments, from set-up to the end of the --rm clean-up, with
# files of subordinate ids in the layer; one kept container is killed too.
"$ROOST" run --name kept "$ROOTFS" sleep 30 &
kept=$!
for i in $(seq 1 20); do
	timeout -s KILL "0.$((RANDOM % 4))$((RANDOM % 10))" "$ROOST" run --rm "$ROOTFS" \
		sh -c 'mkdir /srv/d; touch /srv/d/f; chown -R 1000:1000 /srv/d; sleep 0.$((RANDOM % 3))'
done 2>/dev/null
kill -9 "$kept"
wait "$kept" 2>/dev/null
# The container dies with its roost (SIGKILL from the kernel): give it a bounded moment.
for i in $(seq 1 50); do
	[ -z "$("$ROOST" ps)" ] || [ "$("$ROOST" ps | wc -l)" = 1 ] && break
	timeout 0.1 tail -f /dev/null
done
"$ROOST" run --rm "$ROOTFS" true
expect "after kill -9, the next run removes what the --rm runs left" \
	"$(ls "$XDG_DATA_HOME/roost/containers" | tr '\n' ' ')" "kept "
match "and the kept one shows in 'ps -a'" "$("$ROOST" ps -a)" "^kept +exited"
"$ROOST" rm kept >/dev/null
expect "and no runtime state is left" "$(ls -A "$XDG_RUNTIME_DIR/roost")" ""

# A pid 1 without a handler ignores SIGTERM: roost kills it after --stop-timeout.
elapsed() { # elapsed CMD... -> "STATUS SECONDS": CMD's exit status, the whole seconds it took
	_s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	echo "$? $((($(date +%s%N) - _s) / 1000000000))"
}
set -- $(elapsed timeout --preserve-status -k 20 -s TERM 2 "$ROOST" run --rm --network=none \
	--stop-timeout 1 "$ROOTFS" sleep 100)
ok_if "SIGTERM, then --stop-timeout 1: killed (137) within 3 s (status $1, $2 s)" \
	[ "$1" = 137 -a "$2" -lt 5 ]
set -- $(elapsed timeout --preserve-status -k 20 -s TERM 1 "$ROOST" run --rm --network=none \
	"$ROOTFS" sleep 100)
ok_if "the default --stop-timeout is 10 s (status $1, $2 s)" [ "$1" = 137 -a "$2" -ge 10 -a "$2" -lt 15 ]
set --

# --init reaps orphans: each subshell leaves a child that exits on its own. Wait (bounded)
# until no orphan is alive, then until no zombie is left.
cat >"$ROOTFS/orphans" <<'SH'
count() { # count live|zombie: orphans (children of pid 1 but us)
	n=0
	for f in /proc/[0-9]*/stat; do
		read -r p c s pp r <"$f" 2>/dev/null || continue
		[ "$pp" = 1 ] && [ "$p" != $$ ] || continue
		if [ "$1" = zombie ]; then [ "$s" = Z ] && n=$((n + 1)); else [ "$s" != Z ] && n=$((n + 1)); fi
	done
	echo $n
}
for i in 1 2 3 4 5; do (sh -c "usleep 10000" &); done
i=0
while [ $i -lt 100 ] && [ "$(count live)" != 0 ]; do usleep 20000; i=$((i + 1)); done
i=0
while [ $i -lt 50 ] && [ "$(count zombie)" != 0 ]; do usleep 20000; i=$((i + 1)); done
echo "live $(count live) zombie $(count zombie)"
SH
expect "--init: no zombie is left of five orphans" \
	"$("$ROOST" run --rm --network=none --init "$ROOTFS" sh /orphans)" "live 0 zombie 0"
expect "without --init a pid 1 that never waits keeps them (the check sees zombies)" \
	"$("$ROOST" run --rm --network=none "$ROOTFS" sh -c 'sh /orphans & exec sleep 3')" "live 0 zombie 5"
# A signal in the middle of the set-up (here a seccomp profile that takes ~0.4 s to compile).
python3 -c "
import json
rules = [{'names': ['getpriority'], 'action': 'SCMP_ACT_ERRNO',
          'args': [{'index': 0, 'value': i, 'op': 'SCMP_CMP_EQ'}, {'index': 1, 'value': i, 'op': 'SCMP_CMP_EQ'}]}
         for i in range(1000, 3000)]
print(json.dumps({'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': rules}))" >"$T/slow.json"
rm -rf "$XDG_DATA_HOME/roost/containers"
"$ROOST" run --rm --network=none --security-opt "seccomp=$T/slow.json" "$ROOTFS" true 2>/dev/null &
slow=$!
sleep 0.15
kill -TERM "$slow"
wait "$slow"
expect "SIGTERM during a slow seccomp compile leaves no half-made container" \
	"$(ls "$XDG_DATA_HOME/roost/containers" 2>/dev/null | wc -l)" 0

done_testing
