/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what every fuzz entry point shares
 *
 * Each fuzz-NAME.c defines LLVMFuzzerTestOneInput() for one parser of
 * untrusted input. Built with clang's -fsanitize=fuzzer (tests/fuzz/build.sh)
 * libFuzzer drives it; built with replay.c (meson, suite "fuzz") a main()
 * feeds it every file of tests/fuzz/corpus/NAME/, so any compiler replays the
 * corpus as a regression test.
 */
#ifndef ROOST_FUZZ_H
#define ROOST_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "roost/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (it stops at the first NUL, as a C caller's would). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Split s in place at the first line "----": returns the rest, or NULL when there is none. */
static inline char *fuzz_split(char *s)
{
	char *p = strstr(s, "\n----\n");

	if (p && p == s)
		p = NULL;
	if (!p && !strncmp(s, "----\n", 5)) {
		*s = '\0';
		return s + 5;
	}
	if (!p)
		return NULL;
	*p = '\0';
	return p + 6;
}

/* The data as a file named path (a memfd, /proc/self/fd/N); returns the fd to close. */
static inline int fuzz_file(const void *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (util_write_all(fd, data, size) < 0) {
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

#ifdef FUZZ_STORE
#include <stdlib.h>

#include "roost/log.h"
#include "roost/store.h"

static char fuzz_store_dir[] = "/tmp/roost-fuzz.XXXXXX";

static void fuzz_store_remove(void)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", fuzz_store_dir);

	(void)!system(cmd);
}

/* A store of the fuzzer's own under /tmp, opened once, removed at exit. */
static inline struct store *fuzz_store(void)
{
	static struct store st;
	static int opened;

	if (opened)
		return opened > 0 ? &st : NULL;
	opened = -1;
	if (!mkdtemp(fuzz_store_dir))
		return NULL;
	atexit(fuzz_store_remove);
	_cleanup_free_ char *data = xasprintf("%s/data", fuzz_store_dir);
	_cleanup_free_ char *run = xasprintf("%s/run", fuzz_store_dir);
	setenv("XDG_DATA_HOME", data, 1);
	setenv("XDG_RUNTIME_DIR", run, 1);
	(void)mkdir(run, 0700);
	log_set_level(LOG_ERR);
	if (store_open(&st) < 0)
		return NULL;
	opened = 1;
	return &st;
}
#endif

#endif
