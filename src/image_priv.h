/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_priv.h - the image store's helpers shared by image.c, image_use.c and load.c
 */
#ifndef ROOST_IMAGE_PRIV_H
#define ROOST_IMAGE_PRIV_H

#include <json-c/json.h>
#include <stdbool.h>

#include "roost/store.h"
#include "roost/util.h"

static inline void image_json_putp(struct json_object **j)
{
	if (*j)
		json_object_put(*j);
}
#define _cleanup_json_ _cleanup_(image_json_putp)

struct json_object *image_json_get(struct json_object *o, const char *key);
char *image_json_str(struct json_object *o, const char *key);
int image_read_at(int dfd, const char *path, char **ret, size_t *ret_len);
int image_write_atomic(int dfd, const char *path, const char *data, size_t len);
void image_sha256_hex(const void *data, size_t len, char out[65]);
int image_store_lock(struct store *st, bool exclusive);
struct json_object *image_index_read(struct store *st);
int image_index_write(struct store *st, struct json_object *idx);
int image_blob_store(struct store *st, const char *hexd, const char *data, size_t len);
int image_config_diffs(const char *config, struct strv *ret);
void image_uses_scan(struct store *st, struct strv *keep, const char *key, char **ret_user,
		     bool remove_dead);
int image_tmp_remove(struct store *st, bool keep_partial);

#endif
