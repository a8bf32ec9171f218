/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs.h - mount plan -> mounts, proc, dev, pivot_root, masked paths
 */
#ifndef ROOST_ROOTFS_H
#define ROOST_ROOTFS_H

#include "roost/spec.h"

int rootfs_plan(struct spec *s, const char *etc_dir);
int rootfs_open_in_root(int root_fd, const char *path, int flags, bool create, bool dir);
int rootfs_clone_sources(const struct mount_plan *p, int *ret_fds);
int rootfs_same_source(const char *path, int want_fd, const char *what);
int rootfs_apply(int root_fd, const struct mount_plan *p, int *src_fds);
int rootfs_make_readonly(const char *path, const char *what, bool recursive);
int rootfs_pivot(const char *root);

#endif
