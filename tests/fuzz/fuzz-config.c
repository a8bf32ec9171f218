/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-config.c - an image's config blob (image_config_parse, image_config_diffs) */
#include <stdlib.h>

#include "roost/image.h"
#include "../../src/image_priv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	struct image_config c = {0};
	struct strv diffs = {0};

	if (image_config_parse(s, &c) == 0)
		image_config_free(&c);
	(void)image_config_diffs(s, &diffs);
	strv_free(&diffs);
	return 0;
}
