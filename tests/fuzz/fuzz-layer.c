/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-layer.c - a layer's entry names and link targets: "NAME\nTARGET" through
 * layer_clean_path, layer_whiteout and layer_link_escapes (nothing is unpacked)
 */
#include <limits.h>
#include <stdlib.h>

#include "roost/layer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *target = strchr(s, '\n'), clean[PATH_MAX], small[8];
	const char *base, *name;

	if (target)
		*target++ = '\0';
	(void)layer_clean_path(s, small, sizeof(small));
	if (layer_clean_path(s, clean, sizeof(clean)) == 0) {
		base = strrchr(clean, '/') ? strrchr(clean, '/') + 1 : clean;
		(void)layer_whiteout(base, &name);
	}
	if (target)
		(void)layer_link_escapes(s, target);
	return 0;
}
