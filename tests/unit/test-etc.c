/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-etc.c - the container's /etc files: hosts, resolv.conf and hostname as roost writes
 * them (net_*_text, net_write_etc), the ping warning, and -u resolved against the
 * container's passwd and group (proc_parse_user)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost/err.h"
#include "roost/net.h"
#include "roost/proc.h"
#include "roost/util.h"
#include "../tap.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
	char *buf = xcalloc(1, 65536);

	if (util_read_file(path, buf, 65536) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void hosts_tests(void)
{
	struct net_config n;
	char *t;

	net_config_default(&n);
	t = net_hosts_text(&n, "web1", NULL);
	is_str(t,
	       "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	       "10.0.2.100\tweb1\nfd00::100\tweb1\n",
	       "hosts, slirp: loopback, then the hostname on both families");
	free(t);

	n.ipv6 = false;
	n.allow_host_loopback = true;
	t = net_hosts_text(&n, "web1", NULL);
	ok(t && strstr(t, "10.0.2.2\thost.roost.internal\n") && !strstr(t, "fd00::"),
	   "hosts, allow_host_loopback without IPv6: host.roost.internal, no fd00::");
	free(t);

	(void)net_parse("none", &n);
	t = net_hosts_text(&n, "box",
			   "127.0.0.1 localhost\n127.0.1.1 old-name\n::1 ip6-localhost\n"
			   "192.0.2.9 db\n\n203.0.113.1 gw");
	is_str(t,
	       "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	       "127.0.1.1\tbox\n192.0.2.9 db\n203.0.113.1 gw\n",
	       "hosts, no network: 127.0.1.1; the image's other hosts kept, its loopback lines "
	       "replaced");
	free(t);
}

static void resolv_tests(void)
{
	const char *host = "# from the host\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n"
			   "search example.org\noptions edns0\ndomain example.org\nsortlist x\n";
	struct net_config n;
	char *t;

	net_config_default(&n);
	t = net_resolv_text(&n, host);
	ok(t && !strncmp(t, "# written by roost\nnameserver 10.0.2.3\n", 39),
	   "resolv.conf, slirp: slirp's forwarder first");
	ok(t && !strstr(t, "127.0.0.53") && !strstr(t, "192.0.2.53"),
	   "resolv.conf, slirp: the host's resolvers are reached through the forwarder only");
	ok(t && strstr(t, "\nsearch example.org\n") && strstr(t, "\noptions edns0\n") &&
		   strstr(t, "\ndomain example.org\n"),
	   "resolv.conf: search, domain and options are the host's");
	ok(t && !strstr(t, "sortlist"), "resolv.conf: other lines are dropped");
	ok(t && !strstr(t, "fd00::3"),
	   "resolv.conf, slirp, the host's resolvers all IPv4: no fd00::3 (it would never answer)");
	free(t);
	t = net_resolv_text(&n, "nameserver 192.0.2.53\nnameserver\t2001:db8::53\n");
	ok(t && strstr(t, "nameserver 10.0.2.3\nnameserver fd00::3\n"),
	   "resolv.conf, slirp, the host has an IPv6 resolver: fd00::3 after 10.0.2.3");
	free(t);
	t = net_resolv_text(&n, "nameserver ::1\n");
	ok(t && strstr(t, "nameserver fd00::3\n"), "resolv.conf: a resolver on ::1 counts too");
	free(t);
	t = net_resolv_text(&n, NULL);
	ok(t && !strstr(t, "fd00::3"), "resolv.conf: no host file, no fd00::3");
	free(t);

	(void)net_parse("slirp:dns=false", &n);
	t = net_resolv_text(&n, host);
	is_str(t,
	       "# written by roost\nnameserver 192.0.2.53\nsearch example.org\noptions edns0\n"
	       "domain example.org\n",
	       "resolv.conf, dns=false: the host's resolvers, but none on its loopback");
	free(t);

	(void)net_parse("host", &n);
	t = net_resolv_text(&n, host);
	ok(t && strstr(t, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n"),
	   "resolv.conf, host network: every resolver, loopback too");
	free(t);

	(void)net_parse("slirp:ipv6=false", &n);
	t = net_resolv_text(&n, NULL);
	is_str(t, "# written by roost\nnameserver 10.0.2.3\n",
	       "resolv.conf, no host file and no IPv6: the forwarder alone");
	free(t);
}

static void write_etc_tests(void)
{
	char dir[] = "/tmp/roost-test-etc.XXXXXX";
	struct net_config n;
	char *t;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	_cleanup_free_ char *root = xasprintf("%s/root", dir), *out = xasprintf("%s/out", dir);
	_cleanup_free_ char *etc = xasprintf("%s/etc", root), *hosts = xasprintf("%s/hosts", etc);
	(void)util_mkdir_p(etc, 0755);
	(void)util_mkdir_p(out, 0755);
	write_file(hosts, "127.0.0.1 localhost\n198.51.100.4 cache\n");

	net_config_default(&n);
	is_int(net_write_etc(&n, "web1", root, out), 0, "net_write_etc, slirp");
	t = slurp(out, "hostname");
	is_str(t, "web1\n", "hostname file");
	free(t);
	t = slurp(out, "hosts");
	ok(t && strstr(t, "10.0.2.100\tweb1\n") && strstr(t, "198.51.100.4 cache\n"),
	   "hosts file: the hostname, and the rootfs's own hosts");
	free(t);
	t = slurp(out, "resolv.conf");
	ok(t && strstr(t, "nameserver 10.0.2.3\n"), "resolv.conf file names the forwarder");
	free(t);

	(void)unlink(hosts);
	(void)rmdir(etc);
	_cleanup_free_ char *rc = xasprintf("%s/resolv.conf", out);
	(void)unlink(rc);
	(void)net_parse("none", &n);
	is_int(net_write_etc(&n, "box", root, out), 0, "net_write_etc, no network, no image hosts");
	t = slurp(out, "hosts");
	ok(t && strstr(t, "127.0.1.1\tbox\n"), "hosts file without the image's");
	free(t);
	ok(access(rc, F_OK) < 0, "no network: no resolv.conf written");

	_cleanup_free_ char *rm = xasprintf("rm -rf '%s'", dir);
	(void)!system(rm);
}

static void ping_tests(void)
{
	const gid_t groups[] = {27, 1000};
	char *w;

	ok(!net_ping_warning("0 2147483647", 1000, NULL, 0), "ping: everyone allowed, no warning");
	ok(!net_ping_warning("1000 1000", 1000, NULL, 0), "ping: the user's group allowed");
	ok(!net_ping_warning("27 27", 1001, groups, 2), "ping: a supplementary group allowed");
	w = net_ping_warning("1 0", 1001, NULL, 0);
	ok(w && strstr(w, "(1 0) leaves out your group 1001") &&
		   strstr(w, "ping_group_range='1001 1001'"),
	   "ping: nobody allowed: the group and the exact fix");
	free(w);
	w = net_ping_warning("100 200", 1001, NULL, 0);
	ok(w && strstr(w, "ping_group_range='100 1001'"), "ping: the fix widens the range");
	free(w);
	ok(!net_ping_warning("garbage", 1001, NULL, 0), "ping: an unreadable range, no warning");
}

static void user_tests(void)
{
	char dir[] = "/tmp/roost-test-user.XXXXXX";
	uid_t uid = 7;
	gid_t gid = 7;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	_cleanup_free_ char *pw = xasprintf("%s/passwd", dir), *gr = xasprintf("%s/group", dir);
	write_file(pw, "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
		       "daemon:x:1:1::/:/bin/false\n");
	write_file(gr, "root:x:0:\nstaff:x:50:\nuser:x:1000:\n");

	is_int(proc_parse_user("user", pw, gr, &uid, &gid), 0, "-u NAME");
	ok(uid == 1000 && gid == 1000, "-u NAME: uid and gid from passwd");
	is_int(proc_parse_user("user:staff", pw, gr, &uid, &gid), 0, "-u NAME:GROUP");
	ok(uid == 1000 && gid == 50, "-u NAME:GROUP: the group from group");
	is_int(proc_parse_user("1", pw, gr, &uid, &gid), 0, "-u UID in passwd");
	ok(uid == 1 && gid == 1, "-u UID: the passwd entry's gid");
	is_int(proc_parse_user("4242", pw, gr, &uid, &gid), 0, "-u UID not in passwd");
	ok(uid == 4242 && gid == 0, "-u UID not in passwd: gid 0, as Docker");
	is_int(proc_parse_user("4242:77", pw, gr, &uid, &gid), 0, "-u UID:GID");
	ok(uid == 4242 && gid == 77, "-u UID:GID: both numbers");
	uid = gid = 7;
	is_int(proc_parse_user("nobody", pw, gr, &uid, &gid), -ENOENT, "-u of an unknown name");
	ok(strstr(err_msg(), "no user 'nobody'") != NULL, "... named");
	is_int(proc_parse_user("user:wheel", pw, gr, &uid, &gid), -ENOENT, "an unknown group");
	ok(uid == 7 && gid == 7, "errors leave the results alone");
	_cleanup_free_ char *nowhere = xasprintf("%s/none", dir);
	is_int(proc_parse_user("0", nowhere, nowhere, &uid, &gid), 0, "-u 0 without a passwd file");
	is_int(proc_parse_user("root", nowhere, nowhere, &uid, &gid), -ENOENT,
	       "a name without a passwd file");

	(void)unlink(pw);
	(void)unlink(gr);
	(void)rmdir(dir);
}

int main(void)
{
	plan(43);
	hosts_tests();
	resolv_tests();
	write_etc_tests();
	ping_tests();
	user_tests();
	return tap_done();
}
