/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regconf_table.c - the [[registry]] tables of containers-registries.conf(5)
 *
 * The TOML subset read: comments, [table] and [[array-of-tables]] headers,
 * KEY = VALUE lines where VALUE is a "basic" or 'literal' string, true or
 * false, an array (skipped, honouring strings; it may span lines) or a bare
 * scalar (skipped). Of [[registry]]: prefix, location, insecure, blocked,
 * mirror-by-digest-only; of [[registry.mirror]]: location, insecure,
 * pull-from-mirror. Other keys and tables are not roost's and are skipped.
 *
 * A reference is matched against each prefix ("host[:port][/path]" or
 * "*.domain"): it starts with it and goes on with '/', '@' (or ':' after a
 * repository) or ends; the longest match wins. Its location replaces the
 * prefix; the mirrors, rewritten the same way, come first.
 */
#include <string.h>

#include "image_priv.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/regconf.h"

enum section { TOP, REGISTRY, MIRROR, OTHER };

enum vtype { V_STRING, V_BOOL, V_OTHER };

struct value {
	enum vtype type;
	char *str; /* V_STRING */
	bool b; /* V_BOOL */
};

/* Skip blanks and a comment to the end of the line (not the newline). */
static const char *skip_line(const char *p)
{
	p += strspn(p, " \t\r");
	if (*p == '#')
		p += strcspn(p, "\n");
	return p;
}

/* Skip blanks, newlines and comments. */
static const char *skip_all(const char *p)
{
	for (;;) {
		p = skip_line(p);
		if (*p != '\n')
			return p;
		p++;
	}
}

/* A string at p ('"' with \" and \\ escapes, or '\''); *ret gets it. NULL when unterminated. */
static const char *parse_string(const char *p, char **ret)
{
	char q = *p++;
	size_t n = 0;
	char *s = xmalloc(strlen(p) + 1);

	for (; *p && *p != q && *p != '\n'; p++) {
		if (q == '"' && *p == '\\') {
			if (p[1] != '"' && p[1] != '\\') {
				free(s);
				return NULL;
			}
			p++;
		}
		s[n++] = *p;
	}
	if (*p != q) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	*ret = s;
	return p + 1;
}

/* Skip an array at p, nested arrays and strings (which may hold brackets) too. */
static const char *skip_array(const char *p)
{
	int depth = 0;

	do {
		if (*p == '"' || *p == '\'') {
			char *s;
			if (!(p = parse_string(p, &s)))
				return NULL;
			free(s);
			continue;
		}
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		if (!*p)
			return NULL;
		if (*p == '[')
			depth++;
		else if (*p == ']')
			depth--;
		p++;
	} while (depth > 0);
	return p;
}

static const char *parse_value(const char *p, struct value *v)
{
	*v = (struct value){.type = V_OTHER};
	if (*p == '"' || *p == '\'') {
		v->type = V_STRING;
		return parse_string(p, &v->str);
	}
	if (*p == '[')
		return skip_array(p);
	if (*p == '{')
		return NULL; /* inline tables are not in roost's subset */
	if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
		v->type = V_BOOL;
		v->b = *p == 't';
		p += v->b ? 4 : 5;
		return strchr(" \t\r\n#", *p) ? p : NULL;
	}
	p += strcspn(p, " \t\r\n#");
	return p;
}

/* Is loc a registry, with an optional path: what a reference starts with? */
static bool is_location(const char *loc)
{
	_cleanup_free_ char *probe = xasprintf("%s/x", loc), *norm = NULL;

	return loc[0] != '*' && !strchr(loc, '@') && image_ref_normalize(probe, &norm) == 0 &&
	       !strncmp(norm, loc, strlen(loc)) && norm[strlen(loc)] == '/';
}

static void registry_free(struct regconf_registry *g)
{
	free(g->prefix);
	free(g->location);
	for (size_t i = 0; i < g->n_mirrors; i++)
		free(g->mirrors[i].location);
	free(g->mirrors);
}

void regconf_free(struct regconf *rc)
{
	for (size_t i = 0; i < rc->n; i++)
		registry_free(&rc->v[i]);
	free(rc->v);
	*rc = (struct regconf){0};
}

static int set_pull_from(struct regconf_mirror *m, const char *s, const char *where, int line)
{
	if (!*s || !strcmp(s, "all"))
		m->pull_from = REGCONF_PULL_ALL;
	else if (!strcmp(s, "digest-only"))
		m->pull_from = REGCONF_PULL_DIGEST_ONLY;
	else if (!strcmp(s, "tag-only"))
		m->pull_from = REGCONF_PULL_TAG_ONLY;
	else
		return err_setx(EINVAL,
				"%s:%d: pull-from-mirror: want all, digest-only or tag-only", where,
				line);
	return 0;
}

/* A key's value into the table of the section it is in. Returns 0 or -EINVAL. */
static int set_key(enum section sec, struct regconf *f, const char *key, struct value *v,
		   const char *where, int line)
{
	struct regconf_registry *g = &f->v[f->n - 1];
	struct regconf_mirror *m = g->n_mirrors ? &g->mirrors[g->n_mirrors - 1] : NULL;
	const char *tab = sec == MIRROR ? "[[registry.mirror]]" : "[[registry]]";
	bool mine = sec == MIRROR ? !strcmp(key, "location") || !strcmp(key, "insecure") ||
					    !strcmp(key, "pull-from-mirror")
				  : !strcmp(key, "prefix") || !strcmp(key, "location") ||
					    !strcmp(key, "insecure") || !strcmp(key, "blocked") ||
					    !strcmp(key, "mirror-by-digest-only");
	bool want_str = !strcmp(key, "prefix") || !strcmp(key, "location") ||
			!strcmp(key, "pull-from-mirror");
	char **dst;

	if (sec == REGISTRY && !strcmp(key, "mirror"))
		return err_setx(EINVAL, "%s:%d: write mirrors as [[registry.mirror]] tables", where,
				line);
	if (!mine)
		return 0; /* not roost's: skipped */
	if (v->type != (want_str ? V_STRING : V_BOOL))
		return err_setx(EINVAL, "%s:%d: %s %s: want %s", where, line, tab, key,
				want_str ? "a string" : "true or false");
	if (!strcmp(key, "insecure")) {
		*(sec == MIRROR ? &m->insecure : &g->insecure) = v->b;
		return 0;
	}
	if (!strcmp(key, "blocked")) {
		g->blocked = v->b;
		return 0;
	}
	if (!strcmp(key, "mirror-by-digest-only")) {
		g->mirror_by_digest_only = v->b;
		return 0;
	}
	if (!strcmp(key, "pull-from-mirror"))
		return set_pull_from(m, v->str, where, line);
	dst = sec == MIRROR ? &m->location : !strcmp(key, "prefix") ? &g->prefix : &g->location;
	free(*dst);
	*dst = TAKE_PTR(v->str);
	return 0;
}

static int check_one(struct regconf_registry *g, const char *where)
{
	_cleanup_free_ char *e = NULL, *l = NULL;
	bool wild;

	if (!g->prefix && !g->location)
		return err_setx(EINVAL, "%s: a [[registry]] with neither prefix nor location",
				where);
	if (!g->prefix)
		g->prefix = xstrdup(g->location);
	wild = !strncmp(g->prefix, "*.", 2);
	if (!g->location)
		g->location = xstrdup(wild ? "" : g->prefix);
	e = image_escape(g->prefix);
	l = image_escape(g->location);
	if (wild ? strpbrk(g->prefix, "/:@") != NULL : !is_location(g->prefix))
		return err_setx(EINVAL, "%s: [[registry]] prefix '%s' is no registry", where, e);
	if (*g->location ? !is_location(g->location) : !wild)
		return err_setx(EINVAL, "%s: [[registry]] location '%s' is no registry", where, l);
	for (size_t j = 0; j < g->n_mirrors; j++) {
		const char *loc = g->mirrors[j].location;
		_cleanup_free_ char *ml = loc ? image_escape(loc) : NULL;

		if (!loc || !is_location(loc))
			return err_setx(EINVAL,
					"%s: a mirror of '%s': location '%s' is no registry", where,
					e, ml ? ml : "");
		if (g->mirror_by_digest_only && g->mirrors[j].pull_from != REGCONF_PULL_ALL)
			return err_setx(EINVAL,
					"%s: '%s': pull-from-mirror with mirror-by-digest-only",
					where, e);
	}
	return 0;
}

/* Merge f's tables into rc: one of the same prefix is replaced. */
static void merge(struct regconf *rc, struct regconf *f)
{
	for (size_t i = 0; i < f->n; i++) {
		size_t j = 0;

		while (j < rc->n && strcmp(rc->v[j].prefix, f->v[i].prefix))
			j++;
		if (j == rc->n)
			rc->v = xrealloc(rc->v, ++rc->n * sizeof(*rc->v));
		else
			registry_free(&rc->v[j]);
		rc->v[j] = f->v[i];
	}
	free(f->v);
	*f = (struct regconf){0};
}

static int header(const char **pp, enum section *sec, struct regconf *f, const char *where,
		  int line)
{
	const char *p = *pp;
	bool arr = p[1] == '[';
	const char *name = p + (arr ? 2 : 1), *end = strchr(name, ']');
	size_t n;

	if (!end || memchr(name, '\n', end - name) || (arr && end[1] != ']'))
		return err_setx(EINVAL, "%s:%d: an unterminated table header", where, line);
	name += strspn(name, " \t");
	for (n = end - name; n && strchr(" \t", name[n - 1]); n--)
		;
	*sec = OTHER;
	if (arr && n == 8 && !strncmp(name, "registry", 8)) {
		f->v = xrealloc(f->v, ++f->n * sizeof(*f->v));
		f->v[f->n - 1] = (struct regconf_registry){0};
		*sec = REGISTRY;
	} else if (arr && n == 15 && !strncmp(name, "registry.mirror", 15)) {
		struct regconf_registry *g = f->n ? &f->v[f->n - 1] : NULL;

		if (!g)
			return err_setx(EINVAL,
					"%s:%d: [[registry.mirror]] before any [[registry]]", where,
					line);
		g->mirrors = xrealloc(g->mirrors, ++g->n_mirrors * sizeof(*g->mirrors));
		g->mirrors[g->n_mirrors - 1] = (struct regconf_mirror){0};
		*sec = MIRROR;
	}
	*pp = end + (arr ? 2 : 1);
	return 0;
}

/* KEY = VALUE at *pp, set into f when it is roost's. */
static int key_value(const char **pp, enum section sec, struct regconf *f, const char *where,
		     int line)
{
	const char *p = *pp, *k = p;
	_cleanup_free_ char *key = NULL;
	struct value v;
	int r = 0;

	if (*p == '"' || *p == '\'') {
		p = parse_string(p, &key);
	} else {
		p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
		key = p > k ? strndup(k, p - k) : NULL;
	}
	p = p ? p + strspn(p, " \t") : NULL;
	if (!key || !p || *p != '=')
		return err_setx(EINVAL, "%s:%d: want KEY = VALUE", where, line);
	p += 1 + strspn(p + 1, " \t");
	p = parse_value(p, &v);
	if (!p)
		return err_setx(EINVAL, "%s:%d: %s: a value roost cannot read", where, line, key);
	if (sec == REGISTRY || sec == MIRROR)
		r = set_key(sec, f, key, &v, where, line);
	free(v.str);
	*pp = p;
	return r;
}

/*
 * Parse the [[registry]] tables of TOML text (from where) and merge them
 * into rc. Returns 0, or -EINVAL with a message naming where and the line.
 */
int regconf_parse_registries(const char *text, const char *where, struct regconf *rc)
{
	struct regconf f = {0};
	enum section sec = TOP;
	int r = 0;

	for (const char *p = skip_all(text); *p && r == 0; p = skip_all(p)) {
		int line = 1;

		for (const char *c = text; c < p; c++)
			line += *c == '\n';
		r = *p == '[' ? header(&p, &sec, &f, where, line)
			      : key_value(&p, sec, &f, where, line);
		if (r == 0 && *(p = skip_line(p)) && *p != '\n')
			r = err_setx(EINVAL, "%s:%d: want a new line", where, line);
	}
	for (size_t i = 0; r == 0 && i < f.n; i++)
		r = check_one(&f.v[i], where);
	if (r < 0) {
		regconf_free(&f);
		return r;
	}
	merge(rc, &f);
	return 0;
}

/* How much of ref the prefix matches, or 0. */
static size_t match(const char *ref, const char *prefix)
{
	size_t n = strlen(prefix), host = strcspn(ref, "/");

	if (!strncmp(prefix, "*.", 2)) /* *.example.com: the host ends in .example.com */
		return host > n - 1 && !strncmp(ref + host - (n - 1), prefix + 1, n - 1) ? host : 0;
	if (strncmp(ref, prefix, n))
		return 0;
	if (ref[n] == '\0' || ref[n] == '/' || ref[n] == '@' ||
	    (ref[n] == ':' && strchr(prefix, '/')))
		return n;
	return 0;
}

void regconf_sources_free(struct regconf_source *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].ref);
	free(v);
}

/*
 * Where a pull of the normalized reference norm goes, in order, into
 * *ret (*ret_n of them): the mirrors that apply to it, then the primary
 * location; norm itself when no table matches. Returns 0, or -EACCES
 * (with one line) when its table is blocked.
 */
int regconf_sources(const struct regconf *rc, const char *norm, struct regconf_source **ret,
		    size_t *ret_n)
{
	const struct regconf_registry *g = NULL;
	struct regconf_source *v;
	size_t best = 0, n = 0;
	bool digest = strchr(norm, '@') != NULL;

	for (size_t i = 0; i < rc->n; i++) {
		size_t m = match(norm, rc->v[i].prefix);
		if (m > best) {
			best = m;
			g = &rc->v[i];
		}
	}
	if (g && g->blocked) {
		_cleanup_free_ char *e = image_escape(norm), *pe = image_escape(g->prefix);
		return err_setx(EACCES,
				"%s is blocked by registries.conf ([[registry]] prefix '%s')", e,
				pe);
	}
	v = xcalloc((g ? g->n_mirrors : 0) + 1, sizeof(*v));
	for (size_t i = 0; g && i < g->n_mirrors; i++) {
		const struct regconf_mirror *m = &g->mirrors[i];

		if ((g->mirror_by_digest_only || m->pull_from == REGCONF_PULL_DIGEST_ONLY) &&
		    !digest)
			continue;
		if (m->pull_from == REGCONF_PULL_TAG_ONLY && digest)
			continue;
		v[n++] = (struct regconf_source){.ref = xasprintf("%s%s", m->location, norm + best),
						 .insecure = m->insecure,
						 .mirror = true};
	}
	v[n++] = (struct regconf_source){
		.ref = g && *g->location ? xasprintf("%s%s", g->location, norm + best)
					 : xstrdup(norm),
		.insecure = g && g->insecure};
	*ret = v;
	*ret_n = n;
	return 0;
}
