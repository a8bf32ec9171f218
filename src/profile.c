/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile.c - a seccomp policy as data
 *
 * Two sources, one result (struct profile: a default action and a list of
 * rules by native syscall number), which filter.c compiles to BPF:
 *   - profile_default(): roost's own policy, policy_table below, an
 *     allow-list modelled on Docker's and Podman's default profiles. A call
 *     the table does not allow gets EPERM, the kernel's answer to a caller
 *     it refuses; a call newer than the table (a number above the highest
 *     it names, or one libseccomp cannot name) gets ENOSYS, the answer of an
 *     older kernel, on which libc and runtimes fall back (p->enosys, which
 *     filter.c checks first). Where a kernel adds a call, the table gains a
 *     row and the decision is made there.
 *   - profile_parse_json() (profile_json.c): the JSON profiles Docker and Podman use
 *     (defaultAction, architectures/archMap, syscalls with names, action,
 *     errnoRet, args, includes/excludes by caps, arches and minKernel).
 *     A malformed profile is an error naming the line or the key path
 *     ("syscalls[3].action"); syscall names libseccomp does not know are
 *     collected in p->unknown and skipped (profiles are shared across
 *     kernels); unknown properties are ignored, as Docker does.
 * Rules depend on the container's capabilities (a rule lifted when the
 * container holds a capability, "includes": {"caps": ...}), so a profile
 * is resolved for one set of capabilities.
 *
 * roost calls these itself after the filter is loaded, before exec, so
 * they are allowed for everyone: setgroups, setresgid, setresuid, prctl,
 * capget/capset, close/close_range, dup2/dup3, ioctl, setsid, open/openat,
 * chdir, execve/execveat (test-profile.c checks the list).
 */
#include <linux/sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/profile.h"

enum match {
	M_ANY, /* every call */
	M_A0_EQ, /* the low 32 bits of arg 0 (an int or unsigned int) == value */
	M_A0_NONE, /* arg 0 has none of the bits of value */
	M_A0_OTHER /* arg 0 (low 32 bits) below 64 and not allowed by a M_A0_EQ row of the call */
};

/*
 * One row per call. err 0: the call is allowed when the container holds
 * any capability of caps (0: always) and flags hold none of not_with.
 * err != 0: the call returns err, unless the container holds a capability
 * of caps, which allows it. A call named nowhere returns EPERM; rows that
 * say EPERM without a capability compile to nothing: they are here so
 * that the decision and its reason are written down.
 */
struct policy_row {
	const char *name;
	int err;
	uint64_t caps;
	unsigned int not_with; /* PROFILE_* */
	enum match match;
	uint64_t value;
	const char *why;
};

#define CAP(c) CAPS_BIT(CAP_##c)
#define ALLOW(n, why)                                                                              \
	{                                                                                          \
		n, 0, 0, 0, M_ANY, 0, why                                                          \
	}
#define ALLOW_CAP(n, caps, why)                                                                    \
	{                                                                                          \
		n, 0, caps, 0, M_ANY, 0, why                                                       \
	}
#define DENY(n, e, why)                                                                            \
	{                                                                                          \
		n, e, 0, 0, M_ANY, 0, why                                                          \
	}
#define DENY_CAP(n, e, caps, why)                                                                  \
	{                                                                                          \
		n, e, caps, 0, M_ANY, 0, why                                                       \
	}

/* Namespace flags of clone(2) and unshare(2) (CLONE_NEWTIME is CSIGNAL's in clone). */
#define NS_FLAGS                                                                                   \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET)

static const char W_FILE[] = "files and descriptors in the container's own mount tree",
		  W_MEM[] = "the process's own memory", W_PROC[] = "processes and threads",
		  W_ID[] = "credentials, checked by the kernel in the container's user namespace",
		  W_SIG[] = "signals", W_TIME[] = "clocks and timers (reading, sleeping)",
		  W_POLL[] = "waiting on descriptors", W_NET[] = "sockets",
		  W_IPC[] = "System V and POSIX IPC (the container's own ipc namespace)",
		  W_AIO[] = "Linux AIO", W_SCHED[] = "scheduling, checked by the kernel",
		  W_OLD[] = "obsolete or never implemented; the kernel has no use for it",
		  W_MOUNT_API[] = "the new mount API: mounts after start need CAP_SYS_ADMIN; "
				  "ENOSYS, so libmount falls back to mount(2), which says EPERM",
		  W_PTRACE[] = "other processes' memory and files; with --pid=host the host's "
			       "processes are visible, so never then",
		  W_XATTR[] = "extended attributes";

static const struct policy_row policy_table[] = {
	/* Files and descriptors. */
	ALLOW("read", W_FILE),
	ALLOW("write", W_FILE),
	ALLOW("open", W_FILE),
	ALLOW("close", W_FILE),
	ALLOW("close_range", W_FILE),
	ALLOW("stat", W_FILE),
	ALLOW("fstat", W_FILE),
	ALLOW("lstat", W_FILE),
	ALLOW("newfstatat", W_FILE),
	ALLOW("statx", W_FILE),
	ALLOW("lseek", W_FILE),
	ALLOW("pread64", W_FILE),
	ALLOW("pwrite64", W_FILE),
	ALLOW("readv", W_FILE),
	ALLOW("writev", W_FILE),
	ALLOW("preadv", W_FILE),
	ALLOW("pwritev", W_FILE),
	ALLOW("preadv2", W_FILE),
	ALLOW("pwritev2", W_FILE),
	ALLOW("access", W_FILE),
	ALLOW("faccessat", W_FILE),
	ALLOW("faccessat2", W_FILE),
	ALLOW("creat", W_FILE),
	ALLOW("openat", W_FILE),
	ALLOW("openat2", W_FILE),
	ALLOW("link", W_FILE),
	ALLOW("linkat", W_FILE),
	ALLOW("unlink", W_FILE),
	ALLOW("unlinkat", W_FILE),
	ALLOW("symlink", W_FILE),
	ALLOW("symlinkat", W_FILE),
	ALLOW("readlink", W_FILE),
	ALLOW("readlinkat", W_FILE),
	ALLOW("rename", W_FILE),
	ALLOW("renameat", W_FILE),
	ALLOW("renameat2", W_FILE),
	ALLOW("mkdir", W_FILE),
	ALLOW("mkdirat", W_FILE),
	ALLOW("rmdir", W_FILE),
	ALLOW("mknod", "device nodes need CAP_MKNOD, and the kernel allows none but "
		       "whiteouts in a user namespace"),
	ALLOW("mknodat", "see mknod"),
	ALLOW("chmod", W_FILE),
	ALLOW("fchmod", W_FILE),
	ALLOW("fchmodat", W_FILE),
	ALLOW("fchmodat2", W_FILE),
	ALLOW("chown", W_FILE),
	ALLOW("fchown", W_FILE),
	ALLOW("lchown", W_FILE),
	ALLOW("fchownat", W_FILE),
	ALLOW("umask", W_FILE),
	ALLOW("truncate", W_FILE),
	ALLOW("ftruncate", W_FILE),
	ALLOW("fallocate", W_FILE),
	ALLOW("fadvise64", W_FILE),
	ALLOW("readahead", W_FILE),
	ALLOW("getdents", W_FILE),
	ALLOW("getdents64", W_FILE),
	ALLOW("getcwd", W_FILE),
	ALLOW("chdir", W_FILE),
	ALLOW("fchdir", W_FILE),
	ALLOW("fcntl", W_FILE),
	ALLOW("flock", W_FILE),
	ALLOW("fsync", W_FILE),
	ALLOW("fdatasync", W_FILE),
	ALLOW("sync", W_FILE),
	ALLOW("syncfs", W_FILE),
	ALLOW("sync_file_range", W_FILE),
	ALLOW("utime", W_FILE),
	ALLOW("utimes", W_FILE),
	ALLOW("utimensat", W_FILE),
	ALLOW("futimesat", W_FILE),
	ALLOW("statfs", W_FILE),
	ALLOW("fstatfs", W_FILE),
	ALLOW("dup", W_FILE),
	ALLOW("dup2", W_FILE),
	ALLOW("dup3", W_FILE),
	ALLOW("pipe", W_FILE),
	ALLOW("pipe2", W_FILE),
	ALLOW("sendfile", W_FILE),
	ALLOW("splice", W_FILE),
	ALLOW("tee", W_FILE),
	ALLOW("vmsplice", W_FILE),
	ALLOW("copy_file_range", W_FILE),
	ALLOW("cachestat", "page cache statistics of the caller's own files"),
	ALLOW("ioctl", "device and terminal control; the devices are the container's own"),
	ALLOW("name_to_handle_at", "a handle is of no use without open_by_handle_at"),
	DENY_CAP("open_by_handle_at", EPERM, CAP(DAC_READ_SEARCH),
		 "opens files by handle, around the mount tree (the 'shocker' escape)"),
	ALLOW("inotify_init", W_FILE),
	ALLOW("inotify_init1", W_FILE),
	ALLOW("inotify_add_watch", W_FILE),
	ALLOW("inotify_rm_watch", W_FILE),
	ALLOW("fanotify_mark", "marks need a group from fanotify_init"),
	DENY_CAP("fanotify_init", EPERM, CAP(SYS_ADMIN),
		 "watches filesystems shared with the host"),
	ALLOW("setxattr", W_XATTR),
	ALLOW("lsetxattr", W_XATTR),
	ALLOW("fsetxattr", W_XATTR),
	ALLOW("getxattr", W_XATTR),
	ALLOW("lgetxattr", W_XATTR),
	ALLOW("fgetxattr", W_XATTR),
	ALLOW("listxattr", W_XATTR),
	ALLOW("llistxattr", W_XATTR),
	ALLOW("flistxattr", W_XATTR),
	ALLOW("removexattr", W_XATTR),
	ALLOW("lremovexattr", W_XATTR),
	ALLOW("fremovexattr", W_XATTR),
	ALLOW("setxattrat", W_XATTR),
	ALLOW("getxattrat", W_XATTR),
	ALLOW("listxattrat", W_XATTR),
	ALLOW("removexattrat", W_XATTR),
	ALLOW("file_getattr", "inode flags, as the FS_IOC_FSGETXATTR ioctl"),
	ALLOW("file_setattr", "inode flags, as the FS_IOC_FSSETXATTR ioctl"),

	/* Memory. */
	ALLOW("brk", W_MEM),
	ALLOW("mmap", W_MEM),
	ALLOW("munmap", W_MEM),
	ALLOW("mprotect", W_MEM),
	ALLOW("mremap", W_MEM),
	ALLOW("msync", W_MEM),
	ALLOW("mincore", W_MEM),
	ALLOW("madvise", W_MEM),
	ALLOW("mlock", W_MEM),
	ALLOW("mlock2", W_MEM),
	ALLOW("munlock", W_MEM),
	ALLOW("mlockall", W_MEM),
	ALLOW("munlockall", W_MEM),
	ALLOW("remap_file_pages", W_MEM),
	ALLOW("membarrier", W_MEM),
	ALLOW("memfd_create", W_MEM),
	ALLOW("memfd_secret", W_MEM),
	ALLOW("pkey_alloc", W_MEM),
	ALLOW("pkey_free", W_MEM),
	ALLOW("pkey_mprotect", W_MEM),
	ALLOW("map_shadow_stack", W_MEM),
	ALLOW("mseal", W_MEM),
	ALLOW("process_mrelease", "frees the memory of a process the caller killed"),
	DENY_CAP("get_mempolicy", EPERM, CAP(SYS_NICE), "NUMA policy, as Docker"),
	DENY_CAP("set_mempolicy", EPERM, CAP(SYS_NICE), "NUMA policy, as Docker"),
	DENY_CAP("mbind", EPERM, CAP(SYS_NICE), "NUMA policy, as Docker"),
	DENY_CAP("set_mempolicy_home_node", EPERM, CAP(SYS_NICE), "NUMA policy, as Docker"),
	DENY("migrate_pages", EPERM, "moves pages between the host's NUMA nodes"),
	DENY("move_pages", EPERM, "moves pages between the host's NUMA nodes"),
	DENY("userfaultfd", EPERM,
	     "stalls kernel page faults: turns kernel races into reliable exploits"),

	/* Processes and threads. */
	{"clone", 0, 0, 0, M_A0_NONE, NS_FLAGS, "new processes and threads, in no new namespace"},
	ALLOW_CAP("clone", CAP(SYS_ADMIN),
		  "with namespaces: a new user namespace holds every capability and "
		  "reaches kernel code no container needs (the door of most kernel "
		  "exploits from unprivileged users); for nested containers"),
	DENY_CAP("clone3", ENOSYS, CAP(SYS_ADMIN),
		 "flags out of the filter's reach; glibc falls back to clone on ENOSYS"),
	{"unshare", 0, 0, 0, M_A0_NONE, NS_FLAGS | CLONE_NEWTIME,
	 "unsharing files, fs or semaphores; namespaces as clone"},
	ALLOW_CAP("unshare", CAP(SYS_ADMIN), "see clone"),
	ALLOW_CAP("setns", CAP(SYS_ADMIN), "joins other namespaces"),
	ALLOW("fork", W_PROC),
	ALLOW("vfork", W_PROC),
	ALLOW("execve", W_PROC),
	ALLOW("execveat", W_PROC),
	ALLOW("exit", W_PROC),
	ALLOW("exit_group", W_PROC),
	ALLOW("wait4", W_PROC),
	ALLOW("waitid", W_PROC),
	ALLOW("kill", W_PROC),
	ALLOW("tkill", W_PROC),
	ALLOW("tgkill", W_PROC),
	ALLOW("pidfd_open", W_PROC),
	ALLOW("pidfd_send_signal", W_PROC),
	ALLOW("getpid", W_PROC),
	ALLOW("gettid", W_PROC),
	ALLOW("getppid", W_PROC),
	ALLOW("set_tid_address", W_PROC),
	ALLOW("futex", W_PROC),
	ALLOW("futex_waitv", W_PROC),
	ALLOW("futex_wake", W_PROC),
	ALLOW("futex_wait", W_PROC),
	ALLOW("futex_requeue", W_PROC),
	ALLOW("set_robust_list", W_PROC),
	ALLOW("get_robust_list", W_PROC),
	ALLOW("rseq", W_PROC),
	ALLOW("restart_syscall", W_PROC),
	ALLOW("arch_prctl", W_PROC),
	ALLOW("set_thread_area", W_PROC),
	ALLOW("get_thread_area", W_PROC),
	ALLOW("modify_ldt", "16-bit segments (Wine, old runtimes), as Docker"),
	ALLOW("prctl", "per-process settings; roost itself sets the death signal, keepcaps "
		       "and the bounding set after the filter"),
	ALLOW("seccomp", "filters of its own, on top of this one"),
	ALLOW("capget", W_ID),
	ALLOW("capset", W_ID),
	ALLOW("landlock_create_ruleset", "sandboxing of its own"),
	ALLOW("landlock_add_rule", "sandboxing of its own"),
	ALLOW("landlock_restrict_self", "sandboxing of its own"),
	ALLOW("uname", W_PROC),
	ALLOW("sysinfo", W_PROC),
	ALLOW("getrlimit", W_PROC),
	ALLOW("setrlimit", W_PROC),
	ALLOW("prlimit64", W_PROC),
	ALLOW("getrusage", W_PROC),
	ALLOW("times", W_PROC),
	ALLOW("getcpu", W_PROC),
	/*
	 * Personalities: PER_LINUX, PER_LINUX32, UNAME26 and the query
	 * 0xffffffff. The flags (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC,
	 * MMAP_PAGE_ZERO, ...) turn off address-space protections.
	 */
	{"personality", 0, 0, 0, M_A0_EQ, PER_LINUX, "the native personality"},
	{"personality", 0, 0, 0, M_A0_EQ, PER_LINUX32, "setarch i686"},
	{"personality", 0, 0, 0, M_A0_EQ, UNAME26, "old programs that want a 2.6 uname"},
	{"personality", 0, 0, 0, M_A0_EQ, UNAME26 | PER_LINUX32, "both"},
	{"personality", 0, 0, 0, M_A0_EQ, 0xffffffff, "the query"},
	/* Other processes: ptrace needs the same user, and kcmp and pidfd_getfd SYS_PTRACE. */
	{"ptrace", 0, 0, PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},
	{"process_vm_readv", 0, 0, PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},
	{"process_vm_writev", 0, 0, PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},
	{"kcmp", 0, CAP(SYS_PTRACE), PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},
	{"pidfd_getfd", 0, CAP(SYS_PTRACE), PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},
	{"process_madvise", 0, CAP(SYS_PTRACE), PROFILE_PID_HOST, M_ANY, 0, W_PTRACE},

	/* Credentials. */
	ALLOW("getuid", W_ID),
	ALLOW("geteuid", W_ID),
	ALLOW("getgid", W_ID),
	ALLOW("getegid", W_ID),
	ALLOW("getresuid", W_ID),
	ALLOW("getresgid", W_ID),
	ALLOW("getgroups", W_ID),
	ALLOW("setuid", W_ID),
	ALLOW("setgid", W_ID),
	ALLOW("setreuid", W_ID),
	ALLOW("setregid", W_ID),
	ALLOW("setresuid", W_ID),
	ALLOW("setresgid", W_ID),
	ALLOW("setfsuid", W_ID),
	ALLOW("setfsgid", W_ID),
	ALLOW("setgroups", W_ID),
	ALLOW("setsid", W_ID),
	ALLOW("getsid", W_ID),
	ALLOW("setpgid", W_ID),
	ALLOW("getpgid", W_ID),
	ALLOW("getpgrp", W_ID),

	/* Signals. */
	ALLOW("rt_sigaction", W_SIG),
	ALLOW("rt_sigprocmask", W_SIG),
	ALLOW("rt_sigreturn", W_SIG),
	ALLOW("rt_sigpending", W_SIG),
	ALLOW("rt_sigtimedwait", W_SIG),
	ALLOW("rt_sigqueueinfo", W_SIG),
	ALLOW("rt_tgsigqueueinfo", W_SIG),
	ALLOW("rt_sigsuspend", W_SIG),
	ALLOW("sigaltstack", W_SIG),
	ALLOW("pause", W_SIG),
	ALLOW("signalfd", W_SIG),
	ALLOW("signalfd4", W_SIG),
	ALLOW("alarm", W_SIG),

	/* Time. */
	ALLOW("nanosleep", W_TIME),
	ALLOW("clock_nanosleep", W_TIME),
	ALLOW("clock_gettime", W_TIME),
	ALLOW("clock_getres", W_TIME),
	ALLOW("gettimeofday", W_TIME),
	ALLOW("time", W_TIME),
	ALLOW("getitimer", W_TIME),
	ALLOW("setitimer", W_TIME),
	ALLOW("timer_create", W_TIME),
	ALLOW("timer_settime", W_TIME),
	ALLOW("timer_gettime", W_TIME),
	ALLOW("timer_getoverrun", W_TIME),
	ALLOW("timer_delete", W_TIME),
	ALLOW("timerfd_create", W_TIME),
	ALLOW("timerfd_settime", W_TIME),
	ALLOW("timerfd_gettime", W_TIME),
	ALLOW("adjtimex", "reads the clock's state (ntp_gettime); setting it needs CAP_SYS_TIME "
			  "in the host's user namespace"),
	ALLOW("clock_adjtime", "see adjtimex"),
	DENY_CAP("settimeofday", EPERM, CAP(SYS_TIME), "the host's clock (not namespaced)"),
	DENY_CAP("clock_settime", EPERM, CAP(SYS_TIME), "the host's clock (not namespaced)"),
	DENY_CAP("stime", EPERM, CAP(SYS_TIME), "the host's clock (not namespaced)"),

	/* Waiting. */
	ALLOW("poll", W_POLL),
	ALLOW("ppoll", W_POLL),
	ALLOW("select", W_POLL),
	ALLOW("pselect6", W_POLL),
	ALLOW("epoll_create", W_POLL),
	ALLOW("epoll_create1", W_POLL),
	ALLOW("epoll_ctl", W_POLL),
	ALLOW("epoll_wait", W_POLL),
	ALLOW("epoll_pwait", W_POLL),
	ALLOW("epoll_pwait2", W_POLL),
	ALLOW("epoll_ctl_old", W_POLL),
	ALLOW("epoll_wait_old", W_POLL),
	ALLOW("eventfd", W_POLL),
	ALLOW("eventfd2", W_POLL),

	/*
	 * Sockets: the families containers use. AF_PACKET needs CAP_NET_RAW
	 * (ping, DHCP clients). The others are left out, answered as by a kernel
	 * without them: rarely used in containers, rarely audited, and the
	 * source of local root exploits (AF_ALG, AF_VSOCK, AF_TIPC, AF_RDS,
	 * AF_CAN, AF_XDP...); crypto libraries fall back to their own code.
	 */
	{"socket", 0, 0, 0, M_A0_EQ, AF_UNIX, W_NET},
	{"socket", 0, 0, 0, M_A0_EQ, AF_INET, W_NET},
	{"socket", 0, 0, 0, M_A0_EQ, AF_INET6, W_NET},
	{"socket", 0, 0, 0, M_A0_EQ, AF_NETLINK, "routes, addresses, uevents of the container"},
	{"socket", 0, 0, 0, M_A0_EQ, AF_PACKET, "raw frames on the container's interfaces"},
	{"socket", EAFNOSUPPORT, 0, 0, M_A0_OTHER, 0,
	 "other families; EAFNOSUPPORT is what a kernel without them answers"},
	{"socketpair", 0, 0, 0, M_A0_EQ, AF_UNIX, "creates sockets of its family, as socket"},
	{"socketpair", EAFNOSUPPORT, 0, 0, M_A0_OTHER, 0, "see socket"},
	ALLOW("connect", W_NET),
	ALLOW("accept", W_NET),
	ALLOW("accept4", W_NET),
	ALLOW("bind", W_NET),
	ALLOW("listen", W_NET),
	ALLOW("shutdown", W_NET),
	ALLOW("getsockname", W_NET),
	ALLOW("getpeername", W_NET),
	ALLOW("setsockopt", W_NET),
	ALLOW("getsockopt", W_NET),
	ALLOW("sendto", W_NET),
	ALLOW("recvfrom", W_NET),
	ALLOW("sendmsg", W_NET),
	ALLOW("recvmsg", W_NET),
	ALLOW("sendmmsg", W_NET),
	ALLOW("recvmmsg", W_NET),

	/* IPC and AIO. */
	ALLOW("shmget", W_IPC),
	ALLOW("shmat", W_IPC),
	ALLOW("shmctl", W_IPC),
	ALLOW("shmdt", W_IPC),
	ALLOW("semget", W_IPC),
	ALLOW("semop", W_IPC),
	ALLOW("semctl", W_IPC),
	ALLOW("semtimedop", W_IPC),
	ALLOW("msgget", W_IPC),
	ALLOW("msgsnd", W_IPC),
	ALLOW("msgrcv", W_IPC),
	ALLOW("msgctl", W_IPC),
	ALLOW("mq_open", W_IPC),
	ALLOW("mq_unlink", W_IPC),
	ALLOW("mq_timedsend", W_IPC),
	ALLOW("mq_timedreceive", W_IPC),
	ALLOW("mq_notify", W_IPC),
	ALLOW("mq_getsetattr", W_IPC),
	ALLOW("io_setup", W_AIO),
	ALLOW("io_destroy", W_AIO),
	ALLOW("io_getevents", W_AIO),
	ALLOW("io_pgetevents", W_AIO),
	ALLOW("io_submit", W_AIO),
	ALLOW("io_cancel", W_AIO),
	DENY("io_uring_setup", ENOSYS,
	     "a large, often exploited kernel surface; programs fall back on ENOSYS"),
	DENY("io_uring_enter", ENOSYS, "see io_uring_setup"),
	DENY("io_uring_register", ENOSYS, "see io_uring_setup"),

	/* Scheduling. */
	ALLOW("sched_yield", W_SCHED),
	ALLOW("sched_setparam", W_SCHED),
	ALLOW("sched_getparam", W_SCHED),
	ALLOW("sched_setscheduler", W_SCHED),
	ALLOW("sched_getscheduler", W_SCHED),
	ALLOW("sched_get_priority_max", W_SCHED),
	ALLOW("sched_get_priority_min", W_SCHED),
	ALLOW("sched_rr_get_interval", W_SCHED),
	ALLOW("sched_setaffinity", W_SCHED),
	ALLOW("sched_getaffinity", W_SCHED),
	ALLOW("sched_setattr", W_SCHED),
	ALLOW("sched_getattr", W_SCHED),
	ALLOW("getpriority", W_SCHED),
	ALLOW("setpriority", W_SCHED),
	ALLOW("ioprio_get", W_SCHED),
	ALLOW("ioprio_set", W_SCHED),
	ALLOW("getrandom", "the kernel's random numbers"),

	/* Mounts after start; a filter cannot read a filesystem type. */
	DENY_CAP("mount", EPERM, CAP(SYS_ADMIN), "new mounts after start"),
	DENY_CAP("umount2", EPERM, CAP(SYS_ADMIN), "would uncover masked paths"),
	DENY_CAP("umount", EPERM, CAP(SYS_ADMIN), "would uncover masked paths"),
	DENY_CAP("pivot_root", EPERM, CAP(SYS_ADMIN), "new mounts after start"),
	DENY_CAP("chroot", EPERM, CAP(SYS_CHROOT), "as Docker"),
	DENY_CAP("fsopen", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("fsconfig", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("fsmount", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("fspick", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("open_tree", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("open_tree_attr", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("move_mount", ENOSYS, CAP(SYS_ADMIN), W_MOUNT_API),
	DENY_CAP("mount_setattr", ENOSYS, CAP(SYS_ADMIN), "would make masked paths writable"),
	ALLOW("statmount", "the container's own mounts, as /proc/self/mountinfo"),
	ALLOW("listmount", "the container's own mounts, as /proc/self/mountinfo"),
	DENY_CAP("sethostname", EPERM, CAP(SYS_ADMIN), "the name is set by roost, as Docker"),
	DENY_CAP("setdomainname", EPERM, CAP(SYS_ADMIN), "see sethostname"),
	DENY_CAP("quotactl", EPERM, CAP(SYS_ADMIN), "the host's disk quotas"),
	DENY_CAP("quotactl_fd", EPERM, CAP(SYS_ADMIN), "the host's disk quotas"),

	/* The kernel itself: replace it, extend it, reach its memory or hardware. */
	DENY("kexec_load", EPERM, "boots another kernel"),
	DENY("kexec_file_load", EPERM, "boots another kernel"),
	DENY_CAP("init_module", EPERM, CAP(SYS_MODULE), "loads code into the host's kernel"),
	DENY_CAP("finit_module", EPERM, CAP(SYS_MODULE), "loads code into the host's kernel"),
	DENY_CAP("delete_module", EPERM, CAP(SYS_MODULE), "unloads host kernel modules"),
	DENY_CAP("iopl", EPERM, CAP(SYS_RAWIO), "raw access to the host's I/O ports"),
	DENY_CAP("ioperm", EPERM, CAP(SYS_RAWIO), "raw access to the host's I/O ports"),
	DENY_CAP("bpf", EPERM, CAP(SYS_ADMIN) | CAP(BPF), "loads programs into the host's kernel"),
	DENY_CAP("perf_event_open", EPERM, CAP(SYS_ADMIN) | CAP(PERFMON),
		 "observes the host's kernel and other processes; a frequent source of exploits"),
	DENY_CAP("lookup_dcookie", EPERM, CAP(SYS_ADMIN), "kernel profiling interface"),
	DENY_CAP("syslog", EPERM, CAP(SYSLOG) | CAP(SYS_ADMIN), "the host's kernel log"),
	DENY_CAP("acct", EPERM, CAP(SYS_PACCT), "the host's process accounting"),
	DENY_CAP("reboot", EPERM, CAP(SYS_BOOT), "as pid 1 it would end the container from inside"),
	DENY_CAP("vhangup", EPERM, CAP(SYS_TTY_CONFIG), "hangs up the terminal"),
	DENY("swapon", EPERM, "the host's swap"),
	DENY("swapoff", EPERM, "the host's swap"),
	/* Keys are not namespaced: the kernel's keyrings are the host's. */
	DENY("keyctl", EPERM, "the kernel keyring is shared with the host"),
	DENY("add_key", EPERM, "the kernel keyring is shared with the host"),
	DENY("request_key", EPERM, "the kernel keyring is shared with the host"),
	DENY("lsm_get_self_attr", ENOSYS, "LSM attributes; callers fall back to /proc/self/attr"),
	DENY("lsm_set_self_attr", ENOSYS, "see lsm_get_self_attr"),
	DENY("lsm_list_modules", ENOSYS, "see lsm_get_self_attr"),
	DENY("listns", ENOSYS, "lists namespaces beyond the container's"),
	DENY("sysfs", EPERM, W_OLD),
	DENY("_sysctl", EPERM, W_OLD),
	DENY("uselib", EPERM, W_OLD),
	DENY("ustat", EPERM, W_OLD),
	DENY("nfsservctl", EPERM, W_OLD),
	DENY("create_module", EPERM, W_OLD),
	DENY("get_kernel_syms", EPERM, W_OLD),
	DENY("query_module", EPERM, W_OLD),
	DENY("getpmsg", EPERM, W_OLD),
	DENY("putpmsg", EPERM, W_OLD),
	DENY("afs_syscall", EPERM, W_OLD),
	DENY("tuxcall", EPERM, W_OLD),
	DENY("security", EPERM, W_OLD),
	DENY("vserver", EPERM, W_OLD),
};

/* Append a rule to p (args are copied). */
void profile_add_rule(struct profile *p, int nr, uint32_t action, unsigned int n_args,
		      const struct scmp_arg_cmp *args, int src)
{
	struct profile_rule *r;

	p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
	r = &p->rules[p->n_rules++];
	*r = (struct profile_rule){.nr = nr, .action = action, .n_args = n_args, .src = src};
	memcpy(r->args, args, n_args * sizeof(*args));
}

static bool row_applies(const struct policy_row *w, uint64_t caps, unsigned int flags)
{
	if (w->not_with & flags)
		return false;
	return w->err != 0 || w->caps == 0 || (caps & w->caps);
}

/* The action of an applying row: err rows are lifted by their capabilities. */
static uint32_t row_action(const struct policy_row *w, uint64_t caps)
{
	if (w->err == 0 || (w->caps && (caps & w->caps)))
		return SCMP_ACT_ALLOW;
	return SCMP_ACT_ERRNO(w->err);
}

/* Is v the value of an allowing M_A0_EQ row of the call named name? */
static bool family_allowed(const char *name, uint64_t v)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_table); i++) {
		const struct policy_row *w = &policy_table[i];

		if (w->match == M_A0_EQ && w->err == 0 && w->value == v && !strcmp(w->name, name))
			return true;
	}
	return false;
}

static bool block_allowed(const char *name, uint64_t v, uint64_t size)
{
	for (uint64_t k = v; k < v + size; k++)
		if (family_allowed(name, k))
			return true;
	return false;
}

static void add_row(struct profile *p, const struct policy_row *w, int nr, uint32_t act)
{
	struct scmp_arg_cmp a;

	switch (w->match) {
	case M_ANY:
		profile_add_rule(p, nr, act, 0, NULL, -1);
		break;
	case M_A0_EQ:
		/* The kernel reads an int: the high half of the register is not compared. */
		a = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff, w->value);
		profile_add_rule(p, nr, act, 1, &a, -1);
		break;
	case M_A0_NONE:
		a = SCMP_A0(SCMP_CMP_MASKED_EQ, w->value, 0);
		profile_add_rule(p, nr, act, 1, &a, -1);
		break;
	case M_A0_OTHER:
		/*
		 * The values below 64 that no row allows, in aligned blocks
		 * (4-7 is "a0 & ~3 == 4"): disjoint, so the order of the rules
		 * does not matter, and ten rules instead of sixty.
		 */
		for (uint64_t v = 0; v < 64;) {
			uint64_t size = 1;

			if (family_allowed(w->name, v)) {
				v++;
				continue;
			}
			while (v % (size * 2) == 0 && v + size * 2 <= 64 &&
			       !block_allowed(w->name, v, size * 2))
				size *= 2;
			a = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff & ~(size - 1), v);
			profile_add_rule(p, nr, act, 1, &a, -1);
			v += size;
		}
		break;
	}
}

/* Does an unconditional row allow the call for these caps and flags? */
static bool allowed_whole(const char *name, uint64_t caps, unsigned int flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_table); i++) {
		const struct policy_row *w = &policy_table[i];

		if (w->match == M_ANY && !strcmp(w->name, name) && row_applies(w, caps, flags) &&
		    row_action(w, caps) == SCMP_ACT_ALLOW)
			return true;
	}
	return false;
}

/*
 * The numbers of calls newer than the table, which get ENOSYS: those
 * above the highest number the table names, and those below it that
 * libseccomp cannot name (on x86_64, 335 to 423: uretprobe and uprobe
 * took 335 and 336 after the other architectures' numbers were unified).
 */
static void set_enosys(struct profile *p, int max)
{
	int first = -1;

	for (int nr = 0; nr <= max + 1; nr++) {
		char *name =
			nr <= max ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr) : NULL;
		bool unknown = !name;

		free(name);
		if (unknown && first < 0)
			first = nr;
		if (!unknown && first >= 0) {
			if (p->n_enosys < ARRAY_SIZE(p->enosys) - 1)
				p->enosys[p->n_enosys++] = (struct profile_range){first, nr - 1};
			first = -1;
		}
	}
	p->enosys[p->n_enosys++] = (struct profile_range){(uint32_t)first, UINT32_MAX};
}

/*
 * roost's default policy for a container holding caps; flags are
 * PROFILE_*. Returns 0 (the table is ours: nothing to get wrong).
 */
int profile_default(uint64_t caps, unsigned int flags, struct profile *ret)
{
	struct profile p = {
		.default_action = SCMP_ACT_ERRNO(EPERM),
		/* Other ABIs (i386 by int 0x80, x32) are absent, as in a kernel built without them. */
		.bad_arch_action = SCMP_ACT_ERRNO(ENOSYS),
	};
	int max = -1;

	for (size_t i = 0; i < ARRAY_SIZE(policy_table); i++) {
		const struct policy_row *w = &policy_table[i];
		uint32_t act;
		int nr = seccomp_syscall_resolve_name(w->name);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a call of this architecture (or unknown to libseccomp) */
		if (nr > max)
			max = nr;
		if (!row_applies(w, caps, flags))
			continue;
		act = row_action(w, caps);
		if (act == p.default_action)
			continue; /* written down for its reason; the default says it */
		if (w->match != M_ANY && allowed_whole(w->name, caps, flags))
			continue; /* the whole call is allowed: no rule may narrow it */
		add_row(&p, w, nr, act);
	}
	set_enosys(&p, max);
	*ret = p;
	return 0;
}

void profile_free(struct profile *p)
{
	free(p->rules);
	strv_free(&p->unknown);
	memset(p, 0, sizeof(*p));
}
