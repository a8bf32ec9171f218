/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-portfwd.c - portfwd_parse(): "-p [IP:]HOST[-END]:CTR[-END][/tcp|/udp]", and its listing
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "roost/err.h"
#include "roost/portfwd.h"
#include "roost/util.h"
#include "../tap.h"

static struct port_fwd *v;
static size_t n;

static int parse(const char *arg)
{
	free(v);
	v = NULL;
	n = 0;
	return portfwd_parse(arg, &v, &n);
}

int main(void)
{
	plan(47);
	is_int(parse("8080:80"), 0, "HOST:CTR");
	is_int(n, 1, "one port");
	is_int(v[0].host_port, 8080, "host port");
	is_int(v[0].ctr_port, 80, "container port");
	is_int(v[0].proto, IPPROTO_TCP, "tcp by default");
	is_str(v[0].host_ip, "", "all interfaces by default");
	is_int(v[0].fd, -1, "not bound yet");

	is_int(parse("80"), 0, "CTR alone");
	is_int(v[0].host_port, 0, "the kernel picks the host port");
	is_int(v[0].ctr_port, 80, "container port alone");

	is_int(parse("127.0.0.1:53:5353/udp"), 0, "IP:HOST:CTR/udp");
	is_str(v[0].host_ip, "127.0.0.1", "IPv4 host address");
	is_int(v[0].proto, IPPROTO_UDP, "udp");
	is_int(v[0].host_port, 53, "host port after an address");
	is_int(v[0].ctr_port, 5353, "container port after an address");
	is_int(parse("1:2/tcp"), 0, "/tcp spelled out");
	is_int(v[0].proto, IPPROTO_TCP, "tcp spelled out");

	is_int(parse("[::1]:8080:80"), 0, "[IPV6]:HOST:CTR");
	is_str(v[0].host_ip, "::1", "IPv6 host address without brackets");
	is_int(v[0].host_port, 8080, "host port after [IPV6]");

	is_int(parse("9000-9002:1000-1002"), 0, "ranges");
	is_int(n, 3, "a range is expanded");
	is_int(v[2].host_port, 9002, "last host port of the range");
	is_int(v[2].ctr_port, 1002, "last container port of the range");

	/* Appending: several -p options build one list. */
	is_int(parse("1:1"), 0, "first of two");
	is_int(portfwd_parse("2:2/udp", &v, &n), 0, "second of two");
	is_int(n, 2, "both kept, in order");
	is_int(v[1].proto, IPPROTO_UDP, "the second's protocol");

	is_int(parse("8080:80/sctp"), -EINVAL, "unknown protocol");
	ok(strstr(err_msg(), "sctp") != NULL, "... named");
	is_int(parse("0:80"), -EINVAL, "port 0");
	is_int(parse("65536:80"), -EINVAL, "port past 65535");
	ok(strstr(err_msg(), "1 to 65535") != NULL, "... the range is named");
	is_int(parse("8080:"), -EINVAL, "empty container port");
	is_int(parse(""), -EINVAL, "empty argument");
	is_int(parse("x:80"), -EINVAL, "host port not a number");
	is_int(parse("10-5:10-5"), -EINVAL, "a range going down");
	is_int(parse("1-3:1-2"), -EINVAL, "ranges of different lengths");
	is_int(parse("1-3"), -EINVAL, "a container range without a host range");
	is_int(parse("999.1.1.1:1:1"), -EINVAL, "not an IP address");
	is_int(parse("[::1:1:1"), -EINVAL, "unclosed bracket");
	is_int(parse("[::1]:1:1:1"), -EINVAL, "an address after [IPV6]");
	is_int(n, 0, "nothing appended on errors");

	/* roost port's listing. */
	_cleanup_free_ char *all = NULL, *one = NULL;
	is_int(parse("8080:80"), 0, "for the listing: all interfaces");
	all = portfwd_format(v, n);
	is_str(all, "80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n",
	       "all interfaces: both families");
	is_int(parse("[::1]:53:53/udp"), 0, "for the listing: one IPv6 address");
	one = portfwd_format(v, n);
	is_str(one, "53/udp -> [::1]:53\n", "an IPv6 address in brackets");
	free(v);
	return tap_done();
}
