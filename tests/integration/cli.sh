#!/bin/bash
# The command line: help, man pages, version, and one-line errors with exit status 125.
. "$(dirname "$0")/lib.sh"
plan 22

out=$("$ROOST" --version)
match "--version names roost" "$out" '^roost [0-9]+\.[0-9]+'
out=$("$ROOST" --help)
match "--help lists run" "$out" 'run \[OPTIONS\]'

help=$("$ROOST" run --help)
missing=""
for o in $(printf '%s\n' "$help" | grep -Eo -- '--[a-z][a-z-]+' | sort -u); do
	sed 's/\\//g' "$SRCDIR/man/roost-run.1" | grep -q -- "$o" || missing="$missing $o"
done
expect "roost-run.1 documents every option of 'roost run --help'" "$missing" ""
n_help=$(printf '%s\n' "$help" | grep -Ec -- '^ +(-., )?--')
expect "'roost run --help' shows 26 options (update the man page and this count together)" "$n_help" 26
missing=""
for c in run ps rm port doctor pull images load import rmi "image inspect" "image prune"; do
	sed 's/\\//g' "$SRCDIR/man/roost.1" | grep -q "^\.B.*$c" || missing="$missing $c"
done
expect "roost.1 documents every command" "$missing" ""
missing=""
for o in $(printf '%s\n' "$help" | grep -Eo -- '--[a-z][a-z-]+' | sort -u) run ps rm port doctor; do
	grep -q -- "$o" "$SRCDIR/contrib/completions/roost.bash" || missing="$missing bash:$o"
	grep -q -- "$o" "$SRCDIR/contrib/completions/_roost" || missing="$missing zsh:$o"
done
expect "the bash and zsh completions know every command and run option" "$missing" ""
expect "the bash completion is valid bash" "$(bash -n "$SRCDIR/contrib/completions/roost.bash" 2>&1; echo $?)" 0

out=$("$ROOST" run --bogus "$ROOTFS" true 2>&1); rc=$?
expect "unknown option: status 125" "$rc" 125
expect "unknown option: one line naming it" "$out" "roost: unknown option '--bogus'; see 'roost run --help'"
out=$("$ROOST" frobnicate 2>&1); rc=$?
expect "unknown command: status 125" "$rc" 125
match "unknown command: named" "$out" "unknown command 'frobnicate'"

out=$("$ROOST" run "$T/missing" true 2>&1); rc=$?
expect "missing ROOTFS: status 125" "$rc" 125
expect "missing ROOTFS: one line with the fix" "$out" "roost: ROOTFS '$T/missing' does not exist; create it or fix the path"
out=$("$ROOST" run "$ROOTFS/etc/motd" true 2>&1); rc=$?
expect "ROOTFS not a directory: status 125" "$rc" 125
match "ROOTFS not a directory: says so" "$out" "is not a directory"
out=$("$ROOST" run -v "$T/nope:/data" "$ROOTFS" true 2>&1); rc=$?
expect "missing volume source: status 125" "$rc" 125
expect "missing volume source: one line" "$out" "roost: volume source '$T/nope' does not exist; create it or fix the path"
out=$("$ROOST" run -u nosuchuser --rm "$ROOTFS" true 2>&1); rc=$?
expect "unknown user: status 125" "$rc" 125
match "unknown user: named" "$out" "no user 'nosuchuser' in the container's /etc/passwd"
expect "errors leave no container behind" "$(ls "$XDG_DATA_HOME/roost/containers" | wc -l)" 0
out=$("$ROOST" run --network=bogus "$ROOTFS" true 2>&1); rc=$?
expect "unknown network mode: 125 and named" "$rc:$out" "125:roost: --network=bogus: unknown mode (want slirp, none or host)"
out=$("$ROOST" run --env-file "$T/none.env" "$ROOTFS" true 2>&1); rc=$?
expect "missing env file: 125" "$rc" 125
done_testing
