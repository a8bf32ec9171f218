#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/build.sh - the fuzz entry points under libFuzzer (clang, ASan, UBSan)
#   tests/fuzz/build.sh                  build every target into build-fuzz/
#   tests/fuzz/build.sh run [SECONDS]    build, then fuzz each target for SECONDS (60)
#   tests/fuzz/build.sh run SECONDS NAME...   only these targets
# New inputs go to build-fuzz/corpus/NAME/ (the committed seeds in corpus/NAME/ are
# read, never written); crashes to build-fuzz/crash-NAME-*. Needs clang and
# libclang-rt-dev (Debian: clang-14 libclang-rt-14-dev), and roost's build dependencies.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${FUZZ_BUILD:-$top/build-fuzz}
cc=${CC:-$(command -v clang || command -v clang-14 || true)}
[ -n "$cc" ] || { echo "fuzz: no clang (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }
targets=$(sed -n "/^fuzz_targets = \[/,/\]/p" "$here/meson.build" | tr -d "[]',=" | sed 's/fuzz_targets//')

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
pkgs="libmnl libseccomp libcap json-c libarchive libcrypto libcurl slirp"
cflags="-std=gnu11 -D_GNU_SOURCE -DROOST_VERSION=\"fuzz\" -I$top/include $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -ldl"
mkdir -p "$out/obj"
srcs=$(cd "$top" && ls src/*.c src/net/*.c | grep -v -e '^src/main.c$' -e '^src/image_cmd.c$')
for s in $srcs; do
	o="$out/obj/$(echo "$s" | tr / _).o"
	[ "$o" -nt "$top/$s" ] || $cc $cflags $san -fsanitize=fuzzer-no-link -c "$top/$s" -o "$o"
done
for t in $targets; do
	$cc $cflags $san -fsanitize=fuzzer "$here/fuzz-$t.c" "$out"/obj/*.o $libs -o "$out/fuzz-$t"
done
echo "fuzz: built $(echo $targets | wc -w) targets in $out"

[ "${1:-}" = run ] || exit 0
secs=${2:-60}
[ $# -gt 2 ] && shift 2 && targets=$*
for t in $targets; do
	mkdir -p "$out/corpus/$t"
	echo "fuzz: $t for ${secs}s"
	(cd "$out" && ASAN_OPTIONS=detect_leaks=1 "./fuzz-$t" -max_total_time="$secs" \
		-artifact_prefix="$out/crash-$t-" -print_final_stats=1 \
		"$out/corpus/$t" "$here/corpus/$t" >"$out/fuzz-$t.log" 2>&1) ||
		echo "fuzz: $t found something: $out/fuzz-$t.log"
	grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$out/fuzz-$t.log" | tr '\n' ' '
	echo
done
