/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * subid.c - parse /etc/subuid and /etc/subgid
 *
 * A line is "NAME_OR_UID:START:COUNT". Entries match the caller by user
 * name or by numeric uid; several matching lines are kept in file order and
 * later concatenated into one id map (userns.c). The same ids listed twice
 * (by name and by uid, or overlapping lines) are kept once, where they
 * first appear: newuidmap refuses a map that names a host id twice. Lines
 * naming someone else
 * are not our business and are skipped even when malformed, as newuidmap
 * does; a malformed line naming the caller is an error with its line number.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost/err.h"
#include "roost/subid.h"
#include "roost/util.h"

#define SUBID_MAX 4294967295UL /* ids are 32 bits; (uid_t)-1 is never valid */

static int parse_field(const char *s, size_t len, unsigned long *ret)
{
	char buf[32];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return util_parse_uint(buf, SUBID_MAX, ret) < 0 ? -EINVAL : 0;
}

static bool owner_matches(const char *s, size_t len, const char *user, uid_t uid)
{
	unsigned long v;

	if (user && strlen(user) == len && !strncmp(s, user, len))
		return true;
	return parse_field(s, len, &v) == 0 && v == (unsigned long)uid;
}

/*
 * Parse one line. Returns 1 and fills *ret when it grants ids to the user
 * (by name or uid), 0 for a blank line, a comment or someone else's line,
 * -EINVAL when a line naming the user is malformed (missing or extra field,
 * not a number, count 0, range past the 32-bit id space).
 */
int subid_parse_line(const char *line, const char *user, uid_t uid, struct id_range *ret)
{
	const char *f[3];
	size_t len[3];
	unsigned long start, count;
	const char *p = line;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '#')
		return 0;

	/* Split into at most 3 fields; a 4th is reported as an error below. */
	for (;;) {
		const char *end = p + strcspn(p, ":\n");
		if (n == 3)
			return owner_matches(f[0], len[0], user, uid) ? -EINVAL : 0;
		f[n] = p;
		len[n++] = end - p;
		if (*end != ':')
			break;
		p = end + 1;
	}
	/* Trailing blanks are tolerated, as by shadow's parser. */
	while (len[n - 1] > 0 &&
	       (f[n - 1][len[n - 1] - 1] == ' ' || f[n - 1][len[n - 1] - 1] == '\t' ||
		f[n - 1][len[n - 1] - 1] == '\r'))
		len[n - 1]--;

	if (!owner_matches(f[0], len[0], user, uid))
		return 0;
	if (n != 3 || parse_field(f[1], len[1], &start) < 0 ||
	    parse_field(f[2], len[2], &count) < 0)
		return -EINVAL;
	if (count == 0 || start + count - 1 >= SUBID_MAX)
		return -EINVAL;

	ret->start = start;
	ret->count = count;
	return 1;
}

/*
 * Append [start, start+count) to v less the ids v holds already: an
 * overlap splits the new range into the parts before and after it.
 */
static void add_new_ids(struct id_range **v, size_t *n, unsigned long start, unsigned long count)
{
	unsigned long end = start + count;

	for (size_t i = 0; i < *n; i++) {
		unsigned long s = (*v)[i].start, e = s + (*v)[i].count;

		if (start >= e || s >= end)
			continue;
		if (start < s)
			add_new_ids(v, n, start, s - start);
		if (end > e)
			add_new_ids(v, n, e, end - e);
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct id_range){start, count};
}

/*
 * Collect every range granted to the user in path, in file order, each id
 * once (a range or its part already listed is dropped). Returns 0; -ENOENT when there is none (or no file), -EINVAL for a
 * malformed line naming the user (the message names the line).
 */
int subid_load(const char *path, const char *user, uid_t uid, struct id_range **ret_ranges,
	       size_t *ret_n)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ struct id_range *v = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0, lineno = 0;

	if (!f)
		return err_set(errno, "open %s", path);

	while (getline(&line, &cap, f) >= 0) {
		struct id_range r;
		int q;

		lineno++;
		q = subid_parse_line(line, user, uid, &r);
		if (q < 0)
			return err_setx(EINVAL,
					"%s:%zu: malformed entry for '%s' (want NAME:START:COUNT "
					"with COUNT > 0)",
					path, lineno, user);
		if (q == 0)
			continue;
		add_new_ids(&v, &n, r.start, r.count);
	}
	if (n == 0)
		return err_setx(ENOENT, "%s has no range for '%s'", path, user);

	*ret_ranges = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

unsigned long subid_total(const struct id_range *r, size_t n)
{
	unsigned long t = 0;

	for (size_t i = 0; i < n; i++)
		t += r[i].count;
	return t;
}

/*
 * A start for a new 65536-id range that overlaps nobody's in path: the
 * first multiple of 65536 past every existing range, at least 100000 as
 * useradd picks. Used to print an exact line for the user to add.
 */
unsigned long subid_suggest_start(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	unsigned long end = 100000;
	size_t cap = 0;

	if (!f)
		return end;
	while (getline(&line, &cap, f) >= 0) {
		char *c1 = strchr(line, ':'), *c2;
		unsigned long s, c;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		s = strtoul(c1 + 1, NULL, 10);
		c = strtoul(c2 + 1, NULL, 10);
		if (s + c > end)
			end = (s + c + 65535) / 65536 * 65536;
	}
	return end;
}
