/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h - why a step failed on this host, and the exact fix
 */
#ifndef ROOST_DIAG_H
#define ROOST_DIAG_H

int diag_userns_create(int r);
int diag_userns_create_at(const char *root, int r);
int diag_apparmor(int r);
int diag_in_userns(int r);

#endif
