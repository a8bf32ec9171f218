/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.c - rtnetlink requests through libmnl
 *
 * Every request goes through nl_request(): send, wait for the ACK with
 * mnl_cb_run(), return the kernel's own -errno with the request named.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <stdio.h>
#include <time.h>

#include "roost/err.h"
#include "roost/nl.h"

int nl_open(struct mnl_socket **ret)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!nl)
		return err_set(errno, "open rtnetlink");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		return err_set(e, "bind rtnetlink");
	}
	*ret = nl;
	return 0;
}

void nl_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

static int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t n;
	int r;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return err_set(errno, "%s", what);
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return err_set(errno, "%s", what);
		r = mnl_cb_run(buf, n, seq, portid, NULL, NULL);
		if (r < 0)
			return err_set(errno, "%s", what);
		if (r == MNL_CB_STOP)
			return 0;
	}
}

int nl_link_up(struct mnl_socket *nl, unsigned int ifindex)
{
	return nl_link_set_mtu_up(nl, ifindex, 0);
}

/* Bring the link up and, unless mtu is 0, set its MTU, in one request. */
int nl_link_set_mtu_up(struct mnl_socket *nl, unsigned int ifindex, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	char what[64];

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);

	snprintf(what, sizeof(what), "set link %u up (mtu %u)", ifindex, mtu);
	return nl_request(nl, nlh, what);
}

/* Add ADDR/PREFIX (AF_INET: struct in_addr, AF_INET6: struct in6_addr) to a link. */
int nl_addr_add(struct mnl_socket *nl, unsigned int ifindex, int family, const void *addr,
		unsigned int prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET6_ADDRSTRLEN], what[96];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t len = family == AF_INET ? 4 : 16;
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	/* No duplicate address detection: the address must work as soon as the command runs. */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	if (family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);

	inet_ntop(family, addr, text, sizeof(text));
	snprintf(what, sizeof(what), "add address %s/%u", text, prefix);
	return nl_request(nl, nlh, what);
}

/* Add the default route through GATEWAY on a link. */
int nl_route_add_default(struct mnl_socket *nl, unsigned int ifindex, int family,
			 const void *gateway)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[INET6_ADDRSTRLEN], what[96];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, gateway);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);

	inet_ntop(family, gateway, text, sizeof(text));
	snprintf(what, sizeof(what), "add default route via %s", text);
	return nl_request(nl, nlh, what);
}
