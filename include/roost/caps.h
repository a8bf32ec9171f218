/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps.h - the container's capability set (libcap): names -> a mask, applied before exec
 */
#ifndef ROOST_CAPS_H
#define ROOST_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/types.h>

/* Docker's default set for root in the container. */
#define CAPS_DEFAULT                                                                               \
	(CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_DAC_OVERRIDE) | CAPS_BIT(CAP_FSETID) |                 \
	 CAPS_BIT(CAP_FOWNER) | CAPS_BIT(CAP_MKNOD) | CAPS_BIT(CAP_NET_RAW) |                      \
	 CAPS_BIT(CAP_SETGID) | CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SETFCAP) |                     \
	 CAPS_BIT(CAP_SETPCAP) | CAPS_BIT(CAP_NET_BIND_SERVICE) | CAPS_BIT(CAP_SYS_CHROOT) |       \
	 CAPS_BIT(CAP_KILL) | CAPS_BIT(CAP_AUDIT_WRITE))
#define CAPS_BIT(c) (UINT64_C(1) << (c))
/* Every capability, known to libcap or not: the kernel's own count cuts it down at apply time. */
#define CAPS_ALL UINT64_MAX

int caps_parse_name(const char *name, int *ret_cap);
int caps_compute(uint64_t base, char *const *add, size_t n_add, char *const *drop, size_t n_drop,
		 uint64_t *ret);
int caps_bound(uint64_t caps);
int caps_apply(uint64_t caps, uid_t uid);

#endif
