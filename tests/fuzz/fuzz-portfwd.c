/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-portfwd.c - -p port specs (portfwd_parse) and their listing (portfwd_format) */
#include <stdlib.h>

#include "roost/portfwd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	_cleanup_free_ struct port_fwd *v = NULL;
	size_t n = 0;

	if (portfwd_parse(s, &v, &n) == 0)
		free(portfwd_format(v, n));
	return 0;
}
