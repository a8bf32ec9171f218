/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - subcommands kept apart from main.c (they print; only main.c's callers)
 */
#ifndef ROOST_COMMANDS_H
#define ROOST_COMMANDS_H

#include "roost/opt.h"
#include "roost/spec.h"

#define EXIT_ROOST 125 /* as main.c */

int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
bool cmd_run_is_image(const char *rootfs);
int cmd_run_image(const char *image, const struct opts *o, struct spec *s);

#endif
