/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * landlock.c - fence the container off the host's processes (--pid=host)
 *
 * Sharing the host's pid namespace shows the container the user's own
 * processes, and the kernel lets a process of the same uid read their
 * /proc/PID/root, fd, environ and mem: container root would reach the
 * host's files and inject code into the user's shell. A Landlock domain,
 * whatever it handles, keeps its processes from ptrace-level access to any
 * process outside it (the kernel checks that on every /proc/PID access
 * too); processes inside see each other as before.
 *
 * The domain must handle something: with Linux 6.12's scopes (Landlock ABI
 * 6), signals to processes outside, so the container cannot kill the
 * user's host processes either; before that, making block devices (which a
 * user namespace never may), but only when the container cannot mount:
 * a domain that handles file access refuses every mount. Where neither
 * applies, or Landlock is missing, the seccomp rules for --pid=host
 * (ptrace, process_vm_*, pidfd_getfd) are all there is.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "roost/err.h"
#include "roost/landlock.h"
#include "roost/log.h"
#include "roost/util.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_restrict_self 446
#endif

/* The ABI 6 layout; Debian 12's headers stop at ABI 3. */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define CREATE_RULESET_VERSION (1U << 0)
#define ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define SCOPE_SIGNAL (1ULL << 1)

/* Enter the fence (the calling thread; children inherit it). 0 when done or not possible. */
int landlock_fence(bool may_mount)
{
	struct ruleset_attr attr = {0};
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_VERSION);
	_cleanup_close_ int fd = -1;

	if (abi < 0) {
		log_debug("landlock: %s; --pid=host relies on seccomp alone", strerror(errno));
		return 0;
	}
	if (abi >= 6)
		attr.scoped = SCOPE_SIGNAL;
	else if (!may_mount)
		attr.handled_access_fs = ACCESS_FS_MAKE_BLOCK;
	else {
		log_debug("landlock ABI %ld: no fence that leaves mounts alone", abi);
		return 0;
	}
	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return err_set(errno, "landlock: create a ruleset");
	if (syscall(__NR_landlock_restrict_self, fd, 0) < 0)
		return err_set(errno, "landlock: fence the container off the host's processes");
	return 0;
}
