/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image.c - the image store: names, blobs, layers; images for a run
 *
 *   $XDG_DATA_HOME/roost/store.lock           flock(): exclusive for writers
 *   $XDG_DATA_HOME/roost/blobs/sha256/HEX     manifests and configs, as loaded
 *   $XDG_DATA_HOME/roost/layers/HEX/          an unpacked layer, keyed by its diff id
 *   $XDG_DATA_HOME/roost/layers/HEX.size      its bytes, for 'roost images'
 *   $XDG_DATA_HOME/roost/images/index.json    name -> manifest, config, size, created
 *   $XDG_DATA_HOME/roost/images/uses/ID       container ID's image name, then its layers
 *   $XDG_DATA_HOME/roost/tmp/                 pulls and loads in progress (each flock()ed)
 *
 * Writers hold store.lock exclusively, readers shared; every file is
 * written to a temporary name and renamed into place. A container's layers
 * are what its uses/ID names (image_use.c): kept by prune and rmi while
 * containers/ID exists (running or stopped) or the roost creating it holds
 * the file's lock, whatever became of the image's name. Loading (load.c)
 * fills the store; the rest of roost sees struct image_run.
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
#include "image_priv.h"
#include "roost/image.h"
#include "roost/layer.h"
#include "roost/log.h"
#include "roost/regconf.h"

#define JSON_MAX (16 << 20)

/* ---- pure parts ---- */

/*
 * s with every byte that is not printable ASCII as \xNN: names and messages
 * from images and registries never reach a terminal raw. Escaping twice
 * changes nothing. Returns a new string.
 */
char *image_escape(const char *s)
{
	char *out = xmalloc(4 * strlen(s) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			*o++ = *p;
		else
			o += sprintf(o, "\\x%02x", *p);
	}
	*o = '\0';
	return out;
}

static bool valid_repo(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("._-/", *s)))
			return false;
	return true;
}

/* Is s a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, as the distribution spec has it? */
bool image_tag_valid(const char *s)
{
	static const char first[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	size_t n = strlen(s);

	return n > 0 && n <= 128 && strchr(first, s[0]) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* A registry: a host name or IPv4 address, or [IPv6], then an optional :PORT. */
static bool valid_registry(const char *s)
{
	size_t n = s[0] == '[' ? strcspn(s, "]") + 1
			       : strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789.-");

	if (s[0] == '[' && (s[n - 1] != ']' || strspn(s + 1, "0123456789abcdefABCDEF:") != n - 2))
		return false;
	if (n == 0 || s[0] == '-' || s[0] == '.')
		return false;
	if (s[n] == ':')
		return s[n + 1] && strspn(s + n + 1, "0123456789") == strlen(s + n + 1) &&
		       strlen(s + n + 1) <= 5;
	return s[n] == '\0';
}

/*
 * "alpine" -> "docker.io/library/alpine:latest", "quay.io/a/b:1" stays,
 * "localhost:5000/x@sha256:..." keeps its digest. The first component is
 * a registry when it holds '.' or ':' or is "localhost". Returns 0 or
 * -EINVAL with a message (in which the reference is escaped).
 */
int image_ref_normalize(const char *ref, char **ret)
{
	_cleanup_free_ char *s = xstrdup(ref), *digest = NULL, *eref = image_escape(ref);
	const char *registry = "docker.io", *tag = "latest";
	char *at = strchr(s, '@'), *slash, *colon, *repo = s;
	char hexd[65];

	if (!*s)
		return err_setx(EINVAL, "an empty image name");
	if (at) {
		*at++ = '\0';
		if (image_digest_hex(at, hexd) < 0)
			return err_setx(EINVAL, "image '%s': bad digest", eref);
		digest = xstrdup(at);
	}
	slash = strchr(s, '/');
	if (slash && (memchr(s, '.', slash - s) || memchr(s, ':', slash - s) ||
		      !strncmp(s, "localhost/", 10))) {
		*slash = '\0';
		registry = s;
		repo = slash + 1;
		if (!valid_registry(registry))
			return err_setx(EINVAL, "image '%s': bad registry (HOST[:PORT])", eref);
	}
	colon = strrchr(repo, ':');
	if (colon) {
		*colon = '\0';
		tag = colon + 1;
		if (!image_tag_valid(tag))
			return err_setx(EINVAL,
					"image '%s': bad tag (letters, digits, '_', '.', '-'; up "
					"to 128)",
					eref);
	}
	if (!*repo || !valid_repo(repo) || repo[0] == '/' || strstr(repo, "//") ||
	    repo[strlen(repo) - 1] == '/')
		return err_setx(EINVAL,
				"image '%s': bad repository name (lower case letters, digits, "
				"'.', '_', '-', '/')",
				eref);
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

struct json_object *image_json_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

char *image_json_str(struct json_object *o, const char *key)
{
	struct json_object *v = image_json_get(o, key);

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
	cfg = image_json_get(root, "config");
	r = strv_from_json(image_json_get(cfg, "Entrypoint"), &c.entrypoint, "Entrypoint");
	if (r == 0)
		r = strv_from_json(image_json_get(cfg, "Cmd"), &c.cmd, "Cmd");
	if (r == 0)
		r = strv_from_json(image_json_get(cfg, "Env"), &c.env, "Env");
	if (r < 0) {
		image_config_free(&c);
		return r;
	}
	c.workdir = image_json_str(cfg, "WorkingDir");
	c.user = image_json_str(cfg, "User");
	if (c.workdir && !*c.workdir)
		c.workdir = (free(c.workdir), NULL);
	if (c.user && !*c.user)
		c.user = (free(c.user), NULL);
	ports = image_json_get(cfg, "ExposedPorts");
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

int image_read_at(int dfd, const char *path, char **ret, size_t *ret_len)
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

int image_write_atomic(int dfd, const char *path, const char *data, size_t len)
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

void image_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The store's directories and its lock (exclusive for writers). Returns the lock fd. */
int image_store_lock(struct store *st, bool exclusive)
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

struct json_object *image_index_read(struct store *st)
{
	_cleanup_free_ char *text = NULL;
	struct json_object *j;

	if (image_read_at(st->data_fd, "images/index.json", &text, NULL) < 0)
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

int image_index_write(struct store *st, struct json_object *idx)
{
	const char *text = json_object_to_json_string_ext(idx, JSON_C_TO_STRING_PRETTY);
	int r = image_write_atomic(st->data_fd, "images/index.json", text, strlen(text));

	return r < 0 ? err_set(-r, "write %s/images/index.json", st->data_path) : 0;
}

int image_blob_store(struct store *st, const char *hexd, const char *data, size_t len)
{
	_cleanup_free_ char *rel = xasprintf("blobs/sha256/%s", hexd);
	int r;

	if (faccessat(st->data_fd, rel, F_OK, 0) == 0)
		return 0;
	r = image_write_atomic(st->data_fd, rel, data, len);
	return r < 0 ? err_set(-r, "write %s/%s", st->data_path, rel) : 0;
}

int image_config_diffs(const char *config, struct strv *ret)
{
	_cleanup_json_ struct json_object *j = json_tokener_parse(config);
	struct json_object *d = image_json_get(image_json_get(j, "rootfs"), "diff_ids");

	if (!d || !json_object_is_type(d, json_type_array))
		return err_setx(EINVAL, "image config has no rootfs.diff_ids");
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *x = json_object_array_get_idx(d, i);
		const char *s =
			json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
		char h[65];

		if (!s || image_digest_hex(s, h) < 0)
			return err_setx(EINVAL, "image config: bad diff id '%s'", s ? s : "");
		strv_push(ret, xstrdup(h));
	}
	return 0;
}

/* ---- the store's images ---- */

/* A short name as pulled through the unqualified-search-registries, in their order. */
static struct json_object *find_short(struct json_object *idx, const char *name, char **ret_key)
{
	struct strv search = {0};
	struct json_object *e = NULL;

	if (!regconf_is_short(name) || regconf_search_registries(&search) < 0)
		return NULL;
	for (size_t i = 0; !e && i < search.n; i++) {
		_cleanup_free_ char *full = xasprintf("%s/%s", search.v[i], name), *norm = NULL;

		if (image_ref_normalize(full, &norm) == 0 &&
		    json_object_object_get_ex(idx, norm, &e))
			*ret_key = TAKE_PTR(norm);
		else
			e = NULL;
	}
	strv_free(&search);
	return e;
}

/*
 * The index entry for name: a reference (a short one also as the search
 * registries qualify it), or the start of an id (at least 4 hex digits).
 */
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
	e = find_short(idx, name, ret_key);
	if (e)
		return e;
	if (n >= 4 && n <= 64 && strspn(name, "0123456789abcdef") == n) {
		json_object_object_foreach(idx, k, v)
		{
			_cleanup_free_ char *c = image_json_str(v, "config");
			char h[65];

			/* The store's own file, and still checked: it may be damaged. */
			if (c && image_digest_hex(c, h) == 0 && !strncmp(h, name, n)) {
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
	_cleanup_free_ char *c = image_json_str(e, "config"), *rel = NULL;
	char h[65];
	int r;

	if (!c || image_digest_hex(c, h) < 0)
		return err_setx(EINVAL, "damaged image entry in %s/images/index.json",
				st->data_path);
	rel = xasprintf("blobs/sha256/%s", h);
	r = image_read_at(st->data_fd, rel, ret, NULL);
	return r < 0 ? err_set(-r, "read %s/%s", st->data_path, rel) : 0;
}

/* An image of the store, ready for a run: its layers (each checked present), its config. */
int image_resolve(struct store *st, const char *name, struct image_run *ret)
{
	_cleanup_close_ int lock = image_store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_free_ char *key = NULL, *config = NULL;
	struct image_run ir = {0};
	struct strv diffs = {0};
	struct json_object *e;
	int r;

	if (lock < 0)
		return lock;
	idx = image_index_read(st);
	e = find_image(idx, name, &key);
	if (!e)
		return -ENOENT;
	r = read_config_blob(st, e, &config);
	if (r == 0)
		r = image_config_diffs(config, &diffs);
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
	_cleanup_close_ int lock = image_store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL;
	struct image_info *v = NULL;
	size_t n = 0;

	if (lock < 0)
		return lock;
	idx = image_index_read(st);
	json_object_object_foreach(idx, k, e)
	{
		_cleanup_free_ char *c = image_json_str(e, "config");
		struct json_object *sz = image_json_get(e, "size");

		v = xrealloc(v, (n + 1) * sizeof(*v));
		memset(&v[n], 0, sizeof(*v));
		v[n].name = xstrdup(k);
		if (!c || image_digest_hex(c, v[n].id) < 0)
			snprintf(v[n].id, sizeof(v[n].id), "?");
		v[n].size = sz ? (uint64_t)json_object_get_int64(sz) : 0;
		v[n].created = image_json_str(e, "created");
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

/*
 * Untag name; its layers stay until 'roost image prune', and while a
 * container uses them. An image a container (running or stopped) was made
 * from is refused with -EBUSY unless force. Returns 0 or -errno.
 */
int image_remove(struct store *st, const char *name, bool force)
{
	_cleanup_close_ int lock = image_store_lock(st, true);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_free_ char *key = NULL, *user = NULL;

	if (lock < 0)
		return lock;
	idx = image_index_read(st);
	if (!find_image(idx, name, &key))
		return -ENOENT;
	image_uses_scan(st, NULL, key, &user, false);
	if (user && !force)
		return err_setx(EBUSY,
				"image '%s' is in use by container %s: remove the container "
				"first ('roost rm %s'), or untag the image anyway with "
				"'roost rmi -f' (its layers stay while the container does)",
				key, user, user);
	json_object_object_del(idx, key);
	return image_index_write(st, idx);
}

/* {"Name", "Id", "Digest", "Size", "Created", "Config": the config blob, "Layers": diff ids}. */
int image_inspect(struct store *st, const char *name, char **ret_json)
{
	_cleanup_close_ int lock = image_store_lock(st, false);
	_cleanup_json_ struct json_object *idx = NULL, *out = NULL, *cfg = NULL;
	_cleanup_free_ char *key = NULL, *config = NULL;
	struct json_object *e, *layers;
	struct strv diffs = {0};
	int r;

	if (lock < 0)
		return lock;
	idx = image_index_read(st);
	e = find_image(idx, name, &key);
	if (!e)
		return -ENOENT;
	r = read_config_blob(st, e, &config);
	if (r == 0)
		r = image_config_diffs(config, &diffs);
	if (r < 0)
		return r;
	cfg = json_tokener_parse(config);
	out = json_object_new_object();
	json_object_object_add(out, "Name", json_object_new_string(key));
	json_object_object_add(out, "Id", json_object_get(image_json_get(e, "config")));
	json_object_object_add(out, "Digest", json_object_get(image_json_get(e, "manifest")));
	json_object_object_add(out, "Size", json_object_get(image_json_get(e, "size")));
	json_object_object_add(out, "Created", json_object_get(image_json_get(e, "created")));
	json_object_object_add(out, "Architecture",
			       json_object_get(image_json_get(cfg, "architecture")));
	json_object_object_add(out, "Os", json_object_get(image_json_get(cfg, "os")));
	json_object_object_add(out, "Config", json_object_get(image_json_get(cfg, "config")));
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
 * Remove the layers and blobs no image and no container uses, and what
 * interrupted loads and pulls left (layers/.tmp-*, tmp/ but for the pulls in
 * progress). Returns the number of layers removed.
 */
int image_prune(struct store *st, int userns_fd, size_t *ret_n)
{
	_cleanup_close_ int lock = image_store_lock(st, true);
	_cleanup_json_ struct json_object *idx = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct strv keep = {0};
	size_t n = 0;
	int fd, r = 0;

	if (lock < 0)
		return lock;
	idx = image_index_read(st);
	json_object_object_foreach(idx, k, e)
	{
		_cleanup_free_ char *config = NULL, *c = image_json_str(e, "config"),
				    *m = image_json_str(e, "manifest");
		char h[65];

		(void)k;
		if (c && image_digest_hex(c, h) == 0)
			strv_push(&keep, xstrdup(h));
		if (m && image_digest_hex(m, h) == 0)
			strv_push(&keep, xstrdup(h));
		if (read_config_blob(st, e, &config) == 0)
			(void)image_config_diffs(config, &keep);
	}
	image_uses_scan(st, &keep, NULL, NULL, true);
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
		r = store_remove_tree(st, rel, userns_fd);
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
		(void)image_tmp_remove(st, false);
	strv_free(&keep);
	if (r == 0)
		*ret_n = n;
	return r;
}
