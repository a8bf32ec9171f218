/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - warnings and debug notes on stderr, prefixed "roost: "
 *
 * ROOST_DEBUG=1 in the environment turns on debug notes.
 */
#ifndef ROOST_LOG_H
#define ROOST_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_init(void);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
