#!/bin/bash
# --rm, names, ps, rm: nothing is left behind that was not asked for.
. "$(dirname "$0")/lib.sh"
require userns
plan 12

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
done_testing
