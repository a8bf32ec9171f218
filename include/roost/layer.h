/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer.h - one image layer: hash it, unpack it safely inside the user namespace
 */
#ifndef ROOST_LAYER_H
#define ROOST_LAYER_H

#include <stdint.h>

#define LAYER_WHITEOUT 1 /* .wh.NAME: NAME is deleted */
#define LAYER_OPAQUE 2 /* .wh..wh..opq: the directory hides the layers below */

struct layer_stats {
	uint64_t size; /* bytes of regular files */
	unsigned int n_skipped; /* device nodes, which rootless cannot create */
	char skipped[256]; /* the first of them */
};

int layer_clean_path(const char *name, char *buf, size_t size);
int layer_whiteout(const char *base, const char **ret_name);
int layer_link_escapes(const char *entry, const char *target);
int layer_hash(const char *path, char ret_blob[65], char ret_diff[65]);
int layer_unpack(int userns_fd, const char *blob, int dir_fd, struct layer_stats *ret);
int layer_extract_plain(const char *archive, int dir_fd);

#endif
