/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pull.c - images from a registry
 *
 * Through registry.c: GET the manifest by tag or digest (OCI and Docker v2
 * schema 2 manifests, OCI indexes and Docker manifest lists, from which the
 * platform's entry is taken), then the config and every layer the store
 * lacks, each hashed while it is written and refused when it does not match
 * its digest. What was fetched is laid out as an OCI image layout in the
 * store's tmp/ (its directory flock()ed, so a prune leaves it alone) and
 * handed to image_load(), which checks it all again and stores it under the
 * lock; the layout is then removed.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"
#include "roost/pull.h"
#include "roost/regconf.h"
#include "roost/registry.h"

#define PULL_PARALLEL 6 /* layers fetched at once: containers/image's maxParallelDownloads */
#define ACCEPT                                                                                     \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.docker.distribution.manifest.v2+json"

static void hex_of(EVP_MD_CTX *ctx, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	EVP_DigestFinal_ex(ctx, md, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A manifest (or index) by tag or digest; a digest is checked. */
static int get_manifest(struct registry *g, const char *ref, char **ret, size_t *ret_len,
			char ret_hex[65])
{
	_cleanup_free_ char *path = xasprintf("manifests/%s", ref);
	struct registry_resp r = {.fd = -1, .ctx = EVP_MD_CTX_new()};
	char want[65];
	int q = registry_get(g, path, ACCEPT, &r);

	if (q == 0) {
		hex_of(r.ctx, ret_hex);
		if (image_digest_hex(ref, want) == 0 && strcmp(want, ret_hex))
			q = err_setx(EBADMSG, "%s/%s: manifest %s does not match its digest",
				     g->host, g->repo, ref);
	}
	EVP_MD_CTX_free(r.ctx);
	if (q < 0 || !r.buf) {
		free(r.buf);
		return q < 0 ? q : err_setx(EIO, "%s: an empty manifest", ref);
	}
	*ret = r.buf;
	*ret_len = r.len;
	return 0;
}

/* Hash the first n bytes of fd into ctx. Returns 0 or -errno. */
static int hash_prefix(int fd, off_t n, EVP_MD_CTX *ctx)
{
	char buf[65536];

	for (off_t off = 0; off < n;) {
		size_t want = n - off < (off_t)sizeof(buf) ? (size_t)(n - off) : sizeof(buf);
		ssize_t k = pread(fd, buf, want, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		EVP_DigestUpdate(ctx, buf, k);
		off += k;
	}
	return 0;
}

/*
 * A blob into dir_fd/blobs/sha256/HEX, hashed as it comes and refused
 * unless it matches. It grows in the store's tmp/partial-HEX, locked
 * while it does: what an interrupted pull fetched stays there and the next
 * pull asks for the rest (HTTP Range), hashing what is there first. A blob
 * that does not match its digest is removed.
 */
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Byte counts go to po->progress for one blob at a time (the config, a
 * single layer); layers fetched in parallel report only when each is done.
 */
struct blob_progress {
	const struct pull_opts *po;
	const char *what, *hex;
	const struct registry_resp *r; /* its offset: what was there before this request */
};

static void on_blob_xfer(void *data, curl_off_t now, curl_off_t total)
{
	struct blob_progress *p = data;

	p->po->progress(p->what, p->hex, p->r->offset + now, total ? p->r->offset + total : 0,
			PULL_COPYING);
}

static int get_blob(struct registry *g, struct store *st, int dir_fd, const char *digest,
		    const char *what, bool bytes, const struct pull_opts *po)
{
	char want[65], got[65];
	_cleanup_free_ char *rel = NULL, *partial = NULL, *path = xasprintf("blobs/%s", digest);
	struct registry_resp r = {.fd = -1};
	struct blob_progress bp = {.po = po, .what = what, .hex = want, .r = &r};
	struct stat sb;
	int q;

	if (image_digest_hex(digest, want) < 0)
		return err_setx(EINVAL, "unsupported digest '%s'", digest);
	rel = xasprintf("blobs/sha256/%s", want);
	partial = xasprintf("tmp/partial-%s", want);
	r.fd = openat(st->data_fd, partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	/* Another pull fetching the same blob: wait for it, then take what it left. */
	if (r.fd < 0 || flock(r.fd, LOCK_EX) < 0 || fstat(r.fd, &sb) < 0) {
		q = err_set(errno, "create %s/%s", st->data_path, partial);
		goto out;
	}
	r.ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(r.ctx, EVP_sha256(), NULL);
	q = hash_prefix(r.fd, sb.st_size, r.ctx);
	if (q < 0) {
		q = err_set(-q, "read %s/%s", st->data_path, partial);
		goto out;
	}
	r.offset = sb.st_size;
	if (po->progress && bytes) {
		r.xfer = on_blob_xfer;
		r.xfer_data = &bp;
	}
	if (r.offset > 0)
		log_debug("%s: continuing after %lld bytes", digest, (long long)r.offset);
	q = registry_get(g, path, NULL, &r);
	if (q < 0 && r.code == 416 && r.offset > 0) {
		/* Nothing after what we hold: it was wrong, or the blob changed. Once more whole. */
		r.offset = 0;
		q = registry_get(g, path, NULL, &r);
	}
	if (q == 0) {
		hex_of(r.ctx, got);
		if (strcmp(got, want)) {
			(void)unlinkat(st->data_fd, partial, 0);
			q = err_setx(EBADMSG,
				     "%s/%s: blob %s does not match its digest (it is sha256:%s): "
				     "corrupted; nothing was stored",
				     g->host, g->repo, digest, got);
		} else if (renameat(st->data_fd, partial, dir_fd, rel) < 0) {
			q = err_set(errno, "move %s/%s into %s", st->data_path, partial, g->dir);
		} else if (po->progress) {
			/* Workers finish in any order: one line at a time. */
			pthread_mutex_lock(&progress_lock);
			po->progress(what, want, 0, 0, PULL_DONE);
			pthread_mutex_unlock(&progress_lock);
		}
	}
out:
	if (r.fd >= 0)
		close(r.fd);
	EVP_MD_CTX_free(r.ctx);
	free(r.buf);
	return q;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v = jget(o, k);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int write_file(int dir_fd, const char *rel, const char *data, size_t len)
{
	_cleanup_close_ int fd =
		openat(dir_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || util_write_all(fd, data, len) < 0)
		return err_set(errno, "write %s", rel);
	return 0;
}

static bool is_index(struct json_object *m, const char *ctype)
{
	const char *mt = jstr(m, "mediaType");

	if (!mt)
		mt = ctype;
	return (mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"))) ||
	       (jget(m, "manifests") && !jget(m, "layers"));
}

/* The digest of the index entry for os/arch. */
static int pick(struct json_object *index, const char *os, const char *arch, const char *where,
		char **ret)
{
	struct json_object *list = jget(index, "manifests");
	_cleanup_free_ char *seen = xstrdup("");

	if (!list || !json_object_is_type(list, json_type_array))
		return err_setx(EINVAL, "%s: the index's \"manifests\" is not an array", where);

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i),
				   *p = jget(d, "platform");
		const char *o = jstr(p, "os"), *a = jstr(p, "architecture"),
			   *dg = jstr(d, "digest");
		char *s;

		if (o && a && dg && !strcmp(o, os) && !strcmp(a, arch)) {
			*ret = xstrdup(dg);
			return 0;
		}
		s = xasprintf("%s%s%s/%s", seen, *seen ? ", " : "", o ? o : "?", a ? a : "?");
		free(seen);
		seen = s;
	}
	return err_setx(ENOENT, "%s: no image for %s/%s (it has: %s; see --platform)", where, os,
			arch, seen);
}

/*
 * A registry's manifest or index as the pull reads it (for the fuzzer and
 * tests): 1 with *ret the digest for os/arch when it is an index, 0 when it
 * is an image manifest, or an error for anything that is neither.
 */
int pull_pick_platform(const char *text, const char *ctype, const char *os, const char *arch,
		       char **ret)
{
	struct json_object *m = json_tokener_parse(text);
	int r;

	*ret = NULL;
	if (!m || !json_object_is_type(m, json_type_object)) {
		json_object_put(m);
		return err_setx(EINVAL, "the manifest is not a JSON object");
	}
	r = is_index(m, ctype) ? pick(m, os, arch, "manifest", ret) : 0;
	json_object_put(m);
	return r < 0 ? r : *ret != NULL;
}

/* The layers to fetch, shared by the workers of fetch_layers(). */
struct layer_jobs {
	const struct registry *proto; /* copied by each worker */
	struct store *st;
	int dir_fd;
	const struct pull_opts *po;
	struct strv digests; /* each once */
	pthread_mutex_t lock; /* over next, r, msg */
	size_t next;
	int r;
	char msg[ERR_MSG_MAX];
};

/* A worker: its own connection, the next layer until none is left or one failed. */
static void *layer_worker(void *arg)
{
	struct layer_jobs *j = arg;
	struct registry g = {0};

	registry_clone(&g, j->proto);
	for (;;) {
		size_t i;
		int q;

		pthread_mutex_lock(&j->lock);
		i = j->r < 0 ? j->digests.n : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->digests.n)
			break;
		q = get_blob(&g, j->st, j->dir_fd, j->digests.v[i], "blob", false, j->po);
		if (q < 0) {
			/* err_msg() is this thread's: the first failure's story goes back. */
			pthread_mutex_lock(&j->lock);
			if (j->r == 0) {
				j->r = q;
				snprintf(j->msg, sizeof(j->msg), "%s", err_msg());
			}
			pthread_mutex_unlock(&j->lock);
			break;
		}
	}
	registry_close(&g);
	return NULL;
}

/*
 * Fetch the layers the store lacks (by diff id), each digest once, up to
 * PULL_PARALLEL at a time as containers/image does, each worker with its
 * own connection. Returns 0 or the first failure.
 */
static int fetch_layers(struct registry *g, struct store *st, int dir_fd,
			struct json_object *layers, struct json_object *diffs,
			const struct pull_opts *po, const char *where)
{
	struct layer_jobs j = {.proto = g, .st = st, .dir_fd = dir_fd, .po = po};
	pthread_t tid[PULL_PARALLEL];
	size_t n_threads;
	char hx[65];

	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		const char *dg = jstr(json_object_array_get_idx(layers, i), "digest");
		struct json_object *d = json_object_array_get_idx(diffs, i);
		const char *diff =
			json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL;
		bool seen = false;

		/* A layer the store has is not fetched again. */
		if (diff && image_digest_hex(diff, hx) == 0) {
			_cleanup_free_ char *have = xasprintf("layers/%s", hx);

			if (faccessat(st->data_fd, have, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
				if (po->progress && dg && image_digest_hex(dg, hx) == 0)
					po->progress("blob", hx, 0, 0, PULL_SKIPPED);
				continue;
			}
		}
		if (!dg) {
			strv_free(&j.digests);
			return err_setx(EINVAL, "%s: layer %zu has no digest", where, i + 1);
		}
		for (size_t k = 0; k < j.digests.n; k++)
			seen = seen || !strcmp(j.digests.v[k], dg);
		if (!seen)
			strv_push(&j.digests, xstrdup(dg));
	}
	/* One layer: no thread, and its progress line shows the bytes. */
	if (j.digests.n == 1) {
		int q = get_blob(g, st, dir_fd, j.digests.v[0], "blob", true, po);
		strv_free(&j.digests);
		return q;
	}
	pthread_mutex_init(&j.lock, NULL);
	n_threads = j.digests.n < PULL_PARALLEL ? j.digests.n : PULL_PARALLEL;
	for (size_t i = 0; i < n_threads; i++)
		if (pthread_create(&tid[i], NULL, layer_worker, &j) != 0) {
			/* Fewer workers then; with none, this thread does the work. */
			n_threads = i;
			break;
		}
	if (n_threads == 0)
		layer_worker(&j);
	for (size_t i = 0; i < n_threads; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&j.lock);
	strv_free(&j.digests);
	return j.r < 0 ? err_setx(-j.r, "%s", j.msg) : 0;
}

static int fetch(struct registry *g, int dir_fd, const char *ref, const struct pull_opts *po,
		 const char *where, struct strv *ret_names, struct store *st, int userns_fd,
		 const char *dir, const char *name)
{
	_cleanup_free_ char *man = NULL, *sub = NULL, *idx = NULL;
	struct json_object *m = NULL, *cfg = NULL, *layers, *diffs;
	char mhex[65], hx[65];
	size_t mlen;
	int q;

	q = get_manifest(g, ref, &man, &mlen, mhex);
	if (q < 0)
		return q;
	m = json_tokener_parse(man);
	if (!m || !json_object_is_type(m, json_type_object)) {
		q = err_setx(EINVAL, "%s: the manifest is not JSON", where);
		goto out;
	}
	if (is_index(m, NULL)) {
		q = pick(m, po->os ? po->os : "linux", po->arch ? po->arch : image_host_arch(),
			 where, &sub);
		json_object_put(m);
		m = NULL;
		free(man);
		man = NULL;
		if (q == 0)
			q = get_manifest(g, sub, &man, &mlen, mhex);
		if (q < 0)
			goto out;
		m = json_tokener_parse(man);
		if (!m || is_index(m, NULL) || !jget(m, "layers")) {
			q = err_setx(EINVAL, "%s: %s is not an image manifest", where, sub);
			goto out;
		}
	}
	layers = jget(m, "layers");
	if (!jstr(jget(m, "config"), "digest") || !layers ||
	    !json_object_is_type(layers, json_type_array)) {
		q = err_setx(EINVAL,
			     "%s: not an image manifest (schema 1 manifests are not supported)",
			     where);
		goto out;
	}
	{
		_cleanup_free_ char *rel = xasprintf("blobs/sha256/%s", mhex);
		const char *mt = jstr(m, "mediaType");

		q = write_file(dir_fd, rel, man, mlen);
		if (q < 0)
			goto out;
		idx = xasprintf(
			"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":"
			"\"sha256:%s\",\"size\":%zu}]}",
			mt ? mt : "application/vnd.oci.image.manifest.v1+json", mhex, mlen);
		q = write_file(dir_fd, "index.json", idx, strlen(idx));
		if (q == 0)
			q = write_file(dir_fd, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
				       30);
		if (q < 0)
			goto out;
	}
	q = get_blob(g, st, dir_fd, jstr(jget(m, "config"), "digest"), "config", true, po);
	if (q < 0)
		goto out;
	{
		_cleanup_free_ char *text = NULL, *rel = NULL;
		_cleanup_close_ int fd = -1;
		struct stat sb;

		(void)image_digest_hex(jstr(jget(m, "config"), "digest"), hx);
		rel = xasprintf("blobs/sha256/%s", hx);
		fd = openat(dir_fd, rel, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size > REGISTRY_BODY_MAX) {
			q = err_setx(EFBIG, "%s: the config is unreadable or too big", where);
			goto out;
		}
		text = xmalloc(sb.st_size + 1);
		text[util_read_all(fd, text, sb.st_size) == sb.st_size ? sb.st_size : 0] = '\0';
		cfg = json_tokener_parse(text);
	}
	diffs = jget(jget(cfg, "rootfs"), "diff_ids");
	if (!diffs || !json_object_is_type(diffs, json_type_array) ||
	    json_object_array_length(diffs) != json_object_array_length(layers)) {
		q = err_setx(EINVAL, "%s: the config's diff ids do not match the layers", where);
		goto out;
	}
	q = fetch_layers(g, st, dir_fd, layers, diffs, po, where);
	if (q == 0)
		q = image_load(st, userns_fd, dir, NULL, name, ret_names);
out:
	if (m)
		json_object_put(m);
	if (cfg)
		json_object_put(cfg);
	return q;
}

/* Pull src (normalized) into the store, under the name name. */
static int pull_one(struct store *st, int userns_fd, const char *src, const char *name,
		    const struct pull_opts *po, struct strv *ret_names)
{
	_cleanup_free_ char *norm = xstrdup(src), *dir = NULL, *tmp = NULL;
	_cleanup_close_ int dir_fd = -1;
	struct registry g = {0};
	const char *tag = NULL;
	int q;

	q = registry_open(&g, norm, po, &tag);
	if (q < 0)
		goto out;
	image_tmp_clean(st);
	if (mkdirat(st->data_fd, "tmp", 0700) < 0 && errno != EEXIST) {
		q = err_set(errno, "create %s/tmp", st->data_path);
		goto out;
	}
	dir = xasprintf("%s/tmp/pull-XXXXXX", st->data_path);
	if (!mkdtemp(dir)) {
		q = err_set(errno, "create %s", dir);
		goto out;
	}
	tmp = xstrdup(dir + strlen(st->data_path) + 1);
	g.dir = dir;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The lock says "in progress" to a prune, which removes only abandoned pulls. */
	if (dir_fd < 0 || flock(dir_fd, LOCK_EX) < 0 || mkdirat(dir_fd, "blobs", 0700) < 0 ||
	    mkdirat(dir_fd, "blobs/sha256", 0700) < 0) {
		q = err_set(errno, "create %s", dir);
		goto out;
	}
	q = fetch(&g, dir_fd, tag, po, src, ret_names, st, userns_fd, dir, name);
out:
	if (tmp)
		(void)util_rm_rf_at(st->data_fd, tmp);
	registry_close(&g);
	return q;
}

/*
 * Pull ref into the store, from where registries.conf sends it: its
 * mirrors in order, then its location; a source that fails passes to the
 * next. The image is named by ref. Names stored (and notes, "note: ...")
 * are pushed to ret_names. Returns 0 or -errno (the last source's error).
 */
int pull_image(struct store *st, int userns_fd, const char *ref, const struct pull_opts *po,
	       struct strv *ret_names)
{
	_cleanup_free_ char *norm = NULL;
	struct regconf rc = {0};
	struct regconf_source *src = NULL;
	size_t n = 0;
	int q;

	q = image_ref_normalize(ref, &norm);
	if (q == 0)
		q = regconf_registries(&rc);
	if (q == 0)
		q = regconf_sources(&rc, norm, &src, &n);
	regconf_free(&rc);
	for (size_t i = 0; q == 0 && i < n; i++) {
		struct pull_opts o = *po;

		o.tls_verify = po->tls_verify && !src[i].insecure;
		if (strcmp(src[i].ref, norm))
			log_info("Trying to pull %s from %s%s...", norm, src[i].ref,
				 src[i].mirror ? " (a mirror)" : "");
		q = pull_one(st, userns_fd, src[i].ref, norm, &o, ret_names);
		if (q == 0)
			break;
		if (i + 1 < n) {
			log_info("%s: %s; trying the next", src[i].ref, err_msg());
			q = 0;
		}
	}
	regconf_sources_free(src, n);
	return q;
}
