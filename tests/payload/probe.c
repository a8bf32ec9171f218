/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * probe.c - a static multi-call binary for the integration tests
 *
 *   probe tcp HOST PORT MSG      send MSG, print the reply (exit 1: refused/timeout)
 *   probe udp HOST PORT MSG      send MSG, print the reply (exit 1: no reply in 3 s)
 *   probe resolve NAME           print NAME's first address (getaddrinfo, /etc/hosts)
 *   probe ping ADDR              one echo over an ICMP datagram socket, as any user may
 *                                (net.ipv4.ping_group_range): "reply" or why not
 *   probe echo-server PORT [ADDR] TCP and UDP echo on ADDR (default 0.0.0.0), many
 *                                connections at once; ends by itself after 300 s
 *   probe sink PORT              accept one connection, read to EOF, print "BYTES HASH"
 *   probe source HOST PORT BYTES send BYTES of a fixed pseudo-random stream, print
 *                                "BYTES HASH" of what was sent
 *   probe clients HOST PORT N    N connections at once, each with its own data, each
 *                                checked on its way back: "ok N" or what went wrong
 *   probe reset HOST PORT        send 1 MiB, then reset the connection mid-transfer
 *   probe flood N                N rounds of hostile traffic at the gateway: garbage
 *                                frames on tap0, UDP and TCP to many ports of 10.0.2.x
 *
 * Everything it sends goes to the container's own subnet: never outside.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static int sockaddr_for(const char *host, const char *port, int type, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = type,
				 .ai_flags = AI_NUMERICHOST},
			*ai;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int cmd_tcp(const char *host, const char *port, const char *msg)
{
	struct sockaddr_storage ss;
	struct timeval tv = {5, 0};
	struct pollfd p;
	socklen_t len;
	char buf[4096];
	int fd, err = 0;
	ssize_t n;

	if (sockaddr_for(host, port, SOCK_STREAM, &ss, &len) < 0)
		return 2;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		printf("error: %s\n", strerror(errno));
		return 1;
	}
	p = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, 5000) != 1) {
		printf("timeout\n");
		return 1;
	}
	len = sizeof(err);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		/* A published port with nothing behind it resets at once: say so. */
		printf("%s\n", err == ECONNREFUSED ? "refused"
			       : err == ECONNRESET ? "reset"
						   : strerror(err));
		return 1;
	}
	fcntl(fd, F_SETFL, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, msg, strlen(msg)) < 0)
		return 1;
	shutdown(fd, SHUT_WR);
	size_t total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, n, stdout);
		total += n;
	}
	if (n < 0 && total == 0) {
		printf("%s\n", errno == ECONNRESET ? "reset"
			       : errno == EAGAIN   ? "timeout"
						   : strerror(errno));
		return 1;
	}
	printf("\n");
	return n < 0 ? 1 : 0;
}

static int cmd_udp(const char *host, const char *port, const char *msg)
{
	struct sockaddr_storage ss;
	struct timeval tv = {3, 0};
	socklen_t len;
	char buf[4096];
	ssize_t n;
	int fd;

	if (sockaddr_for(host, port, SOCK_DGRAM, &ss, &len) < 0)
		return 2;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) < 0)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		printf("no reply\n");
		return 1;
	}
	printf("%.*s\n", (int)n, buf);
	return 0;
}

static int cmd_resolve(const char *name)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	char text[INET6_ADDRSTRLEN];

	if (getaddrinfo(name, NULL, &hints, &ai) != 0) {
		printf("unresolved\n");
		return 1;
	}
	if (ai->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, text,
			  sizeof(text));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, text,
			  sizeof(text));
	printf("%s\n", text);
	return 0;
}

static int cmd_ping(const char *host)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	unsigned char req[16] = {8, 0}, rep[256];
	struct timeval tv = {3, 0};
	int fd;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0) {
		printf("socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memcpy(req + 8, "roostpng", 8); /* the kernel fills in id and checksum */
	if (sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("send: %s\n", strerror(errno));
		return 1;
	}
	if (recv(fd, rep, sizeof(rep), 0) < 8 || rep[0] != 0) {
		printf("no reply\n");
		return 1;
	}
	printf("reply\n");
	return 0;
}

static unsigned int rnd(void);

/* An order-sensitive 64-bit hash of a byte stream, the same on both sides. */
struct hash {
	uint64_t h, n;
};

static void hash_add(struct hash *x, const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		x->h = (x->h ^ p[i]) * 0x100000001b3ULL;
		x->n++;
	}
}

static int listen_on(const char *addr, int port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char p[16];
	int fd, one = 1;

	snprintf(p, sizeof(p), "%d", port);
	if (sockaddr_for(addr, p, type, &ss, &len) < 0)
		return -1;
	fd = socket(ss.ss_family, type, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 1024) < 0)) {
		perror("bind");
		return -1;
	}
	return fd;
}

static int cmd_echo_server(int port, const char *addr)
{
	static struct pollfd p[1100];
	static char buf[65536];
	time_t end = time(NULL) + 300;
	int n = 2;

	p[0] = (struct pollfd){.fd = listen_on(addr, port, SOCK_STREAM), .events = POLLIN};
	p[1] = (struct pollfd){.fd = listen_on(addr, port, SOCK_DGRAM), .events = POLLIN};
	if (p[0].fd < 0 || p[1].fd < 0)
		return 1;
	printf("listening\n");
	while (time(NULL) < end) {
		if (poll(p, n, 1000) <= 0)
			continue;
		if (p[1].revents) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			ssize_t k = recvfrom(p[1].fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
					     &len);
			if (k > 0)
				sendto(p[1].fd, buf, k, 0, (struct sockaddr *)&ss, len);
		}
		for (int i = 2; i < n; i++) {
			ssize_t k;
			if (!p[i].revents)
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k > 0 && write(p[i].fd, buf, k) == k)
				continue;
			if (k == 0)
				shutdown(p[i].fd, SHUT_WR);
			close(p[i].fd);
			p[i--] = p[--n];
		}
		if (p[0].revents && n < (int)(sizeof(p) / sizeof(p[0]))) {
			int c = accept(p[0].fd, NULL, NULL);
			if (c >= 0)
				p[n++] = (struct pollfd){.fd = c, .events = POLLIN};
		}
	}
	return 0;
}

static int cmd_sink(int port)
{
	static unsigned char buf[1 << 16];
	struct hash x = {0xcbf29ce484222325ULL, 0};
	int l = listen_on("0.0.0.0", port, SOCK_STREAM), c;
	ssize_t k;

	if (l < 0)
		return 1;
	printf("listening\n");
	c = accept(l, NULL, NULL);
	while ((k = read(c, buf, sizeof(buf))) > 0)
		hash_add(&x, buf, k);
	printf("%llu %016llx\n", (unsigned long long)x.n, (unsigned long long)x.h);
	return k < 0;
}

static int connect_to(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (sockaddr_for(host, port, SOCK_STREAM, &ss, &len) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_source(const char *host, const char *port, unsigned long long bytes)
{
	static unsigned char buf[1 << 16];
	struct hash x = {0xcbf29ce484222325ULL, 0};
	uint64_t s = 88172645463325252ULL;
	int fd = connect_to(host, port);

	if (fd < 0) {
		perror("connect");
		return 1;
	}
	while (x.n < bytes) {
		size_t len = bytes - x.n < sizeof(buf) ? bytes - x.n : sizeof(buf);
		for (size_t i = 0; i < len; i += 8) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			memcpy(buf + i, &s, len - i < 8 ? len - i : 8);
		}
		if (write(fd, buf, len) != (ssize_t)len) {
			perror("write");
			return 1;
		}
		hash_add(&x, buf, len);
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	printf("%llu %016llx\n", (unsigned long long)x.n, (unsigned long long)x.h);
	return 0;
}

static int cmd_clients(const char *host, const char *port, int n)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	char(*want)[64] = calloc(n, 64), (*got)[64] = calloc(n, 64);
	size_t *have = calloc(n, sizeof(size_t));
	int done = 0, bad = 0;
	time_t end = time(NULL) + 60;

	for (int i = 0; i < n; i++) {
		p[i].fd = connect_to(host, port);
		if (p[i].fd < 0) {
			printf("connect %d: %s\n", i, strerror(errno));
			return 1;
		}
		snprintf(want[i], 64, "client %d says hello %08x", i, rnd());
		if (write(p[i].fd, want[i], strlen(want[i])) < 0)
			return 1;
		shutdown(p[i].fd, SHUT_WR);
		p[i].events = POLLIN;
	}
	while (done < n && time(NULL) < end) {
		if (poll(p, n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			ssize_t k;
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			k = read(p[i].fd, got[i] + have[i], 63 - have[i]);
			if (k > 0) {
				have[i] += k;
				continue;
			}
			if (strcmp(got[i], want[i]))
				bad++;
			close(p[i].fd);
			p[i].fd = -1;
			done++;
		}
	}
	if (done < n || bad)
		printf("done %d of %d, %d wrong\n", done, n, bad);
	else
		printf("ok %d\n", n);
	return done < n || bad;
}

static int cmd_reset(const char *host, const char *port)
{
	static char buf[1 << 20];
	struct linger l = {1, 0};
	int fd = connect_to(host, port);

	if (fd < 0)
		return 1;
	(void)!write(fd, buf, sizeof(buf) / 2);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	return 0;
}

static unsigned int rnd(void)
{
	static unsigned int x = 2463534242u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/* One garbage frame, addressed so that nothing can leave the container's subnet. */
static size_t garbage_frame(unsigned char *f, size_t max)
{
	size_t len = 14 + rnd() % (max - 14);
	unsigned int kind = rnd() % 4;

	for (size_t i = 0; i < len; i++)
		f[i] = rnd();
	memset(f, 0xff, 6); /* broadcast: slirp takes it */
	if (kind == 0) { /* an unknown ethertype */
		f[12] = 0x88, f[13] = 0xb5;
	} else if (kind == 1 && len >= 42) { /* ARP with junk fields */
		f[12] = 0x08, f[13] = 0x06;
	} else if (len >= 34) { /* IPv4 with random header fields, to 10.0.2.2 */
		f[12] = 0x08, f[13] = 0x00;
		f[14] = 0x45;
		f[30] = 10, f[31] = 0, f[32] = 2, f[33] = 2;
		if (kind == 3)
			f[23] = (rnd() & 1) ? 6 : 17; /* tcp or udp with broken headers */
	} else {
		f[12] = 0x88, f[13] = 0xb5;
	}
	return len;
}

static int cmd_flood(long rounds)
{
	struct sockaddr_in gw = {.sin_family = AF_INET};
	struct sockaddr_ll ll = {.sll_family = AF_PACKET};
	unsigned char frame[1514];
	int raw, udp;

	inet_pton(AF_INET, "10.0.2.2", &gw.sin_addr);
	ll.sll_ifindex = if_nametoindex("tap0");
	ll.sll_halen = 6;
	memset(ll.sll_addr, 0xff, 6);
	raw = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (raw < 0 || udp < 0 || !ll.sll_ifindex) {
		perror("flood: sockets");
		return 1;
	}
	for (long i = 0; i < rounds; i++) {
		size_t len = garbage_frame(frame, sizeof(frame));
		int tcp;

		(void)sendto(raw, frame, len, 0, (struct sockaddr *)&ll, sizeof(ll));
		gw.sin_port = htons(1 + i % 64);
		(void)sendto(udp, frame, len % 1400, 0, (struct sockaddr *)&gw, sizeof(gw));
		if (i % 8 == 0) {
			tcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			gw.sin_port = htons(1000 + i % 4000);
			(void)connect(tcp, (struct sockaddr *)&gw, sizeof(gw));
			close(tcp);
		}
		if (i % 256 == 0)
			usleep(1000); /* let the tap queue drain, so frames reach slirp */
	}
	printf("flooded %ld\n", rounds);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 5 && !strcmp(argv[1], "tcp"))
		return cmd_tcp(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "udp"))
		return cmd_udp(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "resolve"))
		return cmd_resolve(argv[2]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "echo-server"))
		return cmd_echo_server(atoi(argv[2]), argc == 4 ? argv[3] : "0.0.0.0");
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return cmd_sink(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "source"))
		return cmd_source(argv[2], argv[3], strtoull(argv[4], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "clients"))
		return cmd_clients(argv[2], argv[3], atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "reset"))
		return cmd_reset(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "ping"))
		return cmd_ping(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "flood"))
		return cmd_flood(strtol(argv[2], NULL, 10));
	fprintf(stderr, "usage: probe tcp|udp HOST PORT MSG | resolve NAME | ping ADDR | flood N | "
			"echo-server PORT [ADDR] | sink PORT | source HOST PORT BYTES | clients "
			"HOST PORT N | "
			"reset HOST PORT\n");
	return 2;
}
