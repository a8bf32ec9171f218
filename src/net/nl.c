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
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	char what[48];

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;

	snprintf(what, sizeof(what), "set link %u up", ifindex);
	return nl_request(nl, nlh, what);
}
