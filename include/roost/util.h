/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - cleanup attributes, ownership hand-off, small allocation helpers
 */
#ifndef ROOST_UTIL_H
#define ROOST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		(void)closedir(*d);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _tp = (p);                                                           \
		(p) = NULL;                                                                        \
		_tp;                                                                               \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _tf = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_tf;                                                                               \
	})

/* Out of memory aborts: every allocation in roost is small. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NULL-terminated vector of owned strings (argv, envp). */
struct strv {
	char **v;
	size_t n;
};
void strv_push(struct strv *s, char *owned);
void strv_free(struct strv *s);

int util_read_file(const char *path, char *buf, size_t size);
int util_write_file(const char *path, const char *data);
int util_read_int(const char *path, long *ret);
int util_mkdir_p(const char *path, mode_t mode);
int util_rm_rf_at(int dirfd, const char *name);
void util_close_all_except(const int *keep, size_t n);
int util_cloexec_from(int first);
void util_helper_start(pid_t roost);
int util_helper_empty_root(void);
int util_helper_stop(pid_t *pid, int *ctl_fd, const char *what);
int util_parse_uint(const char *s, unsigned long max, unsigned long *ret);
ssize_t util_read_all(int fd, void *buf, size_t n);
int util_write_all(int fd, const void *buf, size_t n);

#endif
