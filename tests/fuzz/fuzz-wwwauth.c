/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-wwwauth.c - a registry's WWW-Authenticate header (registry_parse_www_auth) */
#include <stdlib.h>

#include "roost/registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *realm = NULL, *service = NULL, *scope = NULL;

	if (registry_parse_www_auth(s, &realm, &service, &scope) == 0) {
		free(realm);
		free(service);
		free(scope);
	}
	return 0;
}
