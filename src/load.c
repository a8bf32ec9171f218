/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.c - OCI layouts, OCI and docker-save archives, tarballs -> the image store
 *
 * Find the manifest (an OCI layout's index.json, nested indexes by
 * platform, or a "docker save" manifest.json), verify every blob against
 * its digest and every layer against its diff id, and only then write:
 * layers missing from the store are unpacked into layers/.tmp-XXXXXX and
 * renamed into place, so an interrupted load leaves nothing a run would
 * use (prune removes the leftovers). Archives are first extracted into
 * tmp/ as plain files. All of it under the store's lock.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "image_priv.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/layer.h"
#include "roost/log.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* Unpack the verified layer blob as layers/DIFF unless it is there already. */
static int layer_store(struct store *st, int userns_fd, const char *blob, const char *diff,
		       uint64_t *ret_size, struct strv *notes)
{
	_cleanup_free_ char *tmp = xstrdup("layers/.tmp-XXXXXX");
	_cleanup_free_ char *dst = xasprintf("layers/%s", diff);
	_cleanup_free_ char *sizef = xasprintf("layers/%s.size", diff);
	_cleanup_free_ char *abs = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	struct layer_stats ls = {0};
	char buf[32];
	int r;

	if (faccessat(st->data_fd, dst, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		*ret_size = 0;
		if (image_read_at(st->data_fd, sizef, &text, NULL) == 0)
			*ret_size = strtoull(text, NULL, 10);
		return 0;
	}
	abs = xasprintf("%s/%s", st->data_path, tmp);
	if (!mkdtemp(abs))
		return err_set(errno, "create a layer directory in %s/layers", st->data_path);
	memcpy(tmp, abs + strlen(st->data_path) + 1, strlen(tmp));
	fd = openat(st->data_fd, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		r = err_set(errno, "open %s", abs);
	else
		r = layer_unpack(userns_fd, blob, fd, &ls);
	if (r == 0) {
		snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)ls.size);
		r = image_write_atomic(st->data_fd, sizef, buf, strlen(buf));
		if (r < 0)
			r = err_set(-r, "write %s/%s", st->data_path, sizef);
	}
	if (r == 0 && renameat(st->data_fd, tmp, st->data_fd, dst) < 0)
		r = err_set(errno, "rename %s into place", abs);
	if (r < 0) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		(void)store_remove_tree(st, tmp, userns_fd);
		return err_setx(-r, "layer %.12s into %s/layers: %s", diff, st->data_path, saved);
	}
	if (ls.n_skipped)
		strv_push(notes,
			  xasprintf("layer %.12s: skipped %u device node%s (first: %s); "
				    "rootless containers get /dev from roost",
				    diff, ls.n_skipped, ls.n_skipped > 1 ? "s" : "", ls.skipped));
	*ret_size = ls.size;
	return 0;
}

/* ---- loading ---- */

/* One image found in a layout or archive, verified piece by piece. */
struct found {
	char *config, *manifest;
	size_t config_len, manifest_len;
	char config_hex[65], manifest_hex[65];
	struct strv blobs; /* absolute paths of the layer blobs, bottom first */
	struct strv blob_hex; /* their expected digests, "" when unknown (docker save) */
	struct strv names;
};

static void found_free(struct found *f)
{
	free(f->config);
	free(f->manifest);
	strv_free(&f->blobs);
	strv_free(&f->blob_hex);
	strv_free(&f->names);
	memset(f, 0, sizeof(*f));
}

/* A blob of an OCI layout, checked against its digest. */
static int read_blob(int dfd, const char *dir, const char *digest, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *rel = NULL, *data = NULL;
	char h[65], got[65];
	size_t len;
	int r;

	if (image_digest_hex(digest, h) < 0)
		return err_setx(EINVAL, "%s: unsupported digest '%s' (roost takes sha256)", dir,
				digest);
	rel = xasprintf("blobs/sha256/%s", h);
	r = image_read_at(dfd, rel, &data, &len);
	if (r < 0)
		return err_set(-r, "%s: read %s", dir, rel);
	image_sha256_hex(data, len, got);
	if (strcmp(got, h))
		return err_setx(EBADMSG,
				"%s: blob %s does not match its digest (sha256:%s): "
				"corrupted; nothing was stored",
				dir, rel, got);
	*ret = TAKE_PTR(data);
	*ret_len = len;
	return 0;
}

static bool is_index(struct json_object *j, const char *mt)
{
	struct json_object *m = image_json_get(j, "manifests");

	return (mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST))) ||
	       (m && json_object_is_type(m, json_type_array));
}

/* The entry of an index for this machine: linux and the host's architecture. */
static struct json_object *pick_platform(struct json_object *list, const char *where)
{
	const char *arch = image_host_arch();
	_cleanup_free_ char *seen = xstrdup("");

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);
		struct json_object *p = image_json_get(d, "platform");
		_cleanup_free_ char *os = image_json_str(p, "os"),
				    *a = image_json_str(p, "architecture");
		char *s;

		if (os && a && !strcmp(os, "linux") && !strcmp(a, arch))
			return d;
		s = xasprintf("%s%s%s/%s", seen, *seen ? ", " : "", os ? os : "?", a ? a : "?");
		free(seen);
		seen = s;
	}
	err_setx(ENOENT, "%s: no image for linux/%s (it has: %s)", where, arch, seen);
	return NULL;
}

/* Follow a descriptor down to an image manifest; fill f's manifest, config and layers. */
static int oci_follow(int dfd, const char *dir, struct json_object *desc, struct found *f,
		      int depth)
{
	_cleanup_free_ char *data = NULL, *mt = image_json_str(desc, "mediaType"),
			    *dg = image_json_str(desc, "digest");
	_cleanup_json_ struct json_object *j = NULL;
	struct json_object *cfg, *layers;
	size_t len;
	int r;

	if (!dg)
		return err_setx(EINVAL, "%s: a descriptor without a digest", dir);
	if (depth > 4)
		return err_setx(ELOOP, "%s: indexes nest too deep", dir);
	r = read_blob(dfd, dir, dg, &data, &len);
	if (r < 0)
		return r;
	j = json_tokener_parse(data);
	if (!j || !json_object_is_type(j, json_type_object))
		return err_setx(EINVAL, "%s: %s is not JSON", dir, dg);
	if (!mt)
		mt = image_json_str(j, "mediaType");
	if (is_index(j, mt)) {
		struct json_object *m = image_json_get(j, "manifests"), *d;

		if (!m || !json_object_is_type(m, json_type_array))
			return err_setx(EINVAL, "%s: index %s has no manifests", dir, dg);
		d = pick_platform(m, dir);
		if (!d)
			return -ENOENT;
		return oci_follow(dfd, dir, d, f, depth + 1);
	}
	cfg = image_json_get(j, "config");
	layers = image_json_get(j, "layers");
	if (!cfg || !layers || !json_object_is_type(layers, json_type_array))
		return err_setx(EINVAL, "%s: %s is not an image manifest", dir, dg);
	{
		_cleanup_free_ char *cd = image_json_str(cfg, "digest");
		if (!cd)
			return err_setx(EINVAL, "%s: the manifest's config has no digest", dir);
		r = read_blob(dfd, dir, cd, &f->config, &f->config_len);
		if (r < 0)
			return r;
		(void)image_digest_hex(cd, f->config_hex);
	}
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		_cleanup_free_ char *ld =
			image_json_str(json_object_array_get_idx(layers, i), "digest");
		char h[65];

		if (!ld || image_digest_hex(ld, h) < 0)
			return err_setx(EINVAL, "%s: layer %zu has no sha256 digest", dir, i);
		strv_push(&f->blobs, xasprintf("%s/blobs/sha256/%s", dir, h));
		strv_push(&f->blob_hex, xstrdup(h));
	}
	(void)image_digest_hex(dg, f->manifest_hex);
	f->manifest = TAKE_PTR(data);
	f->manifest_len = len;
	return 0;
}

/*
 * The name an annotation gives (a full reference), or "localhost/BASE:TAG"
 * for a bare tag. An annotation that is neither (escape codes, newlines,
 * anything a reference cannot hold) is refused: it would become a name that
 * 'roost images' prints. Returns 0 or -EINVAL.
 */
static int name_for(const char *refname, const char *base, const char *dir, char **ret)
{
	_cleanup_free_ char *repo = xstrdup(base);

	if (refname && (strchr(refname, ':') || strchr(refname, '/')))
		return image_ref_normalize(refname, ret) < 0
			       ? err_wrap(-EINVAL, "%s: org.opencontainers.image.ref.name", dir)
			       : 0;
	if (refname && *refname && !image_tag_valid(refname)) {
		_cleanup_free_ char *e = image_escape(refname);
		return err_setx(EINVAL,
				"%s: org.opencontainers.image.ref.name '%s' is neither a reference "
				"nor a tag",
				dir, e);
	}
	for (char *p = repo; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			*p = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : '-';
	*ret = xasprintf("localhost/%s:%s", *repo ? repo : "image",
			 refname && *refname ? refname : "latest");
	return 0;
}

static int oci_layout(int dfd, const char *dir, const char *tag, const char *base, struct found *f)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ struct json_object *idx = NULL;
	struct json_object *m, *pick = NULL;
	size_t n;
	int r;

	r = image_read_at(dfd, "index.json", &text, NULL);
	if (r < 0)
		return err_set(-r, "%s/index.json", dir);
	idx = json_tokener_parse(text);
	m = image_json_get(idx, "manifests");
	if (!m || !json_object_is_type(m, json_type_array) || !(n = json_object_array_length(m)))
		return err_setx(EINVAL, "%s/index.json lists no manifests", dir);
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(m, i);
		struct json_object *an = image_json_get(d, "annotations");
		_cleanup_free_ char *ref = image_json_str(an, "org.opencontainers.image.ref.name");
		size_t rl = ref ? strlen(ref) : 0, tl = tag ? strlen(tag) : 0;

		if (tag && ref &&
		    (!strcmp(ref, tag) ||
		     (rl > tl && ref[rl - tl - 1] == ':' && !strcmp(ref + rl - tl, tag))))
			pick = d;
	}
	if (tag && !pick)
		return err_setx(ENOENT, "%s: no image tagged '%s'", dir, tag);
	if (!tag && n > 1) {
		/* Several entries of one image index for several platforms are one image. */
		pick = pick_platform(m, dir);
		if (!pick)
			return err_setx(EINVAL, "%s holds %zu images: name one as %s:TAG", dir, n,
					dir);
	}
	if (!pick)
		pick = json_object_array_get_idx(m, 0);
	r = oci_follow(dfd, dir, pick, f, 0);
	if (r < 0)
		return r;
	{
		struct json_object *an = image_json_get(pick, "annotations");
		_cleanup_free_ char *cn = image_json_str(an, "io.containerd.image.name");
		_cleanup_free_ char *ref = image_json_str(an, "org.opencontainers.image.ref.name");

		char *name = NULL;

		r = name_for(cn ? cn : ref, base, dir, &name);
		if (r < 0)
			return r;
		strv_push(&f->names, name);
	}
	return 0;
}

/* A "docker save" archive's manifest.json: the first image it lists (with all its tags). */
static int docker_archive(int dfd, const char *dir, const char *base, struct found *f)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ struct json_object *m = NULL;
	struct json_object *e, *tags, *layers;
	_cleanup_free_ char *cfgpath = NULL;
	int r;

	r = image_read_at(dfd, "manifest.json", &text, NULL);
	if (r < 0)
		return err_set(-r, "%s: neither index.json nor manifest.json", dir);
	m = json_tokener_parse(text);
	if (!m || !json_object_is_type(m, json_type_array) || json_object_array_length(m) < 1)
		return err_setx(EINVAL, "%s/manifest.json lists no image", dir);
	e = json_object_array_get_idx(m, 0);
	cfgpath = image_json_str(e, "Config");
	layers = image_json_get(e, "Layers");
	if (!cfgpath || !layers || !json_object_is_type(layers, json_type_array))
		return err_setx(EINVAL, "%s/manifest.json: no Config or Layers", dir);
	{
		char clean[PATH_MAX];
		if (layer_clean_path(cfgpath, clean, sizeof(clean)) != 0)
			return err_setx(EINVAL, "%s/manifest.json: bad Config path", dir);
		r = image_read_at(dfd, clean, &f->config, &f->config_len);
		if (r < 0)
			return err_set(-r, "%s: read %s", dir, clean);
	}
	image_sha256_hex(f->config, f->config_len, f->config_hex);
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		struct json_object *l = json_object_array_get_idx(layers, i);
		char clean[PATH_MAX];

		if (!json_object_is_type(l, json_type_string) ||
		    layer_clean_path(json_object_get_string(l), clean, sizeof(clean)) != 0)
			return err_setx(EINVAL, "%s/manifest.json: bad layer path", dir);
		strv_push(&f->blobs, xasprintf("%s/%s", dir, clean));
		strv_push(&f->blob_hex, xstrdup(""));
	}
	tags = image_json_get(e, "RepoTags");
	for (size_t i = 0; tags && json_object_is_type(tags, json_type_array) &&
			   i < json_object_array_length(tags);
	     i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(tags, i));
		char *n;

		if (t && image_ref_normalize(t, &n) == 0)
			strv_push(&f->names, n);
	}
	if (!f->names.n) {
		char *n = NULL;

		(void)name_for(NULL, base, dir, &n);
		strv_push(&f->names, n);
	}
	return 0;
}

/* roost keeps an OCI manifest for every image; a "docker save" archive has none: make one. */
static void make_manifest(struct found *f, const struct strv *diffs, const uint64_t *sizes)
{
	_cleanup_json_ struct json_object *man = json_object_new_object();
	struct json_object *c = json_object_new_object(), *arr = json_object_new_array();
	_cleanup_free_ char *cd = xasprintf("sha256:%s", f->config_hex);
	const char *s;

	json_object_object_add(man, "schemaVersion", json_object_new_int(2));
	json_object_object_add(man, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
	json_object_object_add(c, "mediaType",
			       json_object_new_string("application/vnd.oci.image.config.v1+json"));
	json_object_object_add(c, "digest", json_object_new_string(cd));
	json_object_object_add(c, "size", json_object_new_int64(f->config_len));
	json_object_object_add(man, "config", c);
	for (size_t i = 0; i < diffs->n; i++) {
		struct json_object *l = json_object_new_object();
		_cleanup_free_ char *d = xasprintf("sha256:%s", diffs->v[i]);

		json_object_object_add(
			l, "mediaType",
			json_object_new_string("application/vnd.oci.image.layer.v1.tar"));
		json_object_object_add(l, "digest", json_object_new_string(d));
		json_object_object_add(l, "size", json_object_new_int64(sizes[i]));
		json_object_array_add(arr, l);
	}
	json_object_object_add(man, "layers", arr);
	s = json_object_to_json_string_ext(man, JSON_C_TO_STRING_PLAIN);
	f->manifest = xstrdup(s);
	f->manifest_len = strlen(s);
	image_sha256_hex(f->manifest, f->manifest_len, f->manifest_hex);
}

/*
 * Verify every layer of f (blob digest, diff id), then store what is
 * missing: layers, config, manifest, and the names in the index.
 */
static int commit(struct store *st, int userns_fd, struct found *f, struct strv *notes)
{
	_cleanup_free_ uint64_t *sizes = NULL;
	_cleanup_json_ struct json_object *idx = NULL;
	struct strv diffs = {0};
	uint64_t total = 0;
	int r;

	r = image_config_diffs(f->config, &diffs);
	if (r < 0)
		goto out;
	if (diffs.n != f->blobs.n) {
		r = err_setx(EINVAL, "the manifest lists %zu layers, the config %zu", f->blobs.n,
			     diffs.n);
		goto out;
	}
	if (diffs.n == 0) {
		r = err_setx(EINVAL, "the image has no layers");
		goto out;
	}
	sizes = xcalloc(diffs.n, sizeof(*sizes));
	for (size_t i = 0; i < diffs.n; i++) {
		char blob[65], diff[65];

		/*
		 * Every blob is checked, even of a layer we have (a bad archive is
		 * refused whole), unless it is absent: a pull skips layers we have.
		 */
		if (access(f->blobs.v[i], F_OK) < 0 && errno == ENOENT) {
			_cleanup_free_ char *rel = xasprintf("layers/%s", diffs.v[i]);
			if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
		}
		r = layer_hash(f->blobs.v[i], blob, diff);
		if (r < 0)
			goto out;
		if (f->blob_hex.v[i][0] && strcmp(blob, f->blob_hex.v[i])) {
			r = err_setx(EBADMSG,
				     "layer %zu (%s) does not match its digest sha256:%s (it is "
				     "sha256:%s): corrupted; nothing was stored",
				     i + 1, f->blobs.v[i], f->blob_hex.v[i], blob);
			goto out;
		}
		if (strcmp(diff, diffs.v[i])) {
			r = err_setx(EBADMSG,
				     "layer %zu (%s) does not match its diff id sha256:%s (it is "
				     "sha256:%s): corrupted; nothing was stored",
				     i + 1, f->blobs.v[i], diffs.v[i], diff);
			goto out;
		}
	}
	for (size_t i = 0; i < diffs.n; i++) {
		r = layer_store(st, userns_fd, f->blobs.v[i], diffs.v[i], &sizes[i], notes);
		if (r < 0)
			goto out;
		total += sizes[i];
	}
	if (!f->manifest)
		make_manifest(f, &diffs, sizes);
	r = image_blob_store(st, f->config_hex, f->config, f->config_len);
	if (r == 0)
		r = image_blob_store(st, f->manifest_hex, f->manifest, f->manifest_len);
	if (r < 0)
		goto out;
	idx = image_index_read(st);
	for (size_t i = 0; i < f->names.n; i++) {
		struct json_object *e = json_object_new_object();
		_cleanup_json_ struct json_object *cj = json_tokener_parse(f->config);
		_cleanup_free_ char *md = xasprintf("sha256:%s", f->manifest_hex);
		_cleanup_free_ char *cd = xasprintf("sha256:%s", f->config_hex);
		_cleanup_free_ char *created = image_json_str(cj, "created");

		json_object_object_add(e, "manifest", json_object_new_string(md));
		json_object_object_add(e, "config", json_object_new_string(cd));
		json_object_object_add(e, "size", json_object_new_int64(total));
		json_object_object_add(e, "created",
				       json_object_new_string(created ? created : ""));
		json_object_object_add(idx, f->names.v[i], e);
	}
	r = image_index_write(st, idx);
out:
	strv_free(&diffs);
	return r;
}

static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n = xstrdup(b && b[1] ? b + 1 : path), *dot = strchr(n, '.');

	if (dot && dot != n)
		*dot = '\0';
	return n;
}

/*
 * Load the image at path: an OCI layout directory, an OCI archive or a
 * "docker save" archive (tar, any compression). tag picks one image of a
 * layout; name (or NULL) replaces the names it carries. Every name stored
 * is pushed to ret_names, then every note for the user (prefixed "note: ").
 */
int image_load(struct store *st, int userns_fd, const char *path, const char *tag, const char *name,
	       struct strv *ret_names)
{
	_cleanup_close_ int lock = -1, dfd = -1;
	_cleanup_free_ char *base = base_name(path), *tmp = NULL, *dir = NULL;
	struct found f = {0};
	struct strv notes = {0};
	struct stat sb;
	int r;

	if (stat(path, &sb) < 0)
		return err_set(errno, "%s", path);
	lock = image_store_lock(st, true);
	if (lock < 0)
		return lock;
	if (S_ISDIR(sb.st_mode)) {
		dir = realpath(path, NULL);
		if (!dir)
			return err_set(errno, "%s", path);
	} else {
		dir = xasprintf("%s/tmp/load-XXXXXX", st->data_path);
		if (!mkdtemp(dir))
			return err_set(errno, "create %s", dir);
		tmp = xstrdup(dir + strlen(st->data_path) + 1);
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = err_set(errno, "open %s", dir);
		goto out;
	}
	if (tmp) {
		r = layer_extract_plain(path, dfd);
		if (r < 0)
			goto out;
	}
	if (faccessat(dfd, "index.json", F_OK, 0) == 0)
		r = oci_layout(dfd, tmp ? path : dir, tag, base, &f);
	else
		r = docker_archive(dfd, tmp ? path : dir, base, &f);
	/* Blob paths of an archive point into our extraction, not into the archive's name. */
	if (r == 0 && tmp)
		for (size_t i = 0; i < f.blobs.n; i++) {
			char *p = f.blobs.v[i];
			if (!strncmp(p, path, strlen(path))) {
				f.blobs.v[i] = xasprintf("%s%s", dir, p + strlen(path));
				free(p);
			}
		}
	if (r == 0 && name) {
		strv_free(&f.names);
		strv_push(&f.names, xstrdup(name));
	}
	if (r == 0)
		r = commit(st, userns_fd, &f, &notes);
	if (r == 0) {
		for (size_t i = 0; i < f.names.n; i++)
			strv_push(ret_names, xstrdup(f.names.v[i]));
		for (size_t i = 0; i < notes.n; i++)
			strv_push(ret_names, xasprintf("note: %s", notes.v[i]));
	}
out:
	if (tmp)
		(void)util_rm_rf_at(st->data_fd, tmp);
	found_free(&f);
	strv_free(&notes);
	return r;
}

/* A plain root filesystem tarball as a one-layer image called name. */
int image_import(struct store *st, int userns_fd, const char *tar, const char *name)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ struct json_object *cfg = NULL;
	_cleanup_free_ char *norm = NULL;
	struct found f = {0};
	struct strv notes = {0};
	char blob[65], diff[65], when[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;

	r = image_ref_normalize(name, &norm);
	if (r < 0)
		return r;
	r = layer_hash(tar, blob, diff);
	if (r < 0)
		return r;
	lock = image_store_lock(st, true);
	if (lock < 0)
		return lock;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	{
		struct json_object *rootfs = json_object_new_object(), *d = json_object_new_array();
		_cleanup_free_ char *dd = xasprintf("sha256:%s", diff);
		const char *s;

		cfg = json_object_new_object();
		json_object_object_add(cfg, "created", json_object_new_string(when));
		json_object_object_add(cfg, "architecture",
				       json_object_new_string(image_host_arch()));
		json_object_object_add(cfg, "os", json_object_new_string("linux"));
		json_object_object_add(cfg, "config", json_object_new_object());
		json_object_array_add(d, json_object_new_string(dd));
		json_object_object_add(rootfs, "type", json_object_new_string("layers"));
		json_object_object_add(rootfs, "diff_ids", d);
		json_object_object_add(cfg, "rootfs", rootfs);
		s = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN);
		f.config = xstrdup(s);
		f.config_len = strlen(s);
		image_sha256_hex(f.config, f.config_len, f.config_hex);
	}
	strv_push(&f.blobs, xstrdup(tar));
	strv_push(&f.blob_hex, xstrdup(blob));
	strv_push(&f.names, TAKE_PTR(norm));
	r = commit(st, userns_fd, &f, &notes);
	for (size_t i = 0; r == 0 && i < notes.n; i++)
		log_warn("%s", notes.v[i]);
	found_free(&f);
	strv_free(&notes);
	return r;
}
