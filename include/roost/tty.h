/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tty.h - "-t": a pty from the container's devpts, relayed by the parent
 */
#ifndef ROOST_TTY_H
#define ROOST_TTY_H

#include <stdbool.h>
#include <termios.h>

struct tty_relay {
	int master_fd;
	int in_fd; /* our stdin, -1 once closed or without -i */
	bool raw; /* our terminal is in raw mode and must be restored */
	int term_fd; /* the fd of that terminal: stdin (-it) or stdout (-t) */
	bool line_open; /* the last byte relayed left a line unterminated */
	struct termios saved;
};

int tty_open_pty(int root_fd, int *ret_master, int *ret_slave);
int tty_make_controlling(int slave_fd);
void tty_relay_start(struct tty_relay *t, int master_fd, bool interactive);
void tty_relay_winch(struct tty_relay *t);
int tty_relay_master(struct tty_relay *t);
int tty_relay_input(struct tty_relay *t);
void tty_relay_finish(struct tty_relay *t);

#endif
