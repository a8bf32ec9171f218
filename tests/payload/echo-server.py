#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# echo-server.py ADDR PORT READY_FILE - a TCP and UDP echo server on ADDR:PORT for the
# network tests. Writes "ready" to READY_FILE once both sockets listen; replies
# "echo:" + what it got; stops by itself after 120 s or 2000 requests.
import os, select, socket, sys, time

addr, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
t = socket.socket(fam, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(64)
u = socket.socket(fam, socket.SOCK_DGRAM)
u.bind((addr, port))
with open(ready, "w") as f:
    f.write("ready\n")
end = time.time() + 120
served = 0
while time.time() < end and served < 2000:
    r, _, _ = select.select([t, u], [], [], 1)
    for s in r:
        served += 1
        if s is u:
            data, peer = u.recvfrom(65536)
            u.sendto(b"echo:" + data, peer)
            continue
        c, _ = t.accept()
        c.settimeout(5)
        data = b""
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
            c.sendall(b"echo:" + data)
        except OSError:
            pass
        c.close()
