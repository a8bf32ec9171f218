/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image.c - the image store; OCI layouts and archives -> store; images for a run
 *
 *   $XDG_DATA_HOME/roost/store.lock           flock(): exclusive for writers
 *   $XDG_DATA_HOME/roost/blobs/sha256/HEX     manifests and configs, as loaded
 *   $XDG_DATA_HOME/roost/layers/HEX/          an unpacked layer, keyed by its diff id
 *   $XDG_DATA_HOME/roost/layers/HEX.size      its bytes, for 'roost images'
 *   $XDG_DATA_HOME/roost/images/index.json    name -> manifest, config, size, created
 *
 * Loading: find the manifest (an OCI layout's index.json, nested indexes by
 * platform, or a "docker save" manifest.json), verify every blob against
 * its digest and every layer against its diff id, and only then write:
 * layers missing from the store are unpacked into layers/.tmp-XXXXXX and
 * renamed into place, so an interrupted load leaves nothing a run would
 * use (prune removes the leftovers). Archives are first extracted into
 * tmp/ as plain files. The rest of roost sees struct image_run.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "roost/err.h"
#include "roost/image.h"
#include "roost/layer.h"
#include "roost/log.h"

#define JSON_MAX (16 << 20)
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

static void json_putp(struct json_object **j)
{
	if (*j)
		json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* ---- pure parts ---- */

static bool valid_repo(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("._-/", *s)))
			return false;
	return true;
}

/*
 * "alpine" -> "docker.io/library/alpine:latest", "quay.io/a/b:1" stays,
 * "localhost:5000/x@sha256:..." keeps its digest. The first component is
 * a registry when it holds '.' or ':' or is "localhost". Returns 0 or
 * -EINVAL with a message.
 */
int image_ref_normalize(const char *ref, char **ret)
{
	_cleanup_free_ char *s = xstrdup(ref), *digest = NULL;
	const char *registry = "docker.io", *tag = "latest";
	char *at = strchr(s, '@'), *slash, *colon, *repo = s;
	char hexd[65];

	if (!*s)
		return err_setx(EINVAL, "an empty image name");
	if (at) {
		*at++ = '\0';
		if (image_digest_hex(at, hexd) < 0)
			return err_setx(EINVAL, "image '%s': bad digest '%s'", ref, at);
		digest = xstrdup(at);
	}
	slash = strchr(s, '/');
	if (slash && (memchr(s, '.', slash - s) || memchr(s, ':', slash - s) ||
		      !strncmp(s, "localhost/", 10))) {
		*slash = '\0';
		registry = s;
		repo = slash + 1;
	}
	colon = strrchr(repo, ':');
	if (colon) {
		*colon = '\0';
		tag = colon + 1;
		if (!*tag || strlen(tag) > 128 ||
		    strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
				"KLMNOPQRSTUVWXYZ0123456789_.-") != strlen(tag))
			return err_setx(EINVAL, "image '%s': bad tag '%s'", ref, tag);
	}
	if (!*repo || !valid_repo(repo) || repo[0] == '/' || strstr(repo, "//") ||
	    repo[strlen(repo) - 1] == '/')
		return err_setx(EINVAL,
				"image '%s': bad repository name '%s' (lower case letters, digits, "
				"'.', '_', '-', '/')",
				ref, repo);
	if (digest)
		*ret = xasprintf("%s/%s%s%s%s@%s", registry,
				 !strcmp(registry, "docker.io") && !strchr(repo, '/') ? "library/"
										      : "",
				 repo, colon ? ":" : "", colon ? tag : "", digest);
	else
		*ret = xasprintf("%s/%s%s:%s", registry,
				 !strcmp(registry, "docker.io") && !strchr(repo, '/') ? "library/"
										      : "",
				 repo, tag);
	return 0;
}

/* "sha256:<64 lower hex>" -> the hex. Returns 0 or -EINVAL (no message). */
int image_digest_hex(const char *digest, char ret[65])
{
	if (strncmp(digest, "sha256:", 7) || strlen(digest + 7) != 64 ||
	    strspn(digest + 7, "0123456789abcdef") != 64)
		return -EINVAL;
	memcpy(ret, digest + 7, 65);
	return 0;
}

/* The GOARCH name of this machine, as image platforms spell it. */
const char *image_host_arch(void)
{
	static const struct {
		const char *uname, *arch;
	} map[] = {
		{"x86_64", "amd64"},	{"aarch64", "arm64"},	{"armv7l", "arm"},
		{"i686", "386"},	{"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"},
	};
	static struct utsname u;

	if (uname(&u) < 0)
		return "amd64";
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(u.machine, map[i].uname))
			return map[i].arch;
	return u.machine;
}

static int strv_from_json(struct json_object *a, struct strv *v, const char *what)
{
	if (!a)
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return err_setx(EINVAL, "image config: %s is not an array", what);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *x = json_object_array_get_idx(a, i);
		if (!json_object_is_type(x, json_type_string))
			return err_setx(EINVAL, "image config: %s holds a non-string", what);
		strv_push(v, xstrdup(json_object_get_string(x)));
	}
	return 0;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string) ? xstrdup(json_object_get_string(v))
							     : NULL;
}

/*
 * An OCI (or Docker) image config -> what a run honours: Entrypoint, Cmd,
 * Env, WorkingDir, User, ExposedPorts (documentation only). Unknown
 * properties are ignored. Returns 0 or -EINVAL.
 */
int image_config_parse(const char *json, struct image_config *ret)
{
	_cleanup_json_ struct json_object *root = json_tokener_parse(json);
	struct image_config c = {0};
	struct json_object *cfg, *ports;
	int r;

	if (!root || !json_object_is_type(root, json_type_object))
		return err_setx(EINVAL, "image config: not a JSON object");
	cfg = get(root, "config");
	r = strv_from_json(get(cfg, "Entrypoint"), &c.entrypoint, "Entrypoint");
	if (r == 0)
		r = strv_from_json(get(cfg, "Cmd"), &c.cmd, "Cmd");
	if (r == 0)
		r = strv_from_json(get(cfg, "Env"), &c.env, "Env");
	if (r < 0) {
		image_config_free(&c);
		return r;
	}
	c.workdir = get_str(cfg, "WorkingDir");
	c.user = get_str(cfg, "User");
	if (c.workdir && !*c.workdir)
		c.workdir = (free(c.workdir), NULL);
	if (c.user && !*c.user)
		c.user = (free(c.user), NULL);
	ports = get(cfg, "ExposedPorts");
	if (ports && json_object_is_type(ports, json_type_object)) {
		json_object_object_foreach(ports, k, v)
		{
			(void)v;
			strv_push(&c.ports, xstrdup(k));
		}
	}
	*ret = c;
	return 0;
}

void image_config_free(struct image_config *c)
{
	strv_free(&c->entrypoint);
	strv_free(&c->cmd);
	strv_free(&c->env);
	strv_free(&c->ports);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

/* ---- files ---- */

static int read_at(int dfd, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size > JSON_MAX)
		return -EFBIG;
	buf = xmalloc(st.st_size + 1);
	n = util_read_all(fd, buf, st.st_size);
	if (n != st.st_size) {
		free(buf);
		return -EIO;
	}
	buf[n] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = n;
	return 0;
}

static int write_atomic(int dfd, const char *path, const char *data, size_t len)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_close_ int fd =
		openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r;

	if (fd < 0)
		return -errno;
	r = util_write_all(fd, data, len);
	if (r == 0 && renameat(dfd, tmp, dfd, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dfd, tmp, 0);
	return r;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The store's directories and its lock (exclusive for writers). Returns the lock fd. */
static int store_lock(struct store *st, bool exclusive)
{
	int fd;

	if ((mkdirat(st->data_fd, "blobs", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(st->data_fd, "blobs/sha256", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(st->data_fd, "layers", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(st->data_fd, "images", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(st->data_fd, "tmp", 0700) < 0 && errno != EEXIST))
		return err_set(errno, "create the image store in %s", st->data_path);
	fd = openat(st->data_fd, "store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(errno, "open %s/store.lock", st->data_path);
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR) {
			close(fd);
			return err_set(errno, "lock %s/store.lock", st->data_path);
		}
	return fd;
}

static struct json_object *index_read(struct store *st)
{
	_cleanup_free_ char *text = NULL;
	struct json_object *j;

	if (read_at(st->data_fd, "images/index.json", &text, NULL) < 0)
		return json_object_new_object();
	j = json_tokener_parse(text);
	if (!j || !json_object_is_type(j, json_type_object)) {
		log_warn("%s/images/index.json is damaged: starting an empty one", st->data_path);
		if (j)
			json_object_put(j);
		return json_object_new_object();
	}
	return j;
}

static int index_write(struct store *st, struct json_object *idx)
{
	const char *text = json_object_to_json_string_ext(idx, JSON_C_TO_STRING_PRETTY);
	int r = write_atomic(st->data_fd, "images/index.json", text, strlen(text));

	return r < 0 ? err_set(-r, "write %s/images/index.json", st->data_path) : 0;
}

/* Remove rel (under the data dir), inside the user namespace for subordinate-owned files. */
static int remove_tree(struct store *st, int userns_fd, const char *rel)
{
	int status;
	pid_t pid;

	if (util_rm_rf_at(st->data_fd, rel) == 0 || userns_fd < 0)
		goto out;
	pid = fork();
	if (pid < 0)
		return err_set(errno, "fork");
	if (pid == 0) {
		if (setns(userns_fd, CLONE_NEWUSER) < 0)
			_exit(2);
		_exit(util_rm_rf_at(st->data_fd, rel) < 0 ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait");
out:
	if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return err_setx(EBUSY, "cannot remove %s/%s", st->data_path, rel);
	return 0;
}

static int blob_store(struct store *st, const char *hexd, const char *data, size_t len)
{
	_cleanup_free_ char *rel = xasprintf("blobs/sha256/%s", hexd);
	int r;

	if (faccessat(st->data_fd, rel, F_OK, 0) == 0)
		return 0;
	r = write_atomic(st->data_fd, rel, data, len);
	return r < 0 ? err_set(-r, "write %s/%s", st->data_path, rel) : 0;
}

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
		if (read_at(st->data_fd, sizef, &text, NULL) == 0)
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
		r = write_atomic(st->data_fd, sizef, buf, strlen(buf));
		if (r < 0)
			r = err_set(-r, "write %s/%s", st->data_path, sizef);
	}
	if (r == 0 && renameat(st->data_fd, tmp, st->data_fd, dst) < 0)
		r = err_set(errno, "rename %s into place", abs);
	if (r < 0) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		(void)remove_tree(st, userns_fd, tmp);
		return err_setx(-r, "layer %.12s: %s", diff, saved);
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
	r = read_at(dfd, rel, &data, &len);
	if (r < 0)
		return err_set(-r, "%s: read %s", dir, rel);
	sha256_hex(data, len, got);
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
	struct json_object *m = get(j, "manifests");

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
		struct json_object *p = get(d, "platform");
		_cleanup_free_ char *os = get_str(p, "os"), *a = get_str(p, "architecture");
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
	_cleanup_free_ char *data = NULL, *mt = get_str(desc, "mediaType"),
			    *dg = get_str(desc, "digest");
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
		mt = get_str(j, "mediaType");
	if (is_index(j, mt)) {
		struct json_object *m = get(j, "manifests"), *d;

		if (!m || !json_object_is_type(m, json_type_array))
			return err_setx(EINVAL, "%s: index %s has no manifests", dir, dg);
		d = pick_platform(m, dir);
		if (!d)
			return -ENOENT;
		return oci_follow(dfd, dir, d, f, depth + 1);
	}
	cfg = get(j, "config");
	layers = get(j, "layers");
	if (!cfg || !layers || !json_object_is_type(layers, json_type_array))
		return err_setx(EINVAL, "%s: %s is not an image manifest", dir, dg);
	{
		_cleanup_free_ char *cd = get_str(cfg, "digest");
		if (!cd)
			return err_setx(EINVAL, "%s: the manifest's config has no digest", dir);
		r = read_blob(dfd, dir, cd, &f->config, &f->config_len);
		if (r < 0)
			return r;
		(void)image_digest_hex(cd, f->config_hex);
	}
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		_cleanup_free_ char *ld = get_str(json_object_array_get_idx(layers, i), "digest");
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

/* The name an annotation gives (a full reference), or "localhost/BASE:TAG" for a bare tag. */
static char *name_for(const char *refname, const char *base)
{
	_cleanup_free_ char *repo = xstrdup(base);
	char *n = NULL;

	if (refname && (strchr(refname, ':') || strchr(refname, '/')) &&
	    image_ref_normalize(refname, &n) == 0)
		return n;
	for (char *p = repo; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			*p = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : '-';
	n = xasprintf("localhost/%s:%s", *repo ? repo : "image",
		      refname && *refname ? refname : "latest");
	return n;
}

static int oci_layout(int dfd, const char *dir, const char *tag, const char *base, struct found *f)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ struct json_object *idx = NULL;
	struct json_object *m, *pick = NULL;
	size_t n;
	int r;

	r = read_at(dfd, "index.json", &text, NULL);
	if (r < 0)
		return err_set(-r, "%s/index.json", dir);
	idx = json_tokener_parse(text);
	m = get(idx, "manifests");
	if (!m || !json_object_is_type(m, json_type_array) || !(n = json_object_array_length(m)))
		return err_setx(EINVAL, "%s/index.json lists no manifests", dir);
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(m, i);
		struct json_object *an = get(d, "annotations");
		_cleanup_free_ char *ref = get_str(an, "org.opencontainers.image.ref.name");
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
		struct json_object *an = get(pick, "annotations");
		_cleanup_free_ char *cn = get_str(an, "io.containerd.image.name");
		_cleanup_free_ char *ref = get_str(an, "org.opencontainers.image.ref.name");

		strv_push(&f->names, name_for(cn ? cn : ref, base));
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

	r = read_at(dfd, "manifest.json", &text, NULL);
	if (r < 0)
		return err_set(-r, "%s: neither index.json nor manifest.json", dir);
	m = json_tokener_parse(text);
	if (!m || !json_object_is_type(m, json_type_array) || json_object_array_length(m) < 1)
		return err_setx(EINVAL, "%s/manifest.json lists no image", dir);
	e = json_object_array_get_idx(m, 0);
	cfgpath = get_str(e, "Config");
	layers = get(e, "Layers");
	if (!cfgpath || !layers || !json_object_is_type(layers, json_type_array))
		return err_setx(EINVAL, "%s/manifest.json: no Config or Layers", dir);
	{
		char clean[PATH_MAX];
		if (layer_clean_path(cfgpath, clean, sizeof(clean)) != 0)
			return err_setx(EINVAL, "%s/manifest.json: bad Config path", dir);
		r = read_at(dfd, clean, &f->config, &f->config_len);
		if (r < 0)
			return err_set(-r, "%s: read %s", dir, clean);
	}
	sha256_hex(f->config, f->config_len, f->config_hex);
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		struct json_object *l = json_object_array_get_idx(layers, i);
		char clean[PATH_MAX];

		if (!json_object_is_type(l, json_type_string) ||
		    layer_clean_path(json_object_get_string(l), clean, sizeof(clean)) != 0)
			return err_setx(EINVAL, "%s/manifest.json: bad layer path", dir);
		strv_push(&f->blobs, xasprintf("%s/%s", dir, clean));
		strv_push(&f->blob_hex, xstrdup(""));
	}
	tags = get(e, "RepoTags");
	for (size_t i = 0; tags && json_object_is_type(tags, json_type_array) &&
			   i < json_object_array_length(tags);
	     i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(tags, i));
		char *n;

		if (t && image_ref_normalize(t, &n) == 0)
			strv_push(&f->names, n);
	}
	if (!f->names.n)
		strv_push(&f->names, name_for(NULL, base));
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
	sha256_hex(f->manifest, f->manifest_len, f->manifest_hex);
}

static int config_diffs(const char *config, struct strv *ret)
{
	_cleanup_json_ struct json_object *j = json_tokener_parse(config);
	struct json_object *d = get(get(j, "rootfs"), "diff_ids");

	if (!d || !json_object_is_type(d, json_type_array))
		return err_setx(EINVAL, "image config has no rootfs.diff_ids");
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(d, i));
		char h[65];

		if (!s || image_digest_hex(s, h) < 0)
			return err_setx(EINVAL, "image config: bad diff id '%s'", s ? s : "");
		strv_push(ret, xstrdup(h));
	}
	return 0;
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

	r = config_diffs(f->config, &diffs);
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
	r = blob_store(st, f->config_hex, f->config, f->config_len);
	if (r == 0)
		r = blob_store(st, f->manifest_hex, f->manifest, f->manifest_len);
	if (r < 0)
		goto out;
	idx = index_read(st);
	for (size_t i = 0; i < f->names.n; i++) {
		struct json_object *e = json_object_new_object();
		_cleanup_json_ struct json_object *cj = json_tokener_parse(f->config);
		_cleanup_free_ char *md = xasprintf("sha256:%s", f->manifest_hex);
		_cleanup_free_ char *cd = xasprintf("sha256:%s", f->config_hex);
		_cleanup_free_ char *created = get_str(cj, "created");

		json_object_object_add(e, "manifest", json_object_new_string(md));
		json_object_object_add(e, "config", json_object_new_string(cd));
		json_object_object_add(e, "size", json_object_new_int64(total));
		json_object_object_add(e, "created",
				       json_object_new_string(created ? created : ""));
		json_object_object_add(idx, f->names.v[i], e);
	}
	r = index_write(st, idx);
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
	lock = store_lock(st, true);
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
	lock = store_lock(st, true);
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
		sha256_hex(f.config, f.config_len, f.config_hex);
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

/* ---- the store's images ---- */

/* The index entry for name: a reference, or the start of an id (at least 4 hex digits). */
static struct json_object *find_image(struct json_object *idx, const char *name, char **ret_key)
{
	_cleanup_free_ char *norm = NULL;
	struct json_object *e;
	size_t n = strlen(name);

	if (json_object_object_get_ex(idx, name, &e)) {
		*ret_key = xstrdup(name);
		return e;
	}
	if (image_ref_normalize(name, &norm) == 0 && json_object_object_get_ex(idx, norm, &e)) {
		*ret_key = TAKE_PTR(norm);
		return e;
	}
	if (n >= 4 && n <= 64 && strspn(name, "0123456789abcdef") == n) {
		json_object_object_foreach(idx, k, v)
		{
			_cleanup_free_ char *c = get_str(v, "config");
			if (c && !strncmp(c + 7, name, n)) {
				*ret_key = xstrdup(k);
				return v;
			}
		}
	}
	err_setx(ENOENT, "no image '%s' in the store (see 'roost images')", name);
	return NULL;
}

static int read_config_blob(struct store *st, struct json_object *e, char **ret)
{
	_cleanup_free_ char *c = get_str(e, "config"), *rel = NULL;
	char h[65];
	int r;

	if (!c || image_digest_hex(c, h) < 0)
		return err_setx(EINVAL, "damaged image entry in %s/images/index.json",
				st->data_path);
	rel = xasprintf("blobs/sha256/%s", h);
	r = read_at(st->data_fd, rel, ret, NULL);
	return r < 0 ? err_set(-r, "read %s/%s", st->data_path, rel) : 0;
}

/* An image of the store, ready for a run: its layers (each checked present), its config. */
int image_resolve(struct store *st, const char *name, struct image_run *ret)
{
	_cleanup_close_ int lock = store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_free_ char *key = NULL, *config = NULL;
	struct image_run ir = {0};
	struct strv diffs = {0};
	struct json_object *e;
	int r;

	if (lock < 0)
		return lock;
	idx = index_read(st);
	e = find_image(idx, name, &key);
	if (!e)
		return -ENOENT;
	r = read_config_blob(st, e, &config);
	if (r == 0)
		r = config_diffs(config, &diffs);
	if (r == 0)
		r = image_config_parse(config, &ir.config);
	for (size_t i = diffs.n; r == 0 && i > 0; i--) {
		_cleanup_free_ char *rel = xasprintf("layers/%s", diffs.v[i - 1]);
		if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			r = err_setx(ENOENT,
				     "image '%s': layer %.12s is missing from the store: "
				     "load the image again",
				     key, diffs.v[i - 1]);
		strv_push(&ir.layers, xasprintf("%s/%s", st->data_path, rel));
	}
	strv_free(&diffs);
	if (r < 0) {
		image_run_free(&ir);
		return r;
	}
	ir.name = TAKE_PTR(key);
	*ret = ir;
	return 0;
}

void image_run_free(struct image_run *r)
{
	free(r->name);
	strv_free(&r->layers);
	image_config_free(&r->config);
	memset(r, 0, sizeof(*r));
}

int image_list(struct store *st, struct image_info **ret, size_t *ret_n)
{
	_cleanup_close_ int lock = store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL;
	struct image_info *v = NULL;
	size_t n = 0;

	if (lock < 0)
		return lock;
	idx = index_read(st);
	json_object_object_foreach(idx, k, e)
	{
		_cleanup_free_ char *c = get_str(e, "config");
		struct json_object *sz = get(e, "size");

		v = xrealloc(v, (n + 1) * sizeof(*v));
		memset(&v[n], 0, sizeof(*v));
		v[n].name = xstrdup(k);
		if (!c || image_digest_hex(c, v[n].id) < 0)
			snprintf(v[n].id, sizeof(v[n].id), "?");
		v[n].size = sz ? (uint64_t)json_object_get_int64(sz) : 0;
		v[n].created = get_str(e, "created");
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void image_info_free(struct image_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].created);
	}
	free(v);
}

/* Untag name; its layers stay until 'roost image prune'. */
int image_remove(struct store *st, const char *name)
{
	_cleanup_close_ int lock = store_lock(st, true);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_free_ char *key = NULL;

	if (lock < 0)
		return lock;
	idx = index_read(st);
	if (!find_image(idx, name, &key))
		return -ENOENT;
	json_object_object_del(idx, key);
	return index_write(st, idx);
}

/* {"Name", "Id", "Digest", "Size", "Created", "Config": the config blob, "Layers": diff ids}. */
int image_inspect(struct store *st, const char *name, char **ret_json)
{
	_cleanup_close_ int lock = store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL, *out = NULL, *cfg = NULL;
	_cleanup_free_ char *key = NULL, *config = NULL;
	struct json_object *e, *layers;
	struct strv diffs = {0};
	int r;

	if (lock < 0)
		return lock;
	idx = index_read(st);
	e = find_image(idx, name, &key);
	if (!e)
		return -ENOENT;
	r = read_config_blob(st, e, &config);
	if (r == 0)
		r = config_diffs(config, &diffs);
	if (r < 0)
		return r;
	cfg = json_tokener_parse(config);
	out = json_object_new_object();
	json_object_object_add(out, "Name", json_object_new_string(key));
	json_object_object_add(out, "Id", json_object_get(get(e, "config")));
	json_object_object_add(out, "Digest", json_object_get(get(e, "manifest")));
	json_object_object_add(out, "Size", json_object_get(get(e, "size")));
	json_object_object_add(out, "Created", json_object_get(get(e, "created")));
	json_object_object_add(out, "Architecture", json_object_get(get(cfg, "architecture")));
	json_object_object_add(out, "Os", json_object_get(get(cfg, "os")));
	json_object_object_add(out, "Config", json_object_get(get(cfg, "config")));
	layers = json_object_new_array();
	for (size_t i = 0; i < diffs.n; i++) {
		_cleanup_free_ char *d = xasprintf("sha256:%s", diffs.v[i]);
		json_object_array_add(layers, json_object_new_string(d));
	}
	json_object_object_add(out, "Layers", layers);
	strv_free(&diffs);
	*ret_json = xstrdup(json_object_to_json_string_ext(
		out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

/*
 * Remove the layers and blobs no image uses, and what interrupted loads
 * left (layers/.tmp-*, tmp/). Returns the number of layers removed.
 */
int image_prune(struct store *st, int userns_fd, size_t *ret_n)
{
	_cleanup_close_ int lock = store_lock(st, true);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct strv keep = {0};
	size_t n = 0;
	int fd, r = 0;

	if (lock < 0)
		return lock;
	idx = index_read(st);
	json_object_object_foreach(idx, k, e)
	{
		_cleanup_free_ char *config = NULL, *c = get_str(e, "config"),
				    *m = get_str(e, "manifest");
		(void)k;
		if (c)
			strv_push(&keep, xstrdup(c + 7));
		if (m)
			strv_push(&keep, xstrdup(m + 7));
		if (read_config_blob(st, e, &config) == 0)
			(void)config_diffs(config, &keep);
	}
	fd = openat(st->data_fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	for (struct dirent *de; d && (de = readdir(d));) {
		char h[65];
		bool used = false;
		_cleanup_free_ char *rel = xasprintf("layers/%s", de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(h, sizeof(h), "%.64s", de->d_name);
		for (size_t i = 0; i < keep.n && strncmp(de->d_name, ".tmp-", 5); i++)
			used = used || !strcmp(keep.v[i], h);
		if (used)
			continue;
		if (strlen(de->d_name) == 64)
			n++;
		r = remove_tree(st, userns_fd, rel);
		if (r < 0)
			break;
	}
	if (d)
		closedir(TAKE_PTR(d));
	fd = r < 0 ? -1 : openat(st->data_fd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	for (struct dirent *de; d && (de = readdir(d));) {
		bool used = false;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < keep.n; i++)
			used = used || !strcmp(keep.v[i], de->d_name);
		if (!used)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	if (r == 0)
		(void)util_rm_rf_at(st->data_fd, "tmp");
	strv_free(&keep);
	if (r == 0)
		*ret_n = n;
	return r;
}
