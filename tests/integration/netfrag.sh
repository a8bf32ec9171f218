#!/bin/bash
# IPv4 fragments from the container (issue 10, item 4): libslirp before 4.8.0 corrupts its
# reassembly queue on one 66-byte fragment, so the network process drops fragments before
# they reach it and says so once; roost --version and roost doctor name libslirp's version.
. "$(dirname "$0")/lib.sh"
require userns tun probe
[ -x "${NETPROBE:-}" ] || skip_all "no netprobe binary (NETPROBE)"
slirp=$(python3 -c 'import ctypes; f=ctypes.CDLL("libslirp.so.0").slirp_version_string; f.restype=ctypes.c_char_p; print(f().decode())' 2>/dev/null)
[ -n "$slirp" ] || skip_all "no libslirp.so.0 here"
old=$(python3 -c 'import sys; v=[int(x) for x in (sys.argv[1].split(".")+["0","0"])[:3]]; print(int(v < [4,8,0]))' "$slirp")
plan 6

port=$(free_port)
start_echo 127.0.0.1 "$port"
mkfifo "$T/done" "$T/go"
# The first fragments of two datagrams, then a last fragment, then TCP through the same process.
"$ROOST" run --rm --name frag1 --network=slirp:allow_host_loopback=true -v "$T:/t" "$ROOTFS" sh -c '
	netprobe frag 10.0.2.2 2; netprobe frag 10.0.2.2 1 last
	probe tcp 10.0.2.2 '"$port"' hello; echo done > /t/done; read x < /t/go' \
	>"$T/frag1.out" 2>"$T/frag1.err" &
rpid=$!
await "$T/done" >/dev/null
npid=$(cat "$XDG_RUNTIME_DIR/roost/frag1/netpid" 2>/dev/null)
ok_if "the network process is alive after the fragments" kill -0 "${npid:-0}"
echo go >"$T/go"
wait "$rpid"
kill "$echo_pid" 2>/dev/null; wait "$echo_pid" 2>/dev/null
expect "TCP to the host through 10.0.2.2 still works after them" "$(echo $(cat "$T/frag1.out"))" \
	"sent 2 sent 1 echo:hello"
if [ "$old" = 1 ]; then
	expect "libslirp $slirp: one note, naming the version, for three fragments" \
		"$(grep -c fragment "$T/frag1.err"):$(grep fragment "$T/frag1.err")" \
		"1:roost: warning: dropping IPv4 fragments: libslirp $slirp mishandles them (fixed in 4.8.0)"
else
	expect "libslirp $slirp: fragments pass, no note" "$(grep -c fragment "$T/frag1.err")" 0
fi

expect "roost --version names libslirp's version" "$("$ROOST" --version | sed -n 2p)" "libslirp $slirp"
row=$("$ROOST" doctor --json | python3 -c 'import json,sys; c=[c for c in json.load(sys.stdin)["checks"] if c["id"]=="libslirp"][0]; print(c["status"], c["found"])')
if [ "$old" = 1 ]; then
	expect "doctor: libslirp $slirp is a warning" "$row" "WARN libslirp $slirp"
else
	expect "doctor: libslirp $slirp is fine" "$row" "OK libslirp $slirp"
fi
expect "a container without fragments gets no note" \
	"$("$ROOST" run --rm "$ROOTFS" probe ping 10.0.2.2 2>&1)" reply
