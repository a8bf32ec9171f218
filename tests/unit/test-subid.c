/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "roost/subid.h"
#include "../tap.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	struct id_range r = {0}, *v = NULL;
	char path[] = "/tmp/roost-test-subid.XXXXXX";
	size_t n = 0;
	int fd;

	plan(42);
	is_int(subid_parse_line("alice:100000:65536", "alice", 1000, &r), 1, "match by name");
	is_int(r.start, 100000, "start of range");
	is_int(r.count, 65536, "count of range");
	is_int(subid_parse_line("1000:5:10\n", "alice", 1000, &r), 1, "match by uid");
	is_int(r.start, 5, "start by uid");
	is_int(subid_parse_line("bob:100000:65536", "alice", 1000, &r), 0, "someone else's line");
	is_int(subid_parse_line("alicex:1:2", "alice", 1000, &r), 0, "a longer name is not ours");
	is_int(subid_parse_line("10000:1:2", "alice", 1000, &r), 0, "another uid is not ours");
	is_int(subid_parse_line("", "alice", 1000, &r), 0, "blank line");
	is_int(subid_parse_line("   \n", "alice", 1000, &r), 0, "whitespace line");
	is_int(subid_parse_line("# alice:1:2", "alice", 1000, &r), 0, "comment");
	is_int(subid_parse_line("alice:1", "alice", 1000, &r), -EINVAL, "missing count");
	is_int(subid_parse_line("alice", "alice", 1000, &r), -EINVAL, "name alone");
	is_int(subid_parse_line("alice::5", "alice", 1000, &r), -EINVAL, "empty start");
	is_int(subid_parse_line("alice:5:", "alice", 1000, &r), -EINVAL, "empty count");
	is_int(subid_parse_line("alice:x:5", "alice", 1000, &r), -EINVAL, "start not a number");
	is_int(subid_parse_line("alice:5:1e3", "alice", 1000, &r), -EINVAL, "count not a number");
	is_int(subid_parse_line("alice:-5:10", "alice", 1000, &r), -EINVAL, "negative start");
	is_int(subid_parse_line("alice:5:0", "alice", 1000, &r), -EINVAL, "count zero");
	is_int(subid_parse_line("alice:1:2:3", "alice", 1000, &r), -EINVAL, "extra field");
	is_int(subid_parse_line("alice:4294967295:1", "alice", 1000, &r), -EINVAL,
	       "range reaching (uid_t)-1");
	is_int(subid_parse_line("alice:4294967000:1000", "alice", 1000, &r), -EINVAL,
	       "range past 32 bits");
	is_int(subid_parse_line("alice:99999999999999999999:1", "alice", 1000, &r), -EINVAL,
	       "overflowing number");
	is_int(subid_parse_line("alice:100000:65536  \r\n", "alice", 1000, &r), 1,
	       "trailing blanks tolerated");
	is_int(r.count, 65536, "count with trailing blanks");
	is_int(subid_parse_line("bob:garbage", "alice", 1000, &r), 0,
	       "someone else's malformed line is skipped");

	fd = mkstemp(path);
	close(fd);
	write_file(path, "# header\nbob:200000:65536\nalice:100000:65536\n1000:300000:10\n");
	is_int(subid_load(path, "alice", 1000, &v, &n), 0, "load two ranges");
	is_int(n, 2, "two ranges, name and uid");
	is_int(v[1].start, 300000, "in file order");
	free(v);
	v = NULL;
	is_int(subid_total((struct id_range[]){{1, 10}, {100, 5}}, 2), 15, "total");
	is_int(subid_suggest_start(path), 327680, "suggested start past every range");

	/* The same ids twice: newuidmap refuses them (issue 11). */
	write_file(path, "alice:100000:65536\n1000:100000:65536\n");
	is_int(subid_load(path, "alice", 1000, &v, &n), 0, "same range by name and uid");
	is_int(n, 1, "listed once");
	free(v);
	v = NULL;
	write_file(path, "alice:100000:65536\nalice:150000:65536\nalice:90000:20000\n");
	is_int(subid_load(path, "alice", 1000, &v, &n), 0, "overlapping lines");
	is_int(n, 3, "three pieces");
	is_int(subid_total(v, n), 65536 + 50000 + 10000, "each id counted once");
	is_int(v[1].start, 165536, "the second line less the first");
	is_int(v[2].start, 90000, "the third line less both, in file order");
	is_int(v[2].count, 10000, "the third line's new ids");
	free(v);
	v = NULL;

	write_file(path, "bob:200000:65536\n");
	is_int(subid_load(path, "alice", 1000, &v, &n), -ENOENT, "no range for the user");
	write_file(path, "alice:100000:65536\nalice:oops:1\n");
	is_int(subid_load(path, "alice", 1000, &v, &n), -EINVAL, "malformed entry is an error");
	unlink(path);
	is_int(subid_load(path, "alice", 1000, &v, &n), -ENOENT, "missing file");
	return tap_done();
}
