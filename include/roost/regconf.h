/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regconf.h - unqualified-search-registries from containers-registries.conf(5)
 */
#ifndef ROOST_REGCONF_H
#define ROOST_REGCONF_H

#include <stdbool.h>

#include "roost/util.h"

int regconf_parse(const char *text, const char *where, struct strv *ret);
int regconf_search_registries(struct strv *ret);
bool regconf_is_short(const char *ref);

#endif
