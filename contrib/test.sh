#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/test.sh - install, build and run the whole test suite; prints "N passed, N failed, N skipped".
#
# As root (as CI runs it): installs the packages, makes (or reuses) the
# unprivileged user $ROOST_TEST_USER (default roosttest) with subordinate id
# ranges, opens /dev/fuse and /dev/net/tun to 0666 as distributions ship
# them, copies the tree to that user's home and runs the unit, integration
# and fuzz (the corpus replayed) suites there as that user; then runs the few
# tests that need root for their set-up (they drop to unprivileged users for
# every roost run). As a normal user: builds and runs the same three suites.
# The count: skips apart from passes, each skip's and failure's reason listed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
user=${ROOST_TEST_USER:-roosttest}

count() { # count BUILDDIR LOGBASE... -> skips and failures, then "passed failed skipped"
	python3 - "$@" <<'PY'
import json, re, sys
build, bases = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
notes = []
for base in bases:
    try:
        lines = open(f"{build}/meson-logs/{base}.json").read().splitlines()
    except OSError:  # the build or meson itself failed: nothing ran, which is no pass
        notes.append(f"failed: {base}: no test log (did the build fail?)")
        failed += 1
        continue
    for line in lines:
        t = json.loads(line)
        name = t.get("name", "?").split(" / ")[-1]
        result = t.get("result")
        out = t.get("stdout") or ""
        whole = re.search(r"^1\.\.0\b.*?#\s*SKIP\b:?\s*(.*)$", out, re.M | re.I)
        if whole:  # the file skips whole: one skip, with its reason
            skipped += 1
            notes.append(f"skipped: {name}: {whole.group(1).strip() or 'no reason given'}")
            continue
        n_not_ok = 0
        for status, num, desc in re.findall(r"^(not ok|ok)\b\s*(\d*)\s*-?\s*(.*)$", out, re.M):
            d = re.split(r"\s#\s*", " " + desc, maxsplit=1)
            text, directive = d[0].strip(), (d[1] if len(d) > 1 else "")
            label = f"{name} #{num}" + (f" {text}" if text else "")
            if re.match(r"SKIP\b", directive, re.I):
                skipped += 1
                why = re.sub(r"^SKIP\b:?\s*", "", directive, flags=re.I).strip()
                notes.append(f"skipped: {label}: {why or 'no reason given'}")
            elif status == "ok" or re.match(r"TODO\b", directive, re.I):
                passed += 1
            else:
                failed += 1
                n_not_ok += 1
                notes.append(f"failed: {label}")
        # A file that crashed, timed out, ran fewer tests than planned or
        # exited non-zero fails once more, even if every line it printed was ok.
        if result in ("TIMEOUT", "ERROR", "UNEXPECTEDPASS") or (
                result not in ("OK", "SKIP", "EXPECTEDFAIL") and n_not_ok == 0):
            failed += 1
            notes.append(f"failed: {name}: {result} (exit status {t.get('returncode')})")
for n in notes:
    print(n)
print(passed, failed, skipped)
PY
}

summary() { # summary BUILDDIR LOGBASE... -> the notes, then "N passed, N failed, N skipped"
	_out=$(count "$@")
	printf '%s\n' "$_out" | sed '$d'
	set -- $(printf '%s\n' "$_out" | tail -n 1)
	echo "$1 passed, $2 failed, $3 skipped"
	[ "$2" = 0 ]
}

run_suites() { # in a tree the current user owns
	cd "$1"
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
	meson test -C build --suite unit --suite integration --suite fuzz --print-errorlogs --logbase user || true
}

if [ "${1:-}" = --suites ]; then # the unprivileged half of a root run
	run_suites "$top"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	"$top/contrib/deps.sh" test
	run_suites "$top"
	r=0
	summary "$top/build" user || r=1
	echo "(the root-only tests need root: $0 as root)"
	exit $r
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

summary "$work/build" user root
