#!/bin/bash
# Host states set up one at a time: doctor's verdict and exit status change, and roost run
# fails or degrades with the same words. Every state is restored.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
plan 21
test_user=${ROOST_TEST_USER:-roosttest}
chown -R "$test_user:" "$ROOTFS" # a user's own rootfs, as it would be (root's is warned about)
mkdir -p "$T/u-t/run" && chown -R "$test_user:" "$T/u-t" && chmod 700 "$T/u-t/run"
as_test_user() {
	runuser -u "$test_user" -- env PATH=/usr/local/bin:/usr/bin:/bin XDG_DATA_HOME="$T/u-t/data" \
		XDG_RUNTIME_DIR="$T/u-t/run" "$@"
}
in_mount() { # in_mount NODE TARGET CMD...: CMD sees NODE at TARGET, in a private mount namespace
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$@"
}
get() { # get ID KEY, the JSON document on stdin
	python3 -c 'import json,sys; d=json.load(sys.stdin); print([c for c in d["checks"] if c["id"]==sys.argv[1]][0][sys.argv[2]])' "$1" "$2"
}
worse() { [ "$1" -gt "$2" ] && echo "$1" || echo "$2"; }

base=$(as_test_user "$ROOST" doctor --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["exit_status"])')
gid=$(id -g "$test_user")

# 1. No subordinate ids: WARN, degraded (1); roost run warns with doctor's fix.
restore_subid() {
	for f in /etc/subuid /etc/subgid; do
		grep -q "^$test_user:" "$f" || cat "$T/${f##*/}.line" >>"$f"
	done
}
for f in /etc/subuid /etc/subgid; do grep "^$test_user:" "$f" >"$T/${f##*/}.line"; done
trap 'restore_subid; _cleanup' EXIT
sed -i "/^$test_user:/d" /etc/subuid /etc/subgid
doc=$(as_test_user "$ROOST" doctor --json); rc=$?
out=$(as_test_user "$ROOST" run --rm --network=none "$ROOTFS" true 2>&1)
restore_subid
expect "no subuid line: WARN" "$(printf '%s' "$doc" | get subuid status)" WARN
expect "no subuid line: exit status 1 (degraded)" "$rc" "$(worse 1 "$base")"
expect "no subuid line: roost run warns with doctor's fix" "$out" \
	"roost: warning: $(printf '%s' "$doc" | get subuid fix)"
doc=$(as_test_user "$ROOST" doctor --json); rc=$?
expect "subuid line restored: OK and the exit status as before" "$(printf '%s' "$doc" | get subuid status):$rc" "OK:$base"

# 2. /dev/net/tun 0600: WARN, degraded; roost run fails with doctor's fix.
mknod "$T/tun" c 10 200 && chmod 0600 "$T/tun"
doc=$(in_mount "$T/tun" /dev/net/tun runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" \
	XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" doctor --json); rc=$?
out=$(in_mount "$T/tun" /dev/net/tun runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" \
	XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" run --rm "$ROOTFS" true 2>&1); rrc=$?
expect "/dev/net/tun 0600: WARN" "$(printf '%s' "$doc" | get tun status)" WARN
expect "/dev/net/tun 0600: exit status 1" "$rc" "$(worse 1 "$base")"
expect "/dev/net/tun 0600: roost run fails (125) with doctor's fix" "$rrc:$out" \
	"125:roost: $(printf '%s' "$doc" | get tun fix)"

# 3. /dev/fuse 0600: WARN, but nothing degrades while the kernel's overlay works.
mknod "$T/fuse" c 10 229 && chmod 0600 "$T/fuse"
doc=$(in_mount "$T/fuse" /dev/fuse runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" \
	XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" doctor --json); rc=$?
out=$(in_mount "$T/fuse" /dev/fuse runuser -u "$test_user" -- env ROOST_OVERLAY=fuse \
	XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" run --rm "$ROOTFS" true 2>&1)
expect "/dev/fuse 0600: WARN, exit status unchanged" "$(printf '%s' "$doc" | get fuse status):$rc" "WARN:$base"
expect "/dev/fuse 0600: roost run's fuse fallback fails with doctor's fix" "$out" \
	"roost: $(printf '%s' "$doc" | get fuse fix)"

# 4. ping_group_range leaving the user out, then covering it.
old_ping=$(cat /proc/sys/net/ipv4/ping_group_range)
old_port=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
trap 'restore_subid; echo "$old_ping" >/proc/sys/net/ipv4/ping_group_range; echo "$old_port" >/proc/sys/net/ipv4/ip_unprivileged_port_start; _cleanup' EXIT
echo "1 0" >/proc/sys/net/ipv4/ping_group_range
doc=$(as_test_user "$ROOST" doctor --json)
expect "ping_group_range '1 0': WARN" "$(printf '%s' "$doc" | get ping status)" WARN
match "ping_group_range '1 0': the sysctl for exactly the user's group" \
	"$(printf '%s' "$doc" | get ping fix)" "sudo sysctl -w net.ipv4.ping_group_range='$gid $gid'"
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
doc=$(as_test_user "$ROOST" doctor --json)
expect "ping_group_range covering the group: OK (an ICMP socket opened)" "$(printf '%s' "$doc" | get ping status)" OK
echo "$old_ping" >/proc/sys/net/ipv4/ping_group_range

# 5. ip_unprivileged_port_start: port 80 asked for.
echo 1024 >/proc/sys/net/ipv4/ip_unprivileged_port_start
doc=$(as_test_user "$ROOST" doctor --json --port 80); rc=$?
out=$(as_test_user "$ROOST" run --rm --network=slirp -p 80:80 "$ROOTFS" true 2>&1); rrc=$?
expect "port 80 below 1024: WARN, exit status 1" "$(printf '%s' "$doc" | get ports status):$rc" "WARN:$(worse 1 "$base")"
expect "port 80: the fix is exactly 80" "$(printf '%s' "$doc" | get ports fix)" \
	"sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80"
match "port 80: roost run fails (125) naming the same command" "$rrc:$out" \
	"^125:roost: .*\(sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80\)"
echo 80 >/proc/sys/net/ipv4/ip_unprivileged_port_start
doc=$(as_test_user "$ROOST" doctor --json --port 80)
expect "ip_unprivileged_port_start=80: port 80 OK" "$(printf '%s' "$doc" | get ports status)" OK
echo "$old_port" >/proc/sys/net/ipv4/ip_unprivileged_port_start

# 6. user.max_user_namespaces=0 in a user namespace of this test's own (identity-mapped):
#    FAIL, exit 2, and roost run fails with doctor's fix. The host's sysctl is not touched.
in_limited_userns() { # CMD... run as the test user where max_user_namespaces=0
	rm -f "$T/go"
	mkfifo "$T/go"
	unshare -U sh -c 'read x <"$1"; shift; exec sh -c "echo 0 >/proc/sys/user/max_user_namespaces && exec \"\$@\"" sh "$@"' \
		sh "$T/go" runuser -u "$test_user" -- env XDG_DATA_HOME="$T/u-t/data" \
		XDG_RUNTIME_DIR="$T/u-t/run" "$@" &
	_p=$!
	_me=$(readlink /proc/self/ns/user)
	_i=0
	while [ "$(readlink /proc/$_p/ns/user)" = "$_me" ] && [ $_i -lt 100000 ]; do _i=$((_i + 1)); done
	echo "0 0 4294967295" >/proc/$_p/uid_map
	echo "0 0 4294967295" >/proc/$_p/gid_map
	echo >"$T/go"
	wait $_p
}
doc=$(in_limited_userns "$ROOST" doctor --json); rc=$?
out=$(in_limited_userns "$ROOST" run --rm "$ROOTFS" true 2>&1); rrc=$?
expect "max_user_namespaces=0: FAIL" "$(printf '%s' "$doc" | get max_user_namespaces status)" FAIL
expect "max_user_namespaces=0: exit status 2" "$rc" 2
expect "max_user_namespaces=0: roost run fails (125) with doctor's fix" "$rrc:$out" \
	"125:roost: $(printf '%s' "$doc" | get max_user_namespaces fix)"

# 7. newuidmap without its setuid bit: FAIL, exit 2, roost run's refusal is doctor's idmap fix.
cp /usr/bin/newuidmap "$T/newuidmap" && chmod 0755 "$T/newuidmap"
doc=$(in_mount "$T/newuidmap" /usr/bin/newuidmap runuser -u "$test_user" -- env \
	XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" doctor --json); rc=$?
out=$(in_mount "$T/newuidmap" /usr/bin/newuidmap runuser -u "$test_user" -- env \
	XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" "$ROOST" run --rm "$ROOTFS" true 2>&1)
expect "newuidmap not setuid: FAIL, exit status 2" "$(printf '%s' "$doc" | get newuidmap status):$rc" "FAIL:2"
expect "newuidmap not setuid: roost run fails with doctor's idmap fix" "$out" \
	"roost: $(printf '%s' "$doc" | get idmap fix)"
done_testing
