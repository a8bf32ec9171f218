#!/bin/bash
# Exit statuses and signals.
. "$(dirname "$0")/lib.sh"
require userns
plan 16

"$ROOST" run --rm "$ROOTFS" true; expect "exit 0" $? 0
"$ROOST" run --rm "$ROOTFS" sh -c 'exit 7'; expect "the command's own status" $? 7
out=$("$ROOST" run --rm "$ROOTFS" no-such-cmd 2>&1); rc=$?
expect "command not found: 127" "$rc" 127
match "command not found: the name is in the message" "$out" "no-such-cmd: command not found"
out=$("$ROOST" run --rm "$ROOTFS" /etc/motd 2>&1); rc=$?
expect "not executable: 126" "$rc" 126
"$ROOST" run --rm --init "$ROOTFS" sh -c 'kill -KILL $$'; expect "killed by SIGKILL: 137" $? 137
"$ROOST" run --rm "$ROOTFS" sh -c 'trap "" TERM; kill -SEGV $$; exit 3'; rc=$?
ok_if "pid 1 ignores a signal it does not handle (as in any pid namespace)" test "$rc" = 3

mkfifo "$T/ready"
run_until_ready() { # run_until_ready ARGS... : start roost in the background, wait for "ready"
	"$ROOST" run --rm -v "$T:/t" "$@" &
	pid=$!
	await "$T/ready" >/dev/null
}
for sig in TERM INT HUP QUIT USR1 USR2; do
	run_until_ready "$ROOTFS" sh -c "trap 'exit 42' $sig; echo ready > /t/ready; i=0; while [ \$i -lt 300 ]; do sleep 0.1; i=\$((i+1)); done; exit 1"
	kill -s "$sig" "$pid"
	wait "$pid"
	expect "SIG$sig reaches the container" $? 42
done
run_until_ready --init "$ROOTFS" sh -c 'echo ready > /t/ready; exec sleep 30'
kill -TERM "$pid"
wait "$pid"
expect "--init forwards SIGTERM; the command dies of it: 143" $? 143

run_until_ready --init "$ROOTFS" sh -c 'echo ready > /t/ready; sleep 30'
kids=$(pgrep -P "$pid" | tr '\n' ' ')
all=$(for k in $kids; do echo "$k"; pgrep -P "$k"; done | tr '\n' ' ')
kill -KILL "$pid"
wait "$pid" 2>/dev/null
gone=yes
for p in $all; do timeout 10 tail --pid="$p" -f /dev/null || gone="no: $p"; done
expect "if roost is killed, the container dies with it" "$gone" yes
ok_if "(and it had processes to kill)" test -n "$all"
done_testing
