#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/test.sh - install, build and run the whole test suite; prints "N passed, N failed".
#
# As root (as CI runs it): installs the packages, makes (or reuses) the
# unprivileged user $ROOST_TEST_USER (default roosttest) with subordinate id
# ranges, opens /dev/fuse and /dev/net/tun to 0666 as distributions ship
# them, copies the tree to that user's home and runs the unit and
# integration suites there as that user; then runs the few tests that need
# root for their set-up (they drop to unprivileged users for every roost run).
# As a normal user: builds and runs the unit and integration suites.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
user=${ROOST_TEST_USER:-roosttest}

count() { # count BUILDDIR LOGBASE... -> "passed failed" over every TAP line
	python3 - "$@" <<'PY'
import json, re, sys
build, bases = sys.argv[1], sys.argv[2:]
passed = failed = 0
for base in bases:
    try:
        lines = open(f"{build}/meson-logs/{base}.json").read().splitlines()
    except OSError:
        continue
    for line in lines:
        t = json.loads(line)
        out = t.get("stdout") or ""
        oks = re.findall(r"^(not ok|ok)\b(.*)$", out, re.M)
        if not oks:  # a test that crashed before its plan
            if t.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
                failed += 1
            continue
        for status, rest in oks:
            if status == "ok" or "# TODO" in rest:
                passed += 1
            else:
                failed += 1
        if t.get("result") in ("TIMEOUT", "ERROR"):
            failed += 1
print(passed, failed)
PY
}

run_suites() { # in a tree the current user owns
	cd "$1"
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	meson test -C build --suite unit --suite integration --print-errorlogs --logbase user || true
}

if [ "${1:-}" = --suites ]; then # the unprivileged half of a root run
	run_suites "$top"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	"$top/contrib/deps.sh" test
	run_suites "$top"
	set -- $(count "$top/build" user)
	echo "$1 passed, $2 failed (the root-only tests need: sudo $0)"
	[ "$2" = 0 ]
	exit
fi

"$top/contrib/deps.sh" test

# The test user, with 65536 subordinate ids that overlap nobody's.
if ! id "$user" >/dev/null 2>&1; then
	useradd -m -s /bin/sh "$user"
fi
for f in /etc/subuid /etc/subgid; do
	touch "$f"
	if ! grep -q "^$user:" "$f"; then
		start=$(awk -F: 'BEGIN{m=100000} NF==3 && $2+$3>m {m=$2+$3} END{print int((m+65535)/65536)*65536}' "$f")
		echo "$user:$start:65536" >>"$f"
	fi
done
# What a distribution does (udev's 0666), so unprivileged users can use them.
for d in /dev/fuse /dev/net/tun; do
	[ -c "$d" ] && chmod 0666 "$d"
done

home=$(getent passwd "$user" | cut -d: -f6)
work=${ROOST_CI_DIR:-$home/roost-ci} # where the user's copy is built and run
rm -rf "$work"
mkdir -p "$work"
(cd "$top" && tar --exclude=./build --exclude=./.git -cf - .) | (cd "$work" && tar -xf -)
chown -R "$user:" "$work"
chmod 755 "$home"

runuser -u "$user" -- env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
	sh "$work/contrib/test.sh" --suites || true
ROOST_TEST_USER=$user meson test -C "$work/build" --suite root --print-errorlogs --logbase root || true

set -- $(count "$work/build" user root)
echo "$1 passed, $2 failed"
[ "$2" = 0 ]
