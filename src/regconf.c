/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regconf.c - what roost reads of containers-registries.conf(5)
 *
 * unqualified-search-registries, the registries a short name ("alpine",
 * "team/app") is looked for in, in order; and the [[registry]] tables
 * (regconf_table.c) that send a reference elsewhere, to mirrors first, or
 * refuse it. The files, as containers/image
 * reads them: $CONTAINERS_REGISTRIES_CONF, else
 * $HOME/.config/containers/registries.conf when it exists, else
 * /etc/containers/registries.conf; then the *.conf drop-ins, in name order,
 * of /etc/containers/registries.conf.d (unless the home file was read) and
 * of $HOME/.config/containers/registries.conf.d. A later file that sets the
 * key replaces the list. The key is read where TOML puts it, before the
 * first table ([[registry]], [aliases]); arrays may span lines.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "image_priv.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"
#include "roost/regconf.h"

#define KEY "unqualified-search-registries"

/* Skip blanks, newlines and comments. */
static const char *skip(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '#')
			return p;
		p += strcspn(p, "\n");
	}
}

/*
 * Parse the key's array in the TOML text into ret (replacing it). Returns 1
 * when the key is there, 0 when not, -EINVAL (with a message) for an array
 * roost cannot read or a name that is no registry.
 */
int regconf_parse(const char *text, const char *where, struct strv *ret)
{
	struct strv v = {0};
	const char *p = text;

	for (;;) {
		p = skip(p);
		if (!*p || *p == '[')
			return 0; /* a table: top-level keys are behind */
		if (!strncmp(p, KEY, strlen(KEY)) && strchr(" \t=", p[strlen(KEY)]))
			break;
		p += strcspn(p, "\n");
	}
	p = skip(p + strlen(KEY));
	if (*p != '=' || *(p = skip(p + 1)) != '[')
		return err_setx(EINVAL, "%s: " KEY " is not an array", where);
	for (p = skip(p + 1); *p != ']'; p = skip(p)) {
		char q = *p;
		const char *end;
		_cleanup_free_ char *name = NULL, *norm = NULL, *probe = NULL;

		if (q != '"' && q != '\'') {
			strv_free(&v);
			return err_setx(EINVAL, "%s: " KEY ": want quoted names", where);
		}
		end = strchr(p + 1, q);
		if (!end || memchr(p + 1, '\n', end - p - 1)) {
			strv_free(&v);
			return err_setx(EINVAL, "%s: " KEY ": an unterminated string", where);
		}
		name = strndup(p + 1, end - p - 1);
		probe = xasprintf("%s/x", name);
		/* A registry is what a reference starts with: HOST[:PORT] with a '.' or ':'. */
		if (image_ref_normalize(probe, &norm) < 0 || strncmp(norm, name, strlen(name)) ||
		    norm[strlen(name)] != '/') {
			_cleanup_free_ char *e = image_escape(name);
			strv_free(&v);
			return err_setx(EINVAL, "%s: " KEY ": '%s' is no registry", where, e);
		}
		strv_push(&v, TAKE_PTR(name));
		p = skip(end + 1);
		if (*p == ',')
			p++;
		else if (*p != ']') {
			strv_free(&v);
			return err_setx(EINVAL, "%s: " KEY ": want ',' or ']'", where);
		}
	}
	strv_free(ret);
	*ret = v;
	return 1;
}

/* What is read of each file, into data: search registries or [[registry]] tables. */
typedef int (*reader_fn)(const char *text, const char *path, void *data);

static int read_search(const char *text, const char *path, void *data)
{
	int r = regconf_parse(text, path, data);

	if (r > 0)
		log_debug("%s: " KEY " set", path);
	return r < 0 ? r : 0;
}

static int read_registries(const char *text, const char *path, void *data)
{
	return regconf_parse_registries(text, path, data);
}

static int read_one(const char *path, reader_fn fn, void *data)
{
	_cleanup_free_ char *text = NULL;
	int r = image_read_at(AT_FDCWD, path, &text, NULL);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return err_set(-r, "read %s", path);
	return fn(text, path, data);
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_dropins(const char *dir, reader_fn fn, void *data)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct strv names = {0};
	int r = 0;

	for (struct dirent *de; d && (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (n > 5 && !strcmp(de->d_name + n - 5, ".conf"))
			strv_push(&names, xasprintf("%s/%s", dir, de->d_name));
	}
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), compare);
	for (size_t i = 0; r == 0 && i < names.n; i++)
		r = read_one(names.v[i], fn, data);
	strv_free(&names);
	return r;
}

/*
 * Read this user's configuration files, in containers/image's order, with
 * fn. Returns 0 or -errno naming the file at fault.
 */
static int read_files(reader_fn fn, void *data)
{
	const char *env = getenv("CONTAINERS_REGISTRIES_CONF"), *home = getenv("HOME");
	_cleanup_free_ char *user =
		home && *home ? xasprintf("%s/.config/containers/registries.conf", home) : NULL;
	_cleanup_free_ char *user_d = user ? xasprintf("%s.d", user) : NULL;
	struct stat sb;
	bool home_main = false;
	int r;

	if (env && *env) {
		r = read_one(env, fn, data);
	} else if (user && stat(user, &sb) == 0) {
		home_main = true;
		r = read_one(user, fn, data);
	} else {
		r = read_one("/etc/containers/registries.conf", fn, data);
	}
	if (r == 0 && !home_main)
		r = read_dropins("/etc/containers/registries.conf.d", fn, data);
	if (r == 0 && user_d)
		r = read_dropins(user_d, fn, data);
	return r;
}

/*
 * The unqualified-search-registries of this user's configuration, in
 * order, into ret (empty when none is set). Returns 0 or -EINVAL naming the
 * file at fault.
 */
int regconf_search_registries(struct strv *ret)
{
	struct strv v = {0};
	int r = read_files(read_search, &v);

	if (r < 0) {
		strv_free(&v);
		return r;
	}
	*ret = v;
	return 0;
}

/*
 * The [[registry]] tables of this user's configuration into ret (empty when
 * there are none); a later file's table replaces an earlier one of the same
 * prefix. Returns 0 or -EINVAL naming the file at fault.
 */
int regconf_registries(struct regconf *ret)
{
	struct regconf rc = {0};
	int r = read_files(read_registries, &rc);

	if (r < 0) {
		regconf_free(&rc);
		return r;
	}
	*ret = rc;
	return 0;
}

/* Does ref name no registry ("alpine", "team/app:1"), so that the search list applies? */
bool regconf_is_short(const char *ref)
{
	const char *slash = strchr(ref, '/');
	size_t n = slash ? (size_t)(slash - ref) : 0;

	if (!slash)
		return true;
	return !memchr(ref, '.', n) && !memchr(ref, ':', n) && strncmp(ref, "localhost/", 10);
}
