#!/bin/bash
# Confinement: the seccomp filter, capabilities, no_new_privs, --privileged, --pid/--ipc=host,
# and what container root cannot do to the host.
. "$(dirname "$0")/lib.sh"
require userns sysprobe

run() { "$ROOST" run --rm "$@"; }
status() { # status OPTIONS... : the confinement lines of the command's /proc/self/status
	run "$@" "$ROOTFS" grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status |
		tr -s '\t' ' ' | tr '\n' ';'
}
last=$(cat /proc/sys/kernel/cap_last_cap)
full=$(printf '%016x' $(( (1 << (last + 1)) - 1 )))
dflt=00000000a80425fb

# Each refused call, under the filter and without it: "NAME WANT GOT GOT-UNCONFINED".
report() { # report OPTIONS... -- ARGS
	run "$@" "$ROOTFS" sysprobe report ${pidhost:-} >"$T/f"
	run --security-opt seccomp=unconfined "$@" "$ROOTFS" sysprobe report ${pidhost:-} >"$T/u"
	paste -d' ' "$T/f" "$T/u" | cut -d' ' -f1-3,6
}
report >"$T/default"
pidhost=pid-host report --pid=host | grep -E '^(ptrace|process_vm_readv|process_vm_writev) ' >"$T/pidhost"
plan $((49 + $(wc -l <"$T/default") + $(wc -l <"$T/pidhost")))

# A refused call proves the filter only when the kernel answers otherwise without it; where
# it answers the same (a family this kernel lacks, a capability it checks first), a skip.
denied() { # denied FILE PREFIX
	while read -r name want got unconf; do
		if [ "$got" != "$want" ]; then
			_result 1 "$2$name: $want"
			printf '#   got: %s\n#  want: %s\n' "$got" "$want"
		elif [ "$unconf" = "$want" ]; then
			echo "ok $((_n += 1)) # SKIP $2$name: the kernel answers $want without the filter too"
		else
			_result 0 "$2$name: $want (without the filter: $unconf)"
		fi
	done <"$1"
}
denied "$T/default" ""
out=$(run "$ROOTFS" sysprobe allowed)
match "what containers need still works" "$out" '^allowed: [0-9]+ calls work$'
expect "i386 (int 0x80) and x32 system calls are refused" "$(run "$ROOTFS" sysprobe int80)" \
	"i386=ENOSYS x32=ENOSYS"
host=$("$SYSPROBE" int80)
if [ "${host%% *}" = i386=ok ]; then
	expect "(without the filter, int 0x80 reaches the kernel)" \
		"$(run --security-opt seccomp=unconfined "$ROOTFS" sysprobe int80 | cut -d' ' -f1)" "i386=ok"
else
	echo "ok $((_n += 1)) # SKIP this kernel has no i386 entry ($host)"
fi
expect "exec errors still map to 127 under the filter" "$(run "$ROOTFS" no-such-cmd 2>/dev/null; echo $?)" 127
expect "and to 126" "$(run "$ROOTFS" /etc/motd 2>/dev/null; echo $?)" 126

# Capabilities, no_new_privs and seccomp, as /proc/self/status shows them.
expect "root: Docker's set in every set, no ambient, a filter, no no_new_privs" "$(status)" \
	"CapInh: $dflt;CapPrm: $dflt;CapEff: $dflt;CapBnd: $dflt;CapAmb: 0000000000000000;NoNewPrivs: 0;Seccomp: 2;"
expect "another user: no capabilities, the same bounding set" "$(status -u 1000)" \
	"CapInh: 0000000000000000;CapPrm: 0000000000000000;CapEff: 0000000000000000;CapBnd: $dflt;CapAmb: 0000000000000000;NoNewPrivs: 0;Seccomp: 2;"
z=0000000000000000
expect "--cap-drop ALL leaves none" "$(status --cap-drop ALL)" \
	"CapInh: $z;CapPrm: $z;CapEff: $z;CapBnd: $z;CapAmb: $z;NoNewPrivs: 0;Seccomp: 2;"
expect "--security-opt no-new-privileges with the filter" \
	"$(status --security-opt no-new-privileges | cut -d';' -f6,7)" "NoNewPrivs: 1;Seccomp: 2"
expect "--cap-add SYS_ADMIN adds it" "$(status --cap-add SYS_ADMIN | cut -d';' -f3,4)" \
	"CapEff: 00000000a82425fb;CapBnd: 00000000a82425fb"
expect "--cap-drop ALL --cap-add sys_admin: only it" "$(status --cap-drop ALL --cap-add sys_admin | cut -d';' -f3,4)" \
	"CapEff: 0000000000200000;CapBnd: 0000000000200000"
expect "--cap-drop NET_RAW --cap-drop CAP_CHOWN" "$(status --cap-drop NET_RAW --cap-drop CAP_CHOWN | cut -d';' -f3)" \
	"CapEff: 00000000a80405fa"
expect "--cap-add ALL: every capability of the kernel" "$(status --cap-add ALL | cut -d';' -f3,4)" \
	"CapEff: $full;CapBnd: $full"
expect "seccomp=unconfined: no filter, no no_new_privs" "$(status --security-opt seccomp=unconfined | cut -d';' -f6,7)" \
	"NoNewPrivs: 0;Seccomp: 0"
expect "no-new-privileges without a filter" \
	"$(status --security-opt seccomp=unconfined --security-opt no-new-privileges | cut -d';' -f6,7)" \
	"NoNewPrivs: 1;Seccomp: 0"
expect "--privileged: every capability, no filter, no no_new_privs" "$(status --privileged | cut -d';' -f3-7)" \
	"CapEff: $full;CapBnd: $full;CapAmb: $z;NoNewPrivs: 0;Seccomp: 0"
out=$(run --init "$ROOTFS" grep -E '^(CapEff|Seccomp):' /proc/1/status | tr -s '\t' ' ' | tr '\n' ';')
expect "--init: pid 1 is confined too" "$out" "CapEff: $dflt;Seccomp: 2;"

# What the rules lift: CAP_SYS_ADMIN allows mounts and user namespaces.
expect "without CAP_SYS_ADMIN: no mount, no user namespace" \
	"$(run "$ROOTFS" sysprobe call mount unshare | tr '\n' ' ')" "mount=EPERM unshare=EPERM "
expect "with --cap-add SYS_ADMIN: both (the mount point is missing, the namespace is made)" \
	"$(run --cap-add SYS_ADMIN "$ROOTFS" sysprobe call mount unshare | tr '\n' ' ')" "mount=ENOENT unshare=ok "
expect "with --cap-add SYS_ADMIN a tmpfs mounts" \
	"$(run --cap-add SYS_ADMIN "$ROOTFS" sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted')" mounted

# Custom profiles in Docker's JSON.
cat >"$T/deny-mkdir.json" <<'J'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    {"names": ["mkdir", "mkdirat", "no_such_call_roost"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122},
    {"names": ["chmod", "fchmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_MODULE"]}}
  ]
}
J
out=$(run --security-opt seccomp="$T/deny-mkdir.json" "$ROOTFS" sysprobe mkdir /tmp/x 2>"$T/err")
expect "a profile denying mkdir: mkdir fails with its errnoRet" "$out" EDQUOT
expect "an unknown syscall name: one warning, the rest applies" "$(cat "$T/err")" \
	"roost: warning: seccomp profile $T/deny-mkdir.json: skipping system calls this libseccomp does not know: no_such_call_roost"
out=$(run --security-opt seccomp="$T/deny-mkdir.json" "$ROOTFS" sh -c 'chmod 700 /tmp && echo chmod ok' 2>&1)
expect "a rule for a capability the container lacks is left out" "$out" "chmod ok"
expect "the profile is cached: compiled once, the warning said once" \
	"$(run --security-opt seccomp="$T/deny-mkdir.json" "$ROOTFS" true 2>&1)" ""
ok_if "the cache lives in \$XDG_RUNTIME_DIR/roost-seccomp, not in ~/.cache (a container may write it)" \
	test "$(ls "$XDG_RUNTIME_DIR/roost-seccomp" | grep -c '\.bpf$')" -ge 2 -a ! -e "$XDG_CACHE_HOME/roost"
# Issue 10, item 9: a planted entry (an allow-all program in every entry, in the old place and
# the new, the header kept) is compiled over, never loaded.
run "$ROOTFS" true
mkdir -p "$XDG_CACHE_HOME/roost/seccomp" && cp "$XDG_RUNTIME_DIR"/roost-seccomp/*.bpf "$XDG_CACHE_HOME/roost/seccomp/"
python3 - "$XDG_CACHE_HOME"/roost/seccomp/*.bpf "$XDG_RUNTIME_DIR"/roost-seccomp/*.bpf <<'P'
import struct, sys
allow = struct.pack("<HBBI", 0x06, 0, 0, 0x7fff0000)  # ret SECCOMP_RET_ALLOW
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    if data[:8] == b"roostbpf":  # the old format: magic, flags, n, program
        out = data[:16] + allow * ((len(data) - 16) // 8)
    else:  # magic, flags, n, key, checksum, program
        out = data[:72] + allow * ((len(data) - 72) // 8)
    open(path, "wb").write(out)
P
expect "a tampered cache entry is not loaded: a refused call stays refused" \
	"$(run "$ROOTFS" sysprobe call unshare)" "unshare=EPERM"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {"names": ["mkdir"], "action": "SCMP_ACT_DENY"}\n  ]\n}\n' >"$T/bad-action.json"
out=$(run --security-opt seccomp="$T/bad-action.json" "$ROOTFS" true 2>&1); rc=$?
expect "a malformed profile: 125 and the key path" "$rc:$out" \
	"125:roost: seccomp profile $T/bad-action.json: syscalls[0].action: unknown action 'SCMP_ACT_DENY' (want SCMP_ACT_ALLOW, _ERRNO, _KILL, _KILL_PROCESS, _TRAP, _TRACE or _LOG)"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [\n    {"names": ["mkdir"],, "action": 1}\n  ]\n}\n' >"$T/bad-json.json"
out=$(run --security-opt seccomp="$T/bad-json.json" "$ROOTFS" true 2>&1); rc=$?
match "a syntax error: 125 and the line" "$rc:$out" "^125:roost: seccomp profile $T/bad-json.json: line 4: "
out=$(run --security-opt seccomp="$T/none.json" "$ROOTFS" true 2>&1); rc=$?
expect "a missing profile: 125" "$rc:$out" "125:roost: --security-opt seccomp=$T/none.json: No such file or directory"
expect "no container is left by the failures" "$(ls "$XDG_DATA_HOME/roost/containers" | wc -l)" 0

# Option errors.
out=$(run --cap-add SYS_BOGUS "$ROOTFS" true 2>&1); rc=$?
expect "an unknown capability: 125 and how to list them" "$rc:$out" \
	"125:roost: --cap-add: unknown capability 'SYS_BOGUS'; 'man 7 capabilities' lists them (or 'capsh --print')"
out=$(run --security-opt no-new-privileges=false "$ROOTFS" true 2>&1); rc=$?
expect "no-new-privileges=false with a filter: the default, accepted" "$rc:$out" "0:"
out=$(run --security-opt apparmor=frob "$ROOTFS" true 2>&1); rc=$?
match "an unknown --security-opt: 125, the accepted forms" "$rc:$out" "^125:roost: --security-opt apparmor=frob: unknown option \(want seccomp=FILE"
out=$(run --pid=container:x "$ROOTFS" true 2>&1); rc=$?
expect "an unknown --pid mode" "$rc:$out" "125:roost: --pid=container:x: unknown mode (want private or host)"

# --privileged: nothing masked, /sys and /proc/sys writable where the namespace allows.
out=$(run --privileged "$ROOTFS" sh -c 'grep -cE " /proc/(kcore|keys|sys|timer_list) " /proc/self/mountinfo; grep " /sys " /proc/self/mountinfo | cut -d" " -f6')
expect "--privileged: no masked or read-only paths in /proc, /sys read-write" "$(echo $out)" "0 rw,nosuid,nodev,noexec,relatime"
out=$(run --privileged "$ROOTFS" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward' 2>&1)
expect "--privileged: the container's own sysctls are writable" "$out" 1
out=$(run --privileged "$ROOTFS" sh -c 'unshare -U -r id -u')
expect "--privileged: nested user namespaces work" "$out" 0

# --pid=host and --ipc=host.
out=$(run --pid=host "$ROOTFS" sh -c "echo \$\$; test -d /proc/$$ && echo sees-host")
ok_if "--pid=host: the command is not pid 1" test "$(echo "$out" | head -n1)" != 1
expect "--pid=host: the host's processes are in /proc" "$(echo "$out" | tail -n1)" sees-host
denied "$T/pidhost" "--pid=host: "
expect "--pid=host: cannot ptrace the caller's own host process" "$(run --pid=host "$ROOTFS" sysprobe ptrace $$)" EPERM
expect "--pid=host: nor without the filter (another user namespace)" \
	"$(run --pid=host --security-opt seccomp=unconfined "$ROOTFS" sysprobe ptrace $$)" EPERM
expect "--pid=host: the pid namespace is the host's" \
	"$(run --pid=host "$ROOTFS" readlink /proc/self/ns/pid)" "$(readlink /proc/self/ns/pid)"
expect "--ipc=host: the ipc namespace is the host's" \
	"$(run --ipc=host "$ROOTFS" readlink /proc/self/ns/ipc)" "$(readlink /proc/self/ns/ipc)"
echo "shared" >"/dev/shm/roost-test-$$"
expect "--ipc=host: the host's /dev/shm" "$(run --ipc=host "$ROOTFS" cat "/dev/shm/roost-test-$$")" shared
rm -f "/dev/shm/roost-test-$$"

# Escapes, as container root.
expect "cannot see the host's processes (signal: ESRCH)" "$(run "$ROOTFS" sysprobe kill $$)" ESRCH
expect "cannot ptrace a host process" "$(run "$ROOTFS" sysprobe ptrace $$)" ESRCH
if [ -e /proc/kcore ]; then
	expect "/proc/kcore is masked" "$(run "$ROOTFS" stat -c %t:%T /proc/kcore)" "1:3"
	expect "(unmasked with --privileged)" "$(run --privileged "$ROOTFS" stat -c %t:%T /proc/kcore)" "0:0"
else
	echo "ok $((_n += 1)) # SKIP this kernel has no /proc/kcore"
	echo "ok $((_n += 1)) # SKIP this kernel has no /proc/kcore"
fi
dev=$(for d in /sys/class/block/*; do [ -b "/dev/${d##*/}" ] && echo "/dev/${d##*/}" && break; done)
if [ -n "$dev" ]; then
	out=$(run --privileged -v "$dev:/dev/disk0" "$ROOTFS" sh -c 'mkdir -p /mnt && mount /dev/disk0 /mnt 2>/dev/null && echo mounted; head -c 512 /dev/disk0 2>/dev/null | wc -c')
	expect "cannot mount or read the host's block device $dev, even --privileged" "$out" 0
else
	echo "ok $((_n += 1)) # SKIP no block device on this host"
fi
done_testing
