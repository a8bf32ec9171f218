#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/setup.sh - from a fresh Debian 12 to a running container.
# Installs what is missing (as root), builds roost, and runs a one-line demo
# on the embedded default (the host system, read-only): who you are inside
# and the id map. Run as your own user after the install, or it runs the
# demo as $ROOST_DEMO_USER (default: the user who ran sudo, else root). The
# README types it as $([ "$(id -u)" = 0 ] || echo sudo) contrib/setup.sh: with
# sudo for a user, without for root, whose fresh machine may have no sudo.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" = 0 ]; then
	contrib/deps.sh
	# User-mode networking needs /dev/net/tun (fuse-overlayfs /dev/fuse): 0666, as
	# distributions ship them; some images of Debian leave them 0600.
	for d in /dev/net/tun /dev/fuse; do
		if [ -c "$d" ] && [ "$(stat -c %a "$d")" != 666 ]; then
			chmod 0666 "$d" && echo "roost: made $d 0666, as distributions ship it"
		fi
	done
fi
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
echo "roost: built $top/build/roost"

demo='echo "inside: $(id)"; echo "uid map:"; cat /proc/self/uid_map'
if [ "$(id -u)" = 0 ]; then
	user=${ROOST_DEMO_USER:-${SUDO_USER:-}}
	if [ -z "$user" ] || [ "$user" = root ]; then
		# Root without sudo (a fresh machine): the demo as root; a user of one's own is better.
		echo "roost: running the demo as root; as your own user: build/roost run -- sh -c '$demo'"
		exec "$top/build/roost" run --rm -- sh -c "$demo"
	fi
	exec runuser -u "$user" -- "$top/build/roost" run --rm -- sh -c "$demo"
fi
exec "$top/build/roost" run --rm -- sh -c "$demo"
