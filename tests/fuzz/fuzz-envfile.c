/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-envfile.c - --env-file files (spec_parse_env_file) */
#include <stdlib.h>

#include "roost/spec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strv env = {0};
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	(void)spec_parse_env_file(path, &env);
	strv_free(&env);
	close(fd);
	return 0;
}
