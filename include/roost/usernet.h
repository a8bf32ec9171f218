/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usernet.h - the host side of user-mode networking: libslirp in a confined process
 */
#ifndef ROOST_USERNET_H
#define ROOST_USERNET_H

#include <stdbool.h>
#include <sys/types.h>

#include "roost/net.h"

struct usernet {
	pid_t pid; /* the network process, 0 when none runs */
	int ctl_fd; /* our end of its control pipe: closing it ends the process */
	int ready_fd; /* readable (a byte, or EOF) once it serves, confined */
};

int usernet_start(const struct net_config *n, int tap_fd, const char *ping_warning,
		  struct usernet *ret);
int usernet_stop(struct usernet *u);
const char *usernet_slirp_version(void);
bool usernet_slirp_reassembly_ok(const char *version);

#endif
