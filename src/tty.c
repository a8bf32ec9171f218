/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tty.c - a real pty for "-t"
 *
 * The child opens /dev/pts/ptmx of the container's own devpts instance
 * (so the pty exists inside), takes the slave with TIOCGPTPEER, makes it
 * its controlling terminal and passes the master to the parent. The parent
 * puts its own terminal in raw mode, copies bytes both ways in its poll
 * loop, and copies the window size on SIGWINCH.
 *
 * Raw means output too: the container's pty already turns "\n" into
 * "\r\n" (onlcr), so ours must not do it again ("\r\r\n"), as with
 * docker and podman. At the end of our stdin the pty gets its EOF
 * character, twice after an unterminated line (the first only ends it).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "roost/err.h"
#include "roost/rootfs.h"
#include "roost/tty.h"
#include "roost/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int tty_open_pty(int root_fd, int *ret_master, int *ret_slave)
{
	_cleanup_close_ int master =
		rootfs_open_in_root(root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, false, false);
	int slave;

	if (master < 0)
		return err_set(master, "open the container's /dev/pts/ptmx");
	if (unlockpt(master) < 0)
		return err_set(errno, "unlock the pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return err_set(errno, "open the pty's peer");
	*ret_master = TAKE_FD(master);
	*ret_slave = slave;
	return 0;
}

/* In the process about to exec: a new session whose terminal is slave, on fds 0-2. */
int tty_make_controlling(int slave_fd)
{
	if (setsid() < 0)
		return err_set(errno, "setsid");
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		return err_set(errno, "make the pty the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave_fd, i) < 0)
			return err_set(errno, "dup2");
	if (slave_fd > 2)
		close(slave_fd);
	return 0;
}

void tty_relay_start(struct tty_relay *t, int master_fd, bool interactive)
{
	t->master_fd = master_fd;
	t->in_fd = interactive ? STDIN_FILENO : -1;
	t->raw = false;
	t->line_open = false;
	t->term_fd = -1;
	if (interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		struct termios raw = t->saved;

		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
			t->term_fd = STDIN_FILENO;
	} else if (isatty(STDOUT_FILENO) && tcgetattr(STDOUT_FILENO, &t->saved) == 0) {
		/* -t alone: our terminal keeps its input (^C signals us), not its onlcr. */
		struct termios out = t->saved;

		out.c_oflag &= ~OPOST;
		if (tcsetattr(STDOUT_FILENO, TCSADRAIN, &out) == 0)
			t->term_fd = STDOUT_FILENO;
	}
	t->raw = t->term_fd >= 0;
	tty_relay_winch(t);
}

void tty_relay_winch(struct tty_relay *t)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(t->master_fd, TIOCSWINSZ, &ws);
}

/* Master readable: copy to stdout. Returns 0, or -EIO once the pty has no slave left. */
int tty_relay_master(struct tty_relay *t)
{
	char buf[16384];
	ssize_t n = read(t->master_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -EIO;
	(void)util_write_all(STDOUT_FILENO, buf, n);
	return 0;
}

/*
 * Stdin readable: copy to the master. At EOF, send the pty's EOF
 * character: in canonical mode it ends a pending line without a read of 0
 * (the reader sees "bar", not the end), so after an unterminated line it
 * goes twice, as bst does. Without ICANON it is a byte like any other: once.
 */
int tty_relay_input(struct tty_relay *t)
{
	char buf[4096];
	ssize_t n = read(t->in_fd, buf, sizeof(buf));
	struct termios tio;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		char eof[2] = {4, 4};
		bool canon = false;

		if (tcgetattr(t->master_fd, &tio) == 0) {
			eof[0] = eof[1] = tio.c_cc[VEOF];
			canon = tio.c_lflag & ICANON;
		}
		(void)util_write_all(t->master_fd, eof, canon && t->line_open ? 2 : 1);
		t->in_fd = -1;
		return 0;
	}
	if (tcgetattr(t->master_fd, &tio) == 0) {
		unsigned char last = buf[n - 1];

		t->line_open = !(last == '\n' || (last == '\r' && (tio.c_iflag & ICRNL)) ||
				 last == tio.c_cc[VEOF] || (last && last == tio.c_cc[VEOL]) ||
				 (last && last == tio.c_cc[VEOL2]));
	} else {
		t->line_open = buf[n - 1] != '\n';
	}
	return util_write_all(t->master_fd, buf, n);
}

/* Drain what the container wrote before it exited, then restore our terminal. */
void tty_relay_finish(struct tty_relay *t)
{
	if (t->master_fd >= 0) {
		char buf[16384];
		ssize_t n;

		(void)fcntl(t->master_fd, F_SETFL, O_NONBLOCK);
		/* Bounded: the writer is gone, only the pty's buffer is left. */
		for (int i = 0; i < 1024 && (n = read(t->master_fd, buf, sizeof(buf))) > 0; i++)
			(void)util_write_all(STDOUT_FILENO, buf, n);
		close(t->master_fd);
		t->master_fd = -1;
	}
	if (t->raw)
		(void)tcsetattr(t->term_fd, TCSADRAIN, &t->saved);
	t->raw = false;
}
