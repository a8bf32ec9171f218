/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile.h - a seccomp policy as data: roost's default table, or a Docker/Podman JSON profile
 */
#ifndef ROOST_PROFILE_H
#define ROOST_PROFILE_H

#include <seccomp.h>
#include <stdint.h>

#include "roost/util.h"

#define PROFILE_PID_HOST (1u << 0) /* the container shares the host's pid namespace */

struct profile_rule {
	int nr; /* native syscall number (libseccomp's, negative for a pseudo-syscall) */
	uint32_t action;
	unsigned int n_args;
	struct scmp_arg_cmp args[6];
	int src; /* index in the JSON "syscalls" array, -1 for the default table */
};

/* Syscall numbers first to last (native ABI), answered ENOSYS before any rule. */
struct profile_range {
	uint32_t first, last;
};

struct profile {
	uint32_t default_action;
	uint32_t bad_arch_action;
	uint32_t arches[16]; /* besides the native one */
	size_t n_arches;
	unsigned int load_flags; /* SECCOMP_FILTER_FLAG_* */
	struct profile_rule *rules;
	size_t n_rules;
	struct strv unknown; /* syscall names libseccomp does not know, skipped */
	struct profile_range enosys[8]; /* calls newer than the policy (profile_default) */
	size_t n_enosys;
};

int profile_default(uint64_t caps, unsigned int flags, struct profile *ret);
int profile_parse_json(const char *text, size_t len, const char *name, uint64_t caps,
		       struct profile *ret);
int profile_load_json(const char *path, uint64_t caps, struct profile *ret);
void profile_free(struct profile *p);
void profile_add_rule(struct profile *p, int nr, uint32_t action, unsigned int n_args,
		      const struct scmp_arg_cmp *args, int src);

#endif
