/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_use.c - what containers and pulls hold in the image store
 *
 * A container's layers are what images/uses/ID names (its image, then its
 * layers' diff ids), written by 'roost run IMAGE' before the container
 * exists; the record counts while containers/ID exists (running or
 * stopped) or while the roost creating it holds the record's lock, and
 * rmi and prune consult it (image.c). A pull works in tmp/pull-* and grows
 * blobs in tmp/partial-HEX, each locked while in use: what is unlocked
 * there was abandoned.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "image_priv.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"

/*
 * Is uses/ID (open as fd) a live container's: containers/ID exists, or the
 * roost that is creating it holds the record's lock?
 */
static bool use_live(struct store *st, const char *id, int fd)
{
	_cleanup_free_ char *rel = xasprintf("containers/%s", id);

	if (faccessat(st->data_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	(void)flock(fd, LOCK_UN);
	return false;
}

/*
 * Walk images/uses/: the layers of live containers go to keep (if given);
 * a container using image key (if given) goes to *ret_user; with remove_dead
 * the records of containers that are gone are removed.
 */
void image_uses_scan(struct store *st, struct strv *keep, const char *key, char **ret_user,
		     bool remove_dead)
{
	int dfd = openat(st->data_fd, "images/uses", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = dfd < 0 ? NULL : fdopendir(dfd);

	for (struct dirent *de; d && (de = readdir(d));) {
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *text = NULL;
		char *line, *save = NULL;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (!use_live(st, de->d_name, fd)) {
			if (remove_dead)
				(void)unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (image_read_at(dirfd(d), de->d_name, &text, NULL) < 0)
			continue;
		line = strtok_r(text, "\n", &save);
		if (line && key && ret_user && !*ret_user && !strcmp(line, key))
			*ret_user = xstrdup(de->d_name);
		while (keep && (line = strtok_r(NULL, "\n", &save)))
			if (strlen(line) == 64 && strspn(line, "0123456789abcdef") == 64)
				strv_push(keep, xstrdup(line));
	}
}

/*
 * Record that container id runs img (its name, its layers) in
 * images/uses/ID, and hold the record's lock until the caller closes the
 * returned fd: a prune before containers/ID exists keeps the layers too.
 * Returns the fd, -1 without a record when containers/ID exists (the name is
 * another container's), or -errno.
 */
int image_use(struct store *st, const char *id, const struct image_run *img)
{
	_cleanup_close_ int lock = image_store_lock(st, false);
	_cleanup_free_ char *rel = xasprintf("images/uses/%s", id), *text = xstrdup(img->name);
	_cleanup_free_ char *ctr = NULL;
	int fd, r;

	if (lock < 0)
		return lock;
	/* The name is taken: store_create() refuses it; its container's record stays. */
	ctr = xasprintf("containers/%s", id);
	if (faccessat(st->data_fd, ctr, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return -1;
	if (mkdirat(st->data_fd, "images/uses", 0700) < 0 && errno != EEXIST)
		return err_set(errno, "create %s/images/uses", st->data_path);
	for (size_t i = 0; i < img->layers.n; i++) {
		const char *base = strrchr(img->layers.v[i], '/');
		char *t = xasprintf("%s\n%s", text, base ? base + 1 : img->layers.v[i]);

		free(text);
		text = t;
	}
	r = image_write_atomic(st->data_fd, rel, text, strlen(text));
	if (r < 0)
		return err_set(-r, "write %s/%s", st->data_path, rel);
	fd = openat(st->data_fd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || flock(fd, LOCK_SH) < 0) {
		r = err_set(errno, "lock %s/%s", st->data_path, rel);
		if (fd >= 0)
			close(fd);
		return r;
	}
	return fd;
}

/*
 * Remove what pulls and loads left in tmp/: each holds a lock on its
 * directory (and on each partial-HEX blob it grows) while it works, so only
 * the abandoned ones go; with keep_partial, abandoned partial blobs stay for
 * a pull to continue.
 */
int image_tmp_remove(struct store *st, bool keep_partial)
{
	int dfd = openat(st->data_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	int r = 0;

	for (struct dirent *de; d && r == 0 && (de = readdir(d));) {
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *rel = NULL;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (keep_partial && !strncmp(de->d_name, "partial-", 8)))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
			continue; /* in progress */
		rel = xasprintf("tmp/%s", de->d_name);
		r = util_rm_rf_at(st->data_fd, rel);
	}
	return r;
}

/* Before a pull: what earlier pulls that were killed left goes, but for partial blobs. */
void image_tmp_clean(struct store *st)
{
	_cleanup_close_ int lock = image_store_lock(st, false);
	int r = lock < 0 ? lock : image_tmp_remove(st, true);

	if (r < 0)
		log_debug("%s/tmp: %s", st->data_path, strerror(-r));
}
