/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h - rtnetlink requests through libmnl
 */
#ifndef ROOST_NL_H
#define ROOST_NL_H

struct mnl_socket;

int nl_open(struct mnl_socket **ret);
void nl_close(struct mnl_socket *nl);
int nl_link_up(struct mnl_socket *nl, unsigned int ifindex);
int nl_link_set_mtu_up(struct mnl_socket *nl, unsigned int ifindex, unsigned int mtu);
int nl_addr_add(struct mnl_socket *nl, unsigned int ifindex, int family, const void *addr,
		unsigned int prefix);
int nl_route_add_default(struct mnl_socket *nl, unsigned int ifindex, int family,
			 const void *gateway);

#endif
