/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sync.c - one message is one datagram on the SOCK_SEQPACKET pair
 *
 * The child's end is close-on-exec, so EOF on the parent's end means the
 * command was executed (or the child died: the exit status tells which).
 */
#include <string.h>
#include <sys/socket.h>

#include "roost/sync.h"
#include "roost/util.h"

int sync_send(int fd, enum sync_type type, int r, int status, const char *text, int pass_fd)
{
	struct sync_msg m = {.type = type, .r = r, .status = status};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t len = offsetof(struct sync_msg, text);

	if (text) {
		snprintf(m.text, sizeof(m.text), "%s", text);
		len += strlen(m.text) + 1;
	}
	iov.iov_base = &m;
	iov.iov_len = len;
	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Returns 1 with a message (and *ret_fd, or -1), 0 on EOF, or -errno. */
int sync_recv(int fd, struct sync_msg *ret, int *ret_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = ret, .iov_len = sizeof(*ret)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n;

	if (ret_fd)
		*ret_fd = -1;
	memset(ret, 0, sizeof(*ret));
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? 0 : -errno;
	if (n == 0)
		return 0;
	if ((size_t)n < offsetof(struct sync_msg, text))
		return -EBADMSG;
	ret->text[sizeof(ret->text) - 1] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;
			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (ret_fd)
				*ret_fd = got;
			else
				close(got);
		}
	}
	return 1;
}
