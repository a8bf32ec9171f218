/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portfwd.c - published ports ("-p"), relayed with splice(2)
 *
 *   portfwd_parse()  "[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]" (pure)
 *   portfwd_bind()   roost binds every host port before the container starts,
 *                    so a port in use or a privileged port fails first, clearly
 *   portfwd_start()  forks the relay process: it keeps the host listeners, then
 *                    joins the container's user and network namespaces, so every
 *                    socket it makes from then on is made inside the container
 *                    while the listeners (and what they accept) stay on the host
 *
 * The relay connects to the container's port on its own 127.0.0.1 (then ::1),
 * so a server listening only on the container's loopback is reachable too.
 * Each TCP direction goes socket -> pipe -> socket with splice(), never
 * through user space and never through libslirp; a direction whose reader
 * is slow stops being read (backpressure), EOF becomes shutdown(SHUT_WR)
 * on the other side (half-close), and an error on either side resets the
 * other (SO_LINGER 0). UDP is relayed per client address, each flow with
 * a socket of its own inside, closed after 60 s without traffic.
 * Where one socket serves both sides, a socket created before setns() stays
 * in the host's network namespace: this is why no helper process inside the
 * container and no fd passing is needed.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "roost/err.h"
#include "roost/portfwd.h"
#include "roost/util.h"

#define PIPE_SIZE (256 * 1024)
#define UDP_IDLE_SEC 60
#define UDP_FLOWS_MAX 4096

/* ---- parsing ---- */

static int parse_range(const char *s, unsigned int *lo, unsigned int *hi)
{
	char buf[16], *dash;
	unsigned long a, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (util_parse_uint(buf, 65535, &a) < 0 || a == 0)
		return -EINVAL;
	b = a;
	if (dash && (util_parse_uint(dash, 65535, &b) < 0 || b < a))
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

/*
 * Parse one -p argument and append its ports (ranges expanded) to *v.
 * Returns 0, or -EINVAL with a message naming what is wrong.
 */
int portfwd_parse(const char *arg, struct port_fwd **v, size_t *n)
{
	_cleanup_free_ char *s = xstrdup(arg);
	char *proto = strchr(s, '/'), *ip = NULL, *hp = NULL, *cp, *p = s;
	unsigned int hlo = 0, hhi = 0, clo, chi;
	int pr = IPPROTO_TCP;

	if (proto) {
		*proto++ = '\0';
		if (!strcmp(proto, "udp"))
			pr = IPPROTO_UDP;
		else if (strcmp(proto, "tcp"))
			return err_setx(EINVAL, "-p %s: unknown protocol '%s' (want tcp or udp)",
					arg, proto);
	}
	if (*p == '[') { /* [IPv6]:HOST:CONTAINER */
		char *end = strchr(p, ']');
		if (!end || end[1] != ':')
			return err_setx(EINVAL, "-p %s: want [IPV6]:HOST_PORT:CONTAINER_PORT", arg);
		*end = '\0';
		ip = p + 1;
		p = end + 2;
	}
	cp = strrchr(p, ':');
	if (cp) {
		*cp++ = '\0';
		hp = strrchr(p, ':');
		if (hp) {
			*hp++ = '\0';
			if (ip)
				return err_setx(EINVAL,
						"-p %s: want [IPV6]:HOST_PORT:CONTAINER_PORT", arg);
			ip = p;
		} else {
			hp = p;
		}
	} else {
		cp = p;
	}
	if (ip) {
		struct in6_addr a6;
		struct in_addr a4;

		if (inet_pton(AF_INET, ip, &a4) != 1 && inet_pton(AF_INET6, ip, &a6) != 1)
			return err_setx(EINVAL, "-p %s: '%s' is not an IP address", arg, ip);
	}
	if (parse_range(cp, &clo, &chi) < 0 || (hp && parse_range(hp, &hlo, &hhi) < 0))
		return err_setx(EINVAL, "-p %s: ports are 1 to 65535 (a range is LOW-HIGH)", arg);
	if (hp && hhi - hlo != chi - clo)
		return err_setx(EINVAL, "-p %s: the host and container ranges differ in length",
				arg);
	if (!hp && clo != chi)
		return err_setx(EINVAL, "-p %s: a container range needs a host range", arg);

	for (unsigned int i = 0; i <= chi - clo; i++) {
		struct port_fwd *f;

		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		f = &(*v)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->proto = pr;
		snprintf(f->host_ip, sizeof(f->host_ip), "%s", ip ? ip : "");
		f->host_port = hp ? hlo + i : 0;
		f->ctr_port = clo + i;
		f->fd = -1;
	}
	return 0;
}

/* ---- binding, before the container exists ---- */

static const char *proto_name(int proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

static int bind_error(const struct port_fwd *f, int e)
{
	const char *where = f->host_ip[0] ? f->host_ip : "all interfaces";
	long start = 1024;

	if (e == EADDRINUSE)
		return err_setx(e,
				"host port %u/%s on %s is already in use (by another program or "
				"container): choose another host port",
				f->host_port, proto_name(f->proto), where);
	if (e == EADDRNOTAVAIL)
		return err_setx(e, "-p: %s is not an address of this host", f->host_ip);
	if (e == EACCES) {
		(void)util_read_int("/proc/sys/net/ipv4/ip_unprivileged_port_start", &start);
		return err_setx(e,
				"host port %u/%s is below net.ipv4.ip_unprivileged_port_start=%ld, "
				"which only privileged programs may bind: lower it to exactly that "
				"port (sudo sysctl -w net.ipv4.ip_unprivileged_port_start=%u), or "
				"publish a port >= %ld and let a small helper holding "
				"cap_net_bind_service (never roost itself) forward port %u to it",
				f->host_port, proto_name(f->proto), start, f->host_port, start,
				f->host_port);
	}
	return err_set(e, "bind host port %u/%s on %s", f->host_port, proto_name(f->proto), where);
}

static int bind_one(struct port_fwd *f)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int type = f->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM, one = 1, zero = 0;
	_cleanup_close_ int fd = -1;

	memset(&ss, 0, sizeof(ss));
	if (f->host_ip[0] && strchr(f->host_ip, ':') == NULL) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(f->host_port);
		inet_pton(AF_INET, f->host_ip, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(f->host_port);
		a->sin6_addr = in6addr_any;
		if (f->host_ip[0])
			inet_pton(AF_INET6, f->host_ip, &a->sin6_addr);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && !f->host_ip[0]) {
		/* No IPv6 on this host: all interfaces means all IPv4 ones. */
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		memset(&ss, 0, sizeof(ss));
		a->sin_family = AF_INET;
		a->sin_port = htons(f->host_port);
		len = sizeof(*a);
		fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return err_set(errno, "socket for host port %u", f->host_port);
	if (ss.ss_family == AF_INET6 && !f->host_ip[0])
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)); /* both */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return bind_error(f, errno);
	if (type == SOCK_STREAM && listen(fd, 511) < 0)
		return bind_error(f, errno);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		f->host_port =
			ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	f->fd = TAKE_FD(fd);
	return 0;
}

/* Bind every host port. On failure none stays bound. */
int portfwd_bind(struct port_fwd *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = bind_one(&v[i]);
		if (r < 0) {
			portfwd_close(v, n);
			return r;
		}
	}
	return 0;
}

void portfwd_close(struct port_fwd *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].fd >= 0)
			close(v[i].fd);
		v[i].fd = -1;
	}
}

/* "80/tcp -> 0.0.0.0:8080" lines, as "roost port" prints them. */
char *portfwd_format(const struct port_fwd *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *ip = v[i].host_ip[0] ? v[i].host_ip : "0.0.0.0";
		bool v6 = strchr(ip, ':') != NULL;

		fprintf(f, "%u/%s -> %s%s%s:%u\n", v[i].ctr_port, proto_name(v[i].proto),
			v6 ? "[" : "", ip, v6 ? "]" : "", v[i].host_port);
		if (!v[i].host_ip[0])
			fprintf(f, "%u/%s -> [::]:%u\n", v[i].ctr_port, proto_name(v[i].proto),
				v[i].host_port);
	}
	fclose(f);
	return buf;
}

/* ---- the relay process ---- */

enum ep_kind { EP_LISTEN, EP_TCP, EP_UDP_HOST, EP_UDP_FLOW, EP_CTL };

struct relay;
struct udp_flow;

/* What an epoll event points at. */
struct endpoint {
	enum ep_kind kind;
	int fd;
	uint32_t mask; /* the events registered now */
	struct port_fwd *fwd;
	struct relay *relay;
	int side; /* EP_TCP: 0 the client's socket, 1 the container's */
	struct udp_flow *flow;
};

struct relay {
	struct endpoint ep[2];
	int pipe[2][2]; /* pipe[d]: data read from side d, to be written to side 1-d */
	size_t queued[2];
	bool eof[2], shut[2];
	bool connecting;
	bool tried_v6;
	bool dead; /* closed; freed after the current batch of events */
	unsigned int port;
	struct relay *next_dead;
};

struct udp_flow {
	struct endpoint ep;
	struct endpoint *host; /* the host socket the client talks to */
	struct sockaddr_storage client;
	socklen_t client_len;
	time_t last;
	struct udp_flow *next;
};

static int epfd = -1;
static struct udp_flow *flows;
static size_t n_flows;
static struct relay *dead_relays;

static void ep_set(struct endpoint *e, uint32_t mask)
{
	struct epoll_event ev = {.events = mask, .data.ptr = e};

	if (mask == e->mask)
		return;
	(void)epoll_ctl(epfd, e->mask ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, e->fd, &ev);
	e->mask = mask;
}

static void set_reset(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/*
 * Close a relay. Its memory is freed after the current batch of events:
 * another event of the same batch may still point at it.
 */
static void relay_free(struct relay *r, bool reset)
{
	for (int d = 0; d < 2; d++) {
		if (r->ep[d].fd >= 0) {
			if (reset)
				set_reset(r->ep[d].fd);
			close(r->ep[d].fd); /* also leaves the epoll set */
			r->ep[d].fd = -1;
		}
		if (r->pipe[d][0] >= 0) {
			close(r->pipe[d][0]);
			close(r->pipe[d][1]);
			r->pipe[d][0] = r->pipe[d][1] = -1;
		}
	}
	r->dead = true;
	r->next_dead = dead_relays;
	dead_relays = r;
}

/*
 * Both legs of a relayed connection are loopback hops on one machine: a
 * pacing congestion control (bbr, the default on some hosts) throttles
 * them for nothing. reno is always allowed to unprivileged sockets.
 */
static void relay_congestion(int fd)
{
	static const char reno[] = "reno";

	(void)setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, reno, sizeof(reno) - 1);
}

/* A socket inside the container, connecting to its PORT on its own loopback. */
static int connect_inside(unsigned int port, bool v6)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd, one = 1;

	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	relay_congestion(fd);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static void relay_update(struct relay *r)
{
	for (int s = 0; s < 2; s++) {
		uint32_t m = 0;

		/* Read side s while its pipe has room; write it while the other pipe holds data. */
		if (!r->eof[s] && r->queued[s] < PIPE_SIZE)
			m |= EPOLLIN;
		if (r->queued[1 - s] > 0)
			m |= EPOLLOUT;
		ep_set(&r->ep[s], m ? m : EPOLLRDHUP);
	}
}

/* Move what can move. Returns false when the relay is finished (and freed). */
static bool relay_pump(struct relay *r)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (int d = 0; d < 2; d++) {
			int from = r->ep[d].fd, to = r->ep[1 - d].fd;
			ssize_t n;

			if (!r->eof[d] && r->queued[d] < PIPE_SIZE) {
				n = splice(from, NULL, r->pipe[d][1], NULL,
					   PIPE_SIZE - r->queued[d],
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
				if (n > 0) {
					r->queued[d] += n;
					progress = true;
				} else if (n == 0) {
					r->eof[d] = true;
					progress = true;
				} else if (errno != EAGAIN) {
					relay_free(r, true); /* a reset: pass it on */
					return false;
				}
			}
			if (r->queued[d] > 0) {
				n = splice(r->pipe[d][0], NULL, to, NULL, r->queued[d],
					   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
				if (n > 0) {
					r->queued[d] -= n;
					progress = true;
				} else if (n < 0 && errno != EAGAIN) {
					relay_free(r, true);
					return false;
				}
			}
			if (r->eof[d] && r->queued[d] == 0 && !r->shut[d]) {
				(void)shutdown(to, SHUT_WR); /* half-close, as the client did */
				r->shut[d] = true;
			}
		}
	}
	if (r->shut[0] && r->shut[1]) {
		relay_free(r, false);
		return false;
	}
	relay_update(r);
	return true;
}

static bool is_loopback_peer(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return false;
	if (ss.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static void accept_tcp(struct endpoint *l)
{
	for (int i = 0; i < 64; i++) {
		int c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), s, one = 1;
		struct relay *r;

		if (c < 0)
			return;
		(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (is_loopback_peer(c))
			relay_congestion(c);
		s = connect_inside(l->fwd->ctr_port, false);
		if (s < 0) {
			set_reset(c);
			close(c);
			continue;
		}
		r = xcalloc(1, sizeof(*r));
		r->port = l->fwd->ctr_port;
		r->connecting = true;
		r->pipe[0][0] = r->pipe[0][1] = r->pipe[1][0] = r->pipe[1][1] = -1;
		r->ep[0] = (struct endpoint){.kind = EP_TCP, .fd = c, .relay = r, .side = 0};
		r->ep[1] = (struct endpoint){.kind = EP_TCP, .fd = s, .relay = r, .side = 1};
		/* Wait for the connection inside before reading the client. */
		ep_set(&r->ep[1], EPOLLOUT);
	}
}

/* The connection inside is made (or refused): start relaying, or reset the client. */
static void tcp_connected(struct relay *r)
{
	int err = 0;
	socklen_t len = sizeof(err);

	(void)getsockopt(r->ep[1].fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err == ECONNREFUSED && !r->tried_v6) {
		/* Maybe the server listens only on the container's ::1. */
		int s = connect_inside(r->port, true);
		r->tried_v6 = true;
		if (s >= 0) {
			close(r->ep[1].fd);
			r->ep[1].fd = s;
			r->ep[1].mask = 0;
			ep_set(&r->ep[1], EPOLLOUT);
			return;
		}
	}
	if (err) {
		relay_free(r, true); /* nothing listens inside: the client sees a reset at once */
		return;
	}
	r->connecting = false;
	for (int d = 0; d < 2; d++) {
		if (pipe2(r->pipe[d], O_NONBLOCK | O_CLOEXEC) < 0) {
			relay_free(r, true);
			return;
		}
		(void)fcntl(r->pipe[d][1], F_SETPIPE_SZ, PIPE_SIZE);
	}
	(void)relay_pump(r);
}

static struct udp_flow *flow_find(struct endpoint *host, const struct sockaddr_storage *ss,
				  socklen_t len)
{
	for (struct udp_flow *f = flows; f; f = f->next)
		if (f->host == host && f->client_len == len && !memcmp(&f->client, ss, len))
			return f;
	return NULL;
}

static void flow_free(struct udp_flow *f)
{
	struct udp_flow **p = &flows;

	while (*p && *p != f)
		p = &(*p)->next;
	if (*p)
		*p = f->next;
	close(f->ep.fd);
	free(f);
	n_flows--;
}

static struct udp_flow *flow_new(struct endpoint *host, const struct sockaddr_storage *ss,
				 socklen_t len)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(host->fwd->ctr_port)};
	struct udp_flow *f;
	int fd;

	if (n_flows >= UDP_FLOWS_MAX)
		return NULL;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->ep = (struct endpoint){.kind = EP_UDP_FLOW, .fd = fd, .flow = f};
	f->host = host;
	memcpy(&f->client, ss, len);
	f->client_len = len;
	f->next = flows;
	flows = f;
	n_flows++;
	ep_set(&f->ep, EPOLLIN);
	return f;
}

static void udp_from_client(struct endpoint *host)
{
	static char buf[65536];

	for (int i = 0; i < 256; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		ssize_t n = recvfrom(host->fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &len);
		struct udp_flow *f;

		if (n < 0)
			return;
		f = flow_find(host, &ss, len);
		if (!f)
			f = flow_new(host, &ss, len);
		if (!f)
			continue; /* too many flows: drop, as a full network would */
		f->last = time(NULL);
		(void)send(f->ep.fd, buf, n, 0);
	}
}

static void udp_from_container(struct udp_flow *f)
{
	static char buf[65536];

	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(f->ep.fd, buf, sizeof(buf), 0);
		if (n < 0)
			return;
		f->last = time(NULL);
		(void)sendto(f->host->fd, buf, n, 0, (struct sockaddr *)&f->client, f->client_len);
	}
}

static void udp_expire(void)
{
	time_t now = time(NULL);

	for (struct udp_flow *f = flows, *next; f; f = next) {
		next = f->next;
		if (now - f->last > UDP_IDLE_SEC)
			flow_free(f);
	}
}

static _Noreturn void relay_main(struct port_fwd *v, size_t n, int userns_fd, int netns_fd,
				 int ctl_fd, pid_t roost)
{
	struct endpoint *eps = xcalloc(n + 1, sizeof(*eps));
	struct epoll_event ev[128];

	util_helper_start(roost);
	{
		int *keep = xcalloc(n + 3, sizeof(int));
		for (size_t i = 0; i < n; i++)
			keep[i] = v[i].fd;
		keep[n] = userns_fd;
		keep[n + 1] = netns_fd;
		keep[n + 2] = ctl_fd;
		util_close_all_except(keep, n + 3);
		free(keep);
	}
	{
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0) {
			(void)dup2(devnull, STDIN_FILENO);
			(void)dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
	}

	/* Two sockets and two pipes per connection: take what the hard limit allows. */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}

	/*
	 * From here on every new socket is made inside the container. We join
	 * its user namespace, so nothing of the host may stay reachable through
	 * our /proc entries (--pid=host shows them): not dumpable, and a root
	 * and cwd of our own, an empty read-only tmpfs.
	 */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(userns_fd, CLONE_NEWUSER) < 0 || setns(netns_fd, CLONE_NEWNET) < 0)
		_exit(1);
	close(userns_fd);
	close(netns_fd);
	if (util_helper_empty_root() < 0)
		_exit(1);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL); /* joining a user namespace cleared it */
	if (getppid() != roost)
		_exit(0);

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		_exit(1);
	for (size_t i = 0; i < n; i++) {
		eps[i] = (struct endpoint){
			.kind = v[i].proto == IPPROTO_UDP ? EP_UDP_HOST : EP_LISTEN,
			.fd = v[i].fd,
			.fwd = &v[i],
		};
		ep_set(&eps[i], EPOLLIN);
	}
	eps[n] = (struct endpoint){.kind = EP_CTL, .fd = ctl_fd};
	ep_set(&eps[n], EPOLLIN);

	for (;;) {
		int k = epoll_wait(epfd, ev, ARRAY_SIZE(ev), flows ? 1000 : -1);

		if (k < 0 && errno != EINTR)
			_exit(1);
		for (int i = 0; i < k; i++) {
			struct endpoint *e = ev[i].data.ptr;

			switch (e->kind) {
			case EP_CTL:
				_exit(0); /* roost closed it: the container is gone */
			case EP_LISTEN:
				accept_tcp(e);
				break;
			case EP_TCP:
				if (e->relay->dead)
					break;
				if (e->relay->connecting) {
					if (e->side == 1)
						tcp_connected(e->relay);
				} else {
					(void)relay_pump(e->relay);
				}
				break;
			case EP_UDP_HOST:
				udp_from_client(e);
				break;
			case EP_UDP_FLOW:
				udp_from_container(e->flow);
				break;
			}
		}
		while (dead_relays) {
			struct relay *r = dead_relays;
			dead_relays = r->next_dead;
			free(r);
		}
		if (flows)
			udp_expire();
	}
}

/*
 * Fork the relay process for the bound ports, joining the container's
 * namespaces (fds from /proc/PID/ns). Our copies of the host sockets are
 * closed: the relay holds them now, and they close with it.
 */
int portfwd_start(struct port_fwd *v, size_t n, int userns_fd, int netns_fd,
		  struct portfwd_proc *ret)
{
	int p[2];
	pid_t roost = getpid(), pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return err_set(e, "fork the port relay");
	}
	if (pid == 0) {
		close(p[1]);
		relay_main(v, n, userns_fd, netns_fd, p[0], roost);
	}
	close(p[0]);
	portfwd_close(v, n);
	ret->pid = pid;
	ret->ctl_fd = p[1];
	return 0;
}

int portfwd_stop(struct portfwd_proc *p)
{
	/* The container is gone: its connections are over. */
	return util_helper_stop(&p->pid, &p->ctl_fd, "port relay");
}
