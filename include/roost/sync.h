/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.h - parent <-> child messages on one SOCK_SEQPACKET socketpair
 */
#ifndef ROOST_SYNC_H
#define ROOST_SYNC_H

#include <stdint.h>

#include "roost/err.h"

enum sync_type {
	SYNC_MAPPED, /* parent -> child: id maps written, go on */
	SYNC_PTY, /* child -> parent: the pty master, as SCM_RIGHTS */
	SYNC_TAPFD, /* child -> parent: the tap device, as SCM_RIGHTS */
	SYNC_NETREADY, /* parent -> child: the network process is confined and serving */
	SYNC_NOTE, /* child -> parent: a line for the user (the child never prints) */
	SYNC_FUSE, /* child -> parent: /dev/fuse of the mounted root, to serve (SCM_RIGHTS) */
	SYNC_ERROR, /* child -> parent: {r, exit status, err_msg()}, then _exit() */
};

struct sync_msg {
	uint32_t type;
	int32_t r;
	int32_t status;
	char text[ERR_MSG_MAX];
};

int sync_send(int fd, enum sync_type type, int r, int status, const char *text, int pass_fd);
int sync_recv(int fd, struct sync_msg *ret, int *ret_fd);

#endif
