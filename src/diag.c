/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.c - turn a refusal from the kernel into its cause and fix
 *
 * Only called after something failed: each function reads the host's
 * settings that can explain the error r and rewrites the message to one
 * line with the cause and the command that fixes it. Returns r.
 */
#include <limits.h>
#include <string.h>

#include "roost/diag.h"
#include "roost/err.h"
#include "roost/util.h"

static bool sysctl_is(const char *root, const char *path, long want, long *ret)
{
	_cleanup_free_ char *full = xasprintf("%s%s", root, path);
	long v;

	if (util_read_int(full, &v) < 0)
		return false;
	if (ret)
		*ret = v;
	return v == want;
}

/*
 * AppArmor's restriction (Ubuntu 23.10+) lets the namespace be made but strips its powers.
 * The message holds the profile that allows roost's own binary; roost doctor prints it too.
 */
int diag_apparmor(int r)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	return err_setx(r,
			"AppArmor forbids unprivileged user namespaces "
			"(kernel.apparmor_restrict_unprivileged_userns=1): allow roost with "
			"printf 'abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile roost %s "
			"flags=(unconfined) {\\n  userns,\\n}\\n' | sudo tee "
			"/etc/apparmor.d/roost && sudo apparmor_parser -r /etc/apparmor.d/roost",
			exe);
}

/*
 * clone(CLONE_NEWUSER) failed with r. root prefixes the /proc/sys paths read
 * ("" on the host; roost doctor's tests pass a fake tree).
 */
int diag_userns_create_at(const char *root, int r)
{
	long max = -1;

	if (sysctl_is(root, "/proc/sys/kernel/unprivileged_userns_clone", 0, NULL))
		return err_setx(r, "user namespaces are disabled for unprivileged users "
				   "(kernel.unprivileged_userns_clone=0): sudo sysctl -w "
				   "kernel.unprivileged_userns_clone=1 (and add it to "
				   "/etc/sysctl.d/ to keep it)");
	if (sysctl_is(root, "/proc/sys/user/max_user_namespaces", 0, &max))
		return err_setx(r, "user namespaces are disabled (user.max_user_namespaces=0): "
				   "sudo sysctl -w user.max_user_namespaces=28633 (and add it to "
				   "/etc/sysctl.d/ to keep it)");
	if (r == -ENOSPC)
		return err_setx(r,
				"too many user namespaces (user.max_user_namespaces=%ld, or "
				"the nesting limit of 32): raise it with sudo sysctl -w "
				"user.max_user_namespaces=28633",
				max);
	if (sysctl_is(root, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1, NULL))
		return diag_apparmor(r);
	if (r == -EPERM || r == -EACCES)
		return err_setx(r,
				"the kernel refused a new user namespace (%s): a seccomp or "
				"LSM policy forbids it, as inside most containers; run roost on "
				"the host, or allow clone(CLONE_NEWUSER) in that policy",
				strerror(-r));
	return err_set(r, "create the container's namespaces");
}

int diag_userns_create(int r)
{
	return diag_userns_create_at("", r);
}

/* A step inside the new user namespace failed with r: was the namespace stripped? */
int diag_in_userns(int r)
{
	if ((r == -EPERM || r == -EACCES) &&
	    sysctl_is("", "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", 1, NULL))
		return diag_apparmor(r);
	return r;
}
