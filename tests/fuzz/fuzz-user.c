/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-user.c - -u against an image's passwd and group (proc_parse_user):
 * "SPEC\nPASSWD...\n----\nGROUP..."
 */
#include <stdlib.h>

#include "roost/proc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *passwd = strchr(s, '\n'), *group = NULL, pw_path[64], gr_path[64];
	int pw_fd, gr_fd;
	uid_t uid;
	gid_t gid;

	if (passwd) {
		*passwd++ = '\0';
		group = fuzz_split(passwd);
	}
	pw_fd = fuzz_file(passwd ? passwd : "", passwd ? strlen(passwd) : 0, pw_path,
			  sizeof(pw_path));
	gr_fd = fuzz_file(group ? group : "", group ? strlen(group) : 0, gr_path, sizeof(gr_path));
	if (pw_fd >= 0 && gr_fd >= 0)
		(void)proc_parse_user(s, pw_path, gr_path, &uid, &gid);
	if (pw_fd >= 0)
		close(pw_fd);
	if (gr_fd >= 0)
		close(gr_fd);
	return 0;
}
