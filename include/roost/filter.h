/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - a profile compiled to BPF (libseccomp), cached, loaded before exec
 */
#ifndef ROOST_FILTER_H
#define ROOST_FILTER_H

#include <linux/filter.h>
#include <stdint.h>

#include "roost/profile.h"

struct filter_prog {
	struct sock_filter *insns; /* NULL: no filter */
	size_t n;
	unsigned int flags; /* for seccomp(SECCOMP_SET_MODE_FILTER) */
};

int filter_compile(const struct profile *p, struct filter_prog *ret);
int filter_prepare(const char *profile_path, uint64_t caps, unsigned int flags,
		   struct filter_prog *ret);
int filter_load(const struct filter_prog *f);
void filter_prog_free(struct filter_prog *f);

#endif
