/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - Test Anything Protocol for the unit tests; failures print both values
 */
#ifndef ROOST_TAP_H
#define ROOST_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline int tap_ok(int cond, const char *desc)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, desc);
	return cond;
}

#define ok(cond, desc) tap_ok(!!(cond), desc)

#define is_int(got, want, desc)                                                                    \
	do {                                                                                       \
		long long _g = (long long)(got), _w = (long long)(want);                           \
		if (!tap_ok(_g == _w, desc))                                                       \
			printf("#   got: %lld\n#  want: %lld\n", _g, _w);                          \
	} while (0)

#define is_str(got, want, desc)                                                                    \
	do {                                                                                       \
		const char *_g = (got), *_w = (want);                                              \
		if (!tap_ok(_g && _w && !strcmp(_g, _w), desc))                                    \
			printf("#   got: '%s'\n#  want: '%s'\n", _g ? _g : "(null)",               \
			       _w ? _w : "(null)");                                                \
	} while (0)

static inline int tap_done(void)
{
	if (tap_n != tap_planned)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_n);
	return tap_failed || tap_n != tap_planned ? 1 : 0;
}

#endif
