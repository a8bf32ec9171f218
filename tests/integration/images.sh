#!/bin/bash
# Images: load (OCI layout, OCI archive, docker save), import, run with the image config,
# layers unpacked once with subordinate ownership, whiteouts, hostile archives, digests.
. "$(dirname "$0")/lib.sh"
require userns newuidmap subid
command -v python3 >/dev/null || skip_all "no python3"
command -v zstd >/dev/null || skip_all "no zstd (package zstd)"
plan 63

IMG="$T/img"
ARCH=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/') \
	python3 "$SRCDIR/tests/integration/mkimage.py" "$ROOTFS" "$IMG" || skip_all "mkimage.py failed"
mkdir -p "$IMG/outside"
S="$XDG_DATA_HOME/roost"

out=$("$ROOST" load "$IMG/bad-oci" 2>&1); rc=$?
expect "a corrupted blob: status 125" "$rc" 125
match "a corrupted blob: named, not stored" "$out" "does not match its digest.*nothing was stored"
expect "a corrupted blob: nothing in the store" "$(ls -A "$S/layers" "$S/blobs/sha256" | grep -vc ':$\|^$'; "$ROOST" images | wc -l)" "0
1"

out=$("$ROOST" load "$IMG/docker.tar" 2>&1); rc=$?
expect "load a docker-save archive" "$rc" 0
match "load names the image" "$out" "Loaded image: example.org/test/docker:1"
match "load notes the skipped device node" "$out" "skipped 1 device node \(first: dev/null\)"
expect "three layers stored" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$')" 3
expect "no temporary left" "$(ls -A "$S/layers" | grep -c '^\.tmp')" 0
match "roost images lists it" "$("$ROOST" images)" "^example.org/test/docker:1 +[0-9a-f]{12} .*2024-01-02"

I=example.org/test/docker:1
expect "Entrypoint + Cmd + Env" "$("$ROOST" run --rm $I)" "default-cmd bar"
expect "User from the image's passwd, WorkingDir" "$("$ROOST" run --rm $I 'echo $(id -u):$(id -g) $(pwd)')" "33:50 /work"
expect "-u, -w and -e win over the image" "$("$ROOST" run --rm -u 0 -w / -e FOO=mine $I 'echo $(id -u) $(pwd) $FOO')" "0 / mine"
expect "a whited-out file is gone, its sibling stays" "$("$ROOST" run --rm $I 'ls /del')" "stays"
expect "an opaque dir hides the layers below" "$("$ROOST" run --rm $I 'ls /opq')" "c"
if command -v fuse-overlayfs >/dev/null && [ -w /dev/fuse ]; then
	expect "fuse-overlayfs reads the same whiteouts and opaque dirs" \
		"$(ROOST_OVERLAY=fuse "$ROOST" run --rm $I 'ls /del; ls /opq' | tr '\n' ' ')" "stays c "
else
	_result 0 "fuse-overlayfs reads the same whiteouts # SKIP no usable fuse-overlayfs"
fi
expect "the topmost layer wins" "$("$ROOST" run --rm $I 'cat /etc/motd')" "layer three"
expect "a hard link within a layer" "$("$ROOST" run --rm $I 'cat /hl-dst')" "linked"
expect "ownership inside is the tar's" "$("$ROOST" run --rm -u 0 $I 'stat -c "%u:%g %a" /owned33 /owned1000 /setuid' | tr '\n' ' ')" "33:50 644 1000:1000 644 0:0 4755 "
L1=$(ls -d "$S"/layers/*/ | while read -r d; do [ -e "$d/owned33" ] && echo "$d"; done)
expect "on disk: uid 33 is the matching subordinate id" "$(stat -c %u:%g "$L1/owned33")" "$((SUBUID_START + 32)):$((SUBGID_START + 49))"
expect "on disk: uid 1000 too" "$(stat -c %u "$L1/owned1000")" "$((SUBUID_START + 999))"
expect "on disk: a whiteout is a 0:0 character device" "$(stat -c '%F %t:%T' "$S"/layers/*/del/gone 2>/dev/null | grep -v regular)" "character special file 0:0"
"$ROOST" run --name w -u 0 $I 'echo changed > /etc/motd' >/dev/null
expect "a container's writes stay out of the layers" "$(cat "$S"/layers/*/etc/motd | grep -c changed)" "0"
"$ROOST" rm w >/dev/null

# --userns=keep-id with an image: you inside, the image's owners as the image says
# (its layers copied once, owned for that map), an /etc/passwd entry and a home for you
# as podman adds them, files you make in a volume yours, and ping allowed for your gid.
uid=$(id -u) gid=$(id -g) me=$(id -un)
home=$(getent passwd "$uid" | cut -d: -f6)
mkdir "$T/kvol"
out=$("$ROOST" run --rm --userns=keep-id -v "$T/kvol:/kvol" $I 'echo $(id -u):$(id -g) $HOME $(pwd)
stat -c "%u:%g" /owned33 /owned1000 /setuid /etc/passwd /work "$HOME"
touch /kvol/mine "$HOME/f" && echo wrote' 2>&1 | tr '\n' ' ')
expect "keep-id image: your ids, your home, the image's workdir; the image's owners; you write" \
	"$out" "$uid:$gid $home /work 33:50 1000:1000 0:0 0:0 33:50 $uid:$gid wrote "
expect "keep-id image: a file made in a volume is yours on the host" "$(stat -c %u:%g "$T/kvol/mine")" "$uid:$gid"
expect "keep-id image: /etc/passwd gains your entry, the image's stay" \
	"$("$ROOST" run --rm --userns=keep-id $I 'cat /etc/passwd')" "root:x:0:0:root:/root:/bin/sh
app:x:33:50:app:/work:/bin/sh
$me:*:$uid:$gid:$me:$home:/bin/sh"
expect "keep-id image: /etc/group gains your group" "$("$ROOST" run --rm --userns=keep-id $I 'cat /etc/group' | tail -n 1)" "$me:x:$gid:"
expect "keep-id image: -u still wins" "$("$ROOST" run --rm --userns=keep-id -u 33 $I 'id -u')" "33"
expect "keep-id image: you may ping (ping_group_range holds your gid)" \
	"$("$ROOST" run --rm --userns=keep-id $I 'probe ping 10.0.2.2' 2>&1)" "reply"
expect "keep-id image: each layer copied once, next to it, plus the passwd layer" \
	"$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}\.keep-[0-9a-f]\{16\}$'):$(ls "$S/layers" | grep -c '\.etc-')" "3:1"
expect "keep-id image: the layers themselves are untouched" \
	"$("$ROOST" run --rm -u 0 $I 'stat -c %u:%g /owned33 /setuid; id -u' | tr '\n' ' ')" "33:50 0:0 0 "

out=$("$ROOST" load "$IMG/oci.tar" 2>&1); rc=$?
expect "load an OCI archive" "$rc" 0
match "its bare tag names a localhost image" "$out" "Loaded image: localhost/oci:v1"
expect "layers are shared, not stored twice" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$')" 3
expect "run oci:DIR:TAG" "$("$ROOST" run --rm "oci:$IMG/oci:v1" 'echo $FOO')" "bar"
expect "run oci:DIR (one image)" "$("$ROOST" run --rm "oci:$IMG/oci")" "default-cmd bar"
expect "an image by the start of its id" "$("$ROOST" run --rm "$("$ROOST" images | awk 'NR==2{print $2}')" 'echo ok')" "ok"
match "image inspect prints JSON" "$("$ROOST" image inspect $I)" '"WorkingDir": "/work"'

bad=""
for h in dotdot absolute symlink-out through-symlink hardlink-out swap-dir chain chain-late chain-deep; do
	out=$("$ROOST" import "$IMG/hostile-$h.tar" "hostile/$h" 2>&1) && bad="$bad $h(accepted)"
	printf '%s' "$out" | grep -q "entry '" || bad="$bad $h(unnamed: $out)"
done
expect "every hostile tarball is refused, naming its entry" "$bad" ""
expect "nothing was written outside" "$(ls -A "$IMG/outside"; ls "$T" | grep -c escaped)" "0"
expect "no hostile image was stored" "$("$ROOST" images | grep -c hostile)" 0
expect "no half layer is left" "$(ls -A "$S/layers" | grep -c '^\.tmp')" 0
expect "links that stay inside through other links are kept" \
	"$(export XDG_DATA_HOME="$T/data-links"; "$ROOST" import "$IMG/links-ok.tar" links/ok 2>&1
	"$ROOST" run --rm links/ok:latest cat /y /z)" "Imported image: links/ok
x
x"
out=$("$ROOST" import "$IMG/bigid.tar" big 2>&1)
match "an id beyond the map names the file, the id and the need" "$out" "entry 'big' is owned by uid 70000, but only [0-9]+ ids are mapped: you need at least 70001"

# An OCI archive whose ref.name holds an escape code and a newline: refused, escaped.
out=$("$ROOST" load "$IMG/evil-oci.tar" 2>&1); rc=$?
expect "a ref.name that is no reference: refused in one line" "$rc:$(printf '%s\n' "$out" | wc -l)" "125:1"
match "the ref.name is named with its bytes escaped" "$out" 'ref.name: image .v1\\x1b\[31mRED\\x0aroost: fake.: bad tag'
expect "no raw escape byte or image reached the terminal" "$(printf '%s' "$out" | tr -d '[:print:]' | wc -c):$("$ROOST" images | grep -c RED)" "0:0"
# An index.json of the store holding such a name (an older roost took it unchecked).
cp "$S/images/index.json" "$T/index.json.save"
python3 -c 'import json,sys; p=sys.argv[1]; j=json.load(open(p)); j["evil\x1b]0;pwned\x07\nname"]=next(iter(j.values())); json.dump(j, open(p,"w"))' "$S/images/index.json"
out=$("$ROOST" images)
expect "roost images escapes a stored name" "$(printf '%s' "$out" | tr -d '[:print:]\n' | wc -c):$(printf '%s\n' "$out" | grep -c 'evil\\x1b\]0;pwned\\x07\\x0aname')" "0:1"
cp "$T/index.json.save" "$S/images/index.json"

# A write cut short (here by RLIMIT_FSIZE, on a full disk by ENOSPC) reports the
# errno of the write that failed and where, never a stale one.
out=$( (trap '' XFSZ; ulimit -f 1024; "$ROOST" import "$IMG/bigfile.tar" big/file) 2>&1); rc=$?
match "a short write: the real errno, the entry and the store path" "$rc:$out" "^125:roost: layer [0-9a-f]{12} into $S/layers: entry 'big': write: File too large$"

match "an image not in the store: the message names roost pull" "$("$ROOST" run --rm --pull=never no/such:img true 2>&1)" "is neither a directory nor an image in the store \(--pull=never\): 'roost pull no/such:img' fetches it"

expect "import a rootfs tarball" "$("$ROOST" import "$IMG/plain.tar" plain/img:1)" "Imported image: plain/img:1"
expect "run the imported image" "$("$ROOST" run --rm plain/img:1 cat /hello)" "imported"
expect "a directory ROOTFS still works" "$("$ROOST" run --rm "$ROOTFS" cat /etc/motd)" "hello from the image"
expect "a directory of your own: no warning" "$("$ROOST" run --rm "$ROOTFS" true 2>&1)" ""
# A root-owned directory (the host's /usr, which holds bin/sh) shows as nobody's inside: said once.
if [ "$(stat -c %u /usr)" = 0 ] && [ -x /usr/bin/sh ]; then
	out=$("$ROOST" run --rm --network=none /usr /bin/sh -c 'stat -c %u /bin/sh' 2>"$T/owner.err")
	expect "a root-owned ROOTFS: one line, pointing to roost import; the run goes on" \
		"$(cat "$T/owner.err"):$out" "roost: warning: ROOTFS /usr belongs to uid 0, outside your id map: inside, its files are nobody's and read-only; 'roost import' makes an image you own (sudo tar -C /usr -cf rootfs.tar . && roost import rootfs.tar NAME):65534"
else
	_result 0 "a root-owned ROOTFS: one line # SKIP /usr is not root's or has no bin/sh"
fi

expect "rmi untags" "$("$ROOST" rmi plain/img:1; "$ROOST" images | grep -c plain)" "plain/img:1
0"
out=$("$ROOST" image prune)
expect "prune removes the layer no image uses" "$out" "removed 1 layer"
expect "the used layers stay" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$')" 3
"$ROOST" rmi $I localhost/oci:v1 "oci:$IMG/oci:v1" "oci:$IMG/oci" >/dev/null
mkdir -p "$S/layers/.tmp-killed/usr" "$S/tmp/load-killed" # what a kill -9 mid-load leaves
"$ROOST" image prune >/dev/null
expect "with no image left, prune empties the store (and an interrupted load's leftovers)" \
	"$(ls -A "$S/layers" "$S/blobs/sha256" "$S/tmp" 2>/dev/null | grep -vc ':$\|^$')" 0

# A container keeps its image's layers, running or stopped: rmi refuses without -f,
# and a prune while it runs leaves its /bin alone.
"$ROOST" load "$IMG/docker.tar" >/dev/null 2>&1
mkdir "$T/p" && mkfifo "$T/p/ready" "$T/p/go"
"$ROOST" run --name live -u 0 -v "$T/p:/p" $I 'echo up > /p/ready; read x < /p/go; ls /bin | wc -l' >"$T/live.out" 2>&1 &
live_pid=$!
await "$T/p/ready" >/dev/null
out=$("$ROOST" rmi $I 2>&1); rc=$?
match "rmi of an image a running container uses: refused, naming it and -f" "$rc:$out" "^125:roost: image '$I' is in use by container live: .*roost rmi -f"
expect "rmi -f untags it" "$("$ROOST" rmi -f $I; "$ROOST" images | grep -c test/docker)" "$I
0"
"$ROOST" image prune >/dev/null
echo go >"$T/p/go"
wait $live_pid
expect "a prune while it runs: its layers are all still there" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$'):$([ "$(tail -n 1 "$T/live.out")" -gt 20 ] 2>/dev/null && echo /bin-kept)" "3:/bin-kept"
"$ROOST" import "$IMG/plain.tar" other/img:1 >/dev/null
"$ROOST" run --name live other/img:1 true >/dev/null 2>&1 # refused: the name is taken
"$ROOST" rmi other/img:1 >/dev/null
"$ROOST" image prune >/dev/null
expect "a stopped container keeps them too (a second run with its name changes nothing)" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$')" 3
"$ROOST" rm live >/dev/null
expect "once the container is removed, prune takes them" "$("$ROOST" image prune; ls -A "$S/layers" "$S/images/uses" | grep -vc ':$\|^$')" "removed 3 layers
0"
