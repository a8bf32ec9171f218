/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usernet.c - libslirp glue and the poll() loop, in a confined process
 *
 * The network process parses frames the container wrote, and it holds the
 * user's privileges on the host, so it is the one part of roost a hostile
 * container talks to directly. It is forked by roost when the child hands
 * over the tap fd, and it:
 *   1. keeps only the tap fd and its control pipe (EOF there means "stop"),
 *      and dies with roost (PR_SET_PDEATHSIG);
 *   2. moves into a user and mount namespace of its own whose root is an
 *      empty tmpfs holding only a read-only /etc (libslirp re-reads
 *      /etc/resolv.conf to find the host's resolver);
 *   3. sets no_new_privs and loads a seccomp allow-list: what the loop
 *      needs (sockets of the inet families, poll, memory, clock, read-only
 *      opens), EPERM for everything else;
 *   4. runs the loop: frames from the tap go to slirp_input(), slirp's
 *      frames are written back to the tap, slirp's sockets and timers are
 *      polled with ours. No GLib main loop here.
 * When the host's ping_group_range keeps libslirp from relaying pings
 * (found by roost at start), the line that says so is printed the first
 * time the container pings beyond the gateway: not on every run of every
 * user who never pings.
 * libslirp before 4.8.0 corrupts its IPv4 reassembly queue (fixed upstream
 * by "ip: Enforce strict aliasing"): one fragment of 66 bytes kills 4.7.0
 * with SIGBUS, and a process that holds the user's sockets on the host must
 * not run on corrupted pointers (issue 10). With such a libslirp, found at
 * run time from the library that was loaded, IPv4 fragments are dropped
 * before slirp_input(), with one line the first time. IPv6 needs nothing:
 * libslirp's ip6_input() drops every next header but TCP, UDP and ICMPv6,
 * a fragment header included.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "roost/err.h"
#include "roost/log.h"
#include "roost/rootfs.h"
#include "roost/usernet.h"
#include "roost/util.h"

/*
 * libslirp (and GLib under it) is loaded here, in the network process, with
 * dlopen(): linked into roost it would cost every start of every container
 * the loading of both, network or not, before anything runs in parallel.
 */
static struct {
	Slirp *(*new)(const SlirpConfig *, const SlirpCb *, void *);
	void (*input)(Slirp *, const uint8_t *, int);
	void (*pollfds_fill)(Slirp *, uint32_t *, SlirpAddPollCb, void *);
	void (*pollfds_poll)(Slirp *, int, SlirpGetREventsCb, void *);
	void (*handle_timer)(Slirp *, SlirpTimerId, void *);
	const char *(*version)(void);
} lib;

static int load_slirp(void)
{
	void *h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return -ENOENT;
	*(void **)&lib.new = dlsym(h, "slirp_new");
	*(void **)&lib.input = dlsym(h, "slirp_input");
	*(void **)&lib.pollfds_fill = dlsym(h, "slirp_pollfds_fill");
	*(void **)&lib.pollfds_poll = dlsym(h, "slirp_pollfds_poll");
	*(void **)&lib.handle_timer = dlsym(h, "slirp_handle_timer");
	*(void **)&lib.version = dlsym(h, "slirp_version_string");
	if (!lib.new || !lib.input || !lib.pollfds_fill || !lib.pollfds_poll || !lib.handle_timer)
		return -ENOSYS;
	return 0;
}

/*
 * The version of libslirp.so.0 as this process loads it ("4.7.0"), for
 * roost --version and roost doctor; NULL when it cannot be loaded. The
 * library stays loaded: the string is its own.
 */
const char *usernet_slirp_version(void)
{
	void *h = dlopen("libslirp.so.0", RTLD_LAZY | RTLD_LOCAL);
	const char *(*version)(void);

	if (!h)
		return NULL;
	*(void **)&version = dlsym(h, "slirp_version_string");
	return version ? version() : NULL;
}

/*
 * Does libslirp of this version ("MAJOR.MINOR.MICRO") reassemble IPv4
 * fragments safely, as 4.8.0 and later do? NULL or a version we cannot
 * read: no.
 */
bool usernet_slirp_reassembly_ok(const char *version)
{
	unsigned int v[3] = {0, 0, 0};

	if (!version || sscanf(version, "%u.%u.%u", &v[0], &v[1], &v[2]) < 2)
		return false;
	return v[0] > 4 || (v[0] == 4 && v[1] >= 8);
}

#define TAP_FD 3
#define CTL_FD 4
#define READY_FD 5
#define FRAME_MAX (65536 + 64)
#define FRAMES_PER_WAKEUP 256

struct timer {
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	bool used;
};

struct loop {
	Slirp *slirp;
	struct pollfd *pfd;
	size_t n, cap;
	struct timer timers[8];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	ssize_t n;

	/* The tap never blocks a writer; a full queue drops, and TCP retransmits. */
	do
		n = write(TAP_FD, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 && errno != EAGAIN ? -errno : (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	log_debug("network: the container sent %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct loop *l = opaque;

	for (size_t i = 0; i < ARRAY_SIZE(l->timers); i++) {
		if (!l->timers[i].used) {
			l->timers[i] = (struct timer){id, cb_opaque, -1, true};
			return &l->timers[i];
		}
	}
	return NULL; /* libslirp has one timer kind today; the table has room to spare */
}

static void cb_timer_free(void *timer, void *opaque)
{
	if (timer)
		((struct timer *)timer)->used = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	if (timer)
		((struct timer *)timer)->expire_ms = expire_ms;
}

static void cb_nop_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
}

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct loop *l = opaque;
	short ev = 0;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->pfd = xrealloc(l->pfd, l->cap * sizeof(*l->pfd));
	}
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	l->pfd[l->n] = (struct pollfd){.fd = fd, .events = ev};
	return l->n++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct loop *l = opaque;
	short re = l->pfd[idx].revents;
	int r = 0;

	if (re & POLLIN)
		r |= SLIRP_POLL_IN;
	if (re & POLLOUT)
		r |= SLIRP_POLL_OUT;
	if (re & POLLPRI)
		r |= SLIRP_POLL_PRI;
	if (re & POLLERR)
		r |= SLIRP_POLL_ERR;
	if (re & POLLHUP)
		r |= SLIRP_POLL_HUP;
	return r;
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_nop_fd,
	.unregister_poll_fd = cb_nop_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* Milliseconds until the next armed timer, or -1. */
static int timers_timeout(struct loop *l, int64_t now_ms)
{
	int64_t t = -1;

	for (size_t i = 0; i < ARRAY_SIZE(l->timers); i++) {
		const struct timer *tm = &l->timers[i];
		if (!tm->used || tm->expire_ms < 0)
			continue;
		int64_t d = tm->expire_ms > now_ms ? tm->expire_ms - now_ms : 0;
		if (t < 0 || d < t)
			t = d;
	}
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void timers_run(struct loop *l, int64_t now_ms)
{
	for (size_t i = 0; i < ARRAY_SIZE(l->timers); i++) {
		struct timer *tm = &l->timers[i];
		if (tm->used && tm->expire_ms >= 0 && tm->expire_ms <= now_ms) {
			tm->expire_ms = -1;
			lib.handle_timer(l->slirp, tm->id, tm->cb_opaque);
		}
	}
}

static Slirp *make_slirp(const struct net_config *n, struct loop *l)
{
	SlirpConfig cfg = {
		.version = 4,
		.in_enabled = true,
		.vnetwork = n->network,
		.vnetmask = {.s_addr = htonl(~0u << (32 - n->prefix))},
		.vhost = net_addr(n, NET_HOST_GATEWAY),
		.vdhcp_start = net_addr(n, 15),
		.vnameserver = net_addr(n, NET_HOST_DNS),
		.in6_enabled = n->ipv6,
		.vprefix_len = 64,
		.if_mtu = n->mtu,
		.if_mru = n->mtu,
		/* The host's loopback serves the user, not the container: see roost-run(1). */
		.disable_host_loopback = !n->allow_host_loopback,
		.disable_dns = !n->dns,
	};

	net_addr6(0, &cfg.vprefix_addr6);
	net_addr6(NET_HOST_GATEWAY, &cfg.vhost6);
	net_addr6(NET_HOST_DNS, &cfg.vnameserver6);
	return lib.new(&cfg, &callbacks, l);
}

/* An IPv4 ICMP echo request to an address outside the container's network? */
static bool is_outbound_ping(const struct net_config *n, const uint8_t *f, ssize_t len)
{
	uint32_t dst, mask = htonl(~0u << (32 - n->prefix));
	size_t ihl;

	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 1)
		return false;
	ihl = (f[14] & 0x0f) * 4;
	if ((size_t)len < 14 + ihl + 1 || f[14 + ihl] != 8)
		return false;
	memcpy(&dst, f + 14 + 16, 4);
	return (dst & mask) != n->network.s_addr;
}

/*
 * An IPv4 fragment, as libslirp's ip_input() tells one: any bit of the
 * offset field but DF (more fragments, an offset). libslirp reads the
 * ethertype at bytes 12-13 only and drops 802.1Q-tagged frames, so tagged
 * fragments never reach its reassembly; frames shorter than an IP header
 * neither.
 */
static bool is_ipv4_fragment(const uint8_t *f, ssize_t len)
{
	return len >= 14 + 20 && f[12] == 0x08 && f[13] == 0x00 &&
	       ((f[14 + 6] & 0xbf) | f[14 + 7]) != 0;
}

static _Noreturn void run_loop(const struct net_config *n, const char *ping_warning)
{
	static uint8_t frame[FRAME_MAX];
	const char *version = lib.version ? lib.version() : "(unknown version)";
	bool drop_fragments = !usernet_slirp_reassembly_ok(lib.version ? version : NULL);
	unsigned long n_dropped = 0;
	struct loop l = {0};

	l.slirp = make_slirp(n, &l);
	if (!l.slirp)
		_exit(1);
	/* Confined and serving: roost lets the container's command start. */
	(void)!write(READY_FD, "1", 1);
	close(READY_FD);

	for (;;) {
		int64_t now_ms = now_ns() / 1000000;
		int t = timers_timeout(&l, now_ms), r;
		uint32_t timeout = t < 0 ? UINT32_MAX : (uint32_t)t;

		l.n = 0;
		cb_add_poll(TAP_FD, SLIRP_POLL_IN, &l);
		cb_add_poll(CTL_FD, SLIRP_POLL_IN, &l);
		lib.pollfds_fill(l.slirp, &timeout, cb_add_poll, &l);
		r = poll(l.pfd, l.n, timeout == UINT32_MAX ? -1 : (int)timeout);
		if (r < 0 && errno != EINTR)
			_exit(1);
		if (l.pfd[1].revents) {
			/* roost closed the control pipe: the container is gone */
			if (n_dropped)
				log_debug("network process: dropped %lu IPv4 fragments", n_dropped);
			_exit(0);
		}
		lib.pollfds_poll(l.slirp, r < 0, cb_get_revents, &l);
		if (l.pfd[0].revents & POLLIN) {
			for (int i = 0; i < FRAMES_PER_WAKEUP; i++) {
				ssize_t len = read(TAP_FD, frame, sizeof(frame));
				if (len <= 0)
					break;
				if (ping_warning && is_outbound_ping(n, frame, len)) {
					log_warn("%s", ping_warning);
					ping_warning = NULL;
				}
				if (drop_fragments && is_ipv4_fragment(frame, len)) {
					if (n_dropped++ == 0)
						log_warn("dropping IPv4 fragments: libslirp %s "
							 "mishandles "
							 "them (fixed in 4.8.0)",
							 version);
					continue;
				}
				lib.input(l.slirp, frame, len);
			}
		} else if (l.pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			_exit(0); /* the network namespace, and its tap, are gone */
		}
		timers_run(&l, now_ns() / 1000000);
	}
}

/*
 * A root of our own: an empty tmpfs with the host's /etc read-only, in a
 * new user and mount namespace (ids mapped to themselves). Sockets stay in
 * the host's network namespace, which is the point of the process.
 */
static int sandbox_fs(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -errno;
	if (util_write_file("/proc/self/setgroups", "deny") < 0)
		return -EPERM;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (util_write_file("/proc/self/gid_map", map) < 0)
		return -EPERM;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (util_write_file("/proc/self/uid_map", map) < 0)
		return -EPERM;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	/*
	 * resolv.conf is often a link into /run (systemd-resolved, NetworkManager),
	 * sometimes into /tmp: its directory is found and held open before our
	 * tmpfs covers /tmp, and bound from the fd (issue 11).
	 */
	char target[PATH_MAX], *slash, path[PATH_MAX + 8], fd_path[32];
	_cleanup_close_ int dir_fd = -1;
	if (realpath("/etc/resolv.conf", target) && strncmp(target, "/etc/", 5) &&
	    (slash = strrchr(target, '/')) && slash != target) {
		*slash = '\0';
		dir_fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0 ||
	    mkdir("/tmp/etc", 0755) < 0 ||
	    mount("/etc", "/tmp/etc", NULL, MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (dir_fd >= 0) {
		snprintf(path, sizeof(path), "/tmp%s", target);
		snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", dir_fd);
		if (util_mkdir_p(path, 0755) == 0)
			(void)mount(fd_path, path, NULL, MS_BIND | MS_REC, NULL);
	}
	if (rootfs_make_readonly("/tmp/etc", "/etc", true) < 0 ||
	    mount(NULL, "/tmp", NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
	    chdir("/tmp") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}

/* What the loop may ask of the kernel; everything else fails with EPERM. */
static const char *const allowed_syscalls[] = {
	"read",		 "write",
	"readv",	 "writev",
	"close",	 "lseek",
	"recvfrom",	 "recvmsg",
	"recvmmsg",	 "sendto",
	"sendmsg",	 "sendmmsg",
	"connect",	 "bind",
	"getsockname",	 "getpeername",
	"getsockopt",	 "setsockopt",
	"shutdown",	 "poll",
	"ppoll",	 "fcntl",
	"clock_gettime", "clock_getres",
	"gettimeofday",	 "time",
	"nanosleep",	 "clock_nanosleep",
	"brk",		 "munmap",
	"mremap",	 "madvise",
	"exit",		 "exit_group",
	"rt_sigreturn",	 "rt_sigprocmask",
	"rt_sigaction",	 "getrandom",
	"futex",	 "getpid",
	"gettid",	 "getuid",
	"geteuid",	 "getgid",
	"getegid",	 "restart_syscall",
	"fstat",	 "newfstatat",
	"statx",	 "stat",
	"lstat",	 "uname",
};

static int confine(void)
{
	scmp_filter_ctx ctx;
	int r = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(allowed_syscalls) && r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);
		if (nr != __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* Sockets of the inet families only: no netlink, no packet sockets, no unix. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				     SCMP_A0(SCMP_CMP_EQ, AF_INET6));
	/* Memory, never executable. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* Files: read-only (resolv.conf). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ,
					     O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, FIONBIO));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static _Noreturn void usernet_main(const struct net_config *n, int tap_fd, int ctl_fd, int ready_fd,
				   pid_t roost, const char *ping_warning)
{
	int devnull, r;

	util_helper_start(roost);

	/* Only the tap, the control pipe and stderr stay open. */
	/* Out of the way first, so none of the three is overwritten by another's dup2(). */
	tap_fd = fcntl(tap_fd, F_DUPFD_CLOEXEC, 64);
	ctl_fd = fcntl(ctl_fd, F_DUPFD_CLOEXEC, 64);
	ready_fd = fcntl(ready_fd, F_DUPFD_CLOEXEC, 64);
	if (tap_fd < 0 || ctl_fd < 0 || ready_fd < 0 || dup2(tap_fd, TAP_FD) < 0 ||
	    dup2(ctl_fd, CTL_FD) < 0 || dup2(ready_fd, READY_FD) < 0)
		_exit(1);
	if (syscall(SYS_close_range, READY_FD + 1, ~0U, 0) < 0)
		for (int fd = READY_FD + 1; fd < 1024; fd++)
			(void)close(fd);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		(void)dup2(devnull, STDIN_FILENO);
		(void)dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}

	/* Before the private root: the library lives in the host's /usr. */
	r = load_slirp();
	if (r < 0) {
		log_warn("network process: cannot load libslirp.so.0 (%s): sudo apt-get install "
			 "libslirp0",
			 dlerror() ? dlerror() : strerror(-r));
		_exit(1);
	}
	r = sandbox_fs();
	if (r < 0)
		log_debug("network process: no private root (%s); seccomp still applies",
			  strerror(-r));
	/* Our host sockets stay out of reach of /proc/PID/fd (--pid=host shows us). */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A new user namespace counts as a change of credentials: arm the signal again. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != roost)
		_exit(0);
	r = confine();
	if (r < 0) {
		log_warn("network process: seccomp filter refused (%s); stopping", strerror(-r));
		_exit(1);
	}
	run_loop(n, ping_warning);
}

/*
 * Fork the network process for the tap fd. ping_warning (or NULL) is the
 * line to print if the container pings where the host will not let us.
 * Returns 0 with *ret filled; the caller keeps ret->ctl_fd until the
 * container has exited.
 */
int usernet_start(const struct net_config *n, int tap_fd, const char *ping_warning,
		  struct usernet *ret)
{
	int p[2], q[2];
	pid_t roost = getpid(), pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	if (pipe2(q, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return err_set(errno, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		close(q[0]);
		close(q[1]);
		return err_set(e, "fork the network process");
	}
	if (pid == 0) {
		close(p[1]);
		close(q[0]);
		usernet_main(n, tap_fd, p[0], q[1], roost, ping_warning);
	}
	close(p[0]);
	close(q[1]);
	ret->pid = pid;
	ret->ctl_fd = p[1];
	ret->ready_fd = q[0];
	return 0;
}

/* End the network process and reap it: nothing of the network outlives the container. */
int usernet_stop(struct usernet *u)
{
	if (u->ready_fd >= 0)
		close(u->ready_fd);
	u->ready_fd = -1;
	return util_helper_stop(&u->pid, &u->ctl_fd, "network process");
}
