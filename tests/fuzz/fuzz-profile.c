/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-profile.c - seccomp profiles in Docker's JSON (profile_parse_json), then compiled */
#include <stdlib.h>

#include "roost/caps.h"
#include "roost/filter.h"
#include "roost/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	struct profile p = {0};

	if (profile_parse_json(s, size, "fuzz.json", CAPS_DEFAULT, &p) == 0) {
		struct filter_prog f = {0};

		if (filter_compile(&p, &f) == 0)
			filter_prog_free(&f);
	}
	profile_free(&p);
	return 0;
}
