/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.h - the container's network: none, host, or user-mode (libslirp)
 */
#ifndef ROOST_NET_H
#define ROOST_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

struct userns_plan;

enum net_mode {
	NET_SLIRP, /* tap0 in a new network namespace, relayed by libslirp (default) */
	NET_NONE, /* a network namespace with only lo */
	NET_HOST, /* the host's network namespace */
};

struct net_config {
	enum net_mode mode;
	unsigned int mtu;
	struct in_addr network; /* host bits zero */
	unsigned int prefix;
	bool ipv6;
	bool allow_host_loopback;
	bool dns;
};

#define NET_TAP_NAME "tap0"
#define NET_HOST_GATEWAY 2 /* .2: the host, as slirp presents it */
#define NET_HOST_DNS 3 /* .3: slirp's DNS forwarder */
#define NET_HOST_GUEST 100 /* .100: the container */

void net_config_default(struct net_config *ret);
int net_parse(const char *arg, struct net_config *ret);
struct in_addr net_addr(const struct net_config *n, unsigned int host);
void net_addr6(unsigned int host, struct in6_addr *ret);

int tap_open(const char *name, int *ret_fd);
int tap_device_error(int e);
int net_child_setup(const struct net_config *n, int *ret_tap_fd);
struct id_map;
void net_ping_range(const struct id_map *m, size_t n, unsigned long host_gid, char *buf,
		    size_t size);
int net_child_sysctls(const struct net_config *n, const struct userns_plan *u);

char *net_hosts_text(const struct net_config *n, const char *hostname, const char *base);
char *net_resolv_text(const struct net_config *n, const char *host_resolv);
int net_write_etc(const struct net_config *n, const char *hostname, const char *rootfs,
		  const char *dir);
char *net_ping_warning(const char *range, gid_t gid, const gid_t *groups, int n_groups);

#endif
