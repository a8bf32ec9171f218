/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.h - where containers live: data dir (layers) and runtime dir (locks, pids)
 */
#ifndef ROOST_STORE_H
#define ROOST_STORE_H

#include <stdbool.h>
#include <sys/types.h>

#include "roost/spec.h"

struct store {
	char *data_path; /* $XDG_DATA_HOME/roost */
	char *run_path; /* $XDG_RUNTIME_DIR/roost, or /tmp/roost-UID */
	int data_fd;
	int run_fd;
};

/* One container's directories, absolute paths. */
struct ctr_dirs {
	char *dir; /* data: .../containers/ID */
	char *upper; /* NULL for the host system */
	char *work;
	char *root; /* the mount point of the new root */
	char *run; /* runtime: .../roost/ID (lock, pids, the generated /etc files) */
	int lock_fd; /* flock()ed while the container runs */
};

struct ctr_info {
	char id[129];
	bool running;
	pid_t pid;
	char rootfs[512];
	char command[512];
	long created;
};

int store_open(struct store *st);
void store_close(struct store *st);
int store_create(struct store *st, const struct spec *s, struct ctr_dirs *ret);
int store_populate(struct store *st, const struct spec *s);
int store_write(struct store *st, const char *id, const char *name, const char *text);
int store_read(struct store *st, const char *id, const char *name, char **ret);
int store_set_pid(struct store *st, const char *id, const char *name, pid_t pid);
int store_remove_tree(struct store *st, const char *rel, int userns_fd);
int store_remove(struct store *st, const char *id, int userns_fd);
int store_sweep(struct store *st, int (*get_userns)(void *data), void *data);
void ctr_dirs_free(struct ctr_dirs *d);
int store_list(struct store *st, struct ctr_info **ret, size_t *ret_n);
int store_info(struct store *st, const char *id, struct ctr_info *ret);

#endif
