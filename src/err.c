/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err.c - the per-thread error buffer behind err_set()/err_msg()
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "roost/err.h"

static __thread char err_buf[ERR_MSG_MAX];

static __attribute__((format(printf, 3, 0))) int err_vset(int errnum, bool with_strerror,
							  const char *fmt, va_list ap)
{
	int n;

	if (errnum < 0)
		errnum = -errnum;
	if (errnum == 0)
		errnum = EIO;

	n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	if (with_strerror && n >= 0 && (size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - n, ": %s", strerror(errnum));
	return -errnum;
}

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(errnum, true, fmt, ap);
	va_end(ap);
	return r;
}

int err_setx(int errnum, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(errnum, false, fmt, ap);
	va_end(ap);
	return r;
}

int err_wrap(int r, const char *fmt, ...)
{
	char old[ERR_MSG_MAX];
	va_list ap;
	int n;

	memcpy(old, err_buf, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - n, ": %.*s", (int)(sizeof(old) - 1), old);
	return r;
}

const char *err_msg(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}

void err_clear(void)
{
	err_buf[0] = '\0';
}
