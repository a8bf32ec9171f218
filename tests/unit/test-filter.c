/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/filter.h"
#include "../tap.h"

static int count_files(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	return n;
}

/* Load f in a child and mkdir there: the child's exit code is the errno (0: made). */
static int mkdir_under(const struct filter_prog *f, const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || filter_load(f) < 0)
			_exit(200);
		_exit(mkdir(path, 0700) < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static const char deny_mkdir[] =
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
	"\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}";

int main(void)
{
	char tmp[] = "/tmp/roost-test-filter.XXXXXX";
	struct filter_prog a = {0}, b = {0}, c = {0};
	_cleanup_free_ char *cache = NULL, *prof = NULL, *bad = NULL, *dir = NULL;
	int fd;

	plan(16);
	if (!mkdtemp(tmp))
		return 1;
	cache = xasprintf("%s/cache", tmp);
	setenv("XDG_CACHE_HOME", cache, 1);
	dir = xasprintf("%s/cache/roost/seccomp", tmp);

	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &a), 0, "the default filter compiles");
	ok(a.n > 10 && a.n <= 4096, "to a BPF program the kernel takes");
	is_int(count_files(dir), 1, "and is cached");
	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0, "the second time");
	ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)),
	   "comes from the cache, the same program");
	filter_prog_free(&b);
	is_int(filter_prepare(NULL, CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN), 0, &b), 0,
	       "other capabilities");
	is_int(count_files(dir), 2, "another key");
	ok(a.n != b.n || memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "another program");
	filter_prog_free(&b);

	prof = xasprintf("%s/deny-mkdir.json", tmp);
	fd = open(prof, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	util_write_all(fd, deny_mkdir, strlen(deny_mkdir));
	close(fd);
	is_int(filter_prepare(prof, CAPS_DEFAULT, 0, &c), 0, "a JSON profile compiles");
	{
		_cleanup_free_ char *d1 = xasprintf("%s/d1", tmp), *d2 = xasprintf("%s/d2", tmp);
		is_int(mkdir_under(&c, d1), ENOSPC, "loaded, mkdir fails with its errnoRet");
		is_int(mkdir_under(&a, d2), 0, "the default filter lets mkdir through");
	}

	/* A cache file that is not ours is compiled over, not trusted. */
	{
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.') {
				_cleanup_free_ char *p = xasprintf("%s/%s", dir, e->d_name);
				truncate(p, 10);
			}
		if (d)
			closedir(d);
	}
	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0, "a damaged cache file");
	ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "is compiled again");
	filter_prog_free(&b);

	bad = xasprintf("%s/bad.json", tmp);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	util_write_all(fd, "{\"defaultAction\": 1}", strlen("{\"defaultAction\": 1}"));
	close(fd);
	is_int(filter_prepare(bad, CAPS_DEFAULT, 0, &b), -EINVAL, "a malformed profile");
	ok(strstr(err_msg(), "defaultAction: want a string") != NULL, "is an error naming the key");
	is_int(filter_prepare("/nonexistent/p.json", CAPS_DEFAULT, 0, &b), -ENOENT,
	       "a missing profile");

	filter_prog_free(&a);
	filter_prog_free(&c);
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmp);
		(void)!system(cmd);
	}
	return tap_done();
}
