/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * subid.h - /etc/subuid and /etc/subgid lines -> id ranges (pure)
 */
#ifndef ROOST_SUBID_H
#define ROOST_SUBID_H

#include <stddef.h>
#include <sys/types.h>

struct id_range {
	unsigned long start;
	unsigned long count;
};

int subid_parse_line(const char *line, const char *user, uid_t uid, struct id_range *ret);
int subid_load(const char *path, const char *user, uid_t uid, struct id_range **ret_ranges,
	       size_t *ret_n);
unsigned long subid_total(const struct id_range *r, size_t n);
unsigned long subid_suggest_start(const char *path);

#endif
