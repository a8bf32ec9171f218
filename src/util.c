/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.c - allocation that aborts on OOM, small file helpers, rm -rf
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "roost/err.h"
#include "roost/util.h"

static void oom(void)
{
	static const char msg[] = "roost: out of memory\n";
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

void strv_push(struct strv *s, char *owned)
{
	s->v = xrealloc(s->v, (s->n + 2) * sizeof(char *));
	s->v[s->n++] = owned;
	s->v[s->n] = NULL;
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

ssize_t util_read_all(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

int util_write_all(int fd, const void *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		buf = (const char *)buf + r;
		n -= r;
	}
	return 0;
}

/* Read a small file into buf, NUL-terminated. Returns the length. */
int util_read_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = util_read_all(fd, buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

int util_write_file(const char *path, const char *data)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = util_write_all(fd, data, strlen(data));
	if (r < 0)
		return r;
	return close(TAKE_FD(fd)) < 0 ? -errno : 0;
}

int util_read_int(const char *path, long *ret)
{
	char buf[64], *end;
	long v;
	int r = util_read_file(path, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * In a freshly forked helper: close every descriptor but stdio and keep[].
 * A forked process holds copies of all its parent's fds, close-on-exec or
 * not, and a copy of another helper's control pipe would keep that helper
 * alive forever.
 */
void util_close_all_except(const int *keep, size_t n)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	int dfd = d ? dirfd(d) : -1;

	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name);
		bool kept = fd <= 2 || fd == dfd || de->d_name[0] == '.';

		for (size_t i = 0; i < n && !kept; i++)
			kept = keep[i] == fd;
		if (!kept)
			(void)close(fd);
	}
}

/* Mark every fd from first up close-on-exec (Linux 5.11's close_range, else one by one). */
int util_cloexec_from(int first)
{
	_cleanup_closedir_ DIR *d = NULL;

	if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name), fl;

		if (de->d_name[0] == '.' || fd < first || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
			return -errno;
	}
	return 0;
}

/* Parse a decimal number in 0..max with nothing around it. */
int util_parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int util_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Remove dirfd/name and everything below it, without following symlinks
 * and without leaving the directory tree (every step is relative to an fd).
 * A missing entry is not an error.
 */
int util_rm_rf_at(int dirfd, const char *name)
{
	struct stat st;
	int r = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;

	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		_cleanup_closedir_ DIR *d = fdopendir(fd);
		if (!d) {
			r = -errno;
			close(fd);
			return r;
		}
		/* Our own directory may have lost its write bit inside the container. */
		if (!(st.st_mode & S_IWUSR))
			(void)fchmod(fd, st.st_mode | S_IRWXU);
		for (struct dirent *de; (de = readdir(d));) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			int q = util_rm_rf_at(fd, de->d_name);
			if (q < 0 && r == 0)
				r = q;
		}
		if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
			r = -errno;
		return r;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * First steps of a helper process forked from roost (the network process,
 * the port relay): die with roost, even if it died already; start from
 * default signal dispositions and an empty mask, but ignore what a
 * terminal sends roost's whole process group, so only roost ends us.
 */
void util_helper_start(pid_t roost)
{
	sigset_t none;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != roost)
		_exit(0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * In a helper that holds CAP_SYS_ADMIN in its user namespace: a mount
 * namespace of its own whose root (and cwd) is an empty, read-only tmpfs,
 * so the host's tree is out of its reach and out of reach through it.
 */
int util_helper_empty_root(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") <
		    0 ||
	    chdir("/tmp") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0 ||
	    mount(NULL, "/", NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	return 0;
}

/*
 * End a helper started with util_helper_start() and reap it: close its
 * control pipe and kill it (it holds no state worth a goodbye, and a
 * short-lived container must not wait for it to finish starting).
 */
int util_helper_stop(pid_t *pid, int *ctl_fd, const char *what)
{
	int status;

	if (*ctl_fd >= 0)
		close(*ctl_fd);
	*ctl_fd = -1;
	if (*pid <= 0)
		return 0;
	(void)kill(*pid, SIGKILL);
	while (waitpid(*pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait for the %s", what);
	*pid = 0;
	return 0;
}
