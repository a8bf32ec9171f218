#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# registry.py LAYOUT CERT KEY READY LOG - a loopback registry for tests/integration/pull.sh
# Serves the one image of the OCI layout LAYOUT over HTTPS (the OCI distribution API's
# GETs), behind an anonymous Bearer token challenge, as three repositories:
#   test/img:v1    the image's manifest
#   test/multi:v1  an index: this image for linux/ARCH, a missing one for linux/s390x
#   test/bad:v1    the image, with one byte of its last layer changed in transit
#   test/notarray:v1  an index whose "manifests" is an object, not an array
#   test/baddiffs:v1  the image with a config whose rootfs.diff_ids is a string
#   test/sha512:v1    the image with its first layer named by a sha512 digest
#   test/cut:v1       the image; the first GET of its last layer ends halfway (the
#                     connection closes); a GET with Range gets 206 and the rest
#   test/cut200:v1    the same cut, then the whole layer (200) whatever Range asks
#   test/par:v1       the image; each GET of a layer waits (up to 5 s) until all three
#                     are asked for at once, and logs "together N" with how many were
#   test/private:v1   the image, behind a token server that wants USER tok, PASSWORD pw
#   test/plainrealm:v1  a token server named by an http:// realm
#   test/slow:v1      the image; its last layer stops halfway until $GATE/go is written
#                     (after the server writes a line to the FIFO $GATE/stalled)
# Writes its port to READY (a FIFO); logs "token" and each path to LOG.
import base64, hashlib, http.server, json, os, ssl, sys, threading

layout, cert, key, ready, logf = sys.argv[1:6]
arch = os.environ.get("ARCH", "amd64")
blobs = layout + "/blobs/sha256/"
index = json.load(open(layout + "/index.json"))
mdesc = index["manifests"][0]
manifest = json.load(open(blobs + mdesc["digest"][7:]))
last_layer = manifest["layers"][-1]["digest"]
multi = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [dict(mdesc, platform={"os": "linux", "architecture": arch}),
                                  {"mediaType": mdesc["mediaType"], "size": 10,
                                   "digest": "sha256:" + "0" * 64,
                                   "platform": {"os": "linux", "architecture": "s390x"}}]}).encode()
extra = {"sha256:" + hashlib.sha256(multi).hexdigest(): multi}
# Replies no registry should send: each must give a clean error, never an abort.
def add(body):
    d = "sha256:" + hashlib.sha256(body).hexdigest()
    extra[d] = body
    return d
tags = {"multi": add(multi)}
tags["notarray"] = add(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                   "manifests": {"digest": mdesc["digest"]}}).encode())
config = json.load(open(blobs + manifest["config"]["digest"][7:]))
config["rootfs"]["diff_ids"] = "sha256:" + "1" * 64
bad_config = json.dumps(config).encode()
tags["baddiffs"] = add(json.dumps(dict(manifest, config=dict(manifest["config"], digest=add(bad_config),
                                                            size=len(bad_config)))).encode())
tags["sha512"] = add(json.dumps(dict(manifest, layers=[dict(manifest["layers"][0], digest="sha512:" + "a" * 128)]
                                     + manifest["layers"][1:])).encode())
TOKEN = "t0k3n"
done = set()  # what happened once already
layers = {l["digest"] for l in manifest["layers"]}
inflight = [0]
cond = threading.Condition()
PRIVATE_TOKEN = "pr1v4t3"
CREDS = "Basic " + base64.b64encode(b"tok:pw").decode()


def log(s):
    with open(logf, "a") as f:
        f.write(s + "\n")


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/octet-stream", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        path = self.path.split("?")[0]
        log(self.path)
        if path == "/token":
            log("token")
            if "test%2Fprivate" in self.path or "test/private" in self.path:
                if self.headers.get("Authorization") != CREDS:
                    log("token refused")
                    return self.send(401, b"{}", "application/json")
                log("token with credentials")
                return self.send(200, json.dumps({"token": PRIVATE_TOKEN}).encode(), "application/json")
            return self.send(200, json.dumps({"token": TOKEN}).encode(), "application/json")
        parts = path.split("/")  # '', v2, test, REPO, kind, ref
        if len(parts) != 6 or parts[1] != "v2" or parts[2] != "test":
            return self.send(404)
        repo, kind, ref = parts[3], parts[4], parts[5]
        if self.headers.get("Authorization") != "Bearer " + (PRIVATE_TOKEN if repo == "private" else TOKEN):
            scheme = "http" if repo == "plainrealm" else "https"
            return self.send(401, b"{}", "application/json", [("WWW-Authenticate",
                             f'Bearer realm="{scheme}://127.0.0.1:{port}/token",service="test",'
                             f'scope="repository:test/{repo}:pull"')])
        if kind == "manifests":
            if ref == "v1":
                ref = tags.get(repo, mdesc["digest"])
            body = extra.get(ref)
            if body is None:
                try:
                    body = open(blobs + ref[7:], "rb").read()
                except OSError:
                    return self.send(404)
            return self.send(200, body, json.loads(body).get("mediaType", "application/json"))
        if kind == "blobs":
            try:
                body = extra.get(ref) or open(blobs + ref[7:], "rb").read()
            except OSError:
                return self.send(404)
            if repo == "par" and ref in layers:
                with cond:
                    inflight[0] += 1
                    cond.notify_all()
                    cond.wait_for(lambda: inflight[0] >= len(layers), timeout=5)
                    log(f"together {inflight[0]}")
            rng = self.headers.get("Range")
            if repo == "cut" and ref == last_layer and rng:
                start = int(rng.split("=")[1].split("-")[0])
                log(f"range {start}")
                self.send_response(206)
                self.send_header("Content-Length", str(len(body) - start))
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                self.end_headers()
                self.wfile.write(body[start:])
                return
            if repo in ("cut", "cut200") and ref == last_layer and repo not in done:
                done.add(repo)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                log(f"{repo} at {len(body) // 2}")
                return
            if repo == "slow" and ref == last_layer and os.environ.get("GATE"):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                with open(os.environ["GATE"] + "/stalled", "w") as f:
                    f.write("stalled\n")
                with open(os.environ["GATE"] + "/go") as f:
                    f.read()
                self.wfile.write(body[len(body) // 2:])
                return
            if repo == "bad" and ref == last_layer:
                body = bytearray(body)
                body[len(body) // 2] ^= 0xff
                body = bytes(body)
            return self.send(200, body)
        self.send(404)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(ready, "w") as f:  # a FIFO the test waits on
    f.write(f"{srv.server_address[1]}\n")
srv.serve_forever()
