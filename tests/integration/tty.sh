#!/bin/bash
# -t and -i: a real pty with the window size; stdin only when asked.
. "$(dirname "$0")/lib.sh"
require userns script
plan 6

# script(1) gives roost a terminal of its own, as a user's shell would.
out=$(script -qec "stty cols 123 rows 45; $ROOST run --rm -t $ROOTFS sh -c 'tty; stty size; test -t 0 && echo stdin-tty'" /dev/null </dev/null | tr -d '\r')
match "-t: the command has a pty from the container's devpts" "$out" "^/dev/pts/0"
match "-t: the window size is the caller's" "$out" "45 123"
match "-t: stdin is the terminal" "$out" "stdin-tty"
out=$(script -qec "$ROOST run --rm -t $ROOTFS sh -c 'exit 9'" /dev/null </dev/null; echo "rc=$?")
match "-t: the exit status passes through" "$out" "rc=9"
expect "-i: stdin reaches the command" "$(echo piped | "$ROOST" run --rm -i "$ROOTFS" cat)" piped
expect "without -i the command reads /dev/null" "$(echo piped | "$ROOST" run --rm "$ROOTFS" cat)" ""
done_testing
