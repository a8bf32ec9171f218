/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-imageref.c - image references (image_ref_normalize) and digests (image_digest_hex) */
#include <stdlib.h>

#include "roost/image.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *n = NULL, hex[65];

	if (image_ref_normalize(s, &n) == 0) {
		char *again = NULL;

		/* A normal form is its own normal form. */
		if (image_ref_normalize(n, &again) != 0 || strcmp(n, again))
			abort();
		free(again);
		free(n);
	}
	(void)image_digest_hex(s, hex);
	return 0;
}
