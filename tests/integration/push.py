#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# push.py LAYOUT URL REPO TAG - push the one image of an OCI layout to a registry
# (the OCI distribution API: monolithic blob uploads, then the manifest).
import json, sys, urllib.parse, urllib.request

layout, url, repo, tag = sys.argv[1:5]
desc = json.load(open(layout + "/index.json"))["manifests"][0]
blob = lambda d: open(f"{layout}/blobs/sha256/{d[7:]}", "rb").read()
manifest = json.loads(blob(desc["digest"]))
for d in [manifest["config"]["digest"]] + [l["digest"] for l in manifest["layers"]]:
    r = urllib.request.urlopen(urllib.request.Request(f"{url}/v2/{repo}/blobs/uploads/", method="POST"))
    loc = urllib.parse.urljoin(url, r.headers["Location"])
    sep = "&" if "?" in loc else "?"
    urllib.request.urlopen(urllib.request.Request(f"{loc}{sep}digest={d}", data=blob(d), method="PUT",
                                                  headers={"Content-Type": "application/octet-stream"}))
urllib.request.urlopen(urllib.request.Request(f"{url}/v2/{repo}/manifests/{tag}", data=blob(desc["digest"]),
                                              method="PUT", headers={"Content-Type": desc["mediaType"]}))
