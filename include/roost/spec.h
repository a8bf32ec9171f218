/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.h - what to run: options checked against the host, plus the mount plan
 */
#ifndef ROOST_SPEC_H
#define ROOST_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "roost/opt.h"
#include "roost/util.h"

enum mount_kind {
	MK_BIND, /* src (host path) -> dst */
	MK_TMPFS, /* data = mount options */
	MK_PROC,
	MK_SYSFS, /* falls back to a read-only rbind of the host's /sys */
	MK_DEVPTS,
	MK_MQUEUE,
	MK_CGROUP2,
	MK_DEVNODE, /* bind the host's device src onto a new file dst */
	MK_SYMLINK, /* dst -> src */
	MK_MASK, /* /dev/null over a file, an empty read-only tmpfs over a directory */
	MK_RDONLY, /* dst bound onto itself, read-only */
};

#define MOP_RO (1u << 0) /* read-only after mounting (recursively) */
#define MOP_OPTIONAL (1u << 1) /* a failure is noted at debug level, not fatal */
#define MOP_FILE (1u << 2) /* the mount point is a file, not a directory */
#define MOP_IF_EXISTS (1u << 3) /* skip when dst does not exist in the root */

struct mount_op {
	enum mount_kind kind;
	unsigned int flags; /* MOP_* */
	unsigned long mflags; /* MS_* for mount(2) */
	char *src;
	char *dst;
	char *data;
	int src_fd; /* MK_BIND: the source as checked (O_PATH, not owned), or -1: use src */
};

struct mount_plan {
	struct mount_op *ops;
	size_t n;
};

struct spec {
	char *id; /* the container's name */
	char *rootfs; /* absolute, or NULL for the host system; an image's topmost layer */
	int rootfs_fd; /* a ROOTFS directory as checked (O_PATH) when > 2; mounted from that */
	char *image; /* the image's name when ROOTFS named one */
	struct strv layers; /* an image's layer directories, topmost first */
	struct strv argv;
	struct strv env;
	char *workdir;
	char *user; /* as given to -u, resolved inside the container */
	char *hostname;
	enum userns_mode userns;
	struct net_config net;
	bool tty, interactive, rm, init, read_only;
	unsigned int stop_timeout; /* seconds from a passed-on SIGTERM/INT/HUP to SIGKILL */
	struct volume *volumes; /* sources absolute and checked */
	size_t n_volumes;
	struct strv tmpfs;
	struct port_fwd *ports; /* bound by main() before the container starts */
	size_t n_ports;
	struct mount_plan plan; /* rootfs_plan() */

	/* Confinement: see caps.c, profile.c, filter.c. */
	uint64_t caps; /* the command's capabilities (as root) and bounding set */
	bool seccomp_off; /* no filter: seccomp=unconfined, or --privileged */
	char *seccomp_file; /* a JSON profile, or NULL for roost's default policy */
	bool no_new_privs; /* only when asked: --security-opt no-new-privileges */
	unsigned int pass_fds; /* fds 3..3+pass_fds-1 reach the command; every other is closed */
	bool listen_fds; /* socket activation: LISTEN_PID is set to the command's pid inside */
	bool privileged, pid_host, ipc_host;
};

struct image_run;
int spec_from_opts(const struct opts *o, struct spec *ret);
int spec_apply_image(struct spec *s, const struct opts *o, struct image_run *img);
void spec_free(struct spec *s);
int spec_env_set(struct strv *env, const char *kv);
int spec_parse_env_file(const char *path, struct strv *env);
void spec_new_id(char *buf, size_t size);

void mount_plan_add(struct mount_plan *p, enum mount_kind kind, const char *src, const char *dst,
		    unsigned long mflags, const char *data, unsigned int flags);
void mount_plan_free(struct mount_plan *p);

#endif
