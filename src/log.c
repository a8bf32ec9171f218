/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c - "roost: warning: ..." lines on stderr
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost/log.h"

static enum log_level log_level = LOG_INFO;

void log_init(void)
{
	const char *d = getenv("ROOST_DEBUG");

	if (d && *d && strcmp(d, "0") != 0)
		log_level = LOG_DEBUG;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "", [LOG_WARN] = "warning: ", [LOG_INFO] = "", [LOG_DEBUG] = "debug: "};
	char line[2048];
	va_list ap;
	int n;

	if (!log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "roost: %s", prefix[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines from the parent and child never interleave. */
	fprintf(stderr, "%s\n", line);
}
