/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c - container directories and state
 *
 *   $XDG_DATA_HOME/roost/containers/ID/   config, upper/, work/, root/
 *   $XDG_RUNTIME_DIR/roost/ID/            lock (flock()ed while running), pid
 *
 * The data dir outlives reboots with the container's writable layer; the
 * runtime dir is volatile, and a held lock is what "running" means, so a
 * killed roost never leaves a container that looks alive. Files in the
 * upper dir belong to subordinate ids, which the caller cannot remove from
 * the host's user namespace: removal happens inside the container's user
 * namespace (store_remove() with its fd).
 *
 * A --rm container carries a mark, containers/ID/rm, made once its lock is
 * held. When roost is killed (kill -9) nobody removes it; the next roost
 * that runs or lists (store_sweep()) finds the mark with a free lock and
 * removes what is left, so only containers kept on purpose show in ps -a.
 */
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "roost/err.h"
#include "roost/log.h"
#include "roost/store.h"

static char *data_home(void)
{
	const char *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (x && x[0] == '/')
		return xasprintf("%s/roost", x);
	if (!home || home[0] != '/') {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	return xasprintf("%s/.local/share/roost", home);
}

/*
 * $XDG_RUNTIME_DIR when it is ours; after "su" or "sudo" it often names
 * another user's directory, then /tmp/roost-UID (created 0700, checked to
 * be ours and not a symlink planted by someone else).
 */
static char *runtime_dir(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (x && x[0] == '/' && stat(x, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	    access(x, W_OK) == 0)
		return xasprintf("%s/roost", x);
	if (x && *x)
		log_debug("XDG_RUNTIME_DIR=%s is not yours; using /tmp/roost-%u", x,
			  (unsigned)getuid());
	return xasprintf("/tmp/roost-%u", (unsigned)getuid());
}

static int open_own_dir(const char *path)
{
	struct stat st;
	int fd, r;

	r = util_mkdir_p(path, 0700);
	if (r < 0)
		return err_set(r, "create %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "open %s", path);
	if (fstat(fd, &st) < 0 || st.st_uid != getuid()) {
		close(fd);
		return err_setx(EPERM,
				"%s belongs to uid %u, not to you: remove it or set "
				"XDG_RUNTIME_DIR/XDG_DATA_HOME",
				path, (unsigned)st.st_uid);
	}
	return fd;
}

int store_open(struct store *st)
{
	int r;

	st->data_fd = st->run_fd = -1;
	st->data_path = data_home();
	st->run_path = runtime_dir();
	if (!st->data_path)
		return err_setx(ENOENT, "cannot find your home directory: set HOME or "
					"XDG_DATA_HOME");
	r = open_own_dir(st->data_path);
	if (r < 0)
		return r;
	st->data_fd = r;
	if (mkdirat(st->data_fd, "containers", 0700) < 0 && errno != EEXIST)
		return err_set(errno, "create %s/containers", st->data_path);
	r = open_own_dir(st->run_path);
	if (r < 0)
		return r;
	st->run_fd = r;
	return 0;
}

void store_close(struct store *st)
{
	if (st->data_fd >= 0)
		close(st->data_fd);
	if (st->run_fd >= 0)
		close(st->run_fd);
	free(st->data_path);
	free(st->run_path);
	st->data_fd = st->run_fd = -1;
	st->data_path = st->run_path = NULL;
}

void ctr_dirs_free(struct ctr_dirs *d)
{
	free(d->dir);
	free(d->upper);
	free(d->work);
	free(d->root);
	free(d->run);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	memset(d, 0, sizeof(*d));
	d->lock_fd = -1;
}

static int write_config(int dfd, const struct spec *s)
{
	_cleanup_close_ int fd =
		openat(dfd, "config.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	if (fd < 0)
		return -errno;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "id=%s\nrootfs=%s\ncreated=%ld\ncommand=", s->id,
		s->image    ? s->image
		: s->rootfs ? s->rootfs
			    : "",
		(long)time(NULL));
	for (size_t i = 0; i < s->argv.n; i++)
		fprintf(f, "%s%s", i ? " " : "", s->argv.v[i]);
	fputc('\n', f);
	fclose(f);
	r = util_write_all(fd, buf, len);
	if (r < 0)
		return r;
	return renameat(dfd, "config.tmp", dfd, "config") < 0 ? -errno : 0;
}

/*
 * Claim the container's name: create its directories in both stores and
 * take its lock. A name in use is an error naming the fix. The layer
 * directories come later (store_populate(), while the id-map helpers run).
 * On failure nothing is left behind.
 */
int store_create(struct store *st, const struct spec *s, struct ctr_dirs *ret)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", s->id);
	_cleanup_close_ int rfd = -1;
	struct ctr_dirs d = {.lock_fd = -1};
	int r;

	if (mkdirat(st->data_fd, rel, 0700) < 0) {
		if (errno == EEXIST)
			return err_setx(EEXIST,
					"the name '%s' is already in use by a container: remove it "
					"with 'roost rm %s' or choose another --name",
					s->id, s->id);
		return err_set(errno, "create %s/%s", st->data_path, rel);
	}
	if (mkdirat(st->run_fd, s->id, 0700) < 0 && errno != EEXIST) {
		r = err_set(errno, "create %s/%s", st->run_path, s->id);
		goto fail;
	}
	rfd = openat(st->run_fd, s->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		r = err_set(errno, "open %s/%s", st->run_path, s->id);
		goto fail;
	}
	d.lock_fd = openat(rfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d.lock_fd < 0 || flock(d.lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = err_set(errno, "lock %s/%s", st->run_path, s->id);
		goto fail;
	}
	/* After the lock: a sweep that sees the mark finds the lock held while we live. */
	if (s->rm) {
		_cleanup_free_ char *mark = xasprintf("%s/rm", rel);
		_cleanup_close_ int mfd =
			openat(st->data_fd, mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (mfd < 0) {
			r = err_set(errno, "create %s/%s", st->data_path, mark);
			goto fail;
		}
	}
	d.dir = xasprintf("%s/%s", st->data_path, rel);
	d.root = xasprintf("%s/root", d.dir);
	d.run = xasprintf("%s/%s", st->run_path, s->id);
	if (s->rootfs) {
		d.upper = xasprintf("%s/upper", d.dir);
		d.work = xasprintf("%s/work", d.dir);
	}
	*ret = d;
	return 0;
fail:
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	(void)util_rm_rf_at(st->data_fd, rel);
	(void)util_rm_rf_at(st->run_fd, s->id);
	return r;
}

/* The layer directories and the config of a claimed container. */
int store_populate(struct store *st, const struct spec *s)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", s->id);
	_cleanup_close_ int dfd = openat(st->data_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dfd < 0)
		return err_set(errno, "open %s/%s", st->data_path, rel);
	if ((s->rootfs && (mkdirat(dfd, "upper", 0755) < 0 || mkdirat(dfd, "work", 0700) < 0)) ||
	    mkdirat(dfd, "root", 0755) < 0)
		return err_set(errno, "create %s/%s", st->data_path, rel);
	r = write_config(dfd, s);
	if (r < 0)
		return err_set(r, "write %s/%s/config", st->data_path, rel);
	return 0;
}

/* Write (replace) a small file of the container's runtime dir. */
int store_write(struct store *st, const char *id, const char *name, const char *text)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", id, name);
	_cleanup_close_ int fd =
		openat(st->run_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0)
		return err_set(errno, "write %s/%s", st->run_path, rel);
	return 0;
}

/* Read a small file of the container's runtime dir; -ENOENT when there is none. */
int store_read(struct store *st, const char *id, const char *name, char **ret)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", id, name);
	_cleanup_close_ int fd = openat(st->run_fd, rel, O_RDONLY | O_CLOEXEC);
	char *buf;
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : err_set(errno, "read %s/%s", st->run_path, rel);
	buf = xmalloc(65536);
	n = util_read_all(fd, buf, 65535);
	buf[n > 0 ? n : 0] = '\0';
	*ret = buf;
	return 0;
}

/* Record a pid in the runtime dir: "pid" (the container) or "netpid" (its network). */
int store_set_pid(struct store *st, const char *id, const char *name, pid_t pid)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", id, name);
	_cleanup_close_ int fd =
		openat(st->run_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	char buf[24];

	if (fd < 0)
		return err_set(errno, "write %s/%s", st->run_path, rel);
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	return util_write_all(fd, buf, strlen(buf));
}

/*
 * Remove rel under the data dir. Most trees hold only files of the caller
 * (root inside), which go directly. What is left belongs to subordinate
 * ids: with userns_fd, a forked helper joins that user namespace (as its
 * owner we have every capability there) and removes it.
 */
int store_remove_tree(struct store *st, const char *rel, int userns_fd)
{
	int status;
	pid_t pid;

	if (util_rm_rf_at(st->data_fd, rel) == 0)
		return 0;
	if (userns_fd >= 0) {
		pid = fork();
		if (pid < 0)
			return err_set(errno, "fork");
		if (pid == 0) {
			/*
			 * We join the container's user namespace holding the store's
			 * fds: not dumpable, so no process left in it reaches them
			 * (or our root) through /proc/PID.
			 */
			(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			if (setns(userns_fd, CLONE_NEWUSER) < 0)
				_exit(2);
			_exit(util_rm_rf_at(st->data_fd, rel) < 0 ? 1 : 0);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return err_set(errno, "wait");
	}
	if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return err_setx(EBUSY, "cannot remove %s/%s (files of ids outside your map?)",
				st->data_path, rel);
	return 0;
}

/*
 * Remove containers/ID, its --rm mark last: a roost killed meanwhile leaves
 * a tree that the next sweep still knows to remove. Entries that hold files
 * of subordinate ids go through the user namespace; *userns_fd == -2 means
 * "not asked yet": get_userns(data) is asked once, when first needed.
 */
static int remove_ctr_dir(struct store *st, const char *id, int *userns_fd,
			  int (*get_userns)(void *data), void *data)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", id);
	_cleanup_free_ char *mark = xasprintf("%s/rm", rel);
	int fd = openat(st->data_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : err_set(errno, "open %s/%s", st->data_path, rel);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(errno, "read %s/%s", st->data_path, rel);
	}
	for (struct dirent *de; (de = readdir(d));) {
		_cleanup_free_ char *sub = NULL;
		int q;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "rm"))
			continue;
		if (util_rm_rf_at(dirfd(d), de->d_name) == 0)
			continue;
		if (*userns_fd == -2)
			*userns_fd = get_userns ? get_userns(data) : -1;
		sub = xasprintf("%s/%s", rel, de->d_name);
		q = store_remove_tree(st, sub, *userns_fd);
		if (q < 0 && r == 0)
			r = q;
	}
	if (r < 0)
		return r;
	(void)unlinkat(st->data_fd, mark, 0);
	return store_remove_tree(st, rel, -1);
}

/* Remove the container's directories, data and runtime. */
int store_remove(struct store *st, const char *id, int userns_fd)
{
	int r = remove_ctr_dir(st, id, &userns_fd, NULL, NULL);

	(void)util_rm_rf_at(st->run_fd, id);
	return r;
}

/*
 * Runtime dirs without a data dir: what a roost killed in store_remove()
 * left (the data goes first). A creator makes its data dir before its
 * runtime dir, and a live roost holds the lock: neither is touched.
 */
static int sweep_run_dirs(struct store *st)
{
	int fd = openat(st->run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	int n = 0;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	for (struct dirent *de; (de = readdir(d));) {
		_cleanup_free_ char *rel = NULL, *lock = NULL;
		_cleanup_close_ int lfd = -1;

		if (de->d_name[0] == '.')
			continue;
		rel = xasprintf("containers/%s", de->d_name);
		if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		lock = xasprintf("%s/lock", de->d_name);
		lfd = openat(st->run_fd, lock, O_RDONLY | O_CLOEXEC);
		if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) < 0)
			continue;
		if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			continue; /* created meanwhile */
		if (util_rm_rf_at(st->run_fd, de->d_name) == 0)
			n++;
	}
	return n;
}

/*
 * Remove the leftovers of --rm containers whose roost died: the mark is
 * there and the lock is free (taken while we remove, so a second sweep
 * leaves it alone). Trees with files of subordinate ids need the user
 * namespace: get_userns(data) is asked for its fd once, only then. Costs
 * one readdir of containers/ when nothing is left over. Returns the number
 * removed; what cannot be removed stays for 'roost rm' (said at debug level).
 */
int store_sweep(struct store *st, int (*get_userns)(void *data), void *data)
{
	int fd = openat(st->data_fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	int userns_fd = -2, n = 0;

	if (fd < 0)
		return err_set(errno, "open %s/containers", st->data_path);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(errno, "read %s/containers", st->data_path);
	}
	for (struct dirent *de; (de = readdir(d));) {
		_cleanup_free_ char *mark = NULL, *lock = NULL;
		_cleanup_close_ int lfd = -1;

		if (de->d_name[0] == '.')
			continue;
		mark = xasprintf("%s/rm", de->d_name);
		if (faccessat(dirfd(d), mark, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* The runtime dir is gone after a reboot: a new lock is as free. */
		if (mkdirat(st->run_fd, de->d_name, 0700) < 0 && errno != EEXIST)
			continue;
		lock = xasprintf("%s/lock", de->d_name);
		lfd = openat(st->run_fd, lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)
			continue; /* running */
		if (remove_ctr_dir(st, de->d_name, &userns_fd, get_userns, data) < 0) {
			log_debug("a leftover of a --rm container stays: %s", err_msg());
			continue;
		}
		(void)util_rm_rf_at(st->run_fd, de->d_name);
		n++;
	}
	if (userns_fd >= 0)
		close(userns_fd);
	return n + sweep_run_dirs(st);
}

static void read_config(int dfd, struct ctr_info *ci)
{
	_cleanup_close_ int fd = openat(dfd, "config", O_RDONLY | O_CLOEXEC);
	char buf[2048];
	ssize_t n;

	if (fd < 0)
		return;
	n = util_read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "rootfs=", 7))
			snprintf(ci->rootfs, sizeof(ci->rootfs), "%s", l + 7);
		else if (!strncmp(l, "command=", 8))
			snprintf(ci->command, sizeof(ci->command), "%s", l + 8);
		else if (!strncmp(l, "created=", 8))
			ci->created = strtol(l + 8, NULL, 10);
	}
}

int store_info(struct store *st, const char *id, struct ctr_info *ret)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", id);
	_cleanup_free_ char *lock = xasprintf("%s/lock", id);
	_cleanup_free_ char *pidf = xasprintf("%s/pid", id);
	_cleanup_close_ int dfd = openat(st->data_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int lfd = -1;
	char buf[32];
	int fd;

	if (strchr(id, '/') || id[0] == '.' || dfd < 0)
		return err_setx(ENOENT, "no container named '%s' (see 'roost ps -a')", id);
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->id, sizeof(ret->id), "%s", id);
	read_config(dfd, ret);
	lfd = openat(st->run_fd, lock, O_RDONLY | O_CLOEXEC);
	if (lfd >= 0 && flock(lfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		ret->running = true;
		fd = openat(st->run_fd, pidf, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = util_read_all(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			ret->pid = atoi(buf);
		}
	}
	return 0;
}

int store_list(struct store *st, struct ctr_info **ret, size_t *ret_n)
{
	int fd = openat(st->data_fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = NULL;
	struct ctr_info *v = NULL;
	size_t n = 0;

	if (fd < 0)
		return err_set(errno, "open %s/containers", st->data_path);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return err_set(errno, "read %s/containers", st->data_path);
	}
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		if (store_info(st, de->d_name, &v[n]) == 0)
			n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
