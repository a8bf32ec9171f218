/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-net.c - net_parse(): --network=none|host|slirp[:KEY=VALUE,...], the addresses, and
 * the ping_group_range written inside
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "roost/err.h"
#include "roost/net.h"
#include "roost/userns.h"
#include "../tap.h"

static const char *addr(const struct net_config *n, unsigned int host)
{
	static char buf[INET_ADDRSTRLEN];
	struct in_addr a = net_addr(n, host);

	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

/* The kernel compares host gids against the range's two ends as host gids. */
static void ping_range_tests(void)
{
	const struct id_map def[] = {{0, 1000, 1}, {1, 100000, 65536}};
	const struct id_map keep[] = {{0, 100000, 1000}, {1000, 1000, 1}, {1001, 101000, 64536}};
	const struct id_map keep_few[] = {{0, 100000, 500}, {1001, 1001, 1}};
	const struct id_map one[] = {{1000, 1000, 1}};
	char buf[64];

	net_ping_range(def, 2, 1000, buf, sizeof(buf));
	is_str(buf, "0 65536", "ping range, default map: every inner gid");
	net_ping_range(keep, 3, 1000, buf, sizeof(buf));
	is_str(buf, "1000 65536",
	       "ping range, keep-id: from the caller's gid (the lowest host gid)");
	net_ping_range(keep_few, 2, 1001, buf, sizeof(buf));
	is_str(buf, "1001 1001", "ping range, keep-id past the subordinate ids: the caller's gid");
	net_ping_range(one, 1, 1000, buf, sizeof(buf));
	is_str(buf, "1000 1000", "ping range, a single-id map");
}

int main(void)
{
	struct net_config n, before;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN];

	plan(44);
	ping_range_tests();
	net_config_default(&n);
	is_int(n.mode, NET_SLIRP, "default: slirp");
	is_int(n.mtu, 65520, "default MTU");
	is_str(addr(&n, NET_HOST_GUEST), "10.0.2.100", "default: the container is 10.0.2.100");
	is_str(addr(&n, NET_HOST_GATEWAY), "10.0.2.2", "the host is .2");
	is_str(addr(&n, NET_HOST_DNS), "10.0.2.3", "DNS is .3");
	ok(n.ipv6 && n.dns && !n.allow_host_loopback, "default: IPv6 and DNS, no host loopback");
	net_addr6(NET_HOST_DNS, &a6);
	is_str(inet_ntop(AF_INET6, &a6, buf, sizeof(buf)), "fd00::3", "IPv6 DNS is fd00::3");

	is_int(net_parse("none", &n), 0, "none");
	is_int(n.mode, NET_NONE, "... is NET_NONE");
	is_int(net_parse("host", &n), 0, "host");
	is_int(n.mode, NET_HOST, "... is NET_HOST");
	is_int(net_parse("slirp", &n), 0, "slirp");
	is_int(n.mode, NET_SLIRP, "... is NET_SLIRP");
	is_int(n.mtu, 65520, "slirp alone keeps the defaults");

	is_int(net_parse("slirp:mtu=1500,ipv6=false,dns=false,allow_host_loopback=true", &n), 0,
	       "every boolean key and mtu");
	is_int(n.mtu, 1500, "mtu");
	ok(!n.ipv6 && !n.dns && n.allow_host_loopback, "ipv6, dns, allow_host_loopback");
	is_int(net_parse("slirp:cidr=192.168.77.5/16", &n), 0, "cidr");
	is_int(n.prefix, 16, "cidr prefix");
	is_str(addr(&n, 0), "192.168.0.0", "host bits are cleared");
	is_str(addr(&n, NET_HOST_GUEST), "192.168.0.100", "the container is .100 of that network");
	is_int(net_parse("slirp:cidr=10.1.2.0/25", &n), 0, "/25 is the smallest that holds .100");
	is_int(net_parse("slirp:mtu=576,ipv6=false", &n), 0, "mtu 576 without IPv6");
	is_int(net_parse("slirp:mtu=65520", &n), 0, "mtu 65520");

	net_config_default(&before);
	n = before;
	is_int(net_parse("bridge", &n), -EINVAL, "unknown mode");
	ok(strstr(err_msg(), "unknown mode") != NULL, "... said so");
	ok(!memcmp(&n, &before, sizeof(n)), "an error leaves the result alone");
	is_int(net_parse("slirpx", &n), -EINVAL, "a longer word is not slirp");
	is_int(net_parse("none:mtu=1500", &n), -EINVAL, "none takes no options");
	is_int(net_parse("slirp:mtu=575,ipv6=false", &n), -EINVAL, "mtu below 576");
	is_int(net_parse("slirp:mtu=65521", &n), -EINVAL, "mtu above 65520");
	is_int(net_parse("slirp:mtu=1279", &n), -EINVAL, "mtu too small for IPv6");
	ok(strstr(err_msg(), "ipv6=false") != NULL, "... the fix is named");
	is_int(net_parse("slirp:mtu=abc", &n), -EINVAL, "mtu not a number");
	is_int(net_parse("slirp:ipv6=yes", &n), -EINVAL, "booleans are true or false");
	is_int(net_parse("slirp:cidr=10.0.0.0", &n), -EINVAL, "cidr without a prefix");
	is_int(net_parse("slirp:cidr=10.0.0.0/26", &n), -EINVAL, "a network too small for .100");
	is_int(net_parse("slirp:cidr=10.0.0.0/7", &n), -EINVAL, "a prefix below /8");
	is_int(net_parse("slirp:dns", &n), -EINVAL, "a key without a value");
	is_int(net_parse("slirp:color=blue", &n), -EINVAL, "unknown key");
	return tap_done();
}
