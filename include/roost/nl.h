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

#endif
