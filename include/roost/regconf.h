/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regconf.h - what roost reads of containers-registries.conf(5):
 * unqualified-search-registries, and the [[registry]] tables (prefix,
 * location, insecure, blocked, mirrors) that say where a pull goes
 */
#ifndef ROOST_REGCONF_H
#define ROOST_REGCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "roost/util.h"

enum regconf_pull_from { REGCONF_PULL_ALL, REGCONF_PULL_DIGEST_ONLY, REGCONF_PULL_TAG_ONLY };

struct regconf_mirror {
	char *location;
	bool insecure;
	enum regconf_pull_from pull_from;
};

/* One [[registry]] table; prefix is never NULL (it defaults to location). */
struct regconf_registry {
	char *prefix, *location; /* location "" only under a "*." prefix: no rewrite */
	bool insecure, blocked, mirror_by_digest_only;
	struct regconf_mirror *mirrors;
	size_t n_mirrors;
};

struct regconf {
	struct regconf_registry *v;
	size_t n;
};

/* Where a pull of one reference goes, in order: the mirrors, then the primary. */
struct regconf_source {
	char *ref; /* normalized: HOST/REPO:TAG or HOST/REPO@DIGEST */
	bool insecure, mirror;
};

int regconf_parse(const char *text, const char *where, struct strv *ret);
int regconf_search_registries(struct strv *ret);
bool regconf_is_short(const char *ref);
int regconf_parse_registries(const char *text, const char *where, struct regconf *rc);
int regconf_registries(struct regconf *ret);
void regconf_free(struct regconf *rc);
int regconf_sources(const struct regconf *rc, const char *norm, struct regconf_source **ret,
		    size_t *ret_n);
void regconf_sources_free(struct regconf_source *v, size_t n);

#endif
