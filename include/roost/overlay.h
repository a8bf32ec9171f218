/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlay.h - the container's writable root: kernel overlayfs or fuse-overlayfs
 */
#ifndef ROOST_OVERLAY_H
#define ROOST_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

enum overlay_mode {
	OVERLAY_AUTO, /* kernel overlayfs, fuse-overlayfs if the kernel refuses */
	OVERLAY_KERNEL, /* kernel overlayfs only */
	OVERLAY_FUSE, /* fuse-overlayfs only */
};

int overlay_parse_mode(const char *s, enum overlay_mode *ret);
int overlay_mount(char *const *lower, size_t n_lower, const char *upper, const char *work,
		  const char *target, enum overlay_mode mode, char *note, size_t note_size);
int overlay_fuse_device_error(int e);

#endif
