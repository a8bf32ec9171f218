/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * overlay.c - the container's writable root
 *
 * ROOTFS, or an image's layers (topmost first), are the lower dirs; upper and work dirs live in the container's
 * store directory. Runs in the child, inside the new user and mount
 * namespaces. We first mount the kernel's overlayfs (Linux 5.11+ allows it
 * in a user namespace with "userxattr", which keeps whiteouts and opaque
 * markers in user.* xattrs). The directories are named by /proc/self/fd
 * links, so no path needs escaping and none can be swapped under us. If
 * the kernel refuses, we start fuse-overlayfs, a helper that serves the
 * same mount from user space; it forks into the background once the mount
 * is up and dies with the container's pid namespace.
 * ROOST_OVERLAY=kernel|fuse forces one of the two (tests, odd hosts).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "roost/err.h"
#include "roost/overlay.h"
#include "roost/util.h"

extern char **environ;

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

static int kernel_overlay(char *const *lower, size_t n_lower, const char *upper, const char *work,
			  const char *target)
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
	data = xasprintf("lowerdir=%s,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,"
			 "userxattr",
			 lowers, ufd, wfd);
	if (strlen(data) >= 4096)
		r = err_setx(E2BIG, "%zu layers do not fit in overlayfs' mount options", n_lower);
	else if (mount("overlay", target, "overlay", 0, data) < 0)
		r = -errno;
out:
	for (size_t i = 0; i < n_lower; i++)
		close(lfd[i]);
	return r;
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

static int fuse_overlay(char *const *lowerv, size_t n_lower, const char *upper, const char *work,
			const char *target)
{
	_cleanup_free_ char *lower = xstrdup("");
	static const char helper[] = "fuse-overlayfs";
	_cleanup_free_ char *opts = NULL;
	posix_spawn_file_actions_t fa;
	char out[512] = "";
	int pipefd[2], status, r, fd;
	pid_t pid;
	ssize_t n;

	/* fuse-overlayfs takes paths in a comma and colon separated option string. */
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
	if (strpbrk(lower, ",\\") || strpbrk(upper, ",:\\") || strpbrk(work, ",:\\"))
		return err_setx(EINVAL,
				"fuse-overlayfs cannot take a path holding ',', ':' or '\\' (%s); "
				"move the root filesystem or the store (XDG_DATA_HOME)",
				lower);

	/* Say exactly what is wrong with /dev/fuse rather than relaying the helper's words. */
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return overlay_fuse_device_error(errno);
	close(fd);

	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	char *argv[] = {(char *)helper, "-o", opts, (char *)target, NULL};

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	r = posix_spawnp(&pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		if (r == ENOENT)
			return err_setx(ENOENT, "fuse-overlayfs is not installed: sudo apt-get "
						"install fuse-overlayfs");
		return err_set(r, "run fuse-overlayfs");
	}
	/* The daemon keeps the pipe's write end: read only until the foreground part exits. */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait for fuse-overlayfs");
	(void)fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	n = read(pipefd[0], out, sizeof(out) - 1);
	close(pipefd[0]);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_setx(EIO, "fuse-overlayfs failed: %s", out[0] ? out : "no message");
	return 0;
}

/*
 * Mount the overlay of the lower dirs (topmost first) on target. Returns 0; note gets a line for the user
 * when the fuse fallback was taken (empty otherwise).
 */
int overlay_mount(char *const *lower, size_t n_lower, const char *upper, const char *work,
		  const char *target, enum overlay_mode mode, char *note, size_t note_size)
{
	int r;

	note[0] = '\0';
	if (mode != OVERLAY_FUSE) {
		r = kernel_overlay(lower, n_lower, upper, work, target);
		if (r == 0)
			return 0;
		if (mode == OVERLAY_KERNEL)
			return err_set(r, "mount overlayfs on %s (ROOST_OVERLAY=kernel)", target);
		snprintf(note, note_size,
			 "the kernel refused overlayfs in a user namespace (%s; it needs Linux "
			 "5.11+): using fuse-overlayfs, which is slower",
			 strerror(-r));
	}
	return fuse_overlay(lower, n_lower, upper, work, target);
}
