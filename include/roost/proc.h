/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.h - clone into namespaces, the child's set-up, the parent's wait loop
 */
#ifndef ROOST_PROC_H
#define ROOST_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "roost/filter.h"
#include "roost/overlay.h"
#include "roost/portfwd.h"
#include "roost/spec.h"
#include "roost/store.h"
#include "roost/usernet.h"
#include "roost/userns.h"

struct container {
	struct spec *spec;
	const struct userns_plan *userns;
	const struct ctr_dirs *dirs;
	enum overlay_mode overlay;
	struct store *store;

	pid_t pid;
	int sync_fd;
	int userns_fd; /* kept open so --rm can clean up inside the namespace */
	bool child_failed; /* the child reported an error (err_msg() has it) */
	struct usernet net; /* the network process, with --network=slirp */
	const char *ping_warning; /* for the network process, or NULL */
	struct portfwd_proc ports; /* the relay of published ports */
	struct overlay_fuse fuse; /* fuse-overlayfs serving the root, when the kernel refused */
	struct filter_prog filter; /* proc_run() prepares it, the child loads it */
};

int proc_run(struct container *c);
int proc_userns_fd(const struct userns_plan *p);
int proc_parse_user(const char *spec, const char *passwd, const char *group, uid_t *ret_uid,
		    gid_t *ret_gid);

#endif
