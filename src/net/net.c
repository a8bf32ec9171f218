/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.c - wiring of the container's network
 *
 *   net_parse()          "--network=slirp:mtu=N,..." -> struct net_config (pure)
 *   net_child_setup()    child, new network namespace, before the id maps:
 *                        lo up, tap0 created, MTU, addresses and routes by netlink
 *   net_child_sysctls()  child, after the id maps: ping_group_range and
 *                        ip_unprivileged_port_start of its own namespace
 *   net_*_text()         /etc/hosts and /etc/resolv.conf for the container (pure)
 *   net_ping_warning()   the one line when the host's ping_group_range leaves the
 *                        user out (pure)
 * The host side, libslirp's loop in a confined process, is usernet.c.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "roost/err.h"
#include "roost/net.h"
#include "roost/nl.h"
#include "roost/rootfs.h"
#include "roost/userns.h"
#include "roost/util.h"

void net_config_default(struct net_config *ret)
{
	*ret = (struct net_config){
		.mode = NET_SLIRP,
		.mtu = 65520,
		.prefix = 24,
		.ipv6 = true,
		.allow_host_loopback = false,
		.dns = true,
	};
	ret->network.s_addr = htonl(0x0a000200); /* 10.0.2.0 */
}

static int parse_bool(const char *key, const char *v, bool *ret)
{
	if (!strcmp(v, "true"))
		*ret = true;
	else if (!strcmp(v, "false"))
		*ret = false;
	else
		return err_setx(EINVAL, "--network: %s=%s: want true or false", key, v);
	return 0;
}

static int parse_cidr(const char *v, struct net_config *n)
{
	char buf[32], *slash;
	unsigned long prefix;
	struct in_addr a;

	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (!slash)
		return err_setx(EINVAL, "--network: cidr=%s: want A.B.C.D/N", v);
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || util_parse_uint(slash + 1, 32, &prefix) < 0)
		return err_setx(EINVAL, "--network: cidr=%s: want A.B.C.D/N", v);
	/* The container takes .100 of the network: it must fit. */
	if (prefix < 8 || prefix > 25)
		return err_setx(EINVAL,
				"--network: cidr=%s: the prefix must be /8 to /25 (the "
				"container is .100 of the network)",
				v);
	n->prefix = prefix;
	n->network.s_addr = a.s_addr & htonl(~0u << (32 - prefix));
	return 0;
}

/*
 * Parse the argument of --network: "none", "host", "slirp" or
 * "slirp:KEY=VALUE,..." with keys mtu, cidr, ipv6, allow_host_loopback and
 * dns. Unknown keys are an error.
 */
int net_parse(const char *arg, struct net_config *ret)
{
	struct net_config n;
	_cleanup_free_ char *copy = NULL;
	char *opts, *save = NULL;
	int r;

	net_config_default(&n);
	if (!strcmp(arg, "none") || !strcmp(arg, "host")) {
		n.mode = arg[0] == 'n' ? NET_NONE : NET_HOST;
		*ret = n;
		return 0;
	}
	if (strncmp(arg, "slirp", 5) || (arg[5] != '\0' && arg[5] != ':'))
		return err_setx(EINVAL, "--network=%s: unknown mode (want slirp, none or host)",
				arg);
	copy = xstrdup(arg);
	opts = arg[5] == ':' ? copy + 6 : NULL;
	for (char *kv = opts ? strtok_r(opts, ",", &save) : NULL; kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		unsigned long mtu;

		if (!v)
			return err_setx(EINVAL, "--network: '%s': want KEY=VALUE", kv);
		*v++ = '\0';
		if (!strcmp(kv, "mtu")) {
			if (util_parse_uint(v, 65520, &mtu) < 0 || mtu < 576)
				return err_setx(EINVAL, "--network: mtu=%s: want 576 to 65520", v);
			n.mtu = mtu;
			r = 0;
		} else if (!strcmp(kv, "cidr"))
			r = parse_cidr(v, &n);
		else if (!strcmp(kv, "ipv6"))
			r = parse_bool(kv, v, &n.ipv6);
		else if (!strcmp(kv, "allow_host_loopback"))
			r = parse_bool(kv, v, &n.allow_host_loopback);
		else if (!strcmp(kv, "dns"))
			r = parse_bool(kv, v, &n.dns);
		else
			r = err_setx(EINVAL,
				     "--network: unknown key '%s' (want mtu, cidr, ipv6, "
				     "allow_host_loopback or dns)",
				     kv);
		if (r < 0)
			return r;
	}
	if (n.ipv6 && n.mtu < 1280)
		return err_setx(EINVAL,
				"--network: mtu=%u is too small for IPv6 (1280 at least); "
				"add ipv6=false",
				n.mtu);
	*ret = n;
	return 0;
}

struct in_addr net_addr(const struct net_config *n, unsigned int host)
{
	struct in_addr a = {.s_addr = htonl(ntohl(n->network.s_addr) + host)};
	return a;
}

/* fd00::HOST, in hex digits as written: 100 is fd00::100. */
void net_addr6(unsigned int host, struct in6_addr *ret)
{
	char text[32];

	snprintf(text, sizeof(text), "fd00::%u", host);
	inet_pton(AF_INET6, text, ret);
}

/*
 * In the child's new network namespace: lo up, tap0 with its MTU,
 * addresses and default routes. Needs only capabilities over the namespace,
 * so it runs before the id maps are written.
 */
int net_child_setup(const struct net_config *n, int *ret_tap_fd)
{
	struct mnl_socket *nl;
	_cleanup_close_ int tap = -1;
	unsigned int lo, idx;
	int r;

	r = nl_open(&nl);
	if (r < 0)
		return r;
	lo = if_nametoindex("lo");
	r = nl_link_up(nl, lo);
	if (r < 0 || n->mode != NET_SLIRP)
		goto out;

	r = tap_open(NET_TAP_NAME, &tap);
	if (r < 0) {
		nl_close(nl);
		return r; /* its message names the device and the fix */
	}
	idx = if_nametoindex(NET_TAP_NAME);
	r = nl_link_set_mtu_up(nl, idx, n->mtu);
	if (r == 0) {
		struct in_addr a = net_addr(n, NET_HOST_GUEST), gw = net_addr(n, NET_HOST_GATEWAY);

		r = nl_addr_add(nl, idx, AF_INET, &a, n->prefix);
		if (r == 0)
			r = nl_route_add_default(nl, idx, AF_INET, &gw);
	}
	if (r == 0 && n->ipv6) {
		struct in6_addr a, gw;

		net_addr6(NET_HOST_GUEST, &a);
		net_addr6(NET_HOST_GATEWAY, &gw);
		r = nl_addr_add(nl, idx, AF_INET6, &a, 64);
		if (r == 0)
			r = nl_route_add_default(nl, idx, AF_INET6, &gw);
	}
	if (r == 0)
		*ret_tap_fd = TAKE_FD(tap);
out:
	nl_close(nl);
	return r < 0 ? err_wrap(r, "configure the container's network") : 0;
}

static int write_sysctl(const char *path, const char *value)
{
	int r = util_write_file(path, value);

	return r < 0 ? err_set(r, "write %s '%s'", path, value) : 0;
}

/*
 * The value of net.ipv4.ping_group_range for gid map m: the kernel keeps
 * the two ends as host gids and lets ping any group between them, so the
 * ends are the inner gids of the lowest and the highest host gid mapped
 * (with keep-id, inner 0 is a subordinate id above the caller's own: the
 * span of inner gids would leave the caller out). When those ends are in
 * the wrong order inside (the kernel would then allow nobody), the
 * caller's gid (host_gid outside) alone.
 */
void net_ping_range(const struct id_map *m, size_t n, unsigned long host_gid, char *buf,
		    size_t size)
{
	unsigned long own = 0;
	size_t lo = 0, hi = 0;

	for (size_t i = 0; i < n; i++)
		if (host_gid >= m[i].outer && host_gid < m[i].outer + m[i].count)
			own = m[i].inner + (host_gid - m[i].outer);

	for (size_t i = 1; i < n; i++) {
		if (m[i].outer < m[lo].outer)
			lo = i;
		if (m[i].outer + m[i].count > m[hi].outer + m[hi].count)
			hi = i;
	}
	if (n == 0 || m[lo].inner > m[hi].inner + m[hi].count - 1)
		snprintf(buf, size, "%lu %lu", own, own);
	else
		snprintf(buf, size, "%lu %lu", m[lo].inner, m[hi].inner + m[hi].count - 1);
}

/*
 * After the id maps: sysctls of the container's own network namespace.
 * ping_group_range covers every mapped gid (net_ping_range()), so any user
 * inside may ping without CAP_NET_RAW; ip_unprivileged_port_start 0 lets
 * any user inside listen on port 80. /proc is still the host's mount here,
 * but /proc/sys/net shows the writer's network namespace, which the
 * container's root owns.
 */
int net_child_sysctls(const struct net_config *n, const struct userns_plan *u)
{
	char range[64];
	int r;

	if (n->mode == NET_HOST)
		return 0;
	net_ping_range(u->gid, u->n_gid, u->host_gid, range, sizeof(range));
	r = write_sysctl("/proc/sys/net/ipv4/ping_group_range", range);
	if (r < 0)
		return r;
	return write_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
}

/*
 * The container's /etc/hosts: localhost, its own name on its address,
 * host.roost.internal when the host's loopback is reachable, then the
 * lines of base (the image's or the host's file) that name other hosts.
 */
char *net_hosts_text(const struct net_config *n, const char *hostname, const char *base)
{
	char *buf = NULL, a[INET_ADDRSTRLEN];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (n->mode == NET_SLIRP) {
		struct in_addr ip = net_addr(n, NET_HOST_GUEST);

		fprintf(f, "%s\t%s\n", inet_ntop(AF_INET, &ip, a, sizeof(a)), hostname);
		if (n->ipv6)
			fprintf(f, "fd00::%u\t%s\n", NET_HOST_GUEST, hostname);
		if (n->allow_host_loopback) {
			ip = net_addr(n, NET_HOST_GATEWAY);
			fprintf(f, "%s\thost.roost.internal\n",
				inet_ntop(AF_INET, &ip, a, sizeof(a)));
		}
	} else {
		fprintf(f, "127.0.1.1\t%s\n", hostname);
	}
	for (const char *p = base; p && *p;) {
		const char *end = p + strcspn(p, "\n");
		size_t l = end - p;

		/* Keep other hosts; our own loopback lines are above. */
		if (l > 0 && !memmem(p, l, "localhost", 9) && strncmp(p, "127.", 4) &&
		    strncmp(p, "::1", 3))
			fprintf(f, "%.*s\n", (int)l, p);
		p = *end ? end + 1 : end;
	}
	fclose(f);
	return buf;
}

static bool is_loopback_ns(const char *line)
{
	const char *a = line + strlen("nameserver");

	a += strspn(a, " \t");
	return !strncmp(a, "127.", 4) || !strncmp(a, "::1", 3);
}

/* Does resolv.conf text name an IPv6 nameserver? */
static bool has_ipv6_ns(const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *end = p + strcspn(p, "\n");
		size_t l = end - p, k = strlen("nameserver");

		if (l > k && !strncmp(p, "nameserver", k) && (p[k] == ' ' || p[k] == '\t')) {
			const char *v = p + k + strspn(p + k, " \t");
			size_t vl = strcspn(v, " \t\n#;");

			if (memchr(v, ':', vl))
				return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * The container's /etc/resolv.conf. With slirp's DNS: its forwarder, and
 * the IPv6 one when the host has an IPv6 resolver for it to reach (libslirp
 * forwards each to the host's resolver of its family, even one that listens
 * on 127.0.0.53 or ::1). Without: the host's nameservers, but for loopback ones,
 * which the container cannot reach. Search and options lines are kept.
 */
char *net_resolv_text(const struct net_config *n, const char *host_resolv)
{
	char *buf = NULL, a[INET_ADDRSTRLEN];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "# written by roost\n");
	if (n->mode == NET_SLIRP && n->dns) {
		struct in_addr ip = net_addr(n, NET_HOST_DNS);

		fprintf(f, "nameserver %s\n", inet_ntop(AF_INET, &ip, a, sizeof(a)));
		/* libslirp forwards fd00::3 to the host's IPv6 resolver only: none, no answer. */
		if (n->ipv6 && has_ipv6_ns(host_resolv))
			fprintf(f, "nameserver fd00::%u\n", NET_HOST_DNS);
	}
	for (const char *p = host_resolv; p && *p;) {
		const char *end = p + strcspn(p, "\n");
		size_t l = end - p;
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		if (!strncmp(line, "search", 6) || !strncmp(line, "domain", 6) ||
		    !strncmp(line, "options", 7))
			fprintf(f, "%s\n", line);
		else if (!strncmp(line, "nameserver", 10) && !(n->mode == NET_SLIRP && n->dns) &&
			 (n->mode == NET_HOST || !is_loopback_ns(line)))
			fprintf(f, "%s\n", line);
		p = *end ? end + 1 : end;
	}
	fclose(f);
	return buf;
}

static char *read_small(int fd)
{
	char *buf = xmalloc(65536);
	ssize_t n = util_read_all(fd, buf, 65535);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0)
		return err_set(errno, "write %s", path);
	return 0;
}

/*
 * Write the container's hostname, hosts and (with a network of its own
 * that has DNS, or the host's) resolv.conf into dir, to be bound over the
 * image's files: the image itself is never written. The base of hosts is
 * the image's own file, read inside ROOTFS (its links cannot lead out), or
 * the host's for the host system.
 */
int net_write_etc(const struct net_config *n, const char *hostname, const char *rootfs,
		  const char *dir)
{
	_cleanup_free_ char *base = NULL, *hosts = NULL, *resolv = NULL, *host_resolv = NULL;
	_cleanup_free_ char *name = xasprintf("%s\n", hostname);
	_cleanup_close_ int fd = -1;
	int r;

	if (rootfs && n->mode != NET_HOST) {
		_cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		fd = root_fd < 0
			     ? -1
			     : rootfs_open_in_root(root_fd, "/etc/hosts", O_RDONLY, false, false);
	} else {
		fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
	}
	base = fd >= 0 ? read_small(fd) : NULL;
	hosts = net_hosts_text(n, hostname, base);
	r = write_text(dir, "hostname", name);
	if (r == 0)
		r = write_text(dir, "hosts", hosts);
	if (r < 0 || n->mode == NET_NONE)
		return r;

	if (fd >= 0)
		close(fd);
	fd = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	host_resolv = fd >= 0 ? read_small(fd) : NULL;
	resolv = net_resolv_text(n, host_resolv);
	return write_text(dir, "resolv.conf", resolv);
}

/*
 * libslirp relays the container's pings through ICMP datagram sockets on
 * the host, which the host's net.ipv4.ping_group_range must allow for one
 * of the user's groups. Returns the warning to print, or NULL when ping
 * will work. range is the sysctl's text ("1 0" allows nobody).
 */
char *net_ping_warning(const char *range, gid_t gid, const gid_t *groups, int n_groups)
{
	unsigned long lo, hi;

	if (sscanf(range, "%lu %lu", &lo, &hi) != 2)
		return NULL;
	if (gid >= lo && gid <= hi)
		return NULL;
	for (int i = 0; i < n_groups; i++)
		if (groups[i] >= lo && groups[i] <= hi)
			return NULL;
	/* The smallest range that adds the user's group to whoever had it already. */
	unsigned long want_lo = lo > hi ? gid : (gid < lo ? gid : lo);
	unsigned long want_hi = lo > hi ? gid : (gid > hi ? gid : hi);
	return xasprintf("ping from the container to other hosts will not work: the host's "
			 "net.ipv4.ping_group_range (%lu %lu) leaves out your group %u; fix: sudo "
			 "sysctl -w net.ipv4.ping_group_range='%lu %lu' (pinging the gateway "
			 "works regardless)",
			 lo, hi, (unsigned)gid, want_lo, want_hi);
}
