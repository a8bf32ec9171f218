/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layer.c - one image layer: hash it, unpack it safely
 *
 * layer_hash() reads a blob once, as the caller, and returns the sha256 of
 * the bytes (the blob digest) and of the decompressed tar (the diff id):
 * a blob is verified before anything is written. layer_unpack() forks a
 * helper that joins the user namespace with the full id map (as its owner
 * we are root there), so uid 33 in the tar becomes the matching subordinate
 * id on disk. The helper extracts entry by entry relative to the layer's
 * directory fd: parents are opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), so no entry is written through a symlink or above
 * the layer, whatever came before it. Refused: absolute names, "..",
 * hard links leaving the layer, relative symlinks climbing above the root.
 * Whiteouts become what overlayfs reads in a lower layer: ".wh.NAME" a
 * 0:0 character device (which the kernel lets a user namespace create,
 * Linux 5.8+), ".wh..wh..opq" the xattr user.overlay.opaque=y (kernel
 * overlayfs with "userxattr"; fuse-overlayfs reads it too). Device nodes
 * are skipped and counted. The helper never prints: it sends one result
 * record back on a pipe.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "roost/err.h"
#include "roost/layer.h"
#include "roost/util.h"

/*
 * Normalize an archive member name into buf: "./" and repeated "/" go,
 * a trailing "/" goes. Returns 0, 1 for the layer's root itself, -EINVAL
 * for an absolute name or a ".." component (with a message naming it).
 */
int layer_clean_path(const char *name, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = name;

	if (name[0] == '/')
		return err_setx(EINVAL, "entry '%s': an absolute path", name);
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2))
			return err_setx(EINVAL, "entry '%s': a '..' component", name);
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (n + len + 2 > size)
				return err_setx(ENAMETOOLONG, "entry '%s': name too long", name);
			if (n)
				buf[n++] = '/';
			memcpy(buf + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	buf[n] = '\0';
	return n == 0 ? 1 : 0;
}

/*
 * Is base (a last component) a whiteout? Returns 0, LAYER_WHITEOUT with
 * *ret_name the deleted name, LAYER_OPAQUE, or -EINVAL for ".wh." naming
 * nothing valid.
 */
int layer_whiteout(const char *base, const char **ret_name)
{
	if (strncmp(base, ".wh.", 4))
		return 0;
	if (!strcmp(base, ".wh..wh..opq"))
		return LAYER_OPAQUE;
	if (!base[4] || !strcmp(base + 4, ".") || !strcmp(base + 4, ".."))
		return err_setx(EINVAL, "a whiteout of nothing ('%s')", base);
	*ret_name = base + 4;
	return LAYER_WHITEOUT;
}

/*
 * Does the relative symlink target, seen from the (clean) entry's
 * directory, climb above the layer's root? Absolute targets stay in the
 * container's root when followed there and are allowed. Returns 1 or 0.
 */
int layer_link_escapes(const char *entry, const char *target)
{
	int depth = 0;

	if (target[0] == '/')
		return 0;
	for (const char *p = entry; *p; p++)
		if (*p == '/')
			depth++;
	for (const char *p = target; *p;) {
		size_t len = strcspn(p, "/");

		if (len == 2 && !strncmp(p, "..", 2)) {
			if (--depth < 0)
				return 1;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

static void hex(const unsigned char *md, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

struct hash_src {
	int fd;
	EVP_MD_CTX *ctx;
	char buf[65536];
};

static la_ssize_t hash_read(struct archive *a, void *data, const void **ret)
{
	struct hash_src *h = data;
	ssize_t n = read(h->fd, h->buf, sizeof(h->buf));

	(void)a;
	if (n > 0)
		EVP_DigestUpdate(h->ctx, h->buf, n);
	*ret = h->buf;
	return n;
}

/*
 * sha256 of the file at path (ret_blob) and of its decompressed content
 * (ret_diff: gzip, zstd, xz or none), in one read. Returns 0 or -errno.
 */
int layer_hash(const char *path, char ret_blob[65], char ret_diff[65])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct hash_src *h = NULL;
	EVP_MD_CTX *dctx = NULL;
	struct archive *a = NULL;
	struct archive_entry *e;
	unsigned char md[EVP_MAX_MD_SIZE];
	const void *buf;
	size_t len;
	int64_t off;
	int r = 0, q;

	if (fd < 0)
		return err_set(errno, "open %s", path);
	h = xcalloc(1, sizeof(*h));
	h->fd = fd;
	h->ctx = EVP_MD_CTX_new();
	dctx = EVP_MD_CTX_new();
	a = archive_read_new();
	if (!h->ctx || !dctx || !a)
		abort();
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
	EVP_DigestInit_ex(dctx, EVP_sha256(), NULL);
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open(a, h, NULL, hash_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = err_setx(EINVAL, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	while ((q = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
		EVP_DigestUpdate(dctx, buf, len);
	if (q != ARCHIVE_EOF) {
		r = err_setx(EINVAL, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	/* The decompressor may stop before the end: the blob digest covers every byte. */
	while (hash_read(a, h, &buf) > 0)
		;
	EVP_DigestFinal_ex(h->ctx, md, NULL);
	hex(md, ret_blob);
	EVP_DigestFinal_ex(dctx, md, NULL);
	hex(md, ret_diff);
out:
	archive_read_free(a);
	EVP_MD_CTX_free(dctx);
	EVP_MD_CTX_free(h->ctx);
	free(h);
	return r;
}

/* ---- the helper, inside the user namespace ---- */

struct unpack_result {
	int r;
	struct layer_stats stats;
	char msg[ERR_MSG_MAX];
};

static int open_beneath(int dir_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	int fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* The directory holding clean path p (made as needed, 0755 root), and its last component. */
static int open_parent(int root_fd, char *p, const char **ret_base, const char *entry)
{
	char *slash = strrchr(p, '/');
	int fd, r;

	if (!slash) {
		*ret_base = p;
		return fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	}
	*slash = '\0';
	*ret_base = slash + 1;
	fd = open_beneath(root_fd, p, O_RDONLY | O_DIRECTORY);
	if (fd >= 0 || fd != -ENOENT) {
		r = fd;
		goto out;
	}
	/* Tar files may omit directories: make each missing one, never through a symlink. */
	fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	for (char *c = p, *next; c; c = next) {
		int sub;

		next = strchr(c, '/');
		if (next)
			*next = '\0';
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			close(fd);
			goto out_restore;
		}
		sub = open_beneath(fd, c, O_RDONLY | O_DIRECTORY);
		close(fd);
		if (next)
			*next++ = '/';
		if (sub < 0) {
			r = sub;
			goto out;
		}
		fd = sub;
	}
	r = fd;
	goto out;
out_restore:
	for (char *c = p; (c = strchr(c, '\0')) && c < slash; c++)
		*c = '/';
out:
	if (r == -ELOOP || r == -EXDEV || r == -ENOTDIR)
		r = err_setx(ELOOP,
			     "entry '%s': its directory is a symlink or not a directory "
			     "in this layer; refusing to write through it",
			     entry);
	else if (r < 0)
		r = err_set(-r, "entry '%s': open its directory", entry);
	*slash = '/';
	return r;
}

/* Make room for a new entry: a directory stays for a directory, anything else goes. */
static int clear_name(int dfd, const char *base, bool want_dir, bool *ret_is_dir)
{
	struct stat st;

	*ret_is_dir = false;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		if (want_dir) {
			*ret_is_dir = true;
			return 0;
		}
		return util_rm_rf_at(dfd, base);
	}
	return unlinkat(dfd, base, 0) < 0 ? -errno : 0;
}

static long mapped_ids(const char *file)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	unsigned long in, out, count;
	long total = 0;

	while (f && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		total += count;
	return total;
}

static int set_owner(int dfd, const char *base, struct archive_entry *e, const char *entry)
{
	uid_t uid = archive_entry_uid(e);
	gid_t gid = archive_entry_gid(e);

	if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == EINVAL) {
		bool is_uid = (long)uid >= mapped_ids("/proc/self/uid_map");
		long need = (long)(is_uid ? uid : gid) + 1;

		return err_setx(ERANGE,
				"entry '%s' is owned by %s %lu, but only %ld ids are mapped: "
				"you need at least %ld subordinate %s (see /etc/sub%s)",
				entry, is_uid ? "uid" : "gid", (unsigned long)(is_uid ? uid : gid),
				mapped_ids(is_uid ? "/proc/self/uid_map" : "/proc/self/gid_map"),
				need, is_uid ? "uids" : "gids", is_uid ? "uid" : "gid");
	}
	return err_set(errno, "entry '%s': chown", entry);
}

static int write_data(struct archive *a, int fd, int64_t total, const char *entry, uint64_t *size)
{
	const void *buf;
	size_t len;
	int64_t off;
	int q;

	while ((q = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* A short write sets no errno: write the rest, and the error comes with it. */
		for (size_t done = 0; done < len;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, len - done, off + done);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return err_set(n < 0 ? errno : ENOSPC, "entry '%s': write", entry);
			done += n;
		}
		*size += len;
	}
	if (q != ARCHIVE_EOF)
		return err_setx(EIO, "entry '%s': %s", entry, archive_error_string(a));
	/* A sparse file ends in a hole that no block writes. */
	if (total > 0 && ftruncate(fd, total) < 0)
		return err_set(errno, "entry '%s': truncate", entry);
	return 0;
}

static int set_times(int dfd, const char *base, struct archive_entry *e)
{
	struct timespec ts[2] = {
		{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
		{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
	};

	(void)utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int unpack_entry(struct archive *a, struct archive_entry *e, int root_fd,
			struct layer_stats *st, struct strv *links)
{
	const char *name = archive_entry_pathname(e), *base, *wname = NULL;
	const char *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	mode_t mode = archive_entry_perm(e);
	char path[PATH_MAX], target[PATH_MAX];
	_cleanup_close_ int dfd = -1;
	bool is_dir;
	int r, w;

	if (!name)
		return err_setx(EINVAL, "an entry without a name");
	r = layer_clean_path(name, path, sizeof(path));
	if (r < 0) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		return err_setx(-r, "refusing %s", saved);
	}
	if (r == 1) { /* the layer's root: its mode and owner */
		if (type != AE_IFDIR)
			return err_setx(EINVAL, "entry '%s': the root is not a directory", name);
		r = fchownat(root_fd, "", archive_entry_uid(e), archive_entry_gid(e),
			     AT_EMPTY_PATH);
		if (r < 0)
			return set_owner(root_fd, ".", e, name);
		(void)fchmod(root_fd, mode);
		return 0;
	}
	dfd = open_parent(root_fd, path, &base, name);
	if (dfd < 0)
		return dfd;

	w = layer_whiteout(base, &wname);
	if (w < 0)
		return err_wrap(w, "refusing entry '%s'", name);
	if (w == LAYER_OPAQUE) {
		_cleanup_close_ int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);

		if (fsetxattr(fd, "user.overlay.opaque", "y", 1, 0) < 0)
			return err_set(errno, "entry '%s': mark the directory opaque", name);
		return 0;
	}
	if (w == LAYER_WHITEOUT) {
		r = clear_name(dfd, wname, false, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': remove '%s'", name, wname);
		if (mknodat(dfd, wname, S_IFCHR | 0000, makedev(0, 0)) < 0)
			return err_set(errno, "entry '%s': create the whiteout (a 0:0 device)",
				       name);
		return 0;
	}

	if (hl) {
		_cleanup_close_ int tfd = -1;
		const char *tbase;

		r = layer_clean_path(hl, target, sizeof(target));
		if (r != 0)
			return err_setx(EINVAL,
					"refusing entry '%s': a hard link to '%s' outside the "
					"layer",
					name, hl);
		tfd = open_parent(root_fd, target, &tbase, name);
		if (tfd < 0)
			return tfd;
		r = clear_name(dfd, base, false, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': replace", name);
		if (linkat(tfd, tbase, dfd, base, 0) < 0)
			return err_set(errno, "entry '%s': hard link to '%s'", name, hl);
		return 0;
	}

	switch (type) {
	case AE_IFDIR:
		r = clear_name(dfd, base, true, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': replace", name);
		if (!is_dir && mkdirat(dfd, base, 0700) < 0)
			return err_set(errno, "entry '%s': mkdir", name);
		r = set_owner(dfd, base, e, name);
		if (r < 0)
			return r;
		if (fchmodat(dfd, base, mode, 0) < 0)
			return err_set(errno, "entry '%s': chmod", name);
		return 0;
	case AE_IFREG: {
		_cleanup_close_ int fd = -1;

		r = clear_name(dfd, base, false, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': replace", name);
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return err_set(errno, "entry '%s': create", name);
		r = write_data(a, fd, archive_entry_size(e), name, &st->size);
		if (r < 0)
			return r;
		/* chown clears setuid and setgid: the mode comes after it. */
		r = set_owner(dfd, base, e, name);
		if (r < 0)
			return r;
		if (fchmod(fd, mode) < 0)
			return err_set(errno, "entry '%s': chmod", name);
		return set_times(dfd, base, e);
	}
	case AE_IFLNK: {
		const char *to = archive_entry_symlink(e);

		if (!to || !*to)
			return err_setx(EINVAL, "refusing entry '%s': a symlink to nothing", name);
		if (layer_link_escapes(path, to))
			return err_setx(EINVAL,
					"refusing entry '%s': a symlink to '%s' climbs out of the "
					"layer",
					name, to);
		r = clear_name(dfd, base, false, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': replace", name);
		if (symlinkat(to, dfd, base) < 0)
			return err_set(errno, "entry '%s': symlink", name);
		strv_push(links, xstrdup(path));
		r = set_owner(dfd, base, e, name);
		if (r < 0)
			return r;
		return set_times(dfd, base, e);
	}
	case AE_IFIFO:
		r = clear_name(dfd, base, false, &is_dir);
		if (r < 0)
			return err_set(-r, "entry '%s': replace", name);
		if (mknodat(dfd, base, S_IFIFO | mode, 0) < 0)
			return err_set(errno, "entry '%s': mkfifo", name);
		return set_owner(dfd, base, e, name);
	case AE_IFCHR:
	case AE_IFBLK:
		/* Rootless cannot create devices; a container gets its /dev from roost. */
		if (st->n_skipped++ == 0)
			snprintf(st->skipped, sizeof(st->skipped), "%s", name);
		return 0;
	default:
		return err_setx(EINVAL, "refusing entry '%s': unknown file type %o", name,
				(unsigned)type);
	}
}

/*
 * Does the symlink at clean path link (in the layer at root_fd) lead above
 * the layer's root when the kernel follows it on the host? Walk its target
 * as path resolution does, component by component through the links the
 * layer holds now (so "a/l -> .." and then "c -> a/l/.." is caught, in
 * either order); an absolute target restarts at the layer's root, as the
 * container sees it. A missing component or a loop ends the walk as it ends
 * the kernel's. Returns 1 for an escape, 0 otherwise.
 */
static int link_chain_escapes(int root_fd, const char *link)
{
	char cur[PATH_MAX] = "", rest[PATH_MAX], target[PATH_MAX];
	const char *slash = strrchr(link, '/');
	ssize_t n;

	n = readlinkat(root_fd, link, rest, sizeof(rest) - 1);
	if (n < 0)
		return 0; /* replaced by a later entry */
	rest[n] = '\0';
	if (slash)
		snprintf(cur, sizeof(cur), "%.*s", (int)(slash - link), link);
	for (int hops = 0; rest[0];) {
		size_t len = strcspn(rest, "/"), cl = strlen(cur);
		char comp[NAME_MAX + 1];
		_cleanup_close_ int dfd = -1;

		if (len > NAME_MAX)
			return 0;
		memcpy(comp, rest, len);
		comp[len] = '\0';
		memmove(rest, rest + len + strspn(rest + len, "/"),
			strlen(rest + len + strspn(rest + len, "/")) + 1);
		if (len == 0 || !strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *up = strrchr(cur, '/');

			if (!cur[0])
				return 1;
			if (up)
				*up = '\0';
			else
				cur[0] = '\0';
			continue;
		}
		dfd = cur[0] ? open_beneath(root_fd, cur, O_PATH | O_DIRECTORY)
			     : fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
		if (dfd < 0)
			return 0; /* not a directory: the kernel stops there too */
		n = readlinkat(dfd, comp, target, sizeof(target) - 1);
		if (n < 0 && errno != EINVAL)
			return 0; /* missing: so is everything below it */
		if (n < 0) {
			if (cl + len + 2 > sizeof(cur))
				return 0;
			snprintf(cur + cl, sizeof(cur) - cl, "%s%s", cl ? "/" : "", comp);
			continue;
		}
		if (++hops > 40 || (size_t)n + strlen(rest) + 2 > sizeof(rest))
			return 0; /* ELOOP */
		target[n] = '\0';
		if (target[0] == '/')
			cur[0] = '\0';
		memmove(rest + n + 1, rest, strlen(rest) + 1);
		memcpy(rest, target, n);
		rest[n] = '/';
	}
	return 0;
}

static int unpack_child(const char *blob, int root_fd, struct layer_stats *st)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct strv links = {0};
	int r = 0, q;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_filename(a, blob, 65536) != ARCHIVE_OK) {
		r = err_setx(EINVAL, "%s: %s", blob, archive_error_string(a));
		goto out;
	}
	if (fchmod(root_fd, 0755) < 0) {
		r = err_set(errno, "chmod the layer");
		goto out;
	}
	while ((q = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (q < ARCHIVE_WARN) {
			r = err_setx(EINVAL, "%s: %s", blob, archive_error_string(a));
			goto out;
		}
		r = unpack_entry(a, e, root_fd, st, &links);
		if (r < 0)
			goto out;
	}
	/* A link's meaning depends on links made after it: checked once all are there. */
	for (size_t i = 0; i < links.n; i++) {
		char to[PATH_MAX];
		ssize_t n = readlinkat(root_fd, links.v[i], to, sizeof(to) - 1);

		if (n > 0 && to[0] != '/' && link_chain_escapes(root_fd, links.v[i])) {
			to[n] = '\0';
			r = err_setx(
				EINVAL,
				"refusing entry '%s': a symlink to '%s' leads out of the layer "
				"through the links on its way",
				links.v[i], to);
			goto out;
		}
	}
out:
	strv_free(&links);
	archive_read_free(a);
	return r;
}

/*
 * Unpack the tar (any compression) at blob into the empty directory
 * dir_fd, as root of the user namespace userns_fd. Returns 0 with the
 * layer's stats, or -errno naming the entry at fault; on failure the
 * directory holds a partial tree the caller removes.
 */
int layer_unpack(int userns_fd, const char *blob, int dir_fd, struct layer_stats *ret)
{
	struct unpack_result res = {0};
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_set(errno, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		if (setns(userns_fd, CLONE_NEWUSER) < 0)
			res.r = err_set(errno, "join the user namespace to unpack");
		else
			res.r = unpack_child(blob, dir_fd, &res.stats);
		snprintf(res.msg, sizeof(res.msg), "%s", res.r < 0 ? err_msg() : "");
		(void)!write(p[1], &res, sizeof(res));
		_exit(res.r < 0 ? 1 : 0);
	}
	close(p[1]);
	n = util_read_all(p[0], &res, sizeof(res));
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait");
	if (n != (ssize_t)sizeof(res))
		return err_setx(EIO, "the unpacking helper died (status %d)", status);
	if (res.r < 0)
		return err_setx(-res.r, "%s", res.msg);
	*ret = res.stats;
	return 0;
}

/*
 * Extract the regular files and directories of an outer archive (a
 * "docker save" or OCI archive) into dir_fd, as the caller, with the same
 * checks as a layer. Other entries are skipped. Returns 0 or -errno.
 */
int layer_extract_plain(const char *archive, int dir_fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0, q;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, archive, 65536) != ARCHIVE_OK) {
		r = err_setx(EINVAL, "%s: %s", archive, archive_error_string(a));
		goto out;
	}
	while ((q = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *name = archive_entry_pathname(e), *base;
		mode_t type = archive_entry_filetype(e);
		char path[PATH_MAX];
		uint64_t size = 0;
		int dfd, fd;

		if (q < ARCHIVE_WARN) {
			r = err_setx(EINVAL, "%s: %s", archive, archive_error_string(a));
			goto out;
		}
		if (!name || (type != AE_IFREG && type != AE_IFDIR))
			continue;
		r = layer_clean_path(name, path, sizeof(path));
		if (r == 1)
			continue;
		if (r < 0) {
			r = err_wrap(r, "%s: refusing entry", archive);
			goto out;
		}
		dfd = open_parent(dir_fd, path, &base, name);
		if (dfd < 0) {
			r = dfd;
			goto out;
		}
		if (type == AE_IFDIR) {
			r = mkdirat(dfd, base, 0700) < 0 && errno != EEXIST ? -errno : 0;
			close(dfd);
			if (r < 0) {
				r = err_set(-r, "%s: entry '%s'", archive, name);
				goto out;
			}
			continue;
		}
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		close(dfd);
		if (fd < 0) {
			r = err_set(errno, "%s: entry '%s'", archive, name);
			goto out;
		}
		r = write_data(a, fd, archive_entry_size(e), name, &size);
		close(fd);
		if (r < 0)
			goto out;
	}
out:
	archive_read_free(a);
	return r;
}
