/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portfwd.h - published ports: "-p" specs, host listeners, the splice relay
 */
#ifndef ROOST_PORTFWD_H
#define ROOST_PORTFWD_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/types.h>

struct port_fwd {
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
	char host_ip[INET6_ADDRSTRLEN]; /* "" for all interfaces */
	unsigned int host_port; /* 0: the kernel picks (learned by portfwd_bind) */
	unsigned int ctr_port;
	int fd; /* the bound host socket, -1 before portfwd_bind() */
};

struct portfwd_proc {
	pid_t pid; /* the relay process, 0 when none runs */
	int ctl_fd; /* closing it ends the process */
};

int portfwd_parse(const char *arg, struct port_fwd **v, size_t *n);
int portfwd_bind(struct port_fwd *v, size_t n);
char *portfwd_format(const struct port_fwd *v, size_t n);
void portfwd_close(struct port_fwd *v, size_t n);
int portfwd_start(struct port_fwd *v, size_t n, int userns_fd, int netns_fd,
		  struct portfwd_proc *ret);
int portfwd_stop(struct portfwd_proc *p);

#endif
