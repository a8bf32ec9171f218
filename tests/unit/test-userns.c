/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "roost/userns.h"
#include "../tap.h"

int main(void)
{
	struct id_map m[IDMAP_MAX];
	struct id_range one[] = {{100000, 65536}};
	struct id_range two[] = {{100000, 10}, {200000, 20}};
	struct id_range with_self[] = {{1000, 1}, {100000, 65536}};
	char buf[256];
	int n;

	plan(24);
	n = userns_build_map(1000, one, 1, false, m, IDMAP_MAX);
	is_int(n, 2, "default: two lines");
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 1000 1\n1 100000 65536\n", "default: 0 is the caller, then the range");

	n = userns_build_map(1000, two, 2, false, m, IDMAP_MAX);
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 1000 1\n1 100000 10\n11 200000 20\n", "ranges concatenated in order");

	n = userns_build_map(1000, one, 1, true, m, IDMAP_MAX);
	is_int(n, 3, "keep-id: three lines");
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 100000 1000\n1000 1000 1\n1001 101000 64536\n",
	       "keep-id: hole at the caller's id");

	n = userns_build_map(1000, two, 2, true, m, IDMAP_MAX);
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 100000 10\n10 200000 20\n1000 1000 1\n",
	       "keep-id: fewer ids than the caller's uid");

	n = userns_build_map(5, two, 2, true, m, IDMAP_MAX);
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 100000 5\n5 5 1\n6 100005 5\n11 200000 20\n",
	       "keep-id: the hole splits a range");

	n = userns_build_map(0, one, 1, true, m, IDMAP_MAX);
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 0 1\n1 100000 65536\n", "keep-id as uid 0");

	n = userns_build_map(1000, with_self, 2, false, m, IDMAP_MAX);
	userns_map_format(m, n, buf, sizeof(buf));
	is_str(buf, "0 1000 1\n1 100000 65536\n", "a range holding the caller's id is skipped");

	{
		/* A range holding the caller's own id is split around it (issue 11). */
		struct id_range around[] = {{500, 1000}};
		n = userns_build_map(1000, around, 1, false, m, IDMAP_MAX);
		userns_map_format(m, n, buf, sizeof(buf));
		is_str(buf, "0 1000 1\n1 500 500\n501 1001 499\n",
		       "a range holding the caller's id is split around it");
		n = userns_build_map(1000, around, 1, true, m, IDMAP_MAX);
		userns_map_format(m, n, buf, sizeof(buf));
		is_str(buf, "0 500 500\n500 1001 499\n1000 1000 1\n",
		       "keep-id: the split range fills the ids around the caller");
	}

	n = userns_build_map(1000, NULL, 0, false, m, IDMAP_MAX);
	is_int(n, 1, "no ranges: only the caller");

	{
		struct id_range many[400];
		for (int i = 0; i < 400; i++)
			many[i] = (struct id_range){100000 + 10 * i, 5};
		is_int(userns_build_map(1000, many, 400, false, m, IDMAP_MAX), -E2BIG,
		       "more lines than the kernel takes");
		is_int(userns_build_map(1000, many, 339, false, m, IDMAP_MAX), 340,
		       "exactly the kernel's limit");
	}
	{
		struct id_range adj[] = {{100000, 10}, {100010, 10}};
		n = userns_build_map(1000, adj, 2, false, m, IDMAP_MAX);
		is_int(n, 2, "adjacent ranges merge");
		is_int(m[1].count, 20, "merged count");
	}

	n = userns_build_map(1000, one, 1, false, m, IDMAP_MAX);
	is_int(userns_map_lookup(m, n, 0), 1000, "lookup 0");
	is_int(userns_map_lookup(m, n, 1), 100000, "lookup 1");
	is_int(userns_map_lookup(m, n, 1000), 100999, "lookup 1000");
	is_int(userns_map_lookup(m, n, 65536), 165535, "lookup last");
	is_int(userns_map_lookup(m, n, 65537), (unsigned long)-1, "lookup unmapped");

	is_int(userns_map_format(m, n, buf, 8), -ENOBUFS, "format into a small buffer");
	n = userns_build_map(4294967294UL, one, 1, true, m, IDMAP_MAX);
	ok(n > 0, "keep-id for a huge uid does not overflow");
	is_int(userns_map_lookup(m, n, 4294967294UL), 4294967294UL, "huge uid kept");
	return tap_done();
}
