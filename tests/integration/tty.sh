#!/bin/bash
# -t and -i: a real pty with the window size; stdin only when asked; raw mode, SIGWINCH,
# exact CR LF, the end of piped input.
. "$(dirname "$0")/lib.sh"
require userns script
plan 14
PTYRUN="python3 $SRCDIR/tests/integration/ptyrun.py"

# script(1) gives roost a terminal of its own, as a user's shell would.
out=$(script -qec "stty cols 123 rows 45; $ROOST run --rm -t $ROOTFS sh -c 'tty; stty size; test -t 0 && echo stdin-tty'" /dev/null </dev/null | tr -d '\r')
match "-t: the command has a pty from the container's devpts" "$out" "^/dev/pts/0"
match "-t: the window size is the caller's" "$out" "45 123"
match "-t: stdin is the terminal" "$out" "stdin-tty"
out=$(script -qec "$ROOST run --rm -t $ROOTFS sh -c 'exit 9'" /dev/null </dev/null; echo "rc=$?")
match "-t: the exit status passes through" "$out" "rc=9"
expect "-i: stdin reaches the command" "$(echo piped | "$ROOST" run --rm -i "$ROOTFS" cat)" piped
expect "without -i the command reads /dev/null" "$(echo piped | "$ROOST" run --rm "$ROOTFS" cat)" ""

# On a terminal (ptyrun.py's pty), a newline arrives as CR LF once: the container's pty
# does onlcr, roost's terminal must not do it again ("\r\r\n").
hex() { od -An -tx1 | tr -d ' \n'; }
expect "-it: a newline reaches the terminal as exactly CR LF" \
	"$($PTYRUN --timeout 15 "$ROOST" run --rm -it "$ROOTFS" printf 'a\nb\n' | hex)" 610d0a620d0a
expect "-t: a newline reaches the terminal as exactly CR LF" \
	"$($PTYRUN --timeout 15 "$ROOST" run --rm -t "$ROOTFS" printf 'a\nb\n' | hex)" 610d0a620d0a

# Raw mode: ^C typed on roost's terminal is a byte for the container's terminal, not a
# SIGINT for roost (which pid 1 sh would ignore: dd would wait for ever).
out=$($PTYRUN --timeout 8 --after ready --send '\x03' "$ROOST" run --rm -it "$ROOTFS" \
	sh -c 'stty raw -echo; echo ready; dd bs=1 count=1 2>/dev/null | od -An -tx1' | tr -d '\r')
match "-it: roost's terminal is raw (^C reaches the command as byte 03)" "$out" "^ *03 *$"
match "-it: roost's terminal is restored after the run" \
	"$($PTYRUN --timeout 15 sh -c "$ROOST run --rm -it $ROOTFS true; stty -a" | tr '\r\n' '  ')" " opost .* isig icanon "

# SIGWINCH: a new window size on roost's terminal reaches the container's.
out=$($PTYRUN --timeout 15 --size 30x100 --after ready --resize 40x120 "$ROOST" run --rm -it "$ROOTFS" \
	sh -c 'stty size; trap "stty size; exit 0" WINCH; echo ready; sleep 10 & wait; echo no-winch' | tr -d '\r')
expect "-it: the initial window size, then the new one after SIGWINCH" \
	"$(printf '%s\n' "$out" | grep -E '^[0-9]+ [0-9]+$' | tr '\n' ,)" "30 100,40 120,"

# The end of piped input after an unterminated line: one EOF character only ends the line.
out=$(printf 'foo\nbar' | timeout -k 5 10 "$ROOST" run --rm -it "$ROOTFS" sh -c 'stty -echo; cat; echo "[end]"' 2>&1; echo "rc=$?")
out=$(printf '%s' "$out" | tr -d '\r')
match "-it: piped input ending without a newline ends the command" "$out" "rc=0$"
match "-it: and both lines reach it" "$out" "bar\[end\]"
out=$(printf 'foo\n' | timeout -k 5 10 "$ROOST" run --rm -it "$ROOTFS" cat 2>&1; echo "rc=$?")
match "-it: piped input ending with a newline ends the command" "$out" "rc=0$"
done_testing
