/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-manifest.c - an image's index, manifest and config as "roost load DIR" reads them
 * (image_load of an OCI layout or an unpacked "docker save" directory).
 *
 * Input: "INDEX\n----\nMANIFEST\n----\nCONFIG". CONFIG is stored as a blob and as
 * config.json; "@CONFIG@" in MANIFEST becomes its digest; MANIFEST is stored as a blob and
 * "@MANIFEST@" in INDEX becomes its digest. INDEX is index.json, or manifest.json (a docker
 * archive) when it starts with '['. No layer blob ever matches, so nothing is unpacked.
 */
#define FUZZ_STORE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "roost/image.h"
#include "../../src/image_priv.h"
#include "fuzz.h"

/* s with every "@WHAT@" replaced by "sha256:" and the hex digest of blob; newly allocated. */
static char *subst(const char *s, const char *what, const char *blob, char hex[65])
{
	_cleanup_free_ char *digest = NULL;
	char *out = xstrdup(""), *t;
	const char *p;

	image_sha256_hex(blob, strlen(blob), hex);
	digest = xasprintf("sha256:%s", hex);
	while ((p = strstr(s, what))) {
		t = xasprintf("%s%.*s%s", out, (int)(p - s), s, digest);
		free(out);
		out = t;
		s = p + strlen(what);
	}
	t = xasprintf("%s%s", out, s);
	free(out);
	return t;
}

static int put(int dfd, const char *rel, const char *text)
{
	return image_write_atomic(dfd, rel, text, strlen(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size), *dir = NULL;
	_cleanup_free_ char *man = NULL, *idx = NULL, *mrel = NULL, *crel = NULL;
	char *m = NULL, *c = NULL, mhex[65], chex[65];
	struct store *st = fuzz_store();
	struct strv names = {0};
	_cleanup_close_ int dfd = -1;

	if (!st || size > 65536)
		return 0;
	m = fuzz_split(s);
	c = m ? fuzz_split(m) : NULL;
	if (!c)
		c = "";
	if (!m)
		m = "";
	man = subst(m, "@CONFIG@", c, chex);
	idx = subst(s, "@MANIFEST@", man, mhex);

	dir = xasprintf("%s/layout", fuzz_store_dir);
	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", dir);
	(void)!system(rm);
	if (mkdir(dir, 0700) < 0)
		return 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || mkdirat(dfd, "blobs", 0700) < 0 || mkdirat(dfd, "blobs/sha256", 0700) < 0)
		return 0;
	mrel = xasprintf("blobs/sha256/%s", mhex);
	crel = xasprintf("blobs/sha256/%s", chex);
	if (put(dfd, mrel, man) < 0 || put(dfd, crel, c) < 0 || put(dfd, "config.json", c) < 0 ||
	    put(dfd, idx[0] == '[' ? "manifest.json" : "index.json", idx) < 0)
		return 0;
	(void)put(dfd, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	(void)image_load(st, -1, dir, NULL, NULL, &names);
	strv_free(&names);
	return 0;
}
