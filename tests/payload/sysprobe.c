/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysprobe.c - a static test program for confinement: system calls from inside
 *
 *   sysprobe denied [pid-host]  call every system call roost's default policy
 *                               refuses (the table below mirrors src/profile.c)
 *                               and print each whose errno is not the policy's;
 *                               "denied: N calls refused as expected" when all are
 *   sysprobe report [pid-host]  the same calls, one line each: "NAME WANT GOT"
 *   sysprobe allowed            call a few that must work; print those that fail
 *   sysprobe call NAME...       call NAME (from either table): "NAME=ok" or
 *                               "NAME=ERRNO", one line each
 *   sysprobe int80              an i386 getpid through int 0x80 and an x32 getpid:
 *                               "i386=ok x32=ENOSYS" (ok when the call went through)
 *   sysprobe mkdir PATH         "ok" or the errno's name
 *   sysprobe ptrace PID         PTRACE_SEIZE PID: "ok" or the errno's name
 *   sysprobe kill PID           kill(PID, 0): "ok" or the errno's name
 *
 * Every call runs in a child of its own, so a call that succeeds (a new
 * user namespace, a personality) changes nothing for the next one. The
 * arguments are chosen so that without the filter the kernel answers
 * differently where it can (success, EFAULT, EBADF...): a test that runs
 * "denied" without the filter sees mismatches. Nothing here can harm the
 * host: without the filter, each call still fails or is harmless.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PID_HOST 1u /* denied only with --pid=host */
#define NO_PRIV 2u /* not called when the caller holds CAP_SYS_BOOT/SYS_TTY_CONFIG */

struct call {
	const char *name;
	long nr;
	long a[6];
	int want; /* errno under the default policy; 0: must succeed (allowed table) */
	unsigned int flags;
};

static struct timex tx; /* modes 0: a read-only query */
static char empty[] = "";

/*
 * Mirrors policy_table in src/profile.c (x86_64 numbers): the calls it
 * refuses, or lifts only for capabilities the default set lacks.
 */
static struct call denied[] = {
	{"kexec_load", SYS_kexec_load, {0, 0, 0, 0xffff0000L}, EPERM, 0},
	{"kexec_file_load", SYS_kexec_file_load, {-1, -1, 0, 0, 0}, EPERM, 0},
	{"init_module", SYS_init_module, {0, 0, (long)empty}, EPERM, 0},
	{"finit_module", SYS_finit_module, {-1, (long)empty, 0}, EPERM, 0},
	{"delete_module", SYS_delete_module, {(long)"roost_none", O_NONBLOCK}, EPERM, 0},
	{"iopl", SYS_iopl, {0}, EPERM, 0},
	{"ioperm", SYS_ioperm, {0, 0, 0}, EPERM, 0},
	{"open_by_handle_at", SYS_open_by_handle_at, {-1, 0, 0}, EPERM, 0},
	{"bpf", SYS_bpf, {-1, 0, 0}, EPERM, 0},
	{"perf_event_open", SYS_perf_event_open, {0, 0, -1, -1, 0}, EPERM, 0},
	{"lookup_dcookie", SYS_lookup_dcookie, {0, 0, 0}, EPERM, 0},
	{"kcmp", SYS_kcmp, {0, 0, 0, 0, 0}, EPERM, 0}, /* pids filled in at run time */
	{"userfaultfd", SYS_userfaultfd, {1 /* UFFD_USER_MODE_ONLY */ | O_CLOEXEC}, EPERM, 0},
	{"io_uring_setup", 425, {0, 0}, ENOSYS, 0},
	{"io_uring_enter", 426, {-1, 0, 0, 0, 0, 0}, ENOSYS, 0},
	{"io_uring_register", 427, {-1, 0, 0, 0}, ENOSYS, 0},
	{"swapon", SYS_swapon, {0, 0}, EPERM, 0},
	{"swapoff", SYS_swapoff, {0}, EPERM, 0},
	{"sysfs", SYS_sysfs, {3}, EPERM, 0},
	{"_sysctl", SYS__sysctl, {0}, EPERM, 0},
	{"clock_settime", SYS_clock_settime, {CLOCK_REALTIME, 0}, EPERM, 0},
	{"settimeofday", SYS_settimeofday, {0, 0}, EPERM, 0},
	{"acct", SYS_acct, {0}, EPERM, 0},
	{"quotactl", SYS_quotactl, {0, 0, 0, 0}, EPERM, 0},
	{"quotactl_fd", 443, {-1, 0, 0, 0}, EPERM, 0},
	{"syslog", SYS_syslog, {10 /* SIZE_BUFFER */, 0, 0}, EPERM, 0},
	{"vhangup", SYS_vhangup, {0}, EPERM, NO_PRIV},
	{"reboot", SYS_reboot, {0xfee1dead, 0, 0, 0}, EPERM, NO_PRIV},
	{"uselib", SYS_uselib, {0}, EPERM, 0},
	{"ustat", SYS_ustat, {0, 0}, EPERM, 0},
	{"nfsservctl", SYS_nfsservctl, {0, 0, 0}, EPERM, 0},
	{"fanotify_init", SYS_fanotify_init, {0, 0}, EPERM, 0},
	{"keyctl", SYS_keyctl, {0 /* GET_KEYRING_ID */, -3 /* session */, 0}, EPERM, 0},
	{"add_key", SYS_add_key, {(long)"roost-bogus", (long)"x", 0, 0, -2}, EPERM, 0},
	{"request_key", SYS_request_key, {(long)"roost-bogus", (long)"x", 0, 0}, EPERM, 0},
	{"clone", SYS_clone, {CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0}, EPERM, 0},
	{"unshare", SYS_unshare, {CLONE_NEWUSER}, EPERM, 0},
	{"clone3", 435, {0, 0}, ENOSYS, 0},
	{"mount",
	 SYS_mount,
	 {(long)"none", (long)"/nonexistent-roost", (long)"tmpfs", 0, 0},
	 EPERM,
	 0},
	{"umount2", SYS_umount2, {(long)"/nonexistent-roost", 0}, EPERM, 0},
	{"pivot_root", SYS_pivot_root, {0, 0}, EPERM, 0},
	{"fsopen", 430, {(long)"tmpfs", 0}, ENOSYS, 0},
	{"fsconfig", 431, {-1, 0, 0, 0, 0}, ENOSYS, 0},
	{"fsmount", 432, {-1, 0, 0}, ENOSYS, 0},
	{"fspick", 433, {-1, (long)empty, 0}, ENOSYS, 0},
	{"open_tree", 428, {-1, (long)empty, 0}, ENOSYS, 0},
	{"move_mount", 429, {-1, (long)empty, -1, (long)empty, 0}, ENOSYS, 0},
	{"mount_setattr", 442, {-1, (long)empty, 0, 0, 0}, ENOSYS, 0},
	{"ptrace", SYS_ptrace, {-1, 0, 0, 0}, EPERM, PID_HOST},
	{"process_vm_readv", SYS_process_vm_readv, {0, 0, 0, 0, 0, 0}, EPERM, PID_HOST},
	{"process_vm_writev", SYS_process_vm_writev, {0, 0, 0, 0, 0, 0}, EPERM, PID_HOST},
	{"pidfd_getfd", 438, {-1, 0, 0}, EPERM, 0},
	{"process_madvise", 440, {-1, 0, 0, 0, 0}, EPERM, 0},
	{"setns", SYS_setns, {-1, 0}, EPERM, 0},
	{"personality(0xfffc0000)", SYS_personality, {0xfffc0000L}, EPERM, 0},
	{"socket(AF_VSOCK)", SYS_socket, {40 /* AF_VSOCK */, SOCK_STREAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_ALG)", SYS_socket, {AF_ALG, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_CAN)", SYS_socket, {AF_CAN, SOCK_RAW, 1}, EAFNOSUPPORT, 0},
	{"socket(AF_XDP)", SYS_socket, {AF_XDP, SOCK_RAW, 0}, EAFNOSUPPORT, 0},
	{"socketpair(AF_ALG)", SYS_socketpair, {AF_ALG, SOCK_SEQPACKET, 0, 0}, EAFNOSUPPORT, 0},
	/* Newer than libseccomp 2.5.4's table (x86_64 numbers): ENOSYS, so callers fall back. */
	{"lsm_list_modules", 461, {0, 0, 0}, ENOSYS, 0},
	{"mseal", 462, {0, 0, 0}, ENOSYS, 0},
	{"open_tree_attr", 467, {-1, (long)empty, 0, 0, 0}, ENOSYS, 0},
	{"file_getattr", 468, {-1, (long)empty, 0, 0, 0}, ENOSYS, 0},
	{"file_setattr", 469, {-1, (long)empty, 0, 0, 0}, ENOSYS, 0},
	{"listns", 470, {0, 0, 0, 0}, ENOSYS, 0},
	{"personality(READ_IMPLIES_EXEC)", SYS_personality, {READ_IMPLIES_EXEC}, EPERM, 0},
	{"personality(ADDR_NO_RANDOMIZE)", SYS_personality, {ADDR_NO_RANDOMIZE}, EPERM, 0},
	{"personality(0x80000000)", SYS_personality, {0x80000000L}, EPERM, 0},
	{"socket(AF_AX25)", SYS_socket, {AF_AX25, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_IPX)", SYS_socket, {AF_IPX, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_APPLETALK)", SYS_socket, {AF_APPLETALK, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_NETROM)", SYS_socket, {AF_NETROM, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_ATMPVC)", SYS_socket, {AF_ATMPVC, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_X25)", SYS_socket, {AF_X25, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_ROSE)", SYS_socket, {AF_ROSE, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_DECnet)", SYS_socket, {AF_DECnet, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_NETBEUI)", SYS_socket, {AF_NETBEUI, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_RDS)", SYS_socket, {AF_RDS, SOCK_SEQPACKET, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_TIPC)", SYS_socket, {AF_TIPC, SOCK_RDM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_LLC)", SYS_socket, {AF_LLC, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_PHONET)", SYS_socket, {AF_PHONET, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
	{"socket(AF_KCM)", SYS_socket, {AF_KCM, SOCK_DGRAM, 0}, EAFNOSUPPORT, 0},
};

/* Calls every container needs; each must succeed. */
static struct call allowed[] = {
	{"getpid", SYS_getpid, {0}, 0, 0},
	{"uname", SYS_uname, {0}, 0, 0}, /* buffer filled in at run time */
	{"socket(AF_INET)", SYS_socket, {AF_INET, SOCK_DGRAM, 0}, 0, 0},
	{"socket(AF_INET6)", SYS_socket, {AF_INET6, SOCK_STREAM, 0}, 0, 0},
	{"socket(AF_UNIX)", SYS_socket, {AF_UNIX, SOCK_STREAM, 0}, 0, 0},
	{"socket(AF_NETLINK)", SYS_socket, {AF_NETLINK, SOCK_RAW, 0}, 0, 0},
	{"clone(fork)", SYS_clone, {SIGCHLD, 0, 0, 0, 0}, 0, 0},
	{"unshare(0)", SYS_unshare, {0}, 0, 0},
	{"personality(query)", SYS_personality, {0xffffffffL}, 0, 0},
	{"personality(PER_LINUX)", SYS_personality, {PER_LINUX}, 0, 0},
	{"personality(PER_LINUX32)", SYS_personality, {PER_LINUX32}, 0, 0},
	{"personality(UNAME26)", SYS_personality, {UNAME26}, 0, 0},
	{"ptrace(TRACEME)", SYS_ptrace, {PTRACE_TRACEME, 0, 0, 0}, 0, 0},
	{"mkdir", SYS_mkdir, {(long)"/tmp/sysprobe-dir", 0700}, 0, 0},
	{"memfd_create", SYS_memfd_create, {(long)"sysprobe", 0}, 0, 0},
	{"getrandom", SYS_getrandom, {0, 0, 0}, 0, 0},
	{"clock_gettime", SYS_clock_gettime, {CLOCK_REALTIME, 0}, 0, 0}, /* ts at run time */
	{"prctl(GET_NO_NEW_PRIVS)", SYS_prctl, {PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0}, 0, 0},
	{"pipe2", SYS_pipe2, {0, O_CLOEXEC}, 0, 0}, /* fds at run time */
	{"socket(AF_PACKET)", SYS_socket, {AF_PACKET, SOCK_DGRAM, 0}, 0, 0},
	{"socketpair(AF_UNIX)", SYS_socketpair, {AF_UNIX, SOCK_STREAM, 0, 0}, 0, 0},
	{"adjtimex(read)", SYS_adjtimex, {(long)&tx}, 0, 0},
	{"clock_adjtime(read)", SYS_clock_adjtime, {CLOCK_REALTIME, (long)&tx}, 0, 0},
	{"chroot", SYS_chroot, {(long)"/"}, 0, 0},
	/* What roost itself calls after loading the filter (issue 10, item 11). */
	{"setsid", SYS_setsid, {0}, 0, 0},
	{"setresgid(-1)", SYS_setresgid, {-1, -1, -1}, 0, 0},
	{"setresuid(-1)", SYS_setresuid, {-1, -1, -1}, 0, 0},
	{"prctl(PDEATHSIG)", SYS_prctl, {PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0}, 0, 0},
	{"prctl(KEEPCAPS)", SYS_prctl, {PR_SET_KEEPCAPS, 0, 0, 0, 0}, 0, 0},
	{"close_range", 436, {1000, 1010, 0}, 0, 0},
	{"dup3", SYS_dup3, {0, 100, O_CLOEXEC}, 0, 0},
	{"chdir", SYS_chdir, {(long)"/"}, 0, 0},
	{"openat", SYS_openat, {AT_FDCWD, (long)"/", O_RDONLY | O_DIRECTORY}, 0, 0},
};

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "ok";
	return n ? n : "E?";
}

/* Run c in a child of its own; returns 0 or the errno it got. */
static int call_in_child(struct call *c)
{
	int p[2], status, e = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return errno;
	pid = fork();
	if (pid == 0) {
		long r;

		close(p[0]);
		r = syscall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
		e = r < 0 ? errno : 0;
		if (r == 0 && c->nr == SYS_clone)
			_exit(0); /* the clone's own child */
		if (r > 0 && c->nr == SYS_clone)
			waitpid(r, NULL, 0);
		(void)!write(p[1], &e, sizeof(e));
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &e, sizeof(e)) != sizeof(e))
		e = -1; /* the child died: a KILL action, or worse */
	close(p[0]);
	waitpid(pid, &status, 0);
	return e;
}

static unsigned long long cap_eff(void)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void fill_runtime_args(void)
{
	static struct utsname u;
	static struct timespec ts;
	static int fds[2];
	static char rnd[8];

	for (size_t i = 0; i < ARRAY_SIZE(denied); i++)
		if (!strcmp(denied[i].name, "kcmp")) {
			denied[i].a[0] = getpid();
			denied[i].a[1] = getpid();
		}
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		if (allowed[i].nr == SYS_uname)
			allowed[i].a[0] = (long)&u;
		if (allowed[i].nr == SYS_clock_gettime)
			allowed[i].a[1] = (long)&ts;
		if (allowed[i].nr == SYS_pipe2)
			allowed[i].a[0] = (long)fds;
		if (allowed[i].nr == SYS_socketpair)
			allowed[i].a[3] = (long)fds;
		if (allowed[i].nr == SYS_getrandom) {
			allowed[i].a[0] = (long)rnd;
			allowed[i].a[1] = sizeof(rnd);
		}
	}
}

static int cmd_denied(bool pid_host)
{
	/* Calls with side effects a privileged caller would really make: never with those caps. */
	bool priv = cap_eff() & ((1ULL << 22) | (1ULL << 26));
	int bad = 0, n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(denied); i++) {
		struct call *c = &denied[i];
		int e;

		if ((c->flags & PID_HOST) && !pid_host)
			continue;
		if ((c->flags & NO_PRIV) && priv)
			continue;
		e = call_in_child(c);
		n++;
		if (e != c->want) {
			printf("%s: got %s, want %s\n", c->name, e < 0 ? "killed" : errname(e),
			       errname(c->want));
			bad++;
		}
	}
	if (!bad)
		printf("denied: %d calls refused as expected\n", n);
	return bad ? 1 : 0;
}

/* "NAME WANT GOT" for every refused call: confine.sh compares it with seccomp=unconfined. */
static int cmd_report(bool pid_host)
{
	bool priv = cap_eff() & ((1ULL << 22) | (1ULL << 26));

	for (size_t i = 0; i < ARRAY_SIZE(denied); i++) {
		struct call *c = &denied[i];
		int e;

		if ((c->flags & PID_HOST) && !pid_host)
			continue;
		if ((c->flags & NO_PRIV) && priv)
			continue;
		e = call_in_child(c);
		printf("%s %s %s\n", c->name, errname(c->want), e < 0 ? "killed" : errname(e));
	}
	return 0;
}

static int cmd_allowed(void)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		int e = call_in_child(&allowed[i]);

		if (e != 0) {
			printf("%s: got %s\n", allowed[i].name, e < 0 ? "killed" : errname(e));
			bad++;
		}
	}
	if (!bad)
		printf("allowed: %zu calls work\n", ARRAY_SIZE(allowed));
	rmdir("/tmp/sysprobe-dir");
	return bad ? 1 : 0;
}

static int cmd_call(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		struct call *c = NULL;

		for (size_t k = 0; k < ARRAY_SIZE(denied) && !c; k++)
			if (!strcmp(denied[k].name, argv[i]))
				c = &denied[k];
		for (size_t k = 0; k < ARRAY_SIZE(allowed) && !c; k++)
			if (!strcmp(allowed[k].name, argv[i]))
				c = &allowed[k];
		if (!c) {
			fprintf(stderr, "sysprobe: no call named %s\n", argv[i]);
			return 2;
		}
		int e = call_in_child(c);
		printf("%s=%s\n", c->name, e < 0 ? "killed" : errname(e));
	}
	return 0;
}

/* getpid through the i386 entry (int 0x80, eax 20) and the x32 one. */
static int cmd_int80(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	printf("i386=%s ", r < 0 && r > -4096 ? errname((int)-r) : "ok");
	r = syscall(0x40000000L | SYS_getpid);
	printf("x32=%s\n", r < 0 ? errname(errno) : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
			"usage: sysprobe denied|allowed|call|int80|mkdir|ptrace|kill ...\n");
		return 2;
	}
	fill_runtime_args();
	if (!strcmp(argv[1], "denied"))
		return cmd_denied(argc > 2 && !strcmp(argv[2], "pid-host"));
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc > 2 && !strcmp(argv[2], "pid-host"));
	if (!strcmp(argv[1], "allowed"))
		return cmd_allowed();
	if (!strcmp(argv[1], "call"))
		return cmd_call(argc - 2, argv + 2);
	if (!strcmp(argv[1], "int80"))
		return cmd_int80();
	if (!strcmp(argv[1], "mkdir") && argc == 3) {
		printf("%s\n", mkdir(argv[2], 0755) < 0 ? errname(errno) : "ok");
		return 0;
	}
	if (!strcmp(argv[1], "ptrace") && argc == 3) {
		long r = ptrace(PTRACE_SEIZE, atoi(argv[2]), 0, 0);
		printf("%s\n", r < 0 ? errname(errno) : "ok");
		if (r == 0)
			ptrace(PTRACE_DETACH, atoi(argv[2]), 0, 0);
		return 0;
	}
	if (!strcmp(argv[1], "kill") && argc == 3) {
		printf("%s\n", kill(atoi(argv[2]), 0) < 0 ? errname(errno) : "ok");
		return 0;
	}
	fprintf(stderr, "sysprobe: unknown command %s\n", argv[1]);
	return 2;
}
