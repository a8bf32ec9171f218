#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# ptyrun.py - run a command on a new pseudo-terminal, as a user at a terminal would
#
#   ptyrun.py [--size ROWSxCOLS] [--after TEXT (--send BYTES | --resize ROWSxCOLS)]
#             [--timeout S] CMD...
#
# CMD is the session leader of a new session whose controlling terminal is
# the pty (as a login shell is). Everything CMD writes is copied to stdout.
# With --after/--send, BYTES (Python escapes: '\x03' is ^C) are typed once
# TEXT has appeared; with --resize, the pty's window size is set then (the
# kernel sends SIGWINCH to its foreground group). --size is the window size
# from the start. Exits with CMD's status (128+N for a signal), or 124
# when CMD is still running after --timeout seconds (default 20): it is
# then killed, with its process group.
import fcntl, os, pty, select, signal, struct, sys, termios, time

def winsize(fd, text):
    rows, cols = (int(x) for x in text.split("x"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

args = sys.argv[1:]
after = send = size = resize = None
timeout = 20.0
while args and args[0].startswith("--"):
    opt = args.pop(0)
    if opt == "--after":
        after = args.pop(0).encode()
    elif opt == "--send":
        send = args.pop(0).encode().decode("unicode_escape").encode("latin-1")
    elif opt == "--size":
        size = args.pop(0)
    elif opt == "--resize":
        resize = args.pop(0)
    elif opt == "--timeout":
        timeout = float(args.pop(0))
    else:
        sys.exit(f"ptyrun.py: unknown option {opt}")
pid, master = pty.fork()
if pid == 0:
    if size:
        winsize(0, size)
    os.execvp(args[0], args)
seen = b""
deadline = time.monotonic() + timeout
status = None
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(seen)
        print("\nptyrun.py: timed out")
        sys.exit(124)
    r, _, _ = select.select([master], [], [], min(left, 0.2))
    if r:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        if not data:
            break
        seen += data
        if after is not None and after in seen:
            if send is not None:
                os.write(master, send)
            if resize:
                winsize(master, resize)
            after = None
    elif status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = st
if status is None:
    _, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.stdout.flush()
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
