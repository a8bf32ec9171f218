# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared set-up for integration tests (TAP on stdout)
#
# Every test file sources this. It gives:
#   plan N, expect DESC GOT WANT, ok_if DESC CMD..., match DESC GOT REGEX, skip_all WHY
#   require userns|newuidmap|fuse|subid|script
#   $ROOST, $ROOTFS (a busybox rootfs built here, with probe and sysprobe), $T (scratch
#   dir, removed at exit)
#   $SUBUID_START/$SUBUID_COUNT (the caller's first range), $SUBGID_*
# Tests never run roost as root: contrib/test.sh creates an unprivileged user
# and runs the suite as that user. Each file has its own XDG_DATA_HOME and
# XDG_RUNTIME_DIR under $T, so what a run leaves behind can be checked.

set -u
: "${ROOST:?ROOST must name the roost binary}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
_n=0
_failed=0

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

_result() { # _result OK DESC
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

expect() { # expect DESC GOT WANT
	if [ "$2" = "$3" ]; then
		_result 0 "$1"
	else
		_result 1 "$1"
		printf '#   got: %s\n#  want: %s\n' "$2" "$3" | sed '3,$s/^/#        /'
	fi
}

match() { # match DESC GOT EXTENDED-REGEX
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		_result 0 "$1"
	else
		_result 1 "$1"
		printf '#   got: %s\n#  want: /%s/\n' "$2" "$3"
		[ -s "$T/last.err" ] && sed 's/^/#  stderr: /' "$T/last.err"
	fi
	rm -f "$T/last.err"
}

ok_if() { # ok_if DESC CMD...
	_d=$1
	shift
	if "$@"; then _result 0 "$_d"; else _result 1 "$_d"; fi
}

# Root only makes set-ups (root-*.sh, ROOST_ROOT_TEST=1); roost itself runs as users (as_user).
if [ "$(id -u)" = 0 ] && [ -z "${ROOST_ROOT_TEST:-}" ]; then
	skip_all "running as root: roost's tests run as an unprivileged user (use contrib/test.sh)"
fi
if [ "$(id -u)" != 0 ] && [ -n "${ROOST_ROOT_TEST:-}" ]; then
	skip_all "this test makes its set-up as root (contrib/test.sh runs it so)"
fi

_range() { # _range FILE -> "start count" of the caller's first range
	awk -F: -v u="$(id -un)" -v n="$(id -u)" '($1 == u || $1 == n) && NF == 3 { print $2, $3; exit }' "$1" 2>/dev/null
}
set -- $(_range /etc/subuid) ""
SUBUID_START=${1:-}
SUBUID_COUNT=${2:-}
set -- $(_range /etc/subgid) ""
SUBGID_START=${1:-}
SUBGID_COUNT=${2:-}
set --

require() {
	for _r in "$@"; do
		case $_r in
		userns)
			unshare -U true 2>/dev/null || skip_all "no unprivileged user namespaces here" ;;
		newuidmap)
			command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
				skip_all "no newuidmap/newgidmap (package uidmap)" ;;
		subid)
			[ -n "$SUBUID_START" ] && [ -n "$SUBGID_START" ] ||
				skip_all "no subordinate ids for $(id -un)" ;;
		fuse)
			command -v fuse-overlayfs >/dev/null || skip_all "no fuse-overlayfs" ;;
		script)
			command -v script >/dev/null || skip_all "no script(1) (package bsdutils)" ;;
		tun)
			[ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
				skip_all "/dev/net/tun is not usable here (contrib/test.sh makes it 0666)" ;;
		probe)
			[ -x "${PROBE:-}" ] || skip_all "no probe binary (PROBE)" ;;
		sysprobe)
			[ -x "${SYSPROBE:-}" ] || skip_all "no sysprobe binary (SYSPROBE)" ;;
		esac
	done
}

T=$(mktemp -d "${ROOST_TEST_TMP:-/var/tmp}/roost-test.XXXXXX") || exit 1
chmod 755 "$T"
export XDG_DATA_HOME="$T/data" XDG_RUNTIME_DIR="$T/run" XDG_CACHE_HOME="$T/cache"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

_cleanup() {
	# Containers a failed test left behind hold files of subordinate ids: roost removes them.
	if [ -d "$XDG_DATA_HOME/roost/containers" ]; then
		for _c in "$XDG_DATA_HOME"/roost/containers/*; do
			[ -e "$_c" ] && "$ROOST" rm -f "${_c##*/}" >/dev/null 2>&1
		done
	fi
	rm -rf "$T" 2>/dev/null
}
trap _cleanup EXIT
trap 'exit 129' HUP INT TERM

# A root filesystem holding busybox (static) and nothing else.
make_rootfs() { # make_rootfs DIR
	mkdir -p "$1/bin" "$1/etc" "$1/tmp" "$1/root" "$1/home/user" "$1/var"
	chmod 1777 "$1/tmp"
	cp "${BUSYBOX:-/bin/busybox}" "$1/bin/busybox"
	for _a in $("$1/bin/busybox" --list); do
		[ -e "$1/bin/$_a" ] || ln -s busybox "$1/bin/$_a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$1/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\nuser:x:1000:\nstaff:x:50:\nnogroup:x:65534:\n' >"$1/etc/group"
	echo "hello from the image" >"$1/etc/motd"
	# Names come from /etc/hosts only: without this file glibc asks DNS first, and the
	# container's DNS is the host's resolver, which is beyond this machine.
	echo "hosts: files" >"$1/etc/nsswitch.conf"
	[ -n "${PROBE:-}" ] && cp "$PROBE" "$1/bin/probe"
	[ -n "${SYSPROBE:-}" ] && cp "$SYSPROBE" "$1/bin/sysprobe"
	[ -n "${ESCAPE:-}" ] && cp "$ESCAPE" "$1/bin/escape"
	[ -n "${NETPROBE:-}" ] && cp "$NETPROBE" "$1/bin/netprobe"
	return 0
}
[ -x "${BUSYBOX:-/bin/busybox}" ] || skip_all "no /bin/busybox (package busybox-static)"
ROOTFS="$T/rootfs"
make_rootfs "$ROOTFS"

# Checksum of a tree: names, modes, sizes and contents.
tree_sum() {
	(cd "$1" && find . -printf '%p %m %s %l\n' | sort && find . -type f -exec cat {} + ) | md5sum | cut -d' ' -f1
}

# Start the test's echo server (TCP and UDP) on ADDR PORT; sets $echo_pid.
start_echo() { # start_echo ADDR PORT [PREFIX...] (PREFIX: e.g. ip netns exec NS)
	_a=$1 _p=$2
	shift 2
	rm -f "$T/echo-ready"
	"$@" python3 "$SRCDIR/tests/payload/echo-server.py" "$_a" "$_p" "$T/echo-ready" &
	echo_pid=$!
	_i=0
	while [ ! -s "$T/echo-ready" ] && [ "$_i" -lt 100 ]; do
		_i=$((_i + 1))
		timeout 0.1 tail --pid="$echo_pid" -f /dev/null 2>/dev/null
	done
}

# A free TCP and UDP port on loopback.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Block until a container writes a line to FIFO; bounded in time, no polling.
await() { # await FIFO
	timeout 20 head -n 1 "$1"
}

# Run a command as USER, with its own store under $T (root tests only).
as_user() { # as_user USER CMD...
	_u=$1
	shift
	mkdir -p "$T/u-$_u"
	chown "$_u:" "$T/u-$_u"
	runuser -u "$_u" -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$T/u-$_u" \
		XDG_DATA_HOME="$T/u-$_u/data" XDG_RUNTIME_DIR="$T/u-$_u/run" "$@"
}

done_testing() {
	[ "$_failed" = 0 ]
	exit $?
}
