/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err.h - one per-thread error message, set where the errno is born
 *
 * A fallible function returns >= 0 on success, a negative errno on failure.
 * err_set() records "message: strerror" and returns -errnum; err_wrap()
 * prefixes context; only main() prints err_msg().
 */
#ifndef ROOST_ERR_H
#define ROOST_ERR_H

#define ERR_MSG_MAX 1024

int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like err_set() but without the strerror suffix: the message says it all. */
int err_setx(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_wrap(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_msg(void);
void err_clear(void);

#endif
