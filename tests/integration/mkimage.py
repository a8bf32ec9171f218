#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# mkimage.py ROOTFS OUT - the images tests/integration/images.sh loads, built here:
#   OUT/oci/          OCI layout, one image tagged "v1", three layers (gzip, zstd, plain)
#   OUT/oci.tar       the same as an OCI archive
#   OUT/docker.tar    the same as a "docker save" archive (example.org/test/docker:1)
#   OUT/bad-oci/      the layout with one byte of a layer changed
#   OUT/hostile-*.tar plain tarballs that try to escape; OUT/bigid.tar a uid beyond the map
import gzip, hashlib, io, json, os, shutil, subprocess, sys, tarfile

rootfs, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def info(name, kind=tarfile.REGTYPE, data=b"", uid=0, gid=0, mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type, ti.uid, ti.gid, ti.mode, ti.linkname, ti.size = kind, uid, gid, mode, link, len(data)
    ti.mtime = 1700000000
    return ti, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def tar_bytes(entries, base=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        if base:
            def owner0(ti):
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                return ti
            t.add(base, arcname=".", filter=owner0)
        for ti, f in entries:
            t.addfile(ti, f)
    return buf.getvalue()


def sha(b):
    return hashlib.sha256(b).hexdigest()


passwd = b"root:x:0:0:root:/root:/bin/sh\napp:x:33:50:app:/work:/bin/sh\n"
group = b"root:x:0:\nstaff:x:50:\n"
l1 = tar_bytes([
    info("etc/passwd", data=passwd), info("etc/group", data=group),
    info("work", tarfile.DIRTYPE, uid=33, gid=50, mode=0o755),
    info("owned33", data=b"x\n", uid=33, gid=50),
    info("owned1000", data=b"y\n", uid=1000, gid=1000),
    info("setuid", data=b"z\n", mode=0o4755),
    info("del", tarfile.DIRTYPE, mode=0o755), info("del/gone", data=b"gone\n"),
    info("del/stays", data=b"stays\n"),
    info("opq", tarfile.DIRTYPE, mode=0o755), info("opq/a", data=b"a\n"), info("opq/b", data=b"b\n"),
    info("hl-src", data=b"linked\n"), info("hl-dst", tarfile.LNKTYPE, link="hl-src"),
    info("dev/null", tarfile.CHRTYPE, mode=0o666),
], base=rootfs)
l2 = tar_bytes([
    info("del/.wh.gone"), info("opq", tarfile.DIRTYPE, mode=0o755),
    info("opq/.wh..wh..opq"), info("opq/c", data=b"c\n"), info("l2file", data=b"two\n"),
])
l3 = tar_bytes([info("etc/motd", data=b"layer three\n")])
layers_plain = [l1, l2, l3]
blobs = [gzip.compress(l1, mtime=0),
         subprocess.run(["zstd", "-q", "-c"], input=l2, stdout=subprocess.PIPE, check=True).stdout,
         l3]
mtypes = ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd",
          "application/vnd.oci.image.layer.v1.tar"]
config = json.dumps({
    "created": "2024-01-02T03:04:05Z", "architecture": os.environ.get("ARCH", "amd64"), "os": "linux",
    "config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo default-cmd $FOO"],
               "Env": ["PATH=/bin:/usr/bin", "FOO=bar"], "WorkingDir": "/work", "User": "app",
               "ExposedPorts": {"80/tcp": {}}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l) for l in layers_plain]},
}).encode()


def write_oci(d, blobs_, tag="v1"):
    os.makedirs(d + "/blobs/sha256", exist_ok=True)
    def put(b):
        open(f"{d}/blobs/sha256/{sha(b)}", "wb").write(b)
        return {"digest": "sha256:" + sha(b), "size": len(b)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(put(config), mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(put(b), mediaType=m) for b, m in zip(blobs_, mtypes)],
    }).encode()
    desc = dict(put(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
                annotations={"org.opencontainers.image.ref.name": tag})
    open(d + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
    open(d + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [desc]}))


write_oci(out + "/oci", blobs)
with tarfile.open(out + "/oci.tar", "w") as t:
    t.add(out + "/oci", arcname=".")
bad = bytearray(blobs[2])
bad[600] ^= 0xff
write_oci(out + "/bad-oci", blobs)
open(f"{out}/bad-oci/blobs/sha256/{sha(blobs[2])}", "wb").write(bytes(bad))

with tarfile.open(out + "/docker.tar", "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    names = []
    for l in layers_plain:
        add(sha(l) + "/layer.tar", l)
        names.append(sha(l) + "/layer.tar")
    add(sha(config) + ".json", config)
    add("manifest.json", json.dumps([{"Config": sha(config) + ".json",
                                      "RepoTags": ["example.org/test/docker:1"], "Layers": names}]).encode())

outside = out + "/outside"
hostile = {
    "dotdot": [info("../escaped", data=b"x")],
    "absolute": [info("/abs-escaped", data=b"x")],
    "symlink-out": [info("link", tarfile.SYMTYPE, link="../../../../../../../" + outside)],
    "through-symlink": [info("link", tarfile.SYMTYPE, link=outside), info("link/pwned", data=b"x")],
    "hardlink-out": [info("hl", tarfile.LNKTYPE, link="../../../../etc/passwd")],
    "swap-dir": [info("d", tarfile.DIRTYPE, mode=0o755), info("d", tarfile.SYMTYPE, link=outside),
                 info("d/pwned", data=b"x")],
    # Each link passes the text check; together the kernel resolves c above the layer.
    "chain": [info("a", tarfile.DIRTYPE, mode=0o755), info("a/l", tarfile.SYMTYPE, link=".."),
              info("c", tarfile.SYMTYPE, link="a/l/..")],
    "chain-late": [info("c", tarfile.SYMTYPE, link="a/l/../x"), info("a", tarfile.DIRTYPE, mode=0o755),
                   info("a/l", tarfile.SYMTYPE, link="..")],
    "chain-deep": [info("a/b", tarfile.DIRTYPE, mode=0o755), info("a/b/up", tarfile.SYMTYPE, link="../.."),
                   info("a/b/c", tarfile.SYMTYPE, link="up/../../etc")],
}
for name, entries in hostile.items():
    open(f"{out}/hostile-{name}.tar", "wb").write(tar_bytes(entries))
open(out + "/bigid.tar", "wb").write(tar_bytes([info("big", data=b"x", uid=70000)]))
# Links that stay inside, through other links: accepted.
open(out + "/links-ok.tar", "wb").write(tar_bytes([
    info("usr/lib", tarfile.DIRTYPE, mode=0o755), info("lib", tarfile.SYMTYPE, link="usr/lib"),
    info("usr/lib/x", data=b"x\n"), info("y", tarfile.SYMTYPE, link="lib/../lib/x"),
    info("abs", tarfile.SYMTYPE, link="/usr/lib"), info("z", tarfile.SYMTYPE, link="abs/x"),
    info("loop", tarfile.SYMTYPE, link="loop/.."), info("gone", tarfile.SYMTYPE, link="nothing/..")], base=rootfs))
# A 2 MiB file: more than the test's file size limit lets a write finish.
open(out + "/bigfile.tar", "wb").write(tar_bytes([info("big", data=b"b" * (2 << 20))]))
# An OCI archive whose ref.name carries terminal escapes and a newline.
write_oci(out + "/evil-oci", blobs, tag="v1\x1b[31mRED\nroost: fake")
with tarfile.open(out + "/evil-oci.tar", "w") as t:
    t.add(out + "/evil-oci", arcname=".")
open(out + "/plain.tar", "wb").write(tar_bytes([info("hello", data=b"imported\n")], base=rootfs))
