/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs.c - the container's mounts, from a plan
 *
 * rootfs_plan() turns a spec into a list of mount ops (pure apart from
 * reading which of /bin, /lib* are symlinks on the host). rootfs_apply()
 * walks the list inside the new mount namespace, before pivot_root, with
 * every target resolved inside the new root (openat2 RESOLVE_IN_ROOT), so
 * a symlink in an image cannot send a mount outside it. Order:
 *   1. the root itself (overlay.c, or a tmpfs for the host system),
 *   2. host directories (host system only), tmpfs for --read-only,
 *   3. /proc, /dev, /sys and the masked and read-only paths,
 *   4. the user's volumes, then the user's tmpfs.
 * Bind sources are cloned (open_tree) before the root is mounted: a volume
 * whose source holds the store (-v "$HOME:$HOME") must not bring along a
 * copy of the container's own root and its mounts.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "roost/err.h"
#include "roost/log.h"
#include "roost/rootfs.h"

/* The host system: what is shared read-only, in this order. */
static const char *const host_dirs[] = {"/usr",	  "/bin",    "/sbin", "/lib", "/lib32",
					"/lib64", "/libx32", "/etc",  "/opt"};

/* The host system: private and empty. */
static const struct {
	const char *dst, *data;
} host_tmpfs[] = {
	{"/home", "mode=0755"}, {"/tmp", "mode=1777"},	   {"/run", "mode=0755"},
	{"/root", "mode=0700"}, {"/var/tmp", "mode=1777"},
};

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
	const char *name, *target;
} dev_links[] = {
	{"/dev/ptmx", "pts/ptmx"},	    {"/dev/fd", "/proc/self/fd"},
	{"/dev/stdin", "/proc/self/fd/0"},  {"/dev/stdout", "/proc/self/fd/1"},
	{"/dev/stderr", "/proc/self/fd/2"},
};

/* Kernel interfaces that leak host information or reach host hardware. */
static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
};

/* Files roost writes for the container (net.c), bound over the image's. */
static const char *const etc_files[] = {"hosts", "hostname", "resolv.conf"};

/* --ipc=host: the host's, bound. */
static const char *const ipc_dirs[] = {"/dev/shm", "/dev/mqueue"};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

/*
 * Build s->plan: the defaults, the files of etc_dir (hosts, hostname,
 * resolv.conf, as written by net_write_etc(); NULL for none), then the
 * user's volumes and tmpfs.
 */
int rootfs_plan(struct spec *s, const char *etc_dir)
{
	struct mount_plan *p = &s->plan;

	if (!s->rootfs) {
		for (size_t i = 0; i < ARRAY_SIZE(host_dirs); i++) {
			char target[PATH_MAX];
			struct stat st;
			ssize_t n;

			if (lstat(host_dirs[i], &st) < 0)
				continue;
			if (S_ISLNK(st.st_mode)) {
				n = readlink(host_dirs[i], target, sizeof(target) - 1);
				if (n < 0)
					continue;
				target[n] = '\0';
				mount_plan_add(p, MK_SYMLINK, target, host_dirs[i], 0, NULL, 0);
			} else if (S_ISDIR(st.st_mode)) {
				mount_plan_add(p, MK_BIND, host_dirs[i], host_dirs[i], MS_REC, NULL,
					       MOP_RO);
			}
		}
		for (size_t i = 0; i < ARRAY_SIZE(host_tmpfs); i++)
			mount_plan_add(p, MK_TMPFS, "tmpfs", host_tmpfs[i].dst,
				       MS_NOSUID | MS_NODEV, host_tmpfs[i].data, 0);
	} else if (s->read_only) {
		mount_plan_add(p, MK_TMPFS, "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777", 0);
		mount_plan_add(p, MK_TMPFS, "tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=0755", 0);
	}

	/* The kernel refuses a new proc for a pid namespace our user namespace does not own. */
	if (s->pid_host)
		mount_plan_add(p, MK_BIND, "/proc", "/proc", MS_REC, NULL, 0);
	else
		mount_plan_add(p, MK_PROC, "proc", "/proc", NOSUID_NODEV_NOEXEC, NULL, 0);

	mount_plan_add(p, MK_TMPFS, "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME,
		       "mode=0755,size=65536k", 0);
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		_cleanup_free_ char *dst = xasprintf("/dev/%s", dev_nodes[i]);
		mount_plan_add(p, MK_DEVNODE, dst, dst, 0, NULL, MOP_FILE);
	}
	/* gid=5 (tty) only exists with a full id map; rootfs_apply() retries without. */
	mount_plan_add(p, MK_DEVPTS, "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
		       "newinstance,ptmxmode=0666,mode=0620,gid=5", 0);
	/* Sharing the host's IPC: its /dev/shm and /dev/mqueue (a new mqueue would be refused). */
	if (s->ipc_host) {
		for (size_t i = 0; i < ARRAY_SIZE(ipc_dirs); i++)
			if (access(ipc_dirs[i], F_OK) == 0)
				mount_plan_add(p, MK_BIND, ipc_dirs[i], ipc_dirs[i], MS_REC, NULL,
					       MOP_OPTIONAL);
	} else {
		mount_plan_add(p, MK_TMPFS, "shm", "/dev/shm", NOSUID_NODEV_NOEXEC,
			       "mode=1777,size=65536k", 0);
		mount_plan_add(p, MK_MQUEUE, "mqueue", "/dev/mqueue", NOSUID_NODEV_NOEXEC, NULL,
			       MOP_OPTIONAL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		mount_plan_add(p, MK_SYMLINK, dev_links[i].target, dev_links[i].name, 0, NULL, 0);

	/* --privileged: /sys writable where the user namespace may write, nothing masked. */
	mount_plan_add(p, MK_SYSFS, "sysfs", "/sys", NOSUID_NODEV_NOEXEC, NULL,
		       s->privileged ? 0 : MOP_RO);
	/* cgroup v1, v2 or hybrid: a container that does not need it must not care. */
	mount_plan_add(p, MK_CGROUP2, "cgroup2", "/sys/fs/cgroup", NOSUID_NODEV_NOEXEC, NULL,
		       (s->privileged ? 0 : MOP_RO) | MOP_OPTIONAL | MOP_IF_EXISTS);

	for (size_t i = 0; !s->privileged && i < ARRAY_SIZE(masked_paths); i++)
		mount_plan_add(p, MK_MASK, NULL, masked_paths[i], 0, NULL, MOP_IF_EXISTS);
	for (size_t i = 0; !s->privileged && i < ARRAY_SIZE(readonly_paths); i++)
		mount_plan_add(p, MK_RDONLY, NULL, readonly_paths[i], 0, NULL, MOP_IF_EXISTS);

	for (size_t i = 0; etc_dir && i < ARRAY_SIZE(etc_files); i++) {
		_cleanup_free_ char *src = xasprintf("%s/%s", etc_dir, etc_files[i]);
		_cleanup_free_ char *dst = xasprintf("/etc/%s", etc_files[i]);

		/* An image whose /etc we may not write (owned by unmapped ids) keeps its own. */
		if (access(src, F_OK) == 0)
			mount_plan_add(p, MK_BIND, src, dst, 0, NULL, MOP_FILE | MOP_OPTIONAL);
	}
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct volume *v = &s->volumes[i];
		mount_plan_add(p, MK_BIND, v->src, v->dst, MS_REC, NULL,
			       (v->ro ? MOP_RO : 0) | (v->file ? MOP_FILE : 0));
		p->ops[p->n - 1].src_fd = v->fd; /* what was checked, not the path again */
	}
	for (size_t i = 0; i < s->tmpfs.n; i++) {
		struct tmpfs_opt t;

		/* Checked by opt.c already: DST[:OPTIONS]. */
		if (opt_parse_tmpfs(s->tmpfs.v[i], &t) < 0)
			return -EINVAL;
		mount_plan_add(p, MK_TMPFS, "tmpfs", t.dst, t.mflags, t.data, 0);
		free(t.dst);
	}
	return 0;
}

static int open_resolved(int root_fd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(root_fd, path, flags | O_CLOEXEC); /* Linux < 5.6 */
	return fd < 0 ? -errno : fd;
}

/*
 * Open path inside the tree at root_fd, symlinks resolved as if root_fd
 * were "/". With create, missing parents are made (0755) and the last
 * component becomes a directory (dir) or an empty file. Returns an fd.
 */
int rootfs_open_in_root(int root_fd, const char *path, int flags, bool create, bool dir)
{
	char buf[PATH_MAX], *base, *parent;
	_cleanup_close_ int pfd = -1;
	int fd;

	fd = open_resolved(root_fd, path, flags);
	if (fd != -ENOENT || !create)
		return fd;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	while (strlen(buf) > 1 && buf[strlen(buf) - 1] == '/')
		buf[strlen(buf) - 1] = '\0';
	base = strrchr(buf, '/');
	if (!base)
		return -EINVAL;
	*base++ = '\0';
	parent = buf[0] ? buf : "/";

	pfd = rootfs_open_in_root(root_fd, parent, O_PATH | O_DIRECTORY, true, true);
	if (pfd < 0)
		return pfd;
	if (dir) {
		if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST)
			return -errno;
	} else {
		int f = openat(pfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f < 0 && errno != EEXIST)
			return -errno;
		if (f >= 0)
			close(f);
	}
	return open_resolved(root_fd, path, flags);
}

/*
 * Make the mount at path (called what in messages) read-only; with recursive, every mount below it
 * too. mount_setattr (Linux 5.12) leaves the other flags alone; before it,
 * a remount must repeat the flags the kernel locked when the mount came
 * from a more privileged namespace, or it fails with EPERM.
 */
int rootfs_make_readonly(const char *path, const char *what, bool recursive)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	static const struct {
		unsigned long st, ms;
	} keep[] = {
		{ST_NOSUID, MS_NOSUID},		{ST_NODEV, MS_NODEV},
		{ST_NOEXEC, MS_NOEXEC},		{ST_NOATIME, MS_NOATIME},
		{ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
	};
	unsigned long fl = MS_REMOUNT | MS_BIND | MS_RDONLY;
	struct statvfs sv;

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr,
		    sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return err_set(errno, "make %s read-only", what);

	if (statvfs(path, &sv) < 0)
		return err_set(errno, "statvfs %s", what);
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (sv.f_flag & keep[i].st)
			fl |= keep[i].ms;
	if (mount(NULL, path, NULL, fl, NULL) < 0)
		return err_set(errno, "make %s read-only", what);
	return 0;
}

static int mount_at(const char *src, int fd, const char *type, unsigned long flags,
		    const char *data)
{
	char target[64];

	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	/* A NULL source binds the target onto itself. */
	return mount(src ? src : target, target, type, flags, data) < 0 ? -errno : 0;
}

/* Re-open dst after mounting on it: the old fd still names the covered directory. */
static int readonly_at(int root_fd, const char *dst, bool recursive)
{
	char path[64];
	_cleanup_close_ int fd = open_resolved(root_fd, dst, O_PATH);

	if (fd < 0)
		return err_set(fd, "open %s", dst);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return rootfs_make_readonly(path, dst, recursive);
}

static int apply_symlink(int root_fd, const struct mount_op *op)
{
	_cleanup_free_ char *copy = xstrdup(op->dst);
	_cleanup_close_ int pfd = -1;
	char *base = strrchr(copy, '/');

	*base++ = '\0';
	pfd = rootfs_open_in_root(root_fd, copy[0] ? copy : "/", O_PATH | O_DIRECTORY, true, true);
	if (pfd < 0)
		return err_set(pfd, "create %s", op->dst);
	if (symlinkat(op->src, pfd, base) < 0 && errno != EEXIST)
		return err_set(errno, "symlink %s -> %s", op->dst, op->src);
	return 0;
}

/*
 * A file mount point that is a dangling symlink (resolv.conf -> /run/...):
 * in a writable layer the link is replaced by a file; where the link is
 * read-only (the host's /etc), its target is created instead, one level.
 */
static int open_file_target(int root_fd, const char *dst)
{
	_cleanup_free_ char *copy = xstrdup(dst), *path = NULL;
	_cleanup_close_ int pfd = -1;
	char target[PATH_MAX], *base = strrchr(copy, '/');
	ssize_t n;

	*base++ = '\0';
	pfd = rootfs_open_in_root(root_fd, copy[0] ? copy : "/", O_PATH | O_DIRECTORY, true, true);
	if (pfd < 0)
		return pfd;
	n = readlinkat(pfd, base, target, sizeof(target) - 1);
	if (n < 0)
		return -ENOENT;
	target[n] = '\0';
	if (unlinkat(pfd, base, 0) == 0)
		return rootfs_open_in_root(root_fd, dst, O_PATH, true, false);
	path = target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", copy, target);
	return rootfs_open_in_root(root_fd, path, O_PATH, true, false);
}

static int apply_one(int root_fd, const struct mount_op *op, int src_fd)
{
	bool dir = !(op->flags & MOP_FILE);
	bool create = !(op->flags & MOP_IF_EXISTS);
	_cleanup_close_ int fd = -1;
	unsigned long ro;
	struct stat st;
	int r;

	if (op->kind == MK_SYMLINK)
		return apply_symlink(root_fd, op);

	fd = rootfs_open_in_root(root_fd, op->dst, O_PATH, create, dir);
	if ((fd == -ENOENT || fd == -ELOOP) && create && !dir)
		fd = open_file_target(root_fd, op->dst);
	if (fd == -ENOENT && !create)
		return 0;
	if (fd == -EROFS)
		return err_setx(EROFS,
				"cannot create mount point %s: its parent is read-only; create it "
				"in the root filesystem first",
				op->dst);
	if (fd < 0)
		return err_set(fd, "create mount point %s", op->dst);

	switch (op->kind) {
	case MK_BIND:
		if (src_fd >= 0) {
			if (syscall(SYS_move_mount, src_fd, "", fd, "",
				    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
				return err_set(errno, "bind %s on %s", op->src, op->dst);
			break;
		}
		/* fall through */
	case MK_DEVNODE:
		r = mount_at(op->src, fd, NULL, MS_BIND | op->mflags, NULL);
		if (r < 0)
			return err_set(r, "bind %s on %s", op->src, op->dst);
		break;
	case MK_TMPFS:
		r = mount_at(op->src, fd, "tmpfs", op->mflags, op->data);
		if (r < 0)
			return err_set(r, "mount tmpfs on %s", op->dst);
		break;
	case MK_PROC:
		r = mount_at("proc", fd, "proc", op->mflags, NULL);
		if (r < 0)
			return err_set(r,
				       "mount proc on %s (is the host's /proc partly covered, "
				       "as inside another container?)",
				       op->dst);
		break;
	case MK_SYSFS:
		ro = op->flags & MOP_RO ? MS_RDONLY : 0;
		r = mount_at("sysfs", fd, "sysfs", op->mflags | ro, NULL);
		if (r == -EPERM || r == -EACCES) {
			/* The host's network namespace is not ours: sysfs needs that. */
			r = mount_at("/sys", fd, NULL, MS_BIND | MS_REC, NULL);
			if (r == 0 && ro)
				r = readonly_at(root_fd, op->dst, true);
		}
		if (r < 0)
			return err_set(r, "mount sysfs on %s", op->dst);
		return 0;
	case MK_DEVPTS:
		r = mount_at("devpts", fd, "devpts", op->mflags, op->data);
		if (r == -EINVAL) /* gid 5 is not mapped: a single-id map */
			r = mount_at("devpts", fd, "devpts", op->mflags,
				     "newinstance,ptmxmode=0666,mode=0620");
		if (r < 0)
			return err_set(r, "mount devpts on %s", op->dst);
		break;
	case MK_MQUEUE:
		r = mount_at("mqueue", fd, "mqueue", op->mflags, NULL);
		if (r < 0)
			return err_set(r, "mount mqueue on %s", op->dst);
		break;
	case MK_CGROUP2:
		ro = op->flags & MOP_RO ? MS_RDONLY : 0;
		r = mount_at("cgroup2", fd, "cgroup2", op->mflags | ro, NULL);
		if (r < 0)
			return err_set(r, "mount cgroup2 on %s", op->dst);
		return 0;
	case MK_MASK:
		if (fstat(fd, &st) < 0)
			return err_set(errno, "stat %s", op->dst);
		if (S_ISDIR(st.st_mode))
			r = mount_at("tmpfs", fd, "tmpfs", MS_RDONLY | NOSUID_NODEV_NOEXEC,
				     "size=0,mode=0555");
		else
			r = mount_at("/dev/null", fd, NULL, MS_BIND, NULL);
		if (r < 0)
			return err_set(r, "mask %s", op->dst);
		return 0;
	case MK_RDONLY:
		r = mount_at(NULL, fd, NULL, MS_BIND | MS_REC, NULL);
		if (r < 0)
			return err_set(r, "bind %s", op->dst);
		return readonly_at(root_fd, op->dst, true);
	case MK_SYMLINK:
		break;
	}
	if (op->flags & MOP_RO)
		return readonly_at(root_fd, op->dst, op->mflags & MS_REC);
	return 0;
}

/*
 * Clone the source tree of every bind in the plan into a detached mount
 * (Linux 5.2+), before anything is mounted in the container's root.
 * ret_fds[i] is -1 where nothing was cloned (other kinds, older kernels).
 */
/*
 * A source roost checked (want_fd, opened in the host's mount namespace,
 * which the kernel will not clone from ours) found again in our own: the
 * path it resolved to, opened without following any symlink, must be the
 * same inode. A source replaced or swapped for a symlink in between is
 * refused, never mounted. Returns an O_PATH fd.
 */
int rootfs_same_source(const char *path, int want_fd, const char *what)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
	struct stat want, got;
	int fd;

	if (fstat(want_fd, &want) < 0)
		return err_set(errno, "%s %s", what, path);
	fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW); /* Linux < 5.6 */
	if (fd >= 0 && fstat(fd, &got) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		if (fd >= 0)
			close(fd);
		return err_setx(ESTALE,
				"%s %s changed while the container started (replaced or swapped "
				"for a symlink); nothing was mounted: start it again",
				what, path);
	}
	return fd;
}

int rootfs_clone_sources(const struct mount_plan *p, int *ret_fds)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct mount_op *op = &p->ops[i];
		unsigned int fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
		int fd;

		ret_fds[i] = -1;
		if (op->kind != MK_BIND)
			continue;
		if (op->mflags & MS_REC)
			fl |= AT_RECURSIVE;
		if (op->src_fd >= 0) {
			int r = rootfs_same_source(op->src, op->src_fd, "volume source");

			if (r < 0)
				return r;
			fd = syscall(SYS_open_tree, r, "", fl | AT_EMPTY_PATH);
			close(r);
		} else {
			fd = syscall(SYS_open_tree, AT_FDCWD, op->src, fl);
		}
		if (fd < 0 && errno == ENOSYS)
			return 0;
		if (fd < 0)
			return err_set(errno, "bind %s", op->src);
		ret_fds[i] = fd;
	}
	return 0;
}

/*
 * Walk the plan inside the root at root_fd. Host paths are still visible;
 * src_fds (from rootfs_clone_sources(), or NULL) are consumed.
 */
int rootfs_apply(int root_fd, const struct mount_plan *p, int *src_fds)
{
	for (size_t i = 0; i < p->n; i++) {
		int r = apply_one(root_fd, &p->ops[i], src_fds ? src_fds[i] : -1);

		if (src_fds && src_fds[i] >= 0) {
			close(src_fds[i]);
			src_fds[i] = -1;
		}

		if (r < 0 && (p->ops[i].flags & MOP_OPTIONAL)) {
			log_debug("skipping %s: %s", p->ops[i].dst, err_msg());
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Make root the new "/" and detach the old one, so nothing of the host stays reachable. */
int rootfs_pivot(const char *root)
{
	if (chdir(root) < 0)
		return err_set(errno, "chdir %s", root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(errno, "pivot_root %s", root);
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(errno, "detach the old root");
	if (chdir("/") < 0)
		return err_set(errno, "chdir /");
	return 0;
}
