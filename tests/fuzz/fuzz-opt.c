/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-opt.c - roost run's command line (opt_parse_run): one argument per line */
#include <stdlib.h>

#include "roost/opt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	_cleanup_free_ char **argv = NULL;
	struct opts o;
	int argc = 1;

	if (size > 4096)
		return 0;
	argv = xcalloc(size + 3, sizeof(*argv));
	argv[0] = "run";
	for (char *p = s; *p || p == s;) {
		char *nl = strchr(p, '\n');

		argv[argc++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	argv[argc] = NULL;
	if (opt_parse_run(argc, argv, &o) == 0)
		opt_free(&o);
	return 0;
}
