/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_keepid.c - an image's layers as --userns=keep-id sees them
 *
 * Layers are unpacked once, owned through the default map (inner 0 is the
 * caller, inner 1.. its subordinate ids). Under keep-id the caller's own id
 * is inner UID, so the same files would show other owners: root's files
 * would be the caller's. As containers/storage does for a container whose
 * map differs from its image's, roost keeps a copy of each layer owned for
 * the keep-id map, next to it: layers/HEX.keep-KEY, KEY naming both maps.
 * It is made once, in a helper that joins the default map's user namespace
 * (where it may own files as any mapped id), and goes with HEX in a prune.
 *
 * When the image's /etc/passwd has no entry for the caller's uid, a small
 * top layer (layers/TOPHEX.keep-KEY.etc-HASH) adds one, as podman does:
 * the caller's name, uid, gid and home directory (made, the caller's), and
 * a group entry when /etc/group lacks the gid.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image_priv.h"
#include "roost/err.h"
#include "roost/image.h"

struct keep_ctx {
	const struct userns_plan *def, *keep;
	struct hlink {
		dev_t dev;
		ino_t ino;
		char *path;
	} * links;
	size_t n_links;
};

/* The id in def's namespace for the host id that inner maps to under keep; -1 when none. */
static long id_translate(const struct id_map *keep, size_t n_keep, const struct id_map *def,
			 size_t n_def, unsigned long inner)
{
	unsigned long host = userns_map_lookup(keep, n_keep, inner);

	for (size_t i = 0; host != (unsigned long)-1 && i < n_def; i++)
		if (host >= def[i].outer && host < def[i].outer + def[i].count)
			return (long)(def[i].inner + (host - def[i].outer));
	return -1;
}

static int own(struct keep_ctx *k, const char *dst, const struct stat *sb)
{
	long u = id_translate(k->keep->uid, k->keep->n_uid, k->def->uid, k->def->n_uid, sb->st_uid);
	long g = id_translate(k->keep->gid, k->keep->n_gid, k->def->gid, k->def->n_gid, sb->st_gid);

	if (u < 0 || g < 0)
		return err_setx(ERANGE, "%s: owner %u:%u has no id under keep-id", dst,
				(unsigned)sb->st_uid, (unsigned)sb->st_gid);
	if (lchown(dst, u, g) < 0)
		return err_set(errno, "chown %s", dst);
	/* After chown, which clears the set-id bits. */
	if (!S_ISLNK(sb->st_mode) && chmod(dst, sb->st_mode & 07777) < 0)
		return err_set(errno, "chmod %s", dst);
	return 0;
}

/* The user.* xattrs: overlay's opaque marks (layers carry no others, see layer.c). */
static int copy_xattrs(const char *src, const char *dst)
{
	char names[4096], val[4096];
	ssize_t n = llistxattr(src, names, sizeof(names));

	for (ssize_t i = 0; i < n; i += strlen(names + i) + 1) {
		const char *name = names + i;
		ssize_t v;

		if (strncmp(name, "user.", 5))
			continue;
		v = lgetxattr(src, name, val, sizeof(val));
		if (v < 0 || lsetxattr(dst, name, val, v, 0) < 0)
			return err_set(errno, "%s: copy the xattr %s", dst, name);
	}
	return 0;
}

static int copy_data(const char *src, const char *dst)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return err_set(errno, "open %s", src);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return err_set(errno, "create %s", dst);
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
		return err_set(errno, "copy %s", src);
	if (lseek(in, 0, SEEK_SET) < 0 || lseek(out, 0, SEEK_SET) < 0 || ftruncate(out, 0) < 0)
		return err_set(errno, "copy %s", src);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (util_write_all(out, buf, n) < 0)
			return err_set(errno, "write %s", dst);
	return n < 0 ? err_set(errno, "read %s", src) : 0;
}

/* Copy the tree at src to dst (absent), owners translated, hard links kept. */
static int copy_tree(struct keep_ctx *k, const char *src, const char *dst)
{
	struct timespec t[2];
	struct stat sb;
	int r = 0;

	if (lstat(src, &sb) < 0)
		return err_set(errno, "stat %s", src);
	t[0] = sb.st_atim;
	t[1] = sb.st_mtim;
	if (S_ISREG(sb.st_mode) && sb.st_nlink > 1) {
		for (size_t i = 0; i < k->n_links; i++)
			if (k->links[i].dev == sb.st_dev && k->links[i].ino == sb.st_ino)
				return link(k->links[i].path, dst) < 0
					       ? err_set(errno, "link %s", dst)
					       : 0;
		k->links = xrealloc(k->links, (k->n_links + 1) * sizeof(*k->links));
		k->links[k->n_links++] = (struct hlink){sb.st_dev, sb.st_ino, xstrdup(dst)};
	}
	if (S_ISDIR(sb.st_mode)) {
		_cleanup_closedir_ DIR *d = NULL;

		if (mkdir(dst, 0700) < 0)
			return err_set(errno, "mkdir %s", dst);
		d = opendir(src);
		if (!d)
			return err_set(errno, "open %s", src);
		for (struct dirent *de; r == 0 && (de = readdir(d));) {
			_cleanup_free_ char *s = NULL, *o = NULL;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			s = xasprintf("%s/%s", src, de->d_name);
			o = xasprintf("%s/%s", dst, de->d_name);
			r = copy_tree(k, s, o);
		}
	} else if (S_ISREG(sb.st_mode)) {
		r = copy_data(src, dst);
	} else if (S_ISLNK(sb.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0)
			return err_set(errno, "readlink %s", src);
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			return err_set(errno, "symlink %s", dst);
	} else if (mknod(dst, sb.st_mode & S_IFMT, sb.st_rdev) < 0) {
		/* Whiteouts (0:0 character devices) and fifos: layers hold no other nodes. */
		return err_set(errno, "mknod %s", dst);
	}
	if (r == 0)
		r = own(k, dst, &sb);
	if (r == 0)
		r = copy_xattrs(src, dst);
	if (r == 0 && utimensat(AT_FDCWD, dst, t, AT_SYMLINK_NOFOLLOW) < 0)
		r = err_set(errno, "set the times of %s", dst);
	return r;
}

/* The topmost layer's path (in layers, topmost first) where rel exists, or NULL. */
static const char *find_in_layers(const struct strv *layers, const char *rel, struct stat *ret)
{
	for (size_t i = 0; i < layers->n; i++) {
		_cleanup_free_ char *p = xasprintf("%s%s", layers->v[i], rel);

		if (lstat(p, ret) == 0)
			return layers->v[i];
	}
	return NULL;
}

/*
 * The file rel of the layers' merged tree (the topmost regular file), with
 * *ret_found saying whether there was one; "" when none.
 */
static char *read_merged(const struct strv *layers, const char *rel, struct stat *ret,
			 bool *ret_found)
{
	const char *l = find_in_layers(layers, rel, ret);
	_cleanup_free_ char *p = l ? xasprintf("%s%s", l, rel) : NULL;
	char *text = NULL;

	*ret_found = l && S_ISREG(ret->st_mode) && image_read_at(AT_FDCWD, p, &text, NULL) == 0;
	return *ret_found ? text : xstrdup("");
}

/* Does a passwd or group text have a line whose third field is id? */
bool image_etc_has_id(const char *text, unsigned long id)
{
	for (const char *p = text; p && *p;) {
		const char *end = p + strcspn(p, "\n"), *f = p;
		unsigned long v;
		char *e;

		for (int i = 0; i < 2 && f < end; i++)
			f = memchr(f, ':', end - f) ? (const char *)memchr(f, ':', end - f) + 1
						    : end;
		if (f < end && *f >= '0' && *f <= '9') {
			v = strtoul(f, &e, 10);
			if (e <= end && *e == ':' && v == id)
				return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * Give dst the owner and mode of like, a file of a keep-id copy (its owners
 * are final), or with no like, root's of the keep-id map and mode.
 */
static int own_like(struct keep_ctx *k, const char *dst, const struct stat *like, mode_t mode)
{
	struct stat root = {.st_mode = mode};

	if (!like)
		return own(k, dst, &root);
	if (lchown(dst, like->st_uid, like->st_gid) < 0 || chmod(dst, like->st_mode & 07777) < 0)
		return err_set(errno, "set the owner of %s", dst);
	return 0;
}

/* The directory rel in the etc layer at top, as it is below (else 0755, root's). */
static int mkdir_like(struct keep_ctx *k, const struct strv *layers, const char *top,
		      const char *rel)
{
	_cleanup_free_ char *dst = xasprintf("%s%s", top, rel);
	struct stat sb;
	bool found = find_in_layers(layers, rel, &sb) && S_ISDIR(sb.st_mode);

	if (mkdir(dst, 0700) < 0 && errno != EEXIST)
		return err_set(errno, "mkdir %s", dst);
	return own_like(k, dst, found ? &sb : NULL, S_IFDIR | 0755);
}

static int write_file(struct keep_ctx *k, const char *path, const char *text,
		      const struct stat *like)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || util_write_all(fd, text, strlen(text)) < 0)
		return err_set(errno, "write %s", path);
	return own_like(k, path, like, S_IFREG | 0644);
}

/* The home directory in the etc layer at top, when the image lacks it: the caller's. */
static int make_home(struct keep_ctx *k, const struct strv *layers, const char *top,
		     const char *home)
{
	_cleanup_free_ char *rel = xstrdup(home), *dst = xasprintf("%s%s", top, home);
	struct stat sb;
	int r = 0;

	if (home[0] != '/' || !home[1] || find_in_layers(layers, home, &sb))
		return 0;
	for (char *s = strchr(rel + 1, '/'); r == 0 && s; s = strchr(s + 1, '/')) {
		*s = '\0';
		r = mkdir_like(k, layers, top, rel);
		*s = '/';
	}
	/* Inner 0 of the default map is the caller, whom keep-id maps to itself. */
	if (r == 0 && (mkdir(dst, 0700) < 0 || lchown(dst, 0, 0) < 0))
		r = err_set(errno, "mkdir %s", dst);
	return r;
}

/*
 * The etc layer for who over layers (keep-id copies, topmost first), made
 * next to prefix unless it exists already. Returns 1 with *ret_path, 0
 * when the image has the caller's entries, or -errno.
 */
static int etc_layer(struct keep_ctx *k, const struct strv *layers, const char *prefix,
		     const struct image_user *who, char **ret_path)
{
	struct stat pw_sb, gr_sb;
	bool have_pw, have_gr;
	_cleanup_free_ char *pw = read_merged(layers, "/etc/passwd", &pw_sb, &have_pw);
	_cleanup_free_ char *gr = read_merged(layers, "/etc/group", &gr_sb, &have_gr);
	_cleanup_free_ char *npw = NULL, *ngr = NULL, *all = NULL, *path = NULL, *tmp = NULL;
	bool add_pw = !image_etc_has_id(pw, who->uid), add_gr = !image_etc_has_id(gr, who->gid);
	char h[65];
	int r = 0;

	if (!add_pw && !add_gr)
		return 0;
	npw = xasprintf("%s%s", pw, *pw && pw[strlen(pw) - 1] != '\n' ? "\n" : "");
	if (add_pw) {
		char *t = xasprintf("%s%s:*:%u:%u:%s:%s:/bin/sh\n", npw, who->name,
				    (unsigned)who->uid, (unsigned)who->gid, who->name, who->home);
		free(npw);
		npw = t;
	}
	ngr = add_gr ? xasprintf("%s%s%s:x:%u:\n", gr,
				 *gr && gr[strlen(gr) - 1] != '\n' ? "\n" : "", who->name,
				 (unsigned)who->gid)
		     : xstrdup(gr);
	all = xasprintf("%s\n%s\n%s", npw, ngr, add_pw ? who->home : "");
	image_sha256_hex(all, strlen(all), h);
	path = xasprintf("%s.etc-%.16s", prefix, h);
	if (access(path, F_OK) == 0) {
		*ret_path = TAKE_PTR(path);
		return 1;
	}
	tmp = xasprintf("%s.tmp-%d", path, (int)getpid());
	if (mkdir(tmp, 0700) < 0)
		return err_set(errno, "mkdir %s", tmp);
	r = mkdir_like(k, layers, tmp, "");
	if (r == 0)
		r = mkdir_like(k, layers, tmp, "/etc");
	if (r == 0 && add_pw) {
		_cleanup_free_ char *f = xasprintf("%s/etc/passwd", tmp);
		r = write_file(k, f, npw, have_pw ? &pw_sb : NULL);
	}
	if (r == 0 && add_gr) {
		_cleanup_free_ char *f = xasprintf("%s/etc/group", tmp);
		r = write_file(k, f, ngr, have_gr ? &gr_sb : NULL);
	}
	if (r == 0 && add_pw)
		r = make_home(k, layers, tmp, who->home);
	if (r == 0 && rename(tmp, path) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		r = err_set(errno, "rename %s", tmp);
	(void)util_rm_rf_at(AT_FDCWD, tmp);
	if (r < 0)
		return r;
	*ret_path = TAKE_PTR(path);
	return 1;
}

static int keep_child(struct keep_ctx *k, struct image_run *img, const char *key,
		      const struct image_user *who, char *ret_etc, size_t size)
{
	struct strv mapped = {0};
	_cleanup_free_ char *etc = NULL;
	int r = 0;

	for (size_t i = 0; r == 0 && i < img->layers.n; i++) {
		char *dst = xasprintf("%s.keep-%s", img->layers.v[i], key);
		_cleanup_free_ char *tmp = xasprintf("%s.tmp-%d", dst, (int)getpid());

		strv_push(&mapped, dst);
		if (access(dst, F_OK) == 0)
			continue;
		r = copy_tree(k, img->layers.v[i], tmp);
		if (r == 0 && rename(tmp, dst) < 0 && errno != EEXIST && errno != ENOTEMPTY)
			r = err_set(errno, "rename %s", tmp);
		(void)util_rm_rf_at(AT_FDCWD, tmp);
	}
	if (r == 0)
		r = etc_layer(k, &mapped, mapped.v[0], who, &etc);
	if (r > 0)
		snprintf(ret_etc, size, "%s", etc);
	strv_free(&mapped);
	return r < 0 ? r : 0;
}

/*
 * Point img's layers at their keep-id copies, made as needed (in the user
 * namespace userns_fd, of the default map def), and put the etc layer for
 * who on top when the image lacks the caller's entries. The caller holds a
 * use record for img (prune keeps HEX.* with HEX). Returns 0 or -errno.
 */
int image_keep_id(struct store *st, int userns_fd, const struct userns_plan *def,
		  const struct userns_plan *keep, const struct image_user *who,
		  struct image_run *img)
{
	_cleanup_close_ int lock = image_store_lock(st, false);
	struct {
		int r;
		char etc[PATH_MAX];
		char msg[ERR_MSG_MAX];
	} res = {0};
	char maps[4 * IDMAP_MAX * 64], h[65];
	size_t len = 0;
	int p[2], status;
	struct strv layers = {0};
	pid_t pid;
	ssize_t n;

	if (lock < 0)
		return lock;
	/* KEY: both maps, so a new /etc/subuid gets new copies. */
	for (int w = 0; w < 4; w++) {
		const struct userns_plan *pl = w < 2 ? def : keep;
		int q = w % 2 ? userns_map_format(pl->gid, pl->n_gid, maps + len,
						  sizeof(maps) - len)
			      : userns_map_format(pl->uid, pl->n_uid, maps + len,
						  sizeof(maps) - len);
		if (q < 0)
			return err_setx(ENOBUFS, "id maps too long");
		len += q;
	}
	image_sha256_hex(maps, len, h);
	h[16] = '\0';

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_set(errno, "fork");
	}
	if (pid == 0) {
		struct keep_ctx k = {.def = def, .keep = keep};

		close(p[0]);
		if (setns(userns_fd, CLONE_NEWUSER) < 0)
			res.r = err_set(errno, "join the user namespace to copy layers");
		else
			res.r = keep_child(&k, img, h, who, res.etc, sizeof(res.etc));
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
		return err_setx(EIO, "the keep-id copy helper died (status %d)", status);
	if (res.r < 0)
		return err_setx(-res.r, "keep-id layers of %s: %s", img->name, res.msg);

	if (res.etc[0])
		strv_push(&layers, xstrdup(res.etc));
	for (size_t i = 0; i < img->layers.n; i++)
		strv_push(&layers, xasprintf("%s.keep-%s", img->layers.v[i], h));
	strv_free(&img->layers);
	img->layers = layers;
	return 0;
}
