#!/bin/bash
# roost pull from Debian's docker-registry on loopback (plain HTTP, which only
# --tls-verify=false allows), an image pushed here by tests/integration/push.py.
. "$(dirname "$0")/lib.sh"
require userns newuidmap subid
command -v docker-registry >/dev/null || skip_all "no docker-registry (package docker-registry)"
command -v zstd >/dev/null || skip_all "no zstd (package zstd)"
plan 5

ARCH=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
export ARCH
python3 "$SRCDIR/tests/integration/mkimage.py" "$ROOTFS" "$T/img" || skip_all "mkimage.py failed"
port=$(free_port)
cat >"$T/registry.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/registry}}
http: {addr: 127.0.0.1:$port}
EOC
docker-registry serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
reg_pid=$!
trap 'kill $reg_pid 2>/dev/null; wait $reg_pid 2>/dev/null; _cleanup' EXIT
# Up when it answers: curl waits for the port itself (bounded, no sleep of ours).
curl -s --retry 50 --retry-connrefused --retry-delay 0 --retry-max-time 20 -o /dev/null "http://127.0.0.1:$port/v2/" ||
	skip_all "docker-registry did not start: $(head -c 300 "$T/registry.log")"
python3 "$SRCDIR/tests/integration/push.py" "$T/img/oci" "http://127.0.0.1:$port" test/img v1 ||
	skip_all "push to docker-registry failed"
R="127.0.0.1:$port"

out=$("$ROOST" pull "$R/test/img:v1" 2>&1); rc=$?
expect "plain HTTP without --tls-verify=false: status 125" "$rc" 125
match "plain HTTP without --tls-verify=false: says so" "$out" "tls-verify=false"
out=$("$ROOST" pull --tls-verify=false "$R/test/img:v1" 2>/dev/null); rc=$?
expect "pull from docker-registry" "$rc:$out" "0:Pulled image: $R/test/img:v1"
expect "the pulled image runs with its config" "$("$ROOST" run --rm "$R/test/img:v1" 'echo $FOO; ls /opq')" "bar
c"
expect "a tag that is not there" "$("$ROOST" pull --tls-verify=false "$R/test/img:nope" 2>&1)" "roost: $R/test/img: manifests/nope not found"
