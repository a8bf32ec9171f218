/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost/regconf.h"
#include "../tap.h"

static struct regconf rc;

static int parse(const char *text)
{
	regconf_free(&rc);
	return regconf_parse_registries(text, "t", &rc);
}

/* The sources for ref, joined: "REF[!][*] ..." (! insecure, * a mirror), or "ERROR". */
static const char *sources(const char *ref)
{
	static char buf[1024];
	struct regconf_source *v;
	size_t n;

	if (regconf_sources(&rc, ref, &v, &n) < 0)
		return "ERROR";
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s%s%s", i ? " " : "",
			 v[i].ref, v[i].insecure ? "!" : "", v[i].mirror ? "*" : "");
	regconf_sources_free(v, n);
	return buf;
}

int main(void)
{
	plan(24);
	is_int(parse(""), 0, "an empty file");
	is_str(sources("a.io/x:1"), "a.io/x:1", "no table: the reference itself");
	is_int(parse("# c\nunqualified-search-registries = [\"a.io\",\n  'b.io' ] # c\n"
		     "[aliases]\n\"x\" = \"a.io/x\"\n"),
	       0, "top-level arrays over lines and other tables are skipped");
	is_int((int)rc.n, 0, "... and give no table");
	is_int(parse("[[registry]]\nlocation = \"a.io\"\ninsecure = true\n"), 0, "location only");
	is_str(rc.v[0].prefix, "a.io", "the prefix defaults to the location");
	is_str(sources("a.io/x:1"), "a.io/x:1!", "insecure applies");
	is_int(parse("[[registry]]\nprefix = 'a.io/team'\nlocation = \"b.io:5000/other\"\n"
		     "[[registry.mirror]]\nlocation = \"m1.io/t\"\ninsecure = true\n"
		     "[[ registry.mirror ]] # spaced\nlocation = \"m2.io\"\n"),
	       0, "a table with two mirrors");
	is_str(sources("a.io/team/app:1"), "m1.io/t/app:1!* m2.io/app:1* b.io:5000/other/app:1",
	       "mirrors in order, then the location; each rewritten");
	is_str(sources("a.io/teamx/app:1"), "a.io/teamx/app:1", "a prefix ends at a separator");
	is_int(parse("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nprefix = \"a.io/x\"\n"
		     "location = \"c.io/y\"\n"),
	       0, "two tables");
	is_str(sources("a.io/x/z:1"), "c.io/y/z:1", "the longest prefix wins");
	is_int(parse("[[registry]]\nprefix = \"*.a.io\"\n[[registry.mirror]]\n"
		     "location = \"m.io\"\npull-from-mirror = \"digest-only\"\n"),
	       0, "a wildcard prefix, a digest-only mirror");
	is_str(sources("x.y.a.io/r:1"), "x.y.a.io/r:1", "tag: no mirror, no rewrite");
	is_str(sources("x.a.io/r@sha256:00"), "m.io/r@sha256:00* x.a.io/r@sha256:00",
	       "digest: the mirror first");
	is_int(parse("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"m.io\"\n"
		     "pull-from-mirror = \"tag-only\"\n"),
	       0, "a tag-only mirror");
	is_str(sources("a.io/r@sha256:00"), "a.io/r@sha256:00", "tag-only: not for digests");
	is_int(parse("[[registry]]\nlocation = \"a.io/b\"\nblocked = true\n"), 0, "blocked");
	is_str(sources("a.io/b:1"), "ERROR", "a blocked prefix is refused");
	is_int(parse("[[registry]]\nlocation = \"a.io\"\n") +
		       regconf_parse_registries(
			       "[[registry]]\nprefix = \"a.io\"\nlocation = \"n.io\"\n", "u", &rc),
	       0, "a later file");
	is_int((int)rc.n == 1 && !strcmp(rc.v[0].location, "n.io"), 1,
	       "replaces the table of the same prefix");
	is_int(parse("[[registry]]\ninsecure = \"yes\"\nlocation = \"a.io\"\n"), -EINVAL,
	       "insecure must be true or false");
	is_int(parse("[[registry.mirror]]\nlocation = \"m.io\"\n") +
		       parse("[[registry]]\nlocation = \"a.io\"\nmirror = [{location = "
			     "\"m.io\"}]\n") +
		       parse("[[registry]]\nlocation = \"noregistry\"\n") +
		       parse("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\n"
			     "location = \"m.io\"\npull-from-mirror = \"some\"\n") +
		       parse("[[registry]]\nlocation = \"a.io\" x\n") +
		       parse("[[registry]]\nlocation = \"a.io\n"),
	       -6 * EINVAL,
	       "refused: a mirror before its registry, inline tables, no registry, a bad "
	       "pull-from-mirror, junk after a value, an unterminated string");
	is_int(parse("[[registry]]\nlocation = \"a\\\\b.io\"\n"), -EINVAL, "escapes are read");
	regconf_free(&rc);
	return tap_done();
}
