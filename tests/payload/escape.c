/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape.c - a static test program for the escape suite: what container root tries
 *
 *   escape tiocsti TEXT          push TEXT into the input of fds 0, 1, 2 and /dev/tty
 *                                (TIOCSTI): "fd0=ERRNO fd1=... tty=..." ("ok": it went in)
 *   escape tioclinux             TIOCLINUX (paste selection) on fds 0..2: "fd0=ERRNO ..."
 *   escape keysession DESC SECRET CMD...
 *                                join a new session keyring, add a "user" key DESC to it
 *                                and to the user keyring, then exec CMD (run on the host)
 *   escape findkey DESC          search the session, user and user-session keyrings:
 *                                "s=ENOKEY u=... us=..." or "s=found:SECRET ..."
 *   escape open PATH r|w|rw|path open(2): "ok" or the errno's name
 *   escape write PATH            create/truncate PATH and write "X": "ok" or the errno's name
 *   escape handle PATH           name_to_handle_at + open_by_handle_at: "ok" or the errno
 *   escape userns                unshare(CLONE_NEWUSER): "ok" or the errno
 *   escape uring                 io_uring_setup: "ok" or the errno
 *   escape euid                  print the effective uid
 *   escape as UID CMD...         setgroups(0), setresgid/setresuid(UID) and exec CMD
 *   escape fds                   the fds above 2 and what they point at, one per line
 *   escape ttymode               how fds 0..2 are open: "fd0=rw fd1=wo fd2=wo"
 *
 * Nothing here harms the host when it gets out: every write is to a path the
 * test names under its own scratch directory, every injection is one line the
 * test itself reads back.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *res(long r)
{
	return r < 0 ? strerrorname_np(errno) : "ok";
}

static int tiocsti(const char *text)
{
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
	int fds[4] = {0, 1, 2, tty};
	const char *names[4] = {"fd0", "fd1", "fd2", "tty"};

	for (int i = 0; i < 4; i++) {
		long r = fds[i] < 0 ? -1 : 0;

		if (fds[i] < 0)
			errno = ENXIO;
		for (const char *p = text; r == 0 && *p; p++)
			r = ioctl(fds[i], TIOCSTI, p);
		printf("%s%s=%s", i ? " " : "", names[i], res(r));
	}
	printf("\n");
	return 0;
}

static int tioclinux(void)
{
	for (int fd = 0; fd < 3; fd++) {
		char sub = 3; /* TIOCL_PASTESEL */
		printf("%sfd%d=%s", fd ? " " : "", fd, res(ioctl(fd, TIOCLINUX, &sub)));
	}
	printf("\n");
	return 0;
}

static long keyctl(int cmd, long a, long b, long c, long d)
{
	return syscall(SYS_keyctl, cmd, a, b, c, d);
}

static int keysession(const char *desc, const char *secret, char **cmd)
{
	if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 ||
	    syscall(SYS_add_key, "user", desc, secret, strlen(secret), KEY_SPEC_SESSION_KEYRING) <
		    0 ||
	    syscall(SYS_add_key, "user", desc, secret, strlen(secret), KEY_SPEC_USER_KEYRING) < 0) {
		printf("keysession: %s\n", strerrorname_np(errno));
		return 1;
	}
	execvp(cmd[0], cmd);
	printf("exec %s: %s\n", cmd[0], strerrorname_np(errno));
	return 127;
}

static int findkey(const char *desc)
{
	static const struct {
		const char *name;
		long ring;
	} rings[] = {{"s", KEY_SPEC_SESSION_KEYRING},
		     {"u", KEY_SPEC_USER_KEYRING},
		     {"us", KEY_SPEC_USER_SESSION_KEYRING}};

	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		long k = keyctl(KEYCTL_SEARCH, rings[i].ring, (long)"user", (long)desc, 0);
		char buf[128] = "";

		if (k >= 0 && keyctl(KEYCTL_READ, k, (long)buf, sizeof(buf) - 1, 0) >= 0)
			printf("%s%s=found:%s", i ? " " : "", rings[i].name, buf);
		else
			printf("%s%s=%s", i ? " " : "", rings[i].name, res(-1));
	}
	printf("\n");
	return 0;
}

static int do_open(const char *path, const char *mode)
{
	int fl = !strcmp(mode, "w")	 ? O_WRONLY
		 : !strcmp(mode, "rw")	 ? O_RDWR
		 : !strcmp(mode, "path") ? O_PATH
					 : O_RDONLY;

	printf("%s\n", res(open(path, fl | O_CLOEXEC)));
	return 0;
}

static int do_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0 && write(fd, "X\n", 2) != 2)
		fd = -1;
	printf("%s\n", res(fd));
	return 0;
}

static int handle(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h = {.fh.handle_bytes = 128};
	int mount_id;

	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0) {
		printf("name_to_handle_at=%s\n", strerrorname_np(errno));
		return 0;
	}
	printf("%s\n", res(open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY)));
	return 0;
}

static int uring(void)
{
	unsigned char params[120] = {0};

	printf("%s\n", res(syscall(425 /* io_uring_setup */, 1, params)));
	return 0;
}

static int as(const char *uid_s, char **cmd)
{
	unsigned id = (unsigned)strtoul(uid_s, NULL, 10);

	if (setgroups(0, NULL) < 0 || setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0) {
		printf("as %u: %s\n", id, strerrorname_np(errno));
		return 1;
	}
	execv(cmd[0], cmd);
	printf("exec %s: %s\n", cmd[0], strerrorname_np(errno));
	return 127;
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");

	if (!d) {
		printf("opendir=%s\n", strerrorname_np(errno));
		return 1;
	}
	for (struct dirent *de; (de = readdir(d));) {
		int fd = atoi(de->d_name);
		char link[64], target[4096];
		ssize_t n;

		if (de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(c, "tiocsti") && argc == 3)
		return tiocsti(argv[2]);
	if (!strcmp(c, "tioclinux"))
		return tioclinux();
	if (!strcmp(c, "keysession") && argc > 4)
		return keysession(argv[2], argv[3], argv + 4);
	if (!strcmp(c, "findkey") && argc == 3)
		return findkey(argv[2]);
	if (!strcmp(c, "open") && argc == 4)
		return do_open(argv[2], argv[3]);
	if (!strcmp(c, "write") && argc == 3)
		return do_write(argv[2]);
	if (!strcmp(c, "handle") && argc == 3)
		return handle(argv[2]);
	if (!strcmp(c, "userns")) {
		printf("%s\n", res(unshare(CLONE_NEWUSER)));
		return 0;
	}
	if (!strcmp(c, "uring"))
		return uring();
	if (!strcmp(c, "euid")) {
		printf("%u\n", (unsigned)geteuid());
		return 0;
	}
	if (!strcmp(c, "as") && argc > 3)
		return as(argv[2], argv + 3);
	if (!strcmp(c, "fds"))
		return fds();
	if (!strcmp(c, "ttymode")) {
		static const char *const modes[] = {"ro", "wo", "rw", "?"};
		for (int fd = 0; fd < 3; fd++) {
			int fl = fcntl(fd, F_GETFL);
			printf("%sfd%d=%s", fd ? " " : "", fd,
			       fl < 0 ? strerrorname_np(errno) : modes[fl & O_ACCMODE]);
		}
		printf("\n");
		return 0;
	}
	fprintf(stderr, "usage: escape tiocsti TEXT|tioclinux|keysession DESC SECRET CMD...|"
			"findkey DESC|open PATH MODE|write PATH|handle PATH|userns|uring|euid|"
			"as UID CMD...|fds\n");
	return 2;
}
