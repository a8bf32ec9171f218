/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth.c - registry credentials in the files podman and docker use
 *
 * containers-auth.json(5): {"auths": {"KEY": {"auth": base64("user:password")}}}
 * where KEY is a registry ("quay.io", "localhost:5000") or a namespace of
 * one ("quay.io/team", "quay.io/team/app"); the most specific key wins.
 * Lookup reads, in order, the primary file ($REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json), $XDG_CONFIG_HOME/containers/auth.json
 * (~/.config), ~/.docker/config.json and ~/.dockercfg (whose top level is
 * the "auths" object), and stops at the first file holding a key that
 * matches. Docker's keys ("https://index.docker.io/v1/") are read as the
 * registry they name. 'roost login' and 'roost logout' write the primary
 * file only (0600, atomically). Credential helpers (credHelpers,
 * credsStore) are not run.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#include "image_priv.h"
#include "roost/auth.h"
#include "roost/err.h"
#include "roost/log.h"

/* The primary (read/write) auth file. Returns a new string, or NULL with a message. */
char *auth_primary_path(void)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *run = getenv("XDG_RUNTIME_DIR");

	if (env && *env)
		return xstrdup(env);
	if (run && *run)
		return xasprintf("%s/containers/auth.json", run);
	err_setx(ENOENT, "no XDG_RUNTIME_DIR for the auth file: set REGISTRY_AUTH_FILE or "
			 "--authfile");
	return NULL;
}

/* A key as containers/image reads it: no scheme, no path for docker's URLs. */
static char *normalize_key(const char *k)
{
	const char *p = k;
	char *n;

	if (!strncmp(p, "https://", 8))
		p += 8;
	else if (!strncmp(p, "http://", 7))
		p += 7;
	else
		return xstrdup(k);
	n = strndup(p, strcspn(p, "/"));
	if (!strcmp(n, "index.docker.io") || !strcmp(n, "registry-1.docker.io")) {
		free(n);
		n = xstrdup("docker.io");
	}
	return n;
}

/* base64("user:password") -> the two halves. Returns 0 or -EINVAL. */
int auth_decode(const char *b64, char **ret_user, char **ret_pass)
{
	size_t len = strlen(b64);
	_cleanup_free_ unsigned char *out = xmalloc(len / 4 * 3 + 4);
	int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	char *colon;

	if (n < 0 || len % 4)
		return -EINVAL;
	/* EVP_DecodeBlock counts the padding as bytes. */
	while (len && b64[len - 1] == '=' && n > 0) {
		len--;
		n--;
	}
	out[n] = '\0';
	colon = memchr(out, ':', n);
	if (!colon || strlen((char *)out) != (size_t)n)
		return -EINVAL;
	*ret_user = strndup((char *)out, colon - (char *)out);
	*ret_pass = xstrdup(colon + 1);
	return 0;
}

static char *encode(const char *user, const char *pass)
{
	_cleanup_free_ char *plain = xasprintf("%s:%s", user, pass);
	size_t len = strlen(plain);
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain, (int)len);
	return out;
}

/* The "auths" object of the file at path (a new reference), or NULL when there is none. */
static struct json_object *read_auths(const char *path, struct json_object **ret_root)
{
	_cleanup_free_ char *text = NULL;
	struct json_object *root, *auths;

	*ret_root = NULL;
	if (image_read_at(AT_FDCWD, path, &text, NULL) < 0)
		return NULL;
	root = json_tokener_parse(text);
	if (!root || !json_object_is_type(root, json_type_object)) {
		log_warn("%s is not a JSON object: its credentials are not used", path);
		if (root)
			json_object_put(root);
		return NULL;
	}
	*ret_root = root;
	auths = image_json_get(root, "auths");
	if (!auths && strstr(path, ".dockercfg"))
		auths = root; /* the legacy format */
	return auths && json_object_is_type(auths, json_type_object) ? auths : NULL;
}

/* The "auth" value of the most specific key of auths matching host/repo, or NULL. */
static const char *match(struct json_object *auths, const char *host, const char *repo)
{
	_cleanup_free_ char *want = xasprintf("%s/%s", host, repo ? repo : "");
	const char *best = NULL;
	size_t best_len = 0;

	json_object_object_foreach(auths, k, v)
	{
		_cleanup_free_ char *nk = normalize_key(k);
		size_t n = strlen(nk);
		const char *a = NULL;
		struct json_object *av = image_json_get(v, "auth");

		if (av && json_object_is_type(av, json_type_string))
			a = json_object_get_string(av);
		/* KEY matches host/repo itself or a namespace above it. */
		if (!a || !*a || strncmp(want, nk, n) || (want[n] != '/' && want[n] != '\0'))
			continue;
		if (n > best_len) {
			best = a;
			best_len = n;
		}
	}
	return best;
}

/*
 * Credentials for repo (may be NULL) at registry host, from the first
 * file that has some. Returns 1 with *ret_user and *ret_pass set, 0 when
 * there are none, -EINVAL for an entry that is not base64 of "user:pass".
 */
int auth_lookup(const char *authfile, const char *host, const char *repo, char **ret_user,
		char **ret_pass)
{
	const char *home = getenv("HOME"), *cfg = getenv("XDG_CONFIG_HOME");
	_cleanup_free_ char *primary = authfile ? xstrdup(authfile) : auth_primary_path();
	char *paths[4] = {
		primary ? xstrdup(primary) : NULL,
		cfg && *cfg ? xasprintf("%s/containers/auth.json", cfg)
		: home	    ? xasprintf("%s/.config/containers/auth.json", home)
			    : NULL,
		home ? xasprintf("%s/.docker/config.json", home) : NULL,
		home ? xasprintf("%s/.dockercfg", home) : NULL,
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(paths) && r == 0; i++) {
		_cleanup_json_ struct json_object *root = NULL;
		struct json_object *auths = paths[i] ? read_auths(paths[i], &root) : NULL;
		const char *a = auths ? match(auths, host, repo) : NULL;

		if (a) {
			r = auth_decode(a, ret_user, ret_pass) < 0
				    ? err_setx(EINVAL,
					       "%s: the credentials for %s are not base64 of "
					       "USER:PASSWORD",
					       paths[i], host)
				    : 1;
			if (r == 1)
				log_debug("%s: credentials from %s", host, paths[i]);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		free(paths[i]);
	return r;
}

/* Write root to path (0600, its directory 0700 made as needed), atomically. */
static int write_file(const char *path, struct json_object *root)
{
	const char *text = json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_set(errno, "create %s", dir);
	}
	r = image_write_atomic(AT_FDCWD, path, text, strlen(text));
	return r < 0 ? err_set(-r, "write %s", path) : 0;
}

/*
 * Store user and pass for key (a registry, or a namespace of one) in
 * authfile (NULL: the primary file). Returns 0 or -errno.
 */
int auth_store(const char *authfile, const char *key, const char *user, const char *pass)
{
	_cleanup_free_ char *path = authfile ? xstrdup(authfile) : auth_primary_path();
	_cleanup_free_ char *b64 = NULL;
	_cleanup_json_ struct json_object *root = NULL;
	struct json_object *auths, *entry;

	if (!path)
		return -ENOENT;
	auths = read_auths(path, &root);
	if (!root)
		root = json_object_new_object();
	if (!auths) {
		auths = json_object_new_object();
		json_object_object_add(root, "auths", auths);
	}
	b64 = encode(user, pass);
	entry = json_object_new_object();
	json_object_object_add(entry, "auth", json_object_new_string(b64));
	json_object_object_add(auths, key, entry);
	return write_file(path, root);
}

/*
 * Remove the credentials for key (NULL: all) from authfile (NULL: the
 * primary file). Returns 0, or -ENOENT when there were none.
 */
int auth_remove(const char *authfile, const char *key)
{
	_cleanup_free_ char *path = authfile ? xstrdup(authfile) : auth_primary_path();
	_cleanup_json_ struct json_object *root = NULL;
	struct json_object *auths;

	if (!path)
		return -ENOENT;
	auths = read_auths(path, &root);
	if (!key) {
		if (!root)
			return 0;
		json_object_object_add(root, "auths", json_object_new_object());
		return write_file(path, root);
	}
	if (!auths || !json_object_object_get_ex(auths, key, NULL))
		return err_setx(ENOENT, "not logged into %s (in %s)", key, path);
	json_object_object_del(auths, key);
	return write_file(path, root);
}
