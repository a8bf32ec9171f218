/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile.c - a seccomp policy as data
 *
 * Two sources, one result (struct profile: a default action and a list of
 * rules by native syscall number), which filter.c compiles to BPF:
 *   - profile_default(): roost's own policy, the deny_table below. It
 *     allows by default and refuses what a container has no business
 *     asking of the host's kernel. Where a later kernel adds a dangerous
 *     call, the table grows; nothing else changes.
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
 */
#include <linux/sched.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/profile.h"

enum match {
	M_ANY, /* every call */
	M_A0_EQ, /* arg 0 == value */
	M_A0_HAS, /* arg 0 has every bit of value */
	M_A0_ANY_BIT /* arg 0 has any bit of value (0xffffffff, a query, is let through) */
};

#define NO_CAP (-1)

struct deny {
	const char *name;
	int err; /* what the call returns */
	int unless_cap; /* the rule is lifted when the container holds this capability */
	unsigned int only; /* PROFILE_* the rule needs, or 0 */
	enum match match;
	uint64_t value;
	const char *why;
};

#define FAMILY(af)                                                                                 \
	{                                                                                          \
		"socket", EAFNOSUPPORT, NO_CAP, 0, M_A0_EQ, af,                                    \
			"a protocol family containers do not use, rarely audited; EAFNOSUPPORT "   \
			"is what a "                                                               \
			"kernel without it answers, and what programs probing for it expect"       \
	}

/*
 * The default policy: what is refused, with what errno and why. EPERM is
 * the answer of a kernel that refuses the caller; ENOSYS where programs
 * probe for a call and fall back on ENOSYS only (clone3, the new mount API,
 * io_uring). Calls the kernel lacks on this architecture are skipped.
 */
static const struct deny deny_table[] = {
	/* The kernel itself: replace it, extend it, reach its memory or hardware. */
	{"kexec_load", EPERM, NO_CAP, 0, M_ANY, 0, "boots another kernel"},
	{"kexec_file_load", EPERM, NO_CAP, 0, M_ANY, 0, "boots another kernel"},
	{"init_module", EPERM, NO_CAP, 0, M_ANY, 0, "loads code into the host's kernel"},
	{"finit_module", EPERM, NO_CAP, 0, M_ANY, 0, "loads code into the host's kernel"},
	{"delete_module", EPERM, NO_CAP, 0, M_ANY, 0, "unloads host kernel modules"},
	{"create_module", EPERM, NO_CAP, 0, M_ANY, 0, "old module interface"},
	{"get_kernel_syms", EPERM, NO_CAP, 0, M_ANY, 0, "old module interface"},
	{"query_module", EPERM, NO_CAP, 0, M_ANY, 0, "old module interface"},
	{"iopl", EPERM, NO_CAP, 0, M_ANY, 0, "raw access to the host's I/O ports"},
	{"ioperm", EPERM, NO_CAP, 0, M_ANY, 0, "raw access to the host's I/O ports"},
	{"open_by_handle_at", EPERM, NO_CAP, 0, M_ANY, 0,
	 "opens host files by handle, around the mount tree (the 'shocker' escape)"},
	{"bpf", EPERM, NO_CAP, 0, M_ANY, 0, "loads programs into the host's kernel"},
	{"perf_event_open", EPERM, NO_CAP, 0, M_ANY, 0,
	 "observes the host's kernel and other processes; a frequent source of exploits"},
	{"lookup_dcookie", EPERM, NO_CAP, 0, M_ANY, 0, "kernel profiling interface"},
	{"kcmp", EPERM, NO_CAP, 0, M_ANY, 0, "compares kernel objects of other processes"},
	{"userfaultfd", EPERM, NO_CAP, 0, M_ANY, 0,
	 "stalls kernel page faults: turns kernel races into reliable exploits"},
	{"io_uring_setup", ENOSYS, NO_CAP, 0, M_ANY, 0,
	 "a large, often exploited kernel surface; programs fall back on ENOSYS"},
	{"io_uring_enter", ENOSYS, NO_CAP, 0, M_ANY, 0, "see io_uring_setup"},
	{"io_uring_register", ENOSYS, NO_CAP, 0, M_ANY, 0, "see io_uring_setup"},
	/* The host's state: swap, time, accounting, quotas, the console, the kernel log. */
	{"swapon", EPERM, NO_CAP, 0, M_ANY, 0, "the host's swap"},
	{"swapoff", EPERM, NO_CAP, 0, M_ANY, 0, "the host's swap"},
	{"sysfs", EPERM, NO_CAP, 0, M_ANY, 0, "obsolete; lists the host's filesystem types"},
	{"_sysctl", EPERM, NO_CAP, 0, M_ANY, 0, "obsolete binary sysctl"},
	{"adjtimex", EPERM, NO_CAP, 0, M_ANY, 0, "the host's clock (not namespaced)"},
	{"clock_adjtime", EPERM, NO_CAP, 0, M_ANY, 0, "the host's clock (not namespaced)"},
	{"clock_settime", EPERM, NO_CAP, 0, M_ANY, 0, "the host's clock (not namespaced)"},
	{"settimeofday", EPERM, NO_CAP, 0, M_ANY, 0, "the host's clock (not namespaced)"},
	{"stime", EPERM, NO_CAP, 0, M_ANY, 0, "the host's clock (not namespaced)"},
	{"acct", EPERM, NO_CAP, 0, M_ANY, 0, "the host's process accounting"},
	{"quotactl", EPERM, NO_CAP, 0, M_ANY, 0, "the host's disk quotas"},
	{"quotactl_fd", EPERM, NO_CAP, 0, M_ANY, 0, "the host's disk quotas"},
	{"syslog", EPERM, NO_CAP, 0, M_ANY, 0, "the host's kernel log"},
	{"vhangup", EPERM, NO_CAP, 0, M_ANY, 0, "hangs up the terminal"},
	{"reboot", EPERM, NO_CAP, 0, M_ANY, 0, "as pid 1 it would end the container from inside"},
	{"uselib", EPERM, NO_CAP, 0, M_ANY, 0, "obsolete a.out loader"},
	{"ustat", EPERM, NO_CAP, 0, M_ANY, 0, "obsolete; statistics of host filesystems"},
	{"nfsservctl", EPERM, NO_CAP, 0, M_ANY, 0, "obsolete NFS server control"},
	{"fanotify_init", EPERM, CAP_SYS_ADMIN, 0, M_ANY, 0,
	 "watches filesystems shared with the host"},
	/* Keys are not namespaced: the kernel's keyrings are the host's. */
	{"keyctl", EPERM, NO_CAP, 0, M_ANY, 0, "the kernel keyring is shared with the host"},
	{"add_key", EPERM, NO_CAP, 0, M_ANY, 0, "the kernel keyring is shared with the host"},
	{"request_key", EPERM, NO_CAP, 0, M_ANY, 0, "the kernel keyring is shared with the host"},
	/*
	 * New user namespaces: inside one, a process holds every capability
	 * and reaches kernel code no container needs (the door of most kernel
	 * exploits from unprivileged users). Lifted with CAP_SYS_ADMIN, for
	 * nested containers. clone3's flags are in memory a filter cannot read:
	 * ENOSYS, on which glibc falls back to clone, as Docker does.
	 */
	{"clone", EPERM, CAP_SYS_ADMIN, 0, M_A0_HAS, CLONE_NEWUSER, "a new user namespace"},
	{"unshare", EPERM, CAP_SYS_ADMIN, 0, M_A0_HAS, CLONE_NEWUSER, "a new user namespace"},
	{"clone3", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0,
	 "flags out of the filter's reach; glibc falls back to clone on ENOSYS"},
	/*
	 * Mounts after start: the container's mounts are made by roost before
	 * exec; a filter cannot read a filesystem type, so mounting is refused
	 * unless the container holds CAP_SYS_ADMIN. The new mount API returns
	 * ENOSYS, so libmount falls back to mount(2), which says EPERM.
	 */
	{"mount", EPERM, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mounts after start"},
	{"umount2", EPERM, CAP_SYS_ADMIN, 0, M_ANY, 0, "would uncover masked paths"},
	{"pivot_root", EPERM, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mounts after start"},
	{"fsopen", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"fsconfig", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"fsmount", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"fspick", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"open_tree", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"move_mount", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "new mount API; callers fall back"},
	{"mount_setattr", ENOSYS, CAP_SYS_ADMIN, 0, M_ANY, 0, "would make masked paths writable"},
	/*
	 * Processes outside the container: its own pid namespace hides them;
	 * sharing the host's (--pid=host), the kernel still refuses other users'
	 * processes, and this refuses the caller's own.
	 */
	{"ptrace", EPERM, NO_CAP, PROFILE_PID_HOST, M_ANY, 0, "host processes are visible"},
	{"process_vm_readv", EPERM, NO_CAP, PROFILE_PID_HOST, M_ANY, 0,
	 "host processes are visible"},
	{"process_vm_writev", EPERM, NO_CAP, PROFILE_PID_HOST, M_ANY, 0,
	 "host processes are visible"},
	{"pidfd_getfd", EPERM, NO_CAP, PROFILE_PID_HOST, M_ANY, 0, "host processes are visible"},
	/*
	 * Personalities: the flags from ADDR_NO_RANDOMIZE (bit 18) up turn off
	 * address-space protections (READ_IMPLIES_EXEC, MMAP_PAGE_ZERO,
	 * ADDR_COMPAT_LAYOUT, ...) or are unused. PER_LINUX, PER_LINUX32,
	 * UNAME26 and the query 0xffffffff pass (the other personality types
	 * change nothing: Linux has one execution domain).
	 */
	{"personality", EPERM, NO_CAP, 0, M_A0_ANY_BIT, 0x7ffc0000,
	 "flags that weaken memory protections (setarch -R, -X, -Z...)"},
	FAMILY(AF_AX25),
	FAMILY(AF_IPX),
	FAMILY(AF_APPLETALK),
	FAMILY(AF_NETROM),
	FAMILY(AF_ATMPVC),
	FAMILY(AF_X25),
	FAMILY(AF_ROSE),
	FAMILY(AF_DECnet),
	FAMILY(AF_NETBEUI),
	FAMILY(AF_ECONET),
	FAMILY(AF_ATMSVC),
	FAMILY(AF_RDS),
	FAMILY(AF_IRDA),
	FAMILY(AF_LLC),
	FAMILY(AF_TIPC),
	FAMILY(AF_IUCV),
	FAMILY(AF_RXRPC),
	FAMILY(AF_ISDN),
	FAMILY(AF_PHONET),
	FAMILY(AF_IEEE802154),
	FAMILY(AF_CAIF),
	FAMILY(AF_NFC),
	FAMILY(AF_KCM),
	FAMILY(AF_QIPCRTR),
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

static void add_deny(struct profile *p, const struct deny *d, int nr)
{
	uint32_t act = SCMP_ACT_ERRNO(d->err);
	struct scmp_arg_cmp a;

	switch (d->match) {
	case M_ANY:
		profile_add_rule(p, nr, act, 0, NULL, -1);
		break;
	case M_A0_EQ:
		a = SCMP_A0(SCMP_CMP_EQ, d->value);
		profile_add_rule(p, nr, act, 1, &a, -1);
		break;
	case M_A0_HAS:
		a = SCMP_A0(SCMP_CMP_MASKED_EQ, d->value, d->value);
		profile_add_rule(p, nr, act, 1, &a, -1);
		break;
	case M_A0_ANY_BIT:
		/*
		 * One comparison per argument per rule, so "any bit of value"
		 * is a rule per bit: "bit b set, bit 31 clear", and for values
		 * with bit 31 set, "bit 31 set, bit b clear", which the query
		 * 0xffffffff (every bit set) never matches. The kernel reads the
		 * low 32 bits only (personality takes an unsigned int).
		 */
		for (int b = 0; b < 31; b++) {
			uint64_t bit = UINT64_C(1) << b, top = UINT64_C(1) << 31;

			if (!(d->value & bit))
				continue;
			a = SCMP_A0(SCMP_CMP_MASKED_EQ, bit | top, bit);
			profile_add_rule(p, nr, act, 1, &a, -1);
			a = SCMP_A0(SCMP_CMP_MASKED_EQ, bit | top, top);
			profile_add_rule(p, nr, act, 1, &a, -1);
		}
		break;
	}
}

/*
 * roost's default policy for a container holding caps; flags are
 * PROFILE_*. Returns 0 (the table is ours: nothing to get wrong).
 */
int profile_default(uint64_t caps, unsigned int flags, struct profile *ret)
{
	struct profile p = {
		.default_action = SCMP_ACT_ALLOW,
		/* Other ABIs (i386 by int 0x80, x32) are absent, as in a kernel built without them. */
		.bad_arch_action = SCMP_ACT_ERRNO(ENOSYS),
	};

	for (size_t i = 0; i < ARRAY_SIZE(deny_table); i++) {
		const struct deny *d = &deny_table[i];
		int nr;

		if (d->unless_cap != NO_CAP && (caps & CAPS_BIT(d->unless_cap)))
			continue;
		if ((d->only & flags) != d->only)
			continue;
		nr = seccomp_syscall_resolve_name(d->name);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not a call of this architecture (or unknown to libseccomp) */
		add_deny(&p, d, nr);
	}
	*ret = p;
	return 0;
}

void profile_free(struct profile *p)
{
	free(p->rules);
	strv_free(&p->unknown);
	memset(p, 0, sizeof(*p));
}
