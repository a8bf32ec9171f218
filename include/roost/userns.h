/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns.h - the id maps of a container's user namespace
 */
#ifndef ROOST_USERNS_H
#define ROOST_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "roost/subid.h"

/* The kernel takes at most 340 lines per map (Linux 4.15+). */
#define IDMAP_MAX 340

struct id_map {
	unsigned long inner;
	unsigned long outer;
	unsigned long count;
};

enum userns_mode {
	USERNS_DEFAULT, /* caller is root inside, subordinate ids follow */
	USERNS_KEEP_ID, /* caller keeps its own ids inside */
};

/* What the parent decided before the child exists. */
struct userns_plan {
	struct id_map uid[IDMAP_MAX], gid[IDMAP_MAX];
	size_t n_uid, n_gid;
	bool use_helpers; /* newuidmap/newgidmap, else a direct single-id map */
	char *newuidmap; /* helper paths, NULL when missing */
	char *newgidmap;
	char *fallback_why; /* set when the single-id map is used: the one warning */
	uid_t host_uid;
	gid_t host_gid;
};

int userns_build_map(unsigned long host_id, const struct id_range *r, size_t n, bool keep_id,
		     struct id_map *out, size_t max);
int userns_map_format(const struct id_map *m, size_t n, char *buf, size_t size);
int userns_plan_init(struct userns_plan *p, enum userns_mode mode, const char *subuid_path,
		     const char *subgid_path);
void userns_plan_done(struct userns_plan *p);
char *userns_find_helper(const char *name);
char *userns_no_subid_text(const char *user, const char *path, unsigned long start,
			   bool have_helpers, bool keep_id);
char *userns_no_helper_text(const char *helper, const char *user, bool keep_id);
/* Helpers started by userns_apply_start(), waited for by userns_apply_finish(). */
struct userns_job {
	pid_t pid[2];
	int err_fd[2];
	int n;
};

int userns_apply_start(const struct userns_plan *p, pid_t pid, struct userns_job *ret);
int userns_apply_finish(const struct userns_plan *p, struct userns_job *j);
int userns_apply(const struct userns_plan *p, pid_t pid);
unsigned long userns_map_lookup(const struct id_map *m, size_t n, unsigned long inner);

#endif
