/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netprobe.c - hand-made IP packets for the network process's tests
 *
 *   netprobe frag ADDR [N] [first|last]  N IPv4 fragments (UDP, 66-byte frames) to ADDR,
 *                                        through a raw socket (IP_HDRINCL; container root
 *                                        holds CAP_NET_RAW in its own network namespace).
 *                                        "first" (default): offset 0 with more-fragments
 *                                        set; "last": offset 8, no more-fragments, no
 *                                        datagram before it: the frame that kills the
 *                                        network process with libslirp 4.7.0 (SIGBUS).
 *                                        Prints "sent N".
 *
 * It refuses every ADDR outside 10.0.0.0/8: the tests aim at the container's
 * gateway (the host, through the network process), never beyond.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t ip_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static int cmd_frag(const char *addr, long n, int last)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	uint8_t pkt[52]; /* + 14 bytes of Ethernet header = a 66-byte frame */
	struct iphdr *ip = (struct iphdr *)pkt;
	int fd, one = 1;
	long sent = 0;

	if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1 ||
	    (ntohl(dst.sin_addr.s_addr) >> 24) != 10) {
		fprintf(stderr, "frag: %s: want an address of 10.0.0.0/8\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("frag: raw socket");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		memset(pkt, 0xa5, sizeof(pkt));
		*ip = (struct iphdr){
			.version = 4,
			.ihl = 5,
			.tot_len = htons(sizeof(pkt)),
			.id = htons((last ? 0x4300 : 0x4200) + i), /* never a queue's */
			.frag_off = htons(last ? 1 : IP_MF), /* offset in units of 8 bytes */
			.ttl = 64,
			.protocol = IPPROTO_UDP,
			.daddr = dst.sin_addr.s_addr,
		};
		/* A UDP header at offset 0 to port 9 (discard); the rest is filler. */
		memcpy(pkt + 20, "\x30\x39\x00\x09\x00\x40\x00\x00", 8);
		ip->check = ip_checksum(pkt, 20); /* the kernel fills saddr, and the sum again */
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst, sizeof(dst)) ==
		    (ssize_t)sizeof(pkt))
			sent++;
	}
	close(fd);
	printf("sent %ld\n", sent);
	return sent == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "frag"))
		return cmd_frag(argv[2], argc >= 4 ? strtol(argv[3], NULL, 10) : 1,
				argc == 5 && !strcmp(argv[4], "last"));
	fprintf(stderr, "usage: netprobe frag ADDR [N] [first|last]\n");
	return 2;
}
