/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlay.h - the container's writable root: kernel overlayfs or fuse-overlayfs
 */
#ifndef ROOST_OVERLAY_H
#define ROOST_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum overlay_mode {
	OVERLAY_AUTO, /* kernel overlayfs, fuse-overlayfs if the kernel refuses */
	OVERLAY_KERNEL, /* kernel overlayfs only */
	OVERLAY_FUSE, /* fuse-overlayfs only */
};

/* How this kernel lets a user namespace mount overlayfs. */
enum overlay_flavour {
	OVERLAY_USERXATTR, /* Linux 5.11+: "userxattr", markers in user.overlay.* */
	OVERLAY_TRUSTED, /* Ubuntu's permit_mounts_in_userns=Y before 5.11: trusted.overlay.* */
	OVERLAY_REFUSED, /* before 5.11 without that parameter: fuse-overlayfs only */
};

/* The fuse-overlayfs daemon that serves a container's root (roost's child). */
struct overlay_fuse {
	pid_t pid; /* 0 when none runs */
	int err_fd; /* its stderr, read when it dies */
};

int overlay_parse_mode(const char *s, enum overlay_mode *ret);
enum overlay_flavour overlay_flavour(const char *root, char *why, size_t why_size);
int overlay_mount(char *const *lower, size_t n_lower, const char *upper, const char *work,
		  const char *target, enum overlay_mode mode, int *ret_fuse_fd, char *note,
		  size_t note_size);
int overlay_fuse_device_error(int e);
int overlay_fuse_start(char *const *lower, size_t n_lower, const char *upper, const char *work,
		       int fuse_fd, int userns_fd, struct overlay_fuse *ret);
bool overlay_fuse_reap(struct overlay_fuse *f);
int overlay_fuse_stop(struct overlay_fuse *f);

#endif
