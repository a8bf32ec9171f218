#!/bin/bash
# Escapes that need a host file or process of another owner: container root (the caller,
# an unprivileged user) cannot write root's files bound into the container, read root's
# secrets, or signal or trace root's processes, not even with --privileged.
ROOST_ROOT_TEST=1
. "$(dirname "$0")/lib.sh"
require userns sysprobe
plan 9
test_user=${ROOST_TEST_USER:-roosttest}
mkdir -p "$T/u-t" && chown "$test_user:" "$T/u-t"
run_as_test_user() {
	runuser -u "$test_user" -- env HOME="$T/u-t" XDG_CACHE_HOME="$T/u-t/cache" \
		XDG_DATA_HOME="$T/u-t/data" XDG_RUNTIME_DIR="$T/u-t/run" "$@"
}

echo "root's" >"$T/hostfile"
chmod 0644 "$T/hostfile"
echo "secret" >"$T/secret"
chmod 0600 "$T/secret"
for mode in "" --privileged; do
	run_as_test_user "$ROOST" run --rm $mode -v "$T/hostfile:/h" -v "$T/secret:/s" "$ROOTFS" \
		sh -c 'echo evil > /h; echo evil >> /h; rm -f /h; cat /s' >"$T/out" 2>&1
	expect "root's file bound read-write stays root's ${mode:-(default)}" "$(cat "$T/hostfile")" "root's"
	expect "root's 0600 file stays unread ${mode:-(default)}" "$(grep -c secret "$T/out")" 0
done

# pid 1 of the host (root's) with the host's pid namespace shared.
out=$(run_as_test_user "$ROOST" run --rm --pid=host "$ROOTFS" sysprobe kill 1)
expect "--pid=host: cannot signal root's process" "$out" EPERM
out=$(run_as_test_user "$ROOST" run --rm --pid=host --privileged "$ROOTFS" sysprobe kill 1)
expect "--pid=host --privileged: nor then" "$out" EPERM
out=$(run_as_test_user "$ROOST" run --rm --pid=host --privileged "$ROOTFS" sysprobe ptrace 1)
expect "--pid=host --privileged: cannot ptrace root's process" "$out" EPERM
out=$(run_as_test_user "$ROOST" run --rm --pid=host --privileged "$ROOTFS" sh -c 'cat /proc/1/environ >/dev/null 2>&1 && echo read')
expect "--pid=host --privileged: cannot read root's process memory or environment" "$out" ""
out=$(run_as_test_user "$ROOST" run --rm --privileged "$ROOTFS" sh -c 'echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo wrote')
expect "--privileged: cannot write the host's kernel sysctls" "$out" ""
done_testing
