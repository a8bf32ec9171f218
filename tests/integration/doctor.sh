#!/bin/bash
# roost doctor on the real machine: one line per check, exit status 0/1/2, JSON for scripts.
. "$(dirname "$0")/lib.sh"
require userns newuidmap subid
plan 12

json() { # json PYTHON-EXPR over the document on stdin as d
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
out=$("$ROOST" doctor); rc=$?
doc=$("$ROOST" doctor --json); jrc=$?
n=$(printf '%s' "$doc" | json 'len(d["checks"])')
expect "one line per check and a summary" "$(printf '%s\n' "$out" | wc -l)" $((n + 1))
expect "the same exit status with --json" "$rc" "$jrc"
expect "the JSON's exit_status is the exit status" "$(printf '%s' "$doc" | json 'd["exit_status"]')" "$jrc"
match "exit status 0 or 1 here (roost runs containers)" "$rc" '^[01]$'
expect "every check has id, status, impact, found and meaning" \
	"$(printf '%s' "$doc" | json 'all(set(c) >= {"id","status","impact","found","meaning","fix"} for c in d["checks"])')" True
expect "every WARN and FAIL has a fix" \
	"$(printf '%s' "$doc" | json '[c["id"] for c in d["checks"] if c["status"] in ("WARN","FAIL") and not c["fix"]]')" "[]"
expect "live probes ran: user namespace and newuidmap on a throwaway child" \
	"$(printf '%s' "$doc" | json '[c["status"] for c in d["checks"] if c["id"] in ("userns","idmap")]')" "['OK', 'OK']"
match "overlay probed on the storage dir's filesystem" \
	"$(printf '%s' "$doc" | json '[c["found"] for c in d["checks"] if c["id"]=="overlay"][0]')" "$XDG_DATA_HOME/roost"
expect "the probes leave nothing in the store" "$(ls -A "$XDG_DATA_HOME/roost" | grep -c doctor)" 0

start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
if [ "$start" -gt 80 ]; then
	expect "--port 80: the sysctl set to exactly 80" \
		"$("$ROOST" doctor --json --port 80 | json '[c["fix"] for c in d["checks"] if c["id"]=="ports"][0]')" \
		"sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80"
else
	echo "ok 10 # SKIP ip_unprivileged_port_start is $start already"
	_n=10
fi
match "XDG_RUNTIME_DIR of another user (after su): WARN naming the owner" \
	"$(XDG_RUNTIME_DIR=/ "$ROOST" doctor | grep '^WARN runtime_dir')" "belongs to uid 0.*$([ -d "/run/user/$(id -u)" ] && echo "export XDG_RUNTIME_DIR=/run/user/$(id -u)" || echo "no /run/user/$(id -u) here.*mkdir -p -m 0700")"
out=$("$ROOST" doctor --bogus 2>&1); rc=$?
expect "unknown option: 125 and the usage" "$rc:$out" "125:roost: usage: roost doctor [--json] [--port N]"
done_testing
