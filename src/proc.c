/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.c - clone into namespaces, set up the child, wait for it
 *
 * parent (host namespaces)                  child (new user/mnt/pid/net/uts/ipc/cgroup)
 *   opt_parse, spec_from_opts, store_create
 *   proc_run: filter_prepare (cached BPF)
 *             clone ------------------------> (new user, mount, pid namespaces)
 *   userns_apply_start(pid)                   meanwhile: unshare net/uts/ipc/cgroup,
 *     (newuidmap/newgidmap) + store_populate  hostname, lo up, clone bind sources
 *   sync_send(MAPPED) ----------------------> overlay_mount, rootfs_apply,
 *   receive the pty master  <---------------- -t: open a pty in the new devpts
 *                                             pivot_root, user, workdir, bounding set,
 *                                             [--init: fork, pid 1 waits]
 *                                             setgroups/setgid/setuid, capabilities,
 *                                             no_new_privs, seccomp filter, execve
 *   EOF on sync socket = exec happened        (the child's end is O_CLOEXEC)
 *   poll: signals (forwarded), sync, pty -> exit status -> store cleanup
 *     (SIGTERM, SIGINT, SIGHUP passed on: SIGKILL after --stop-timeout)
 *
 * The child never prints: it sends {r, status, err_msg()} and _exit()s.
 * It dies with the parent (PR_SET_PDEATHSIG), and pid 1 dying takes every
 * process of the container with it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/keyctl.h>

#include "roost/caps.h"
#include "roost/diag.h"
#include "roost/err.h"
#include "roost/filter.h"
#include "roost/landlock.h"
#include "roost/log.h"
#include "roost/net.h"
#include "roost/proc.h"
#include "roost/rootfs.h"
#include "roost/sync.h"
#include "roost/tty.h"

/* Signals the parent passes on to the container. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

static void parent_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

static int find_user_line(const char *path, const char *name, unsigned long id, bool by_name,
			  struct passwd *ret_pw, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct passwd *pw;

	if (!f)
		return -ENOENT;
	while (fgetpwent_r(f, ret_pw, buf, size, &pw) == 0)
		if (by_name ? !strcmp(pw->pw_name, name) : pw->pw_uid == id)
			return 0;
	return -ENOENT;
}

static int find_group(const char *path, const char *name, gid_t *ret)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct group gr, *g;
	char buf[4096];

	if (!f)
		return -ENOENT;
	while (fgetgrent_r(f, &gr, buf, sizeof(buf), &g) == 0)
		if (!strcmp(g->gr_name, name)) {
			*ret = g->gr_gid;
			return 0;
		}
	return -ENOENT;
}

/*
 * Resolve "-u UID[:GID]" or "NAME[:GROUP]" against the container's own
 * passwd and group files. A numeric UID without a passwd entry gets GID 0,
 * as Docker does. Returns 0, or -ENOENT/-EINVAL with a message.
 */
int proc_parse_user(const char *spec, const char *passwd, const char *group, uid_t *ret_uid,
		    gid_t *ret_gid)
{
	_cleanup_free_ char *u = xstrdup(spec);
	char *g = strchr(u, ':'), buf[4096];
	unsigned long uid, gid = 0;
	struct passwd pw;
	bool numeric;

	if (g)
		*g++ = '\0';
	numeric = util_parse_uint(u, 0xfffffffeUL, &uid) == 0;
	if (find_user_line(passwd, u, uid, !numeric, &pw, buf, sizeof(buf)) == 0) {
		uid = pw.pw_uid;
		gid = pw.pw_gid;
	} else if (!numeric) {
		return err_setx(ENOENT, "-u %s: no user '%s' in the container's %s; give a number",
				spec, u, passwd);
	}
	if (g && util_parse_uint(g, 0xfffffffeUL, &gid) < 0) {
		gid_t found;
		if (find_group(group, g, &found) < 0)
			return err_setx(ENOENT,
					"-u %s: no group '%s' in the container's %s; give a number",
					spec, g, group);
		gid = found;
	}
	*ret_uid = uid;
	*ret_gid = gid;
	return 0;
}

static _Noreturn void child_fail(int sync_fd, int r, int status)
{
	(void)sync_send(sync_fd, SYNC_ERROR, r, status, err_msg(), -1);
	_exit(status);
}

/* The child's name until execve() replaces it with the command's (comm(5) is 15 bytes). */
#define EXEC_MARK "roost(pre-exec"

/*
 * A child that died of a signal while it still bore EXEC_MARK never ran
 * its command: a seccomp profile killed it at execve() (or a call before
 * it). Looked at before the child is reaped: a zombie keeps its name.
 */
static bool exec_never_ran(pid_t pid)
{
	siginfo_t si = {0};
	char path[64], comm[32] = "";

	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid ||
	    (si.si_code != CLD_KILLED && si.si_code != CLD_DUMPED))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (util_read_file(path, comm, sizeof(comm)) < 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, EXEC_MARK))
		return false;
	err_setx(EPERM,
		 "the command never ran: the container died of signal %d (%s) before execve; the "
		 "seccomp profile refused execve or a call made before it",
		 si.si_status, strsignal(si.si_status));
	return true;
}

/* execvp() with the container's PATH, mapping failures to 126/127 with a message. */
static int exec_command(struct spec *s, int *ret_status)
{
	const char *cmd = s->argv.v[0];
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	bool denied = false;

	for (size_t i = 0; i < s->env.n; i++)
		if (!strncmp(s->env.v[i], "PATH=", 5))
			path = s->env.v[i] + 5;
	/* Until execve succeeds our name says so: see exec_never_ran(). */
	(void)prctl(PR_SET_NAME, EXEC_MARK);

	if (strchr(cmd, '/')) {
		execve(cmd, s->argv.v, s->env.v);
		*ret_status = (errno == ENOENT || errno == ENOTDIR) ? 127 : 126;
		if (errno == ENOENT)
			return err_setx(ENOENT,
					"%s: no such file in the container (or its interpreter "
					"or libraries are missing)",
					cmd);
		return err_set(errno, "%s: cannot execute", cmd);
	}
	_cleanup_free_ char *copy = xstrdup(path);
	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = xasprintf("%s/%s", d, cmd);
		execve(full, s->argv.v, s->env.v);
		if (errno == EACCES)
			denied = true;
		else if (errno != ENOENT && errno != ENOTDIR) {
			*ret_status = 126;
			return err_set(errno, "%s: cannot execute", full);
		}
	}
	*ret_status = denied ? 126 : 127;
	if (denied)
		return err_setx(EACCES, "%s: permission denied", cmd);
	return err_setx(ENOENT, "%s: command not found in the container (PATH=%s)", cmd, path);
}

/*
 * pid 1 with --init: reap every orphan, pass signals to the command, and
 * leave with its status when it ends (a pid 1 cannot die of a signal it
 * does not handle, so a signal death is reported as 128+N, as a shell would).
 */
static _Noreturn void init_loop(pid_t child)
{
	sigset_t all;

	sigfillset(&all);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si), status;
		pid_t p;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			(void)kill(child, sig);
			continue;
		}
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			if (p != child)
				continue;
			if (WIFSIGNALED(status))
				_exit(128 + WTERMSIG(status));
			_exit(WEXITSTATUS(status));
		}
	}
}

static int set_identity(const struct container *c, uid_t uid, gid_t gid)
{
	/* Supplementary groups are dropped where the kernel lets us (not with a single-id map). */
	if (c->userns->use_helpers && setgroups(0, NULL) < 0)
		return err_set(errno, "setgroups");
	if (setresgid(gid, gid, gid) < 0)
		return err_set(errno, "setgid %u (is it mapped? see /proc/self/gid_map)",
			       (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		return err_set(errno, "setuid %u (is it mapped? see /proc/self/uid_map)",
			       (unsigned)uid);
	/* A change of credentials clears the parent-death signal. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

/*
 * The last steps before exec, in the order the kernel needs: the filter
 * first, while we still hold CAP_SYS_ADMIN in our user namespace (so the
 * kernel takes it without no_new_privs, and setuid programs keep working
 * inside, as with Docker and Podman); then the user (setuid clears the
 * capabilities of a non-root uid), the capabilities, and no_new_privs when
 * asked for. The filter allows every call made from here to execve, so
 * exec_command's errors still come out as 126/127.
 */
static int confine(const struct container *c, bool set_ids, uid_t uid, gid_t gid)
{
	int r = filter_load(&c->filter);

	if (r < 0)
		return r;
	r = set_ids ? set_identity(c, uid, gid) : 0;
	if (r < 0)
		return r;
	r = caps_apply(c->spec->caps, uid);
	if (r < 0)
		return r;
	if (c->spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "set no_new_privs");
	return 0;
}

/*
 * What the command keeps of roost's fds: stdio and the fds passed on
 * purpose (--preserve-fds, socket activation), nothing else. Everything
 * else is marked close-on-exec (the sync socket must live until the exec
 * itself), so no fd of the caller or of roost (the store, the lock, a
 * volume's source) reaches the container.
 */
static int keep_only_passed_fds(struct spec *s)
{
	int r = util_cloexec_from(3 + (int)s->pass_fds);

	if (r < 0)
		return err_set(r, "close roost's descriptors");
	for (int fd = 3; fd < 3 + (int)s->pass_fds; fd++)
		if (fcntl(fd, F_SETFD, 0) < 0)
			return err_set(errno, "pass fd %d", fd);
	if (s->listen_fds) {
		_cleanup_free_ char *kv = xasprintf("LISTEN_PID=%d", (int)getpid());
		(void)spec_env_set(&s->env, kv);
	}
	return 0;
}

static void set_home(struct spec *s, uid_t uid)
{
	char buf[4096], *home;
	struct passwd pw;

	for (size_t i = 0; i < s->env.n; i++)
		if (!strncmp(s->env.v[i], "HOME=", 5))
			return;
	if (find_user_line("/etc/passwd", NULL, uid, false, &pw, buf, sizeof(buf)) == 0)
		home = xasprintf("HOME=%s", pw.pw_dir);
	else
		home = xasprintf("HOME=%s", uid == 0 ? "/root" : "/");
	(void)spec_env_set(&s->env, home);
	free(home);
}

/* The pid namespace must be made at clone time (the child is its pid 1); the rest are unshared. */
static int clone_flags(const struct spec *s)
{
	return CLONE_NEWUSER | CLONE_NEWNS | (s->pid_host ? 0 : CLONE_NEWPID);
}

static int unshare_flags(const struct spec *s)
{
	return CLONE_NEWUTS | CLONE_NEWCGROUP | (s->ipc_host ? 0 : CLONE_NEWIPC) |
	       (s->net.mode != NET_HOST ? CLONE_NEWNET : 0);
}

/* The child's whole life; returns only on failure, with *ret_status set. */
static int child_setup(struct container *c, int *ret_status)
{
	struct spec *s = c->spec;
	_cleanup_close_ int root_fd = -1, wd_fd = -1;
	_cleanup_free_ int *src_fds = NULL;
	int master = -1, slave = -1, r;
	struct sync_msg m;
	uid_t uid;
	gid_t gid;

	*ret_status = 125;

	/*
	 * Before the maps are written we already hold every capability in our
	 * user namespace, but our ids are unmapped, so we cannot create files
	 * yet. What needs no file is done now, while newuidmap runs: the other
	 * namespaces (a network namespace alone takes a millisecond), hostname,
	 * lo, propagation, and the clones of the bind sources.
	 */
	if (unshare(unshare_flags(s)) < 0)
		return diag_in_userns(err_set(errno, "create the container's namespaces"));
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		return diag_in_userns(err_set(errno, "sethostname"));
	if (s->net.mode != NET_HOST) {
		int tap = -1;

		r = net_child_setup(&s->net, &tap);
		if (r < 0)
			return diag_in_userns(r);
		/* Our network namespace exists: roost starts its network side while we go on. */
		r = sync_send(c->sync_fd, SYNC_TAPFD, 0, 0, NULL, tap);
		if (tap >= 0)
			close(tap);
		if (r < 0)
			return err_set(r, "pass the tap device to roost");
	}
	/* Private propagation: nothing we mount shows on the host, nor the other way round. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return diag_in_userns(err_set(errno, "make / private"));
	src_fds = xcalloc(s->plan.n, sizeof(int));
	r = rootfs_clone_sources(&s->plan, src_fds);
	if (r < 0)
		return r;

	r = sync_recv(c->sync_fd, &m, NULL);
	if (r <= 0 || m.type != SYNC_MAPPED)
		_exit(125); /* the parent is gone or failed: it has said why */

	/*
	 * A session keyring of our own: the caller's holds its secrets (and
	 * links its user keyring), and keyctl is allowed with --privileged.
	 */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		return err_set(errno, "join a new session keyring");
	/*
	 * Without -t the command must not share the caller's terminal as its
	 * controlling one: from there TIOCSTI would type commands into the
	 * caller's shell. A session of our own has no controlling terminal;
	 * roost passes on what the terminal sends it (^C, ^\) to our group.
	 */
	if (!s->tty && setsid() < 0)
		return err_set(errno, "setsid");

	/*
	 * With keep-id we enter as the caller's id; the set-up runs as root
	 * when root is mapped, so helpers we exec (fuse-overlayfs) keep their
	 * capabilities. Without a full map we keep our capabilities anyway.
	 */
	if (s->userns == USERNS_KEEP_ID && c->userns->use_helpers &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return err_set(errno, "become root in the user namespace");
	/* With keep-id and a single-id map nobody inside owns the namespace's sysctls. */
	r = net_child_sysctls(&s->net, c->userns);
	if (r < 0 && !(s->userns == USERNS_KEEP_ID && !c->userns->use_helpers))
		return r;

	if (s->rootfs) {
		char note[512];
		int fuse_fd;

		if (s->layers.n)
			r = overlay_mount(s->layers.v, s->layers.n, c->dirs->upper, c->dirs->work,
					  c->dirs->root, c->overlay, &fuse_fd, note, sizeof(note));
		else {
			/* The directory roost checked, by its fd: never the path again. */
			char via[32], *lower = via;
			int vfd = s->rootfs_fd > 2
					  ? rootfs_same_source(s->rootfs, s->rootfs_fd, "ROOTFS")
					  : -1;

			if (s->rootfs_fd > 2 && vfd < 0)
				return vfd;
			if (vfd >= 0)
				snprintf(via, sizeof(via), "/proc/self/fd/%d", vfd);
			else
				lower = s->rootfs;
			r = overlay_mount(&lower, 1, c->dirs->upper, c->dirs->work, c->dirs->root,
					  c->overlay, &fuse_fd, note, sizeof(note));
		}
		if (r < 0)
			return diag_in_userns(r);
		if (note[0])
			(void)sync_send(c->sync_fd, SYNC_NOTE, 0, 0, note, -1);
		/* roost serves the mount from outside our namespaces; lookups wait for it. */
		if (fuse_fd >= 0) {
			r = sync_send(c->sync_fd, SYNC_FUSE, 0, 0, NULL, fuse_fd);
			close(fuse_fd);
			if (r < 0)
				return err_set(r, "pass /dev/fuse to roost");
		}
	} else if (mount("tmpfs", c->dirs->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		return diag_in_userns(err_set(errno, "mount the root tmpfs"));
	}
	root_fd = open(c->dirs->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return err_set(errno, "open %s", c->dirs->root);
	r = rootfs_apply(root_fd, &s->plan, src_fds);
	if (r < 0)
		return r;
	/* Resolved in the root, magic links refused (-w /proc/self/fd/N: CVE-2024-21626). */
	wd_fd = rootfs_open_in_root(root_fd, s->workdir, O_PATH | O_DIRECTORY, true, true);
	if (wd_fd < 0)
		return err_set(wd_fd, "working directory %s", s->workdir);

	if (s->tty) {
		r = tty_open_pty(root_fd, &master, &slave);
		if (r < 0)
			return r;
		r = sync_send(c->sync_fd, SYNC_PTY, 0, 0, NULL, master);
		close(master);
		if (r < 0)
			return err_set(r, "pass the pty to roost");
	}
	if (s->read_only) {
		r = rootfs_make_readonly(c->dirs->root, "/", false);
		if (r < 0)
			return r;
	}
	r = rootfs_pivot(c->dirs->root);
	if (r < 0)
		return r;

	if (s->user) {
		r = proc_parse_user(s->user, "/etc/passwd", "/etc/group", &uid, &gid);
		if (r < 0)
			return r;
	} else if (s->userns == USERNS_KEEP_ID) {
		uid = c->userns->host_uid;
		gid = c->userns->host_gid;
	} else {
		uid = 0;
		gid = 0;
	}
	set_home(s, uid);
	/* The directory resolved above, not the path again. */
	if (fchdir(wd_fd) < 0)
		return err_set(errno, "chdir %s", s->workdir);
	/*
	 * The command starts once roost's network process is confined and
	 * serving: nothing the container sends is parsed by an unconfined
	 * process, and its first packet finds the network up.
	 */
	if (s->net.mode == NET_SLIRP) {
		struct sync_msg go;

		r = sync_recv(c->sync_fd, &go, NULL);
		if (r <= 0 || go.type != SYNC_NETREADY)
			_exit(125); /* roost is gone or failed: it has said why */
	}
	/* While we still hold CAP_SETPCAP; --init's pid 1 is bounded too. */
	r = caps_bound(s->caps);
	if (r < 0)
		return r;
	/* One domain for pid 1 and the command, so they still signal each other. */
	if (s->pid_host) {
		r = landlock_fence(s->caps & CAPS_BIT(CAP_SYS_ADMIN));
		if (r < 0)
			return r;
	}

	if (s->init) {
		sigset_t all;
		int gate[2];
		pid_t pid;
		char x;

		/* The command starts once pid 1 is confined: it closes the gate then. */
		if (pipe2(gate, O_CLOEXEC) < 0)
			return err_set(errno, "pipe");
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		pid = fork();
		if (pid < 0)
			return err_set(errno, "fork the command under --init");
		if (pid > 0) {
			close(gate[0]);
			/* Confined like the command; a failure ends the container. */
			r = confine(c, false, 0, 0);
			if (r < 0)
				return r;
			/*
			 * pid 1 is a copy of roost that never execs: it keeps no fd
			 * (closing the gate lets the command go), and it is not
			 * dumpable, so container root cannot open /proc/1/fd,
			 * /proc/1/exe (roost's binary on the host), /proc/1/mem.
			 */
			(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
			if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
				util_close_all_except(NULL, 0);
			init_loop(pid);
		}
		close(gate[1]);
		while (read(gate[0], &x, 1) < 0 && errno == EINTR)
			;
		close(gate[0]);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
	}

	if (slave >= 0) {
		r = tty_make_controlling(slave);
		if (r < 0)
			return r;
	} else if (!s->interactive) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
			return err_set(errno, "open /dev/null for stdin");
		close(fd);
	}
	r = keep_only_passed_fds(s);
	if (r < 0)
		return r;
	r = confine(c, true, uid, gid);
	if (r < 0)
		return r;
	return exec_command(s, ret_status);
}

/*
 * Without -t, a stdout or stderr that is the caller's terminal is opened
 * again write-only: the caller's fds are usually the terminal opened
 * read-write, and through them the command could read what the user types
 * (a password typed ahead for the shell, or, left behind with --pid=host,
 * everything typed later). Writing, and the terminal's modes, stay.
 */
static int write_only_terminal(void)
{
	for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		int fl = fcntl(fd, F_GETFL), nfd;
		char path[64];

		if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY || !isatty(fd))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		nfd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (fl & O_APPEND));
		if (nfd < 0)
			return err_set(errno, "open the terminal write-only for fd %d", fd);
		if (dup3(nfd, fd, 0) < 0) {
			close(nfd);
			return err_set(errno, "dup3");
		}
		close(nfd);
	}
	return 0;
}

static _Noreturn void child_main(struct container *c)
{
	sigset_t none;
	int status, r;

	/* If roost dies, so does the container; the sync read below catches an earlier death. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Dispositions survive exec: the command starts with none of ours (nor a shell's SIG_IGN). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	r = c->spec->tty ? 0 : write_only_terminal();
	if (r == 0)
		r = child_setup(c, &status);
	else
		status = 125;
	child_fail(c->sync_fd, r, status);
}

static pid_t clone_child(int flags)
{
	/* Like fork(): no new stack; the child is a copy and returns 0 here. */
	return syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, 0);
}

struct loop {
	int sig_fd;
	struct tty_relay tty;
	bool tty_on;
	bool sync_open;
	int status; /* waitpid() status once the child has exited, else -1 */
	long long kill_at; /* monotonic ms when a stop signal's grace ends, 0: none */
	bool killed;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A pid 1 without a handler ignores SIGTERM, and so would outlive timeout(1)
 * or a closed terminal: the first stop signal passed on starts the grace
 * period (--stop-timeout, as podman's), at whose end the container is killed.
 */
static void stop_grace_start(const struct container *c, struct loop *l, int sig)
{
	if ((sig == SIGTERM || sig == SIGINT || sig == SIGHUP) && l->kill_at == 0)
		l->kill_at = now_ms() + (long long)c->spec->stop_timeout * 1000;
}

/* The poll timeout until the grace period ends: -1 without one. */
static int stop_grace_poll_ms(const struct loop *l)
{
	long long left;

	if (l->kill_at == 0 || l->killed)
		return -1;
	left = l->kill_at - now_ms();
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static void stop_grace_check(const struct container *c, struct loop *l)
{
	if (l->kill_at == 0 || l->killed || now_ms() < l->kill_at)
		return;
	log_warn("the container was still running %u s after the signal: killed "
		 "(--stop-timeout)",
		 c->spec->stop_timeout);
	/* Its process group too: with --pid=host no pid 1 takes the rest along. */
	(void)kill(-c->pid, SIGKILL);
	(void)kill(c->pid, SIGKILL);
	l->killed = true;
}

/*
 * The child's network namespace exists: start the network process for its
 * tap (tap_fd, -1 without one) and the relay of published ports.
 */
static int start_network(struct container *c, int tap_fd)
{
	char path[64];
	int netns_fd, r;

	if (tap_fd >= 0 && c->net.pid == 0) {
		r = usernet_start(&c->spec->net, tap_fd, c->ping_warning, &c->net);
		if (r < 0)
			return r;
		if (c->store)
			(void)store_set_pid(c->store, c->spec->id, "netpid", c->net.pid);
	}
	if (c->spec->n_ports == 0 || c->ports.pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->pid);
	netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0)
		return err_set(errno, "open %s", path);
	r = portfwd_start(c->spec->ports, c->spec->n_ports, c->userns_fd, netns_fd, &c->ports);
	close(netns_fd);
	return r;
}

/*
 * The child mounted its root from /dev/fuse (fuse_fd): serve it with
 * fuse-overlayfs in a user namespace of its own with the container's map,
 * which container root has no power over (not the container's, whose root
 * could reach the daemon through /proc with CAP_SYS_PTRACE).
 */
static int start_fuse(struct container *c, int fuse_fd)
{
	const struct spec *s = c->spec;
	int userns_fd = proc_userns_fd(c->userns), r;

	if (userns_fd < 0)
		return userns_fd;
	if (s->layers.n) {
		r = overlay_fuse_start(s->layers.v, s->layers.n, c->dirs->upper, c->dirs->work,
				       fuse_fd, userns_fd, &c->fuse);
	} else {
		/* The daemon opens ROOTFS by path: it must still be what was checked. */
		r = s->rootfs_fd > 2 ? rootfs_same_source(s->rootfs, s->rootfs_fd, "ROOTFS") : 0;
		if (r >= 0) {
			if (s->rootfs_fd > 2)
				close(r);
			r = overlay_fuse_start(&s->rootfs, 1, c->dirs->upper, c->dirs->work,
					       fuse_fd, userns_fd, &c->fuse);
		}
	}
	close(userns_fd);
	return r;
}

static void handle_sync(struct container *c, struct loop *l)
{
	struct sync_msg m;
	int fd, r = sync_recv(c->sync_fd, &m, &fd);

	if (r <= 0) {
		l->sync_open = false;
		return;
	}
	switch (m.type) {
	case SYNC_NOTE:
		log_info("%s", m.text);
		break;
	case SYNC_TAPFD:
		if (start_network(c, fd) < 0) {
			/* Without its network the container must not run on. */
			c->child_failed = true;
			(void)kill(c->pid, SIGKILL);
		}
		if (fd >= 0)
			close(fd);
		break;
	case SYNC_FUSE:
		if (fd < 0 || start_fuse(c, fd) < 0) {
			/* Nobody would serve the root: the child's first lookup would hang. */
			c->child_failed = true;
			(void)kill(c->pid, SIGKILL);
		}
		if (fd >= 0)
			close(fd);
		break;
	case SYNC_PTY:
		if (fd >= 0 && !l->tty_on) {
			tty_relay_start(&l->tty, fd, c->spec->interactive);
			l->tty_on = true;
		} else if (fd >= 0) {
			close(fd);
		}
		break;
	case SYNC_ERROR:
		err_setx(m.r, "%s", m.text);
		c->child_failed = true;
		break;
	default:
		break;
	}
}

static void handle_signal(struct container *c, struct loop *l)
{
	struct signalfd_siginfo si;
	int status;

	while (read(l->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (l->status < 0 && !c->child_failed && exec_never_ran(c->pid))
				c->child_failed = true;
			if (l->status < 0 && waitpid(c->pid, &status, WNOHANG) == c->pid)
				l->status = status;
			/* A helper that dies while the container runs leaves it cut off: say so. */
			if (c->net.pid > 0 && waitpid(c->net.pid, &status, WNOHANG) == c->net.pid) {
				c->net.pid = 0;
				close(c->net.ctl_fd);
				c->net.ctl_fd = -1;
				log_warn(
					"the network process stopped (%s %d): the container has no "
					"network from now on",
					WIFSIGNALED(status) ? "signal" : "status",
					WIFSIGNALED(status) ? WTERMSIG(status)
							    : WEXITSTATUS(status));
			}
			/* Without its daemon the root is gone: the container cannot go on. */
			if (l->status < 0 && overlay_fuse_reap(&c->fuse)) {
				c->child_failed = true;
				(void)kill(c->pid, SIGKILL);
			}
			if (c->ports.pid > 0 &&
			    waitpid(c->ports.pid, &status, WNOHANG) == c->ports.pid) {
				c->ports.pid = 0;
				close(c->ports.ctl_fd);
				c->ports.ctl_fd = -1;
				log_warn("the port relay stopped (%s %d): published ports are "
					 "closed",
					 WIFSIGNALED(status) ? "signal" : "status",
					 WIFSIGNALED(status) ? WTERMSIG(status)
							     : WEXITSTATUS(status));
			}
			continue;
		}
		if (si.ssi_signo == SIGWINCH && l->tty_on) {
			/* The kernel signals the pty's foreground group itself. */
			tty_relay_winch(&l->tty);
			continue;
		}
		/*
		 * Without -t the container is in a session of its own: what the
		 * caller's terminal sent us (^C, ^\, a hang-up) goes to its
		 * whole process group, as the terminal would have done.
		 */
		if (si.ssi_code == SI_KERNEL && !c->spec->tty &&
		    (si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT || si.ssi_signo == SIGHUP))
			(void)kill(-c->pid, si.ssi_signo);
		else
			(void)kill(c->pid, si.ssi_signo);
		stop_grace_start(c, l, si.ssi_signo);
	}
}

/* Relay until the child exits. Returns its waitpid() status. */
static int parent_loop(struct container *c, int sig_fd)
{
	struct loop l = {.sig_fd = sig_fd, .sync_open = true, .status = -1};

	while (l.status < 0) {
		struct pollfd p[5];
		int n = 0, isig, isync = -1, ipty = -1, iin = -1, iready = -1;

		p[isig = n++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
		if (l.sync_open)
			p[isync = n++] = (struct pollfd){.fd = c->sync_fd, .events = POLLIN};
		if (l.tty_on && l.tty.master_fd >= 0)
			p[ipty = n++] = (struct pollfd){.fd = l.tty.master_fd, .events = POLLIN};
		if (l.tty_on && l.tty.in_fd >= 0)
			p[iin = n++] = (struct pollfd){.fd = l.tty.in_fd, .events = POLLIN};
		if (c->net.ready_fd >= 0)
			p[iready = n++] = (struct pollfd){.fd = c->net.ready_fd, .events = POLLIN};

		if (poll(p, n, stop_grace_poll_ms(&l)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		stop_grace_check(c, &l);
		if (p[isig].revents)
			handle_signal(c, &l);
		if (iready >= 0 && p[iready].revents) {
			/* Confined and serving (or dead, which handle_signal() reports): go. */
			close(c->net.ready_fd);
			c->net.ready_fd = -1;
			(void)sync_send(c->sync_fd, SYNC_NETREADY, 0, 0, NULL, -1);
		}
		if (isync >= 0 && p[isync].revents)
			handle_sync(c, &l);
		if (ipty >= 0 && p[ipty].revents && tty_relay_master(&l.tty) < 0) {
			/* Every slave is closed; keep the fd for the final drain. */
			p[ipty].fd = -1;
			close(l.tty.master_fd);
			l.tty.master_fd = -1;
		}
		if (iin >= 0 && p[iin].revents)
			(void)tty_relay_input(&l.tty);
	}
	/* A message sent just before the child exited is still queued. */
	while (l.sync_open) {
		(void)fcntl(c->sync_fd, F_SETFL, O_NONBLOCK);
		handle_sync(c, &l);
	}
	if (l.tty_on)
		tty_relay_finish(&l.tty);
	if (l.status < 0 && waitpid(c->pid, &l.status, 0) < 0)
		return err_set(errno, "wait for the container");
	return l.status;
}

/*
 * --pid=host: the command has ended; what it left behind was reparented to
 * us (a subreaper): kill it all, round after round (a dying process's own
 * children come to us next), leaving roost's helpers alone. Bounded.
 */
static void kill_leftovers(const struct container *c)
{
	pid_t self = getpid();

	for (int round = 0; round < 64; round++) {
		_cleanup_closedir_ DIR *d = opendir("/proc");
		pid_t found[256];
		size_t n = 0;

		if (!d)
			return;
		for (struct dirent *de; (de = readdir(d)) && n < ARRAY_SIZE(found);) {
			char path[64], buf[512], *p;
			pid_t pid = (pid_t)atoi(de->d_name);
			long ppid;

			if (pid <= 0 || pid == c->net.pid || pid == c->ports.pid ||
			    pid == c->fuse.pid)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			if (util_read_file(path, buf, sizeof(buf)) < 0 || !(p = strrchr(buf, ')')))
				continue;
			if (sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == self)
				found[n++] = pid;
		}
		if (n == 0)
			return;
		for (size_t i = 0; i < n; i++)
			(void)kill(found[i], SIGKILL);
		for (size_t i = 0; i < n; i++)
			while (waitpid(found[i], NULL, 0) < 0 && errno == EINTR)
				;
	}
}

/*
 * When setting up the child failed on our side, a child that failed first
 * (and so broke our side) has the better story: its error, if it sent one,
 * replaces r's message.
 */
static int child_story(struct container *c, int r)
{
	struct sync_msg m;
	int fd;

	(void)fcntl(c->sync_fd, F_SETFL, O_NONBLOCK);
	while (sync_recv(c->sync_fd, &m, &fd) > 0) {
		if (fd >= 0)
			close(fd);
		if (m.type == SYNC_ERROR)
			return err_setx(m.r, "%s", m.text);
	}
	return r;
}

/* proc_run() without the filter. */
static int run(struct container *c)
{
	int sp[2], flags = clone_flags(c->spec), status, r, q;
	_cleanup_close_ int sig_fd = -1;
	struct userns_job job;
	sigset_t set, old;
	char path[64];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return err_set(errno, "socketpair");

	/*
	 * A shell starts background jobs with SIGINT and SIGQUIT ignored, and an
	 * ignored signal never reaches a signalfd: take them back, so "kill -INT"
	 * still reaches the container. A SIGHUP ignored on purpose (nohup) stays so.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (forwarded[i] != SIGHUP)
			(void)signal(forwarded[i], SIG_DFL);
	/* Blocked before the clone, so no signal is lost between clone and poll. */
	parent_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0) {
		r = err_set(errno, "signalfd");
		goto out_sigmask;
	}

	/*
	 * Without a pid namespace nothing kills what the command leaves
	 * behind (a daemon, a process reading the caller's terminal): as a
	 * subreaper, roost inherits every orphan of the container, and kills
	 * them when the command ends (kill_leftovers()).
	 */
	if (c->spec->pid_host)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	c->pid = clone_child(flags);
	if (c->pid < 0) {
		r = diag_userns_create(-errno);
		close(sp[0]);
		close(sp[1]);
		goto out_sigmask;
	}
	if (c->pid == 0) {
		close(sp[0]);
		c->sync_fd = sp[1];
		child_main(c);
	}
	close(sp[1]);
	c->sync_fd = sp[0];

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c->pid);
	c->userns_fd = open(path, O_RDONLY | O_CLOEXEC);

	r = userns_apply_start(c->userns, c->pid, &job);
	if (r < 0)
		goto out_kill;
	/* The helpers take milliseconds: make the layer directories meanwhile. */
	q = c->store ? store_populate(c->store, c->spec) : 0;
	r = userns_apply_finish(c->userns, &job);
	if (q < 0 && r == 0)
		r = q;
	if (r < 0) {
		r = child_story(c, r);
		goto out_kill;
	}
	if (c->store)
		(void)store_set_pid(c->store, c->spec->id, "pid", c->pid);
	r = sync_send(c->sync_fd, SYNC_MAPPED, 0, 0, NULL, -1);
	if (r < 0) {
		r = child_story(c, err_set(r, "start the container"));
		goto out_kill;
	}

	status = parent_loop(c, sig_fd);
	close(c->sync_fd);
	c->sync_fd = -1;
	if (c->spec->pid_host)
		kill_leftovers(c);
	if (usernet_stop(&c->net) < 0 && status >= 0)
		log_warn("%s", err_msg());
	(void)portfwd_stop(&c->ports);
	(void)overlay_fuse_stop(&c->fuse);
	/* Signals stay blocked: a late ^C must not cut the --rm clean-up short. */
	if (status < 0)
		return status;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);

out_kill:
	(void)kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	(void)usernet_stop(&c->net);
	(void)portfwd_stop(&c->ports);
	(void)overlay_fuse_stop(&c->fuse);
	close(c->sync_fd);
	c->sync_fd = -1;
out_sigmask:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/*
 * Run the container to its end. Returns its exit status (128+N for a
 * signal), or a negative errno when roost itself failed before the
 * command ran. With c->child_failed, err_msg() says why the command could
 * not be run and the status is 125, 126 or 127.
 */
int proc_run(struct container *c)
{
	const struct spec *s = c->spec;
	int r;

	/*
	 * Nothing roost inherited or opened reaches a helper it executes
	 * (newuidmap, fuse-overlayfs) or the container; fds passed on purpose
	 * are handed over by the child itself.
	 */
	r = util_cloexec_from(3);
	if (r < 0)
		return err_set(r, "mark roost's descriptors close-on-exec");
	/* Compiled (or read from the cache) here, once: the child only loads it. */
	if (!s->seccomp_off) {
		r = filter_prepare(s->seccomp_file, s->caps, s->pid_host ? PROFILE_PID_HOST : 0,
				   &c->filter);
		if (r < 0)
			return r;
	}
	r = run(c);
	filter_prog_free(&c->filter);
	return r;
}

/*
 * A user namespace with the planned maps, for work on files owned by
 * subordinate ids (removing a stopped container). Returns its fd.
 */
int proc_userns_fd(const struct userns_plan *p)
{
	int sp[2], fd, r, status;
	char path[64], c = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return err_set(errno, "socketpair");
	pid = clone_child(CLONE_NEWUSER);
	if (pid < 0) {
		r = diag_userns_create(-errno);
		close(sp[0]);
		close(sp[1]);
		return r;
	}
	if (pid == 0) {
		close(sp[0]);
		/* Stay until the parent has the fd; EOF (or the byte) ends us. */
		(void)!read(sp[1], &c, 1);
		_exit(0);
	}
	close(sp[1]);
	r = userns_apply(p, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = r < 0 ? r : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && r == 0)
		r = err_set(errno, "open %s", path);
	close(sp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r < 0 ? r : fd;
}
