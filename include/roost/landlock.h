/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * landlock.h - a Landlock domain that fences the container off the host's processes
 */
#ifndef ROOST_LANDLOCK_H
#define ROOST_LANDLOCK_H

#include <stdbool.h>

int landlock_fence(bool may_mount);

#endif
