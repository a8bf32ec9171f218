/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-index.c - a registry's manifest or index, as roost pull reads it (pull_pick_platform) */
#include <stdlib.h>

#include "roost/pull.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *digest = NULL;

	(void)pull_pick_platform(s, NULL, "linux", "amd64", &digest);
	free(digest);
	(void)pull_pick_platform(s, "application/vnd.oci.image.index.v1+json", "linux", "arm64",
				 &digest);
	free(digest);
	return 0;
}
