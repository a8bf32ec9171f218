/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlay.c - the container's writable root
 *
 * ROOTFS, or an image's layers (topmost first), are the lower dirs; upper
 * and work dirs live in the container's store directory.
 *
 * In the child, inside the new user and mount namespaces, overlay_mount()
 * first asks the kernel: Linux 5.11+ mounts overlayfs in a user namespace
 * with "userxattr" (whiteouts and opaque markers in user.overlay.*);
 * Ubuntu's kernels before 5.11 do it without, when the module parameter
 * permit_mounts_in_userns is Y (overlay_flavour() decides which). The
 * directories are named by /proc/self/fd links, so no path needs escaping
 * and none can be swapped under us. If the kernel refuses, the measured
 * cause goes into the note, and the child opens /dev/fuse and mounts the
 * fuse filesystem itself (as fuse-overlayfs would: fd=N, rootmode,
 * allow_other, default_permissions), then hands the fd to roost.
 *
 * In roost, overlay_fuse_start() serves that fd: fuse-overlayfs runs as
 * roost's child, in the host's pid and mount namespaces (so it never
 * depends on the tree it serves, and roost kills and reaps it, also with
 * --pid=host), inside a user namespace of its own with the container's id
 * map. Container root holds no capability over that namespace, so even
 * with --privileged --pid=host it cannot reach the daemon's fds, root or
 * memory through /proc (the kernel's ptrace access check). The daemon's
 * death while the container runs is said in one line.
 * ROOST_OVERLAY=kernel|fuse forces one of the two (tests, odd hosts).
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>

#include "roost/err.h"
#include "roost/overlay.h"
#include "roost/userns.h"
#include "roost/util.h"

int overlay_parse_mode(const char *s, enum overlay_mode *ret)
{
	if (!s || !*s || !strcmp(s, "auto"))
		*ret = OVERLAY_AUTO;
	else if (!strcmp(s, "kernel"))
		*ret = OVERLAY_KERNEL;
	else if (!strcmp(s, "fuse"))
		*ret = OVERLAY_FUSE;
	else
		return err_setx(EINVAL, "ROOST_OVERLAY=%s: want auto, kernel or fuse", s);
	return 0;
}

/*
 * Which overlayfs the kernel under root ("" for the host; tests give a
 * fake tree) lets a user namespace mount, from its release and Ubuntu's
 * /sys/module/overlay/parameters/permit_mounts_in_userns. why gets the
 * reason and the fix when the answer is OVERLAY_REFUSED. An unreadable
 * release leaves the decision to the mount: OVERLAY_USERXATTR.
 */
enum overlay_flavour overlay_flavour(const char *root, char *why, size_t why_size)
{
	_cleanup_free_ char *rel_path = xasprintf("%s/proc/sys/kernel/osrelease", root);
	_cleanup_free_ char *param_path =
		xasprintf("%s/sys/module/overlay/parameters/permit_mounts_in_userns", root);
	unsigned maj = 0, min = 0;
	char rel[128], param[8];
	int r;

	why[0] = '\0';
	if (util_read_file(rel_path, rel, sizeof(rel)) < 0 || sscanf(rel, "%u.%u", &maj, &min) != 2)
		return OVERLAY_USERXATTR;
	rel[strcspn(rel, "\n")] = '\0';
	if (maj > 5 || (maj == 5 && min >= 11))
		return OVERLAY_USERXATTR;
	r = util_read_file(param_path, param, sizeof(param));
	if (r > 0 && param[0] == 'Y')
		return OVERLAY_TRUSTED;
	if (r >= 0)
		snprintf(why, why_size,
			 "Linux %s mounts overlayfs in a user namespace only with "
			 "permit_mounts_in_userns, which is N (fix: add 'options overlay "
			 "permit_mounts_in_userns=1' to a file in /etc/modprobe.d, then reload "
			 "the module: sudo modprobe -r overlay && sudo modprobe overlay)",
			 rel);
	else
		snprintf(why, why_size,
			 "Linux %s refuses overlayfs in a user namespace (5.11 and later allow it)",
			 rel);
	return OVERLAY_REFUSED;
}

static int kernel_overlay(char *const *lower, size_t n_lower, const char *upper, const char *work,
			  const char *target, bool userxattr)
{
	_cleanup_close_ int ufd = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int wfd = open(work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ int *lfd = xcalloc(n_lower, sizeof(int));
	_cleanup_free_ char *lowers = xstrdup(""), *data = NULL;
	int r = 0;

	if (ufd < 0 || wfd < 0)
		return -errno;
	/* Short /proc/self/fd names keep many layers within the one-page option limit. */
	for (size_t i = 0; i < n_lower; i++) {
		char *l;

		lfd[i] = open(lower[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (lfd[i] < 0) {
			r = -errno;
			n_lower = i;
			goto out;
		}
		l = xasprintf("%s%s/proc/self/fd/%d", lowers, i ? ":" : "", lfd[i]);
		free(lowers);
		lowers = l;
	}
	data = xasprintf("lowerdir=%s,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d%s", lowers,
			 ufd, wfd, userxattr ? ",userxattr" : "");
	if (strlen(data) >= 4096)
		r = err_setx(E2BIG, "%zu layers do not fit in overlayfs' mount options", n_lower);
	else if (mount("overlay", target, "overlay", 0, data) < 0)
		r = -errno;
out:
	for (size_t i = 0; i < n_lower; i++)
		close(lfd[i]);
	return r;
}

/* Filesystems whose dentries revalidate: overlayfs takes none of them as its upper dir. */
static const struct {
	unsigned long magic;
	const char *name;
} remote_fs[] = {
	{0x794C7630, "overlayfs"}, {0x65735546, "fuse"}, {0x6969, "nfs"},    {0xFF534D42, "cifs"},
	{0xFE534D42, "smb2"},	   {0x00C36400, "ceph"}, {0x01021997, "9p"}, {0xF15F, "ecryptfs"},
};

/*
 * The kernel refused the mount with -e: find out why from the upper dir
 * (the kernel tells only its log) and say it in buf.
 */
static void kernel_refusal(const char *upper, int e, char *buf, size_t size)
{
	struct statfs sf = {0};

	if (statfs(upper, &sf) == 0)
		for (size_t i = 0; i < ARRAY_SIZE(remote_fs); i++)
			if ((unsigned long)sf.f_type == remote_fs[i].magic) {
				snprintf(buf, size,
					 "the store is on %s, which overlayfs refuses as its "
					 "upper directory (%s)",
					 remote_fs[i].name, upper);
				return;
			}
	if (setxattr(upper, "user.roost.probe", "1", 1, 0) < 0) {
		snprintf(buf, size,
			 "the store's filesystem (0x%lx) refuses user xattrs (%s), which "
			 "overlayfs needs in a user namespace",
			 (unsigned long)sf.f_type, strerror(errno));
		return;
	}
	(void)removexattr(upper, "user.roost.probe");
	snprintf(buf, size, "the kernel refused overlayfs in a user namespace (%s)", strerror(-e));
}

/*
 * open("/dev/fuse") failed with errno e: set the message with the cause and
 * the fix (roost doctor prints the same). Returns -e.
 */
int overlay_fuse_device_error(int e)
{
	struct stat st;

	if (e == ENOENT)
		return err_setx(ENOENT, "/dev/fuse does not exist, and fuse-overlayfs needs "
					"it: load the module (sudo modprobe fuse)");
	if (stat("/dev/fuse", &st) == 0)
		return err_setx(e,
				"/dev/fuse is not accessible (mode %04o) and fuse-overlayfs "
				"needs it: sudo chmod 0666 /dev/fuse (as distributions ship "
				"it)",
				(unsigned)(st.st_mode & 07777));
	return err_set(e, "open /dev/fuse");
}

/* fuse-overlayfs takes paths in a comma and colon separated option string. */
static int fuse_options(char *const *lowerv, size_t n_lower, const char *upper, const char *work,
			char **ret)
{
	_cleanup_free_ char *lower = xstrdup("");

	for (size_t i = 0; i < n_lower; i++) {
		char *l;

		if (strpbrk(lowerv[i], ",:\\"))
			return err_setx(
				EINVAL,
				"fuse-overlayfs cannot take a path holding ',', ':' or '\\' "
				"(%s); move the root filesystem or the store (XDG_DATA_HOME)",
				lowerv[i]);
		l = xasprintf("%s%s%s", lower, i ? ":" : "", lowerv[i]);
		free(lower);
		lower = l;
	}
	if (strpbrk(upper, ",:\\") || strpbrk(work, ",:\\"))
		return err_setx(EINVAL,
				"fuse-overlayfs cannot take a path holding ',', ':' or '\\' (%s); "
				"move the store (XDG_DATA_HOME)",
				upper);
	*ret = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	return 0;
}

/*
 * The child's half of the fallback: mount the fuse filesystem on target
 * from a fresh /dev/fuse, as fuse-overlayfs would mount it. Returns the
 * /dev/fuse fd, for roost's daemon to serve.
 */
static int fuse_mount(char *const *lower, size_t n_lower, const char *upper, const char *work,
		      const char *target)
{
	_cleanup_free_ char *opts = NULL, *helper = userns_find_helper("fuse-overlayfs");
	_cleanup_close_ int fd = -1;
	char data[128];
	int r = fuse_options(lower, n_lower, upper, work, &opts);

	if (r < 0)
		return r;
	/* Before the mount: a mount nobody will serve would hang the first lookup. */
	if (!helper)
		return err_setx(
			ENOENT,
			"fuse-overlayfs is not installed: sudo apt-get install fuse-overlayfs");
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return overlay_fuse_device_error(errno);
	snprintf(data, sizeof(data),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other", fd);
	if (mount("fuse-overlayfs", target, "fuse.fuse-overlayfs", MS_NODEV | MS_NOATIME, data) < 0)
		return err_set(errno, "mount the fuse filesystem on %s", target);
	return TAKE_FD(fd);
}

/*
 * Mount the overlay of the lower dirs (topmost first) on target. Returns
 * 0; *ret_fuse_fd is -1 for the kernel's overlayfs, else the /dev/fuse fd
 * that roost must serve (overlay_fuse_start()), and note then has a line
 * for the user with the measured reason.
 */
int overlay_mount(char *const *lower, size_t n_lower, const char *upper, const char *work,
		  const char *target, enum overlay_mode mode, int *ret_fuse_fd, char *note,
		  size_t note_size)
{
	char why[512] = "";
	int r;

	note[0] = '\0';
	*ret_fuse_fd = -1;
	if (mode != OVERLAY_FUSE) {
		enum overlay_flavour f = overlay_flavour("", why, sizeof(why));

		/* Image layers mark opaque directories in user.* xattrs, read only with userxattr. */
		if (f == OVERLAY_TRUSTED && n_lower > 1) {
			f = OVERLAY_REFUSED;
			snprintf(why, sizeof(why),
				 "overlayfs without userxattr (permit_mounts_in_userns) does not "
				 "read the opaque markers of image layers");
		}
		r = f == OVERLAY_REFUSED ? -EPERM
					 : kernel_overlay(lower, n_lower, upper, work, target,
							  f == OVERLAY_USERXATTR);
		if (r == 0)
			return 0;
		if (r != -EPERM || f != OVERLAY_REFUSED)
			kernel_refusal(upper, r, why, sizeof(why));
		if (mode == OVERLAY_KERNEL)
			return err_setx(-r, "mount overlayfs on %s (ROOST_OVERLAY=kernel): %s",
					target, why);
		snprintf(note, note_size, "%s: using fuse-overlayfs, which is slower", why);
	}
	r = fuse_mount(lower, n_lower, upper, work, target);
	if (r < 0)
		return r;
	*ret_fuse_fd = r;
	return 0;
}

static _Noreturn void fuse_helper(char *opts, int fuse_fd, int userns_fd, int err_fd, pid_t roost)
{
	int keep[] = {fuse_fd, userns_fd}, null_fd;
	char mnt[32];

	util_helper_start(roost);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd, STDERR_FILENO) < 0)
		_exit(127);
	util_close_all_except(keep, ARRAY_SIZE(keep));
	if (setns(userns_fd, CLONE_NEWUSER) < 0) {
		dprintf(STDERR_FILENO, "join its user namespace: %s\n", strerror(errno));
		_exit(127);
	}
	close(userns_fd);
	/* Root of that namespace, as fuse-overlayfs expects (it is not yet with keep-id). */
	(void)setgroups(0, NULL);
	(void)setresgid(0, 0, 0);
	(void)setresuid(0, 0, 0);
	/* A change of credentials clears the parent-death signal. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != roost)
		_exit(0);
	if (fcntl(fuse_fd, F_SETFD, 0) < 0)
		_exit(127);
	snprintf(mnt, sizeof(mnt), "/dev/fd/%d", fuse_fd);
	char *argv[] = {"fuse-overlayfs", "-f", "-o", opts, mnt, NULL};
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "exec fuse-overlayfs: %s\n", strerror(errno));
	_exit(127);
}

/*
 * Serve fuse_fd (from overlay_mount() in the child) with fuse-overlayfs,
 * started as our child in the user namespace userns_fd (one with the
 * container's id map, not the container's own). Returns 0 and the daemon
 * in *ret; the caller keeps its copies of both fds.
 */
int overlay_fuse_start(char *const *lower, size_t n_lower, const char *upper, const char *work,
		       int fuse_fd, int userns_fd, struct overlay_fuse *ret)
{
	_cleanup_free_ char *opts = NULL;
	pid_t roost = getpid(), pid;
	int p[2], r = fuse_options(lower, n_lower, upper, work, &opts);

	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	pid = fork();
	if (pid < 0) {
		r = err_set(errno, "fork fuse-overlayfs");
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0)
		fuse_helper(opts, fuse_fd, userns_fd, p[1], roost);
	close(p[1]);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	ret->pid = pid;
	ret->err_fd = p[0];
	return 0;
}

/* The last line the daemon wrote that is not its start-up chatter. */
static void last_words(int fd, char *buf, size_t size)
{
	char all[4096];
	ssize_t n = fd >= 0 ? read(fd, all, sizeof(all) - 1) : -1;
	char *save = NULL, *line;

	buf[0] = '\0';
	all[n > 0 ? n : 0] = '\0';
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "unknown argument ignored", 24) != 0)
			snprintf(buf, size, "%s", line);
}

/*
 * After a SIGCHLD: if the daemon has ended, reap it. Returns true when it
 * died while it still had a mount to serve (a signal, or an error status;
 * it exits 0 once the container's mount is gone), with the one line for
 * the user in err_msg().
 */
bool overlay_fuse_reap(struct overlay_fuse *f)
{
	char words[256];
	int status;

	if (f->pid <= 0 || waitpid(f->pid, &status, WNOHANG) != f->pid)
		return false;
	f->pid = 0;
	last_words(f->err_fd, words, sizeof(words));
	close(f->err_fd);
	f->err_fd = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return false;
	if (WIFSIGNALED(status))
		err_setx(EIO,
			 "fuse-overlayfs died (signal %d): the container's root filesystem is gone",
			 WTERMSIG(status));
	else
		err_setx(EIO,
			 "fuse-overlayfs died (status %d%s%s): the container's root filesystem is "
			 "gone",
			 WEXITSTATUS(status), words[0] ? ": " : "", words);
	return true;
}

/* Kill and reap the daemon (the container has ended: nothing is left to serve). */
int overlay_fuse_stop(struct overlay_fuse *f)
{
	if (f->pid <= 0)
		return 0;
	return util_helper_stop(&f->pid, &f->err_fd, "fuse-overlayfs");
}
