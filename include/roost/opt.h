/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opt.h - "roost run" argv -> struct opts; no I/O
 */
#ifndef ROOST_OPT_H
#define ROOST_OPT_H

#include <stdbool.h>
#include <stdio.h>

#include "roost/net.h"
#include "roost/portfwd.h"
#include "roost/userns.h"

struct volume {
	char *src; /* as given; made absolute by spec.c */
	char *dst;
	bool ro;
	bool file; /* the source is a file (set by spec.c) */
	int fd; /* spec.c: O_PATH of the source as checked, mounted from (never the path again) */
};

/* One --tmpfs DST[:OPTIONS], as Docker takes it. */
struct tmpfs_opt {
	char *dst;
	unsigned long mflags; /* MS_NOSUID | MS_NODEV unless suid, dev; MS_NOEXEC, MS_RDONLY */
	char data[96]; /* "mode=1777" and size=, nr_inodes= as given */
};

struct opts {
	const char *rootfs; /* NULL: the host system, read-only */
	char **argv; /* the command; NULL: /bin/sh */
	int argc;

	struct volume *volumes;
	size_t n_volumes;
	char **tmpfs; /* DST[:OPTIONS], checked by opt_parse_tmpfs() */
	size_t n_tmpfs;
	char **env; /* KEY=VAL or KEY (taken from roost's environment) */
	size_t n_env;
	char **env_files;
	size_t n_env_files;
	struct port_fwd *ports; /* -p, ranges expanded */
	size_t n_ports;

	const char *workdir;
	const char *user; /* UID[:GID] or NAME[:GROUP] */
	const char *hostname;
	const char *name;

	enum userns_mode userns;
	enum pull_policy {
		PULL_POLICY_MISSING,
		PULL_POLICY_ALWAYS,
		PULL_POLICY_NEVER
	} pull; /* --pull, for an image */
	struct net_config net;
	bool tty, interactive, rm, init, read_only;
	bool help, version;
	unsigned int preserve_fds; /* --preserve-fds N: fds 3..3+N-1 go to the command */
	unsigned int stop_timeout; /* seconds from a passed-on SIGTERM/INT/HUP to SIGKILL */

	/* Confinement (caps.c, profile.c, filter.c). */
	char **cap_add; /* names as given, or "ALL" */
	size_t n_cap_add;
	char **cap_drop;
	size_t n_cap_drop;
	const char *seccomp; /* NULL: the default filter; "unconfined"; or a profile file */
	bool nnp_set, nnp; /* --security-opt no-new-privileges[=true|false] */
	bool privileged, pid_host, ipc_host;
};

int opt_parse_run(int argc, char **argv, struct opts *ret);
void opt_free(struct opts *o);
int opt_parse_volume(const char *arg, struct volume *ret);
int opt_parse_security(const char *arg, struct opts *o);
int opt_parse_tmpfs(const char *arg, struct tmpfs_opt *ret);
void opt_print_run_help(FILE *f);

#endif
