#!/bin/bash
# roost pull from a registry on loopback (tests/integration/registry.py, HTTPS with a
# certificate made here, anonymous Bearer tokens): TLS verification, tokens, indexes,
# digests checked and nothing stored on a mismatch.
. "$(dirname "$0")/lib.sh"
# Nothing leaves loopback, not even by mistake: a request that falls through to a real
# registry (docker.io for a short name) goes to a dead proxy here instead of asking DNS.
export https_proxy="http://127.0.0.1:$(free_port)" no_proxy=127.0.0.1
export http_proxy="$https_proxy"
require userns newuidmap subid
command -v python3 >/dev/null || skip_all "no python3"
command -v zstd >/dev/null || skip_all "no zstd (package zstd)"
command -v openssl >/dev/null || skip_all "no openssl"
plan 46

ARCH=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
export ARCH
python3 "$SRCDIR/tests/integration/mkimage.py" "$ROOTFS" "$T/img" || skip_all "mkimage.py failed"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-days 1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || skip_all "openssl req failed"
mkfifo "$T/ready"
mkdir "$T/gate" && mkfifo "$T/gate/stalled" "$T/gate/go"
GATE="$T/gate" python3 "$SRCDIR/tests/integration/registry.py" "$T/img/oci" "$T/cert.pem" "$T/key.pem" "$T/ready" "$T/reg.log" &
reg_pid=$!
trap 'kill $reg_pid 2>/dev/null; _cleanup' EXIT
port=$(await "$T/ready")
[ -n "$port" ] || skip_all "the test registry did not start"
R="127.0.0.1:$port"
S="$XDG_DATA_HOME/roost"

out=$("$ROOST" pull "$R/test/img:v1" 2>&1); rc=$?
expect "an unknown certificate: status 125" "$rc" 125
match "an unknown certificate: says how to go on" "$out" "certificate.*--tls-verify=false"
out=$("$ROOST" pull --tls-verify=false "$R/test/img:v1" 2>/dev/null); rc=$?
expect "pull with --tls-verify=false" "$rc" 0
expect "pull names the image" "$out" "Pulled image: $R/test/img:v1"
match "an anonymous token was fetched" "$(cat "$T/reg.log")" "token"
expect "the pulled image runs with its config" "$("$ROOST" run --rm "$R/test/img:v1")" "default-cmd bar"
expect "three layers stored" "$(ls "$S/layers" | grep -c '^[0-9a-f]\{64\}$')" 3

out=$("$ROOST" pull --tls-verify=false "$R/test/multi:v1" 2>/dev/null); rc=$?
expect "an index: the host's platform is picked" "$rc:$out" "0:Pulled image: $R/test/multi:v1"
out=$("$ROOST" pull --tls-verify=false --platform linux/riscv64 "$R/test/multi:v1" 2>&1)
match "--platform with no match lists what there is" "$out" "no image for linux/riscv64 \(it has: linux/$ARCH, linux/s390x"

export XDG_DATA_HOME="$T/data2"
out=$("$ROOST" pull --tls-verify=false "$R/test/bad:v1" 2>&1); rc=$?
expect "a corrupted blob: status 125" "$rc" 125
match "a corrupted blob: named" "$out" "does not match its digest.*nothing was stored"
expect "a corrupted blob: nothing in the store" "$(ls -A "$T/data2/roost/layers" "$T/data2/roost/tmp" 2>/dev/null | grep -vc ':$\|^$'; "$ROOST" images | wc -l)" "0
1"

# Replies of the wrong JSON type: one line naming the problem, status 125 (json-c's
# assertion would abort with 134), and no tmp/pull-* left behind.
export XDG_DATA_HOME="$T/data3"
for repo in notarray baddiffs sha512; do
	out=$("$ROOST" pull --tls-verify=false "$R/test/$repo:v1" 2>&1); rc=$?
	case $repo in
	notarray) want='"manifests" is not an array' ;;
	baddiffs) want="diff ids do not match the layers" ;;
	sha512) want="unsupported digest 'sha512:a" ;;
	esac
	expect "$repo: status 125, one line" "$rc:$(printf '%s\n' "$out" | wc -l)" "125:1"
	match "$repo: says what is wrong, nothing left in tmp" "$out:$(ls -A "$T/data3/roost/tmp" 2>/dev/null)" "$want.*:$"
done

# A prune while a pull downloads leaves the pull alone; what a killed pull left goes.
export XDG_DATA_HOME="$T/data4"
mkdir -p "$T/data4/roost/tmp/pull-killed/blobs/sha256"
head -c 1048576 /dev/zero >"$T/data4/roost/tmp/pull-killed/blobs/sha256/partial"
"$ROOST" pull --tls-verify=false "$R/test/slow:v1" >"$T/slow.out" 2>&1 &
pull_pid=$!
await "$T/gate/stalled" >/dev/null
expect "the next pull removed a killed pull's leftovers, not its own" "$(ls "$T/data4/roost/tmp" | grep -c 'pull-killed'):$(ls "$T/data4/roost/tmp" | grep -c '^pull-')" "0:1"
prune=$("$ROOST" image prune 2>&1)
echo go >"$T/gate/go"
wait $pull_pid
expect "a prune during a pull: the pull completes" "$?:$(tail -n 1 "$T/slow.out"):$prune" "0:Pulled image: $R/test/slow:v1:removed 0 layers"
expect "and leaves nothing in tmp" "$(ls -A "$T/data4/roost/tmp")" ""

# A token server that wants credentials: --creds, then an auth file.
export XDG_DATA_HOME="$T/data5"
out=$("$ROOST" pull --tls-verify=false "$R/test/private:v1" 2>&1); rc=$?
expect "a token server that wants credentials: named, with roost login" "$rc:$out" "125:roost: $R: the registry wants credentials: 'roost login $R'"
out=$("$ROOST" pull --tls-verify=false --creds tok:pw "$R/test/private:v1" 2>/dev/null); rc=$?
expect "--creds: the token comes for them" "$rc:$out:$(grep -c 'token with credentials' "$T/reg.log")" "0:Pulled image: $R/test/private:v1:1"
out=$("$ROOST" pull --tls-verify=false --creds tok:wrong "$R/test/private:v1" 2>&1); rc=$?
match "wrong credentials: refused, naming the user" "$rc:$out" "^125:.*the token server refused the credentials of 'tok'"
mkdir -p "$T/certs" && cp "$T/cert.pem" "$T/certs/ca.crt"
out=$("$ROOST" pull --cert-dir "$T/certs" --creds tok:pw "$R/test/plainrealm:v1" 2>&1); rc=$?
expect "credentials are never sent to an http:// token server" "$rc:$out:$(grep -c 'token with credentials' "$T/reg.log")" "125:roost: $R: its token server http://127.0.0.1:${R#*:}/token is not HTTPS: refusing to send the credentials there:1"
printf '{"auths": {"%s/test": {"auth": "%s"}}}' "$R" "$(printf tok:pw | base64)" >"$T/auth.json"
"$ROOST" rmi "$R/test/private:v1" >/dev/null
out=$(REGISTRY_AUTH_FILE="$T/auth.json" "$ROOST" pull --tls-verify=false "$R/test/private:v1" 2>/dev/null); rc=$?
expect "credentials from REGISTRY_AUTH_FILE, keyed by a namespace" "$rc:$out" "0:Pulled image: $R/test/private:v1"

# An interrupted download is continued, not started again, and nothing is left.
export XDG_DATA_HOME="$T/data6"
out=$("$ROOST" pull --tls-verify=false "$R/test/cut:v1" 2>&1); rc=$?
cut=$(sed -n 's/^cut at //p' "$T/reg.log")
expect "a download cut short: status 125" "$rc" 125
expect "what came is kept for the next pull, nothing else" "$(ls "$T/data6/roost/tmp" | sed 's/-[0-9a-f]*$//'):$(stat -c %s "$T"/data6/roost/tmp/partial-* 2>/dev/null)" "partial:$cut"
out=$("$ROOST" pull --tls-verify=false "$R/test/cut:v1" 2>/dev/null); rc=$?
expect "the next pull asks for the rest (Range) and completes" "$rc:$out:$(grep -c "^range $cut\$" "$T/reg.log")" "0:Pulled image: $R/test/cut:v1:1"
expect "the continued blob was checked, and tmp is empty" "$("$ROOST" run --rm "$R/test/cut:v1" 'ls /opq'):$(ls -A "$T/data6/roost/tmp")" "c:"
export XDG_DATA_HOME="$T/data7"
"$ROOST" pull --tls-verify=false "$R/test/cut200:v1" >/dev/null 2>&1
out=$("$ROOST" pull --tls-verify=false "$R/test/cut200:v1" 2>/dev/null); rc=$?
expect "a registry that answers a Range request with the whole blob: started over, checked" \
	"$rc:$out:$(grep -c '^cut200 at' "$T/reg.log"):$(ls -A "$T/data7/roost/tmp")" "0:Pulled image: $R/test/cut200:v1:1:"

# Progress on a terminal, one line per blob; none with -q, none when not a terminal.
if command -v script >/dev/null; then
	export XDG_DATA_HOME="$T/data8"
	out=$(script -qec "'$ROOST' pull --tls-verify=false '$R/test/img:v1'" /dev/null | tr '\r' '\n')
	match "on a terminal: a progress line per blob, then done" "$(printf '%s\n' "$out" | grep -c 'Copying blob [0-9a-f]\{12\} done'):$(printf '%s\n' "$out" | grep -c 'Copying config [0-9a-f]\{12\} done')" "^3:1$"
	"$ROOST" rmi "$R/test/img:v1" >/dev/null
	out=$(script -qec "'$ROOST' pull -q --tls-verify=false '$R/test/img:v1'" /dev/null | tr -d '\r')
	expect "-q on a terminal: no progress" "$(printf '%s\n' "$out" | grep -c Copying)" 0
else
	_result 0 "on a terminal: a progress line per blob # SKIP no script(1)"
	_result 0 "-q on a terminal: no progress # SKIP no script(1)"
fi
expect "not a terminal: no progress" "$(grep -c Copying "$T/slow.out")" 0

# Layers come in parallel (bounded), each on its own connection.
export XDG_DATA_HOME="$T/data10"
out=$("$ROOST" pull --tls-verify=false "$R/test/par:v1" 2>/dev/null); rc=$?
expect "the three layers were asked for at once" "$rc:$out:$(grep -c '^together 3$' "$T/reg.log")" "0:Pulled image: $R/test/par:v1:3"

# unqualified-search-registries (containers-registries.conf(5)): a short name is looked
# for in each, in order; the first that has it wins, and runs find it by the short name.
export XDG_DATA_HOME="$T/data9" HOME="$T/home"
mkdir -p "$HOME/.config/containers"
dead=$(free_port)
cat >"$HOME/.config/containers/registries.conf" <<EOC
# the first has nothing listening
unqualified-search-registries = ["127.0.0.1:$dead",
	"$R"]
EOC
out=$("$ROOST" pull --tls-verify=false test/img:v1 2>&1); rc=$?
match "a short name: tried in each search registry in turn" "$rc:$(printf '%s\n' "$out" | grep -c 'Trying to pull'):$(printf '%s' "$out" | tr '\n' ' ')" "^0:2:.*Pulled image: $R/test/img:v1"
expect "run by the short name finds it" "$("$ROOST" run --rm test/img:v1 'echo $FOO')" "bar"
out=$("$ROOST" pull --tls-verify=false other/nothere:v1 2>&1); rc=$?
match "in none of them: every attempt named" "$rc:$(printf '%s' "$out" | tr '\n' ' ')" "^125:.*'other/nothere:v1' is in none of the unqualified-search-registries: .*127.0.0.1:$dead.*; $R/other/nothere: manifests/v1 not found"
echo 'unqualified-search-registries = "quay.io"' >"$HOME/.config/containers/registries.conf"
out=$("$ROOST" pull test/img:v1 2>&1); rc=$?
expect "a registries.conf roost cannot read: named" "$rc:$out" "125:roost: $HOME/.config/containers/registries.conf: unqualified-search-registries is not an array"

# roost run IMAGE pulls what the store lacks (--pull=missing, the default, as podman),
# quietly on stdout; --pull=always asks the registry each time, --pull=never never.
export XDG_DATA_HOME="$T/data-run" HOME="$T/home-run"
mkdir -p "$HOME/.config/containers/certs.d/$R"
cp "$T/cert.pem" "$HOME/.config/containers/certs.d/$R/ca.crt"
asked() { grep -c "manifests" "$T/reg.log"; }
n0=$(asked)
out=$("$ROOST" run --rm --pull=never "$R/test/img:v1" 2>&1); rc=$?
match "--pull=never: refused, naming roost pull, the registry not asked" "$rc:$out:$(asked)" "^125:roost: ROOTFS '$R/test/img:v1' is neither a directory nor an image in the store \(--pull=never\): 'roost pull $R/test/img:v1'.*:$n0$"
out=$("$ROOST" run --rm "$R/test/img:v1" 2>/dev/null); rc=$?
expect "run pulls a missing image by default; stdout is the command's alone" "$rc:$out" "0:default-cmd bar"
expect "... and the store has it" "$("$ROOST" images | grep -c "^$R/test/img:v1 ")" 1
n1=$(asked)
expect "a second run finds it: the registry is not asked" "$("$ROOST" run --rm "$R/test/img:v1" 'echo $FOO'):$(asked)" "bar:$n1"
expect "--pull=always asks the registry again" "$("$ROOST" run --rm --pull=always "$R/test/img:v1" 'echo $FOO'):$([ "$(asked)" -gt "$n1" ] && echo asked)" "bar:asked"
out=$("$ROOST" run --rm "$R/other/nothere:v1" true 2>&1); rc=$?
match "a pull that fails: the run says so in one line" "$rc:$(printf '%s\n' "$out" | wc -l):$out" "^125:1:roost: ROOTFS '$R/other/nothere:v1' is not in the store, pulling it: .*not found"
out=$("$ROOST" run --rm --pull=sometimes "$R/test/img:v1" true 2>&1); rc=$?
expect "--pull with an unknown policy: named" "$rc:$out" "125:roost: --pull=sometimes: want missing, always or never"
