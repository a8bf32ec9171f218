/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-store-index.c - the store's images/index.json, as a damaged or hostile file would
 * be read: image_list, image_resolve and image_inspect by name and by id prefix
 */
#define FUZZ_STORE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "roost/image.h"
#include "../../src/image_priv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"a", "abcd", "0123456789abcdef", "alpine"};
	struct store *st = fuzz_store();
	struct image_info *v = NULL;
	size_t n = 0;

	if (!st || size > 65536)
		return 0;
	if (mkdirat(st->data_fd, "images", 0700) < 0 && errno != EEXIST)
		return 0;
	if (image_write_atomic(st->data_fd, "images/index.json", (const char *)data, size) < 0)
		return 0;
	if (image_list(st, &v, &n) == 0)
		image_info_free(v, n);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct image_run ir = {0};
		char *json = NULL;

		if (image_resolve(st, names[i], &ir) == 0)
			image_run_free(&ir);
		if (image_inspect(st, names[i], &json) == 0)
			free(json);
	}
	return 0;
}
