#!/bin/bash
# registries.conf's [[registry]] tables (containers-registries.conf(5)) with two loopback
# registries (registry.py): mirrors before the primary, a failing mirror passing to the
# next, blocked prefixes, and prefixes rewritten to another location.
. "$(dirname "$0")/lib.sh"
# Nothing leaves loopback: anything not 127.0.0.1 goes to a dead proxy, never to DNS.
export https_proxy="http://127.0.0.1:$(free_port)" no_proxy=127.0.0.1
export http_proxy="$https_proxy"
require userns newuidmap subid
command -v python3 >/dev/null || skip_all "no python3"
command -v zstd >/dev/null || skip_all "no zstd (package zstd)"
command -v openssl >/dev/null || skip_all "no openssl"
plan 8

ARCH=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
export ARCH
python3 "$SRCDIR/tests/integration/mkimage.py" "$ROOTFS" "$T/img" || skip_all "mkimage.py failed"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-days 1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || skip_all "openssl req failed"
mkfifo "$T/ready1" "$T/ready2"
python3 "$SRCDIR/tests/integration/registry.py" "$T/img/oci" "$T/cert.pem" "$T/key.pem" "$T/ready1" "$T/reg1.log" &
pid1=$!
python3 "$SRCDIR/tests/integration/registry.py" "$T/img/oci" "$T/cert.pem" "$T/key.pem" "$T/ready2" "$T/reg2.log" &
pid2=$!
trap 'kill $pid1 $pid2 2>/dev/null; _cleanup' EXIT
p1=$(await "$T/ready1"); p2=$(await "$T/ready2")
[ -n "$p1" ] && [ -n "$p2" ] || skip_all "the test registries did not start"
M="127.0.0.1:$p1" P="127.0.0.1:$p2"
dead=$(free_port)
export HOME="$T/home"
mkdir -p "$HOME/.config/containers"
cat >"$HOME/.config/containers/registries.conf" <<EOC
unqualified-search-registries = []
# (1) only the mirror has it: the primary's repository is not there
[[registry]]
prefix = "$P/mirrored"
insecure = true
[[registry.mirror]]
location = "$M/test"
insecure = true

# (2) a mirror that is down, one that lacks the image, then the primary
[[registry]]
location = "$P/test"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:$dead/test"
insecure = true
[[registry.mirror]]
location = "$M/nothere"
insecure = true

# (3) refused
[[registry]]
prefix = "$P/test/bad"
blocked = true

# (4) a name rewritten to another location (never looked up: it is not asked for)
[[registry]]
prefix = "example.invalid/app"
location = "$M/test"
insecure = true
EOC
manifests() { cat "$1" 2>/dev/null | grep -c "manifests"; }

export XDG_DATA_HOME="$T/d1"
out=$("$ROOST" pull "$P/mirrored/img:v1" 2>&1); rc=$?
match "(1) pulled through the mirror, named as asked" "$rc:$(printf '%s' "$out" | tr '\n' ' ')" "^0:.*from $M/test/img:v1 \(a mirror\).*Pulled image: $P/mirrored/img:v1"
expect "(1) the primary was not asked" "$(manifests "$T/reg2.log")" 0
expect "(1) it runs" "$("$ROOST" run --rm "$P/mirrored/img:v1" 'echo $FOO')" "bar"

export XDG_DATA_HOME="$T/d2"
n1=$(manifests "$T/reg1.log")
out=$("$ROOST" pull "$P/test/img:v1" 2>&1); rc=$?
match "(2) a mirror down, a mirror without it: the primary" "$rc:$(printf '%s' "$out" | tr '\n' ' ')" "^0:.*127.0.0.1:$dead/test/img:v1: .*trying the next.*$M/nothere/img:v1: .*not found.*trying the next.*Pulled image: $P/test/img:v1"
match "(2) the second mirror was asked, then the primary" "$(($(manifests "$T/reg1.log") - n1)):$(manifests "$T/reg2.log")" "^[1-9][0-9]*:[1-9]"

n2=$(manifests "$T/reg2.log")
out=$("$ROOST" pull "$P/test/bad:v1" 2>&1); rc=$?
expect "(3) blocked: refused in one line, the registry not asked" "$rc:$out:$(manifests "$T/reg2.log")" "125:roost: $P/test/bad:v1 is blocked by registries.conf ([[registry]] prefix '$P/test/bad'):$n2"

export XDG_DATA_HOME="$T/d4"
out=$("$ROOST" pull example.invalid/app/img:v1 2>&1); rc=$?
match "(4) a prefix rewritten to its location" "$rc:$(printf '%s' "$out" | tr '\n' ' ')" "^0:.*from $M/test/img:v1\.\.\..*Pulled image: example.invalid/app/img:v1"
expect "(4) stored by the name asked for" "$("$ROOST" images | grep -c '^example.invalid/app/img:v1 ')" 1
