/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-subid.c - /etc/subuid lines (subid_parse_line) and files (subid_load, subid_suggest_start) */
#include <stdlib.h>

#include "roost/subid.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	_cleanup_free_ struct id_range *v = NULL;
	struct id_range r;
	char path[64];
	size_t n = 0;
	int fd;

	(void)subid_parse_line(s, "alice", 1000, &r);
	fd = fuzz_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	if (subid_load(path, "alice", 1000, &v, &n) == 0)
		(void)subid_total(v, n);
	(void)subid_suggest_start(path);
	close(fd);
	return 0;
}
