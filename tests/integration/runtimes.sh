#!/bin/bash
# Real programs under the default seccomp policy (an allow-list, issue 10, item 8): glibc, musl,
# Go, Java, Node and Python, each doing real work (threads, a child process, files, a socket on
# the container's loopback, JIT and GC), in the host-system mode (the host's /usr, read-only).
# Each runs again with seccomp=unconfined; a runtime that is not installed is a skip.
. "$(dirname "$0")/lib.sh"
require userns
plan 12

run() { "$ROOST" run --rm --network=none "$@"; }
W=$T/work
mkdir -p "$W"
chmod 755 "$W"

# C: threads (futex, clone), fork + exec, a file, a TCP socket over loopback.
cat >"$W/work.c" <<'C'
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
static long sum;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *work(void *arg) { for (int i = 0; i < 100000; i++) { pthread_mutex_lock(&mu); sum++; pthread_mutex_unlock(&mu); } return arg; }
int main(void) {
	pthread_t t[4]; char buf[16] = ""; int st;
	for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
	pid_t p = fork(); if (p == 0) { execl("/bin/sh", "sh", "-c", "echo child > /tmp/c.txt", (char *)0); _exit(127); }
	waitpid(p, &st, 0);
	FILE *f = fopen("/tmp/c.txt", "r"); if (!f || !fgets(buf, sizeof(buf), f)) return 1; fclose(f);
	int l = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof(a); int one = 1; char r[8] = "";
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (void *)&a, sizeof(a)) || listen(l, 1) || getsockname(l, (void *)&a, &n)) return 2;
	int c = socket(AF_INET, SOCK_STREAM, 0); if (connect(c, (void *)&a, n)) return 3;
	int s = accept(l, NULL, NULL); write(c, "ping", 4); read(s, r, 4);
	printf("%ld %s %s\n", sum, strtok(buf, "\n"), r);
	return 0;
}
C
want_c="400000 child ping"
if command -v gcc >/dev/null && gcc -O2 -pthread -o "$W/c-glibc" "$W/work.c" 2>"$T/cc.err"; then
	expect "glibc: threads, fork and exec, a file, a socket" "$(run -v "$W:$W" -- "$W/c-glibc" 2>&1)" "$want_c"
	expect "(the same without the filter)" "$(run --security-opt seccomp=unconfined -v "$W:$W" -- "$W/c-glibc" 2>&1)" "$want_c"
else
	echo "ok $((_n += 1)) # SKIP no gcc"; echo "ok $((_n += 1)) # SKIP no gcc"
fi
if command -v musl-gcc >/dev/null && musl-gcc -static -O2 -pthread -o "$W/c-musl" "$W/work.c" 2>"$T/cc.err"; then
	expect "musl (static): the same" "$(run -v "$W:$W" -- "$W/c-musl" 2>&1)" "$want_c"
	expect "(the same without the filter)" "$(run --security-opt seccomp=unconfined -v "$W:$W" -- "$W/c-musl" 2>&1)" "$want_c"
else
	echo "ok $((_n += 1)) # SKIP no musl-gcc (package musl-tools)"; echo "ok $((_n += 1)) # SKIP no musl-gcc"
fi

# Go: goroutines on OS threads, the GC, os/exec, net on loopback.
cat >"$W/work.go" <<'G'
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
)

func main() {
	runtime.GOMAXPROCS(4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); b := make([][]byte, 0); for j := 0; j < 2000; j++ { b = append(b, make([]byte, 4096)) }; mu.Lock(); total += len(b); mu.Unlock() }()
	}
	wg.Wait()
	runtime.GC()
	out, err := exec.Command("/bin/sh", "-c", "echo child").Output()
	if err != nil { fmt.Println("exec:", err); os.Exit(1) }
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { fmt.Println("listen:", err); os.Exit(1) }
	go func() { c, _ := l.Accept(); c.Write([]byte("ping")); c.Close() }()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil { fmt.Println("dial:", err); os.Exit(1) }
	r := make([]byte, 4)
	c.Read(r)
	if err := os.WriteFile("/tmp/g.txt", []byte("file"), 0644); err != nil { fmt.Println(err); os.Exit(1) }
	f, _ := os.ReadFile("/tmp/g.txt")
	fmt.Printf("%d %s%s %s\n", total, string(out[:5]), string(f), string(r))
}
G
if command -v go >/dev/null && (cd "$W" && HOME=$T GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$W/go-work" work.go) 2>"$T/go.err"; then
	expect "Go: goroutines, GC, os/exec, net on loopback" "$(run -v "$W:$W" -- "$W/go-work" 2>&1)" "16000 childfile ping"
	expect "(the same without the filter)" "$(run --security-opt seccomp=unconfined -v "$W:$W" -- "$W/go-work" 2>&1)" "16000 childfile ping"
else
	echo "ok $((_n += 1)) # SKIP no go (package golang-go) $(head -c 200 "$T/go.err" 2>/dev/null)"; echo "ok $((_n += 1)) # SKIP no go"
fi

# Python: threads, subprocess, a file, a socket.
py='import socket, subprocess, threading
r = []
ts = [threading.Thread(target=lambda: r.append(sum(range(100000)))) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
out = subprocess.run(["/bin/sh", "-c", "echo child"], capture_output=True, text=True).stdout.strip()
open("/tmp/p.txt", "w").write("file")
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); s, _ = l.accept(); s.send(b"ping")
print(len(r), out, open("/tmp/p.txt").read(), c.recv(4).decode())'
if command -v python3 >/dev/null; then
	expect "Python: threads, subprocess, a file, a socket" "$(run -- python3 -c "$py" 2>&1)" "4 child file ping"
	expect "(the same without the filter)" "$(run --security-opt seccomp=unconfined -- python3 -c "$py" 2>&1)" "4 child file ping"
else
	echo "ok $((_n += 1)) # SKIP no python3"; echo "ok $((_n += 1)) # SKIP no python3"
fi

# Node: the JIT, workers (threads), child_process, fs, net on loopback.
js='const { Worker } = require("worker_threads"); const cp = require("child_process"); const fs = require("fs"); const net = require("net");
let x = 0; for (let i = 0; i < 5e6; i++) x += i % 7;
const w = new Worker("const { parentPort } = require(\"worker_threads\"); let a = []; for (let i = 0; i < 1e5; i++) a.push({i}); parentPort.postMessage(a.length)", { eval: true });
w.on("message", (n) => {
	const out = cp.execFileSync("/bin/sh", ["-c", "echo child"]).toString().trim();
	fs.writeFileSync("/tmp/n.txt", "file");
	const srv = net.createServer((s) => { s.end("ping"); }).listen(0, "127.0.0.1", () => {
		const c = net.connect(srv.address().port, "127.0.0.1"); let d = "";
		c.on("data", (b) => d += b); c.on("end", () => { console.log(n, out, fs.readFileSync("/tmp/n.txt", "utf8"), d); srv.close(); });
	});
});'
if command -v node >/dev/null; then
	expect "Node: JIT, a worker thread, child_process, fs, net" "$(run -- node -e "$js" 2>&1)" "100000 child file ping"
	expect "(the same without the filter)" "$(run --security-opt seccomp=unconfined -- node -e "$js" 2>&1)" "100000 child file ping"
else
	echo "ok $((_n += 1)) # SKIP no node"; echo "ok $((_n += 1)) # SKIP no node"
fi

# Java: the JIT compilers and GC threads, a thread pool, ProcessBuilder, files, sockets.
cat >"$W/Work.java" <<'J'
import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;

public class Work {
	public static void main(String[] a) throws Exception {
		ExecutorService p = Executors.newFixedThreadPool(4);
		List<Future<Integer>> fs = new ArrayList<>();
		for (int i = 0; i < 4; i++) fs.add(p.submit(() -> { List<int[]> l = new ArrayList<>(); for (int j = 0; j < 20000; j++) l.add(new int[64]); return l.size(); }));
		int n = 0; for (Future<Integer> f : fs) n += f.get();
		p.shutdown(); System.gc();
		Process c = new ProcessBuilder("/bin/sh", "-c", "echo child").start();
		String out = new BufferedReader(new InputStreamReader(c.getInputStream())).readLine(); c.waitFor();
		Path t = Paths.get("/tmp/j.txt"); Files.write(t, "file".getBytes());
		ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
		Socket k = new Socket(InetAddress.getLoopbackAddress(), s.getLocalPort()); Socket q = s.accept();
		q.getOutputStream().write("ping".getBytes()); byte[] b = new byte[4]; new DataInputStream(k.getInputStream()).readFully(b);
		System.out.println(n + " " + out + " " + new String(Files.readAllBytes(t)) + " " + new String(b));
	}
}
J
if command -v java >/dev/null; then
	expect "Java: JIT and GC threads, a pool, ProcessBuilder, files, sockets" \
		"$(run -v "$W:$W" -- java -Xshare:off "$W/Work.java" 2>&1)" "80000 child file ping"
	expect "(the same without the filter)" \
		"$(run --security-opt seccomp=unconfined -v "$W:$W" -- java -Xshare:off "$W/Work.java" 2>&1)" "80000 child file ping"
else
	echo "ok $((_n += 1)) # SKIP no java"; echo "ok $((_n += 1)) # SKIP no java"
fi
done_testing
