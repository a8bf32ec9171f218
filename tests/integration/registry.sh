#!/bin/bash
# roost pull from Debian's docker-registry on loopback, an image pushed here by
# tests/integration/push.py: over plain HTTP (which only --tls-verify=false allows),
# then from a second instance on the same storage serving TLS with a certificate of a
# CA made here, which negotiates HTTP/2 as Docker Hub, ghcr.io and quay.io do; its CA
# comes from --cert-dir or the certs.d layout (containers-certs.d(5)), never from
# --tls-verify=false.
. "$(dirname "$0")/lib.sh"
# Nothing leaves loopback, not even by mistake: a request that falls through to a real
# registry (docker.io for a short name) goes to a dead proxy here instead of asking DNS.
export https_proxy="http://127.0.0.1:$(free_port)" no_proxy=127.0.0.1
export http_proxy="$https_proxy"
require userns newuidmap subid
command -v docker-registry >/dev/null || skip_all "no docker-registry (package docker-registry)"
command -v zstd >/dev/null || skip_all "no zstd (package zstd)"
command -v openssl >/dev/null || skip_all "no openssl"
plan 21

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
tls_pid= auth_pid=
trap 'kill $reg_pid $tls_pid $auth_pid 2>/dev/null; wait $reg_pid $tls_pid $auth_pid 2>/dev/null; _cleanup' EXIT
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

# The same storage over TLS: a CA, and a certificate it signs for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=roost-test-ca -days 1 \
	-keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/key.pem" \
		-out "$T/csr.pem" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext" &&
	openssl x509 -req -in "$T/csr.pem" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
		-days 1 -extfile "$T/ext" -out "$T/cert.pem" 2>/dev/null ||
	skip_all "openssl could not make a certificate"
tport=$(free_port)
cat >"$T/tls.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/registry}}
http: {addr: 127.0.0.1:$tport, tls: {certificate: $T/cert.pem, key: $T/key.pem}}
EOC
docker-registry serve "$T/tls.yml" >"$T/tls.log" 2>&1 &
tls_pid=$!
curl -sv --cacert "$T/ca.crt" --retry 50 --retry-connrefused --retry-delay 0 --retry-max-time 20 \
	-o /dev/null "https://127.0.0.1:$tport/v2/" 2>"$T/curl.log"
match "the TLS registry negotiates HTTP/2 (curl -v)" "$(cat "$T/curl.log")" "ALPN: server accepted h2"
TR="127.0.0.1:$tport"
export XDG_DATA_HOME="$T/data-tls"

out=$("$ROOST" pull "$TR/test/img:v1" 2>&1); rc=$?
match "HTTP/2 with an unknown CA: refused, names --cert-dir" "$rc:$out" "^125:.*certificate.*--cert-dir"
mkdir -p "$T/certs"
cp "$T/ca.crt" "$T/certs/ca.crt"
out=$("$ROOST" pull --cert-dir "$T/certs" "$TR/test/img:v1" 2>/dev/null); rc=$?
expect "HTTP/2 pull with --cert-dir" "$rc:$out" "0:Pulled image: $TR/test/img:v1"
expect "the image pulled over HTTP/2 runs" "$("$ROOST" run --rm "$TR/test/img:v1" 'echo $FOO; ls /opq')" "bar
c"
expect "HTTP/2: a tag that is not there is a 404" \
	"$("$ROOST" pull --cert-dir "$T/certs" "$TR/test/img:nope" 2>&1)" "roost: $TR/test/img: manifests/nope not found"

# The certs.d layout of the user's home: a link to the CA, as distributions install them.
export XDG_DATA_HOME="$T/data-certsd"
mkdir -p "$T/home/.config/containers/certs.d/$TR"
ln -s "$T/ca.crt" "$T/home/.config/containers/certs.d/$TR/ca.crt"
out=$(HOME="$T/home" "$ROOST" pull "$TR/test/img:v1" 2>/dev/null); rc=$?
expect "HTTP/2 pull with \$HOME/.config/containers/certs.d/HOST:PORT/ca.crt" "$rc:$out" "0:Pulled image: $TR/test/img:v1"
out=$("$ROOST" pull --cert-dir "$T/nonexistent" "$TR/test/img:v1" 2>&1); rc=$?
match "--cert-dir that is not there: named" "$rc:$out" "^125:roost: certificate directory $T/nonexistent: No such file"

# The same storage behind htpasswd (Basic) authentication: roost login, pull, logout.
python3 -c 'import crypt; print("alice:" + crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
	>"$T/htpasswd" 2>/dev/null || skip_all "python3 cannot make a bcrypt hash"
aport=$(free_port)
cat >"$T/auth.yml" <<EOC
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/registry}}
auth: {htpasswd: {realm: roost-test, path: $T/htpasswd}}
http: {addr: 127.0.0.1:$aport, tls: {certificate: $T/cert.pem, key: $T/key.pem}}
EOC
docker-registry serve "$T/auth.yml" >"$T/auth.log" 2>&1 &
auth_pid=$!
curl -s --cacert "$T/ca.crt" --retry 50 --retry-connrefused --retry-delay 0 --retry-max-time 20 \
	-o /dev/null "https://127.0.0.1:$aport/v2/"
AR="127.0.0.1:$aport"
export XDG_DATA_HOME="$T/data-auth" HOME="$T/home"
AUTH="$XDG_RUNTIME_DIR/containers/auth.json"
mkdir -p "$HOME/.config/containers/certs.d/$AR"
cp "$T/ca.crt" "$HOME/.config/containers/certs.d/$AR/ca.crt"

out=$("$ROOST" pull "$AR/test/img:v1" 2>&1); rc=$?
expect "Basic auth, no credentials: named, with roost login" "$rc:$out" "125:roost: $AR: the registry wants credentials: 'roost login $AR'"
out=$(echo wrong | "$ROOST" login -u alice --password-stdin "$AR" 2>&1); rc=$?
expect "login with a wrong password: refused, nothing stored" "$rc:$out:$([ -e "$AUTH" ] && echo stored)" "125:roost: $AR: the registry refused the credentials of 'alice':"
out=$(echo s3cret | "$ROOST" login -u alice --password-stdin "$AR" 2>&1); rc=$?
expect "login: checked and stored" "$rc:$out" "0:Login Succeeded!"
expect "stored as containers-auth.json(5) says, mode 0600" \
	"$(python3 -c 'import base64,json,sys; print(base64.b64decode(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"]).decode())' "$AUTH" "$AR"):$(stat -c %a "$AUTH")" "alice:s3cret:600"
out=$("$ROOST" pull "$AR/test/img:v1" 2>/dev/null); rc=$?
expect "pull with the stored credentials (Basic, HTTP/2)" "$rc:$out" "0:Pulled image: $AR/test/img:v1"
expect "logout" "$("$ROOST" logout "$AR")" "Removed login credentials for $AR"
out=$("$ROOST" logout "$AR" 2>&1); rc=$?
match "logout when not logged in: said" "$rc:$out" "^125:roost: not logged into $AR"
mkdir -p "$HOME/.docker"
printf '{"auths": {"https://%s/v1/": {"auth": "%s"}}}' "$AR" "$(printf alice:s3cret | base64)" >"$HOME/.docker/config.json"
"$ROOST" rmi "$AR/test/img:v1" >/dev/null
out=$("$ROOST" pull "$AR/test/img:v1" 2>/dev/null); rc=$?
expect "credentials from ~/.docker/config.json (a docker-style key)" "$rc:$out" "0:Pulled image: $AR/test/img:v1"
expect "logout --all" "$("$ROOST" logout --all)" "Removed login credentials for all registries"
