/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-overlay.c - which overlayfs a kernel lets a user namespace mount,
 * decided on fake /proc and /sys trees (the machines here run 6.x), and
 * doctor's report of Ubuntu's permit_mounts_in_userns
 */
#include <string.h>
#include <sys/stat.h>

#include "../tap.h"
#include "roost/doctor.h"
#include "roost/overlay.h"
#include "roost/util.h"

static char root[256];

static void put(const char *path, const char *text)
{
	char full[512], *slash;

	snprintf(full, sizeof(full), "%s%s", root, path);
	slash = strrchr(full, '/');
	*slash = '\0';
	(void)util_mkdir_p(full, 0755);
	*slash = '/';
	if (text) {
		FILE *f = fopen(full, "we");
		if (f) {
			fputs(text, f);
			fclose(f);
		}
	} else
		(void)unlink(full);
}

#define PARAM "/sys/module/overlay/parameters/permit_mounts_in_userns"

int main(void)
{
	struct doctor_ctx ctx = {.root = root, .user = "alice", .data_dir = "/nonexistent"};
	struct doctor_result res = {0};
	char why[512];

	snprintf(root, sizeof(root), "/tmp/roost-test-overlay.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	plan(16);

	put("/proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_USERXATTR, "6.8: userxattr");
	put("/proc/sys/kernel/osrelease", "5.11.0\n");
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_USERXATTR, "5.11: userxattr");
	put(PARAM, "N\n");
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_USERXATTR,
	       "5.11 with the parameter N: userxattr all the same");

	put("/proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
	put(PARAM, "Y\n");
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_TRUSTED,
	       "5.4 with permit_mounts_in_userns=Y: kernel overlay without userxattr");
	is_str(why, "", "no reason when allowed");
	put(PARAM, "N\n");
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_REFUSED, "5.4 with N: refused");
	ok(strstr(why, "options overlay permit_mounts_in_userns=1") && strstr(why, "modprobe.d"),
	   "the reason holds the fix");
	put(PARAM, NULL);
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_REFUSED,
	       "5.4 without Ubuntu's patch: refused");
	is_str(why,
	       "Linux 5.4.0-150-generic refuses overlayfs in a user namespace (5.11 and later "
	       "allow it)",
	       "the reason names the kernel");
	put("/proc/sys/kernel/osrelease", NULL);
	is_int(overlay_flavour(root, why, sizeof(why)), OVERLAY_USERXATTR,
	       "no release: the mount decides");

	put("/proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
	put(PARAM, "N\n");
	is_int(doctor_run(&ctx, "overlay_userns", &res), 0, "doctor runs the check");
	is_int(res.status, DOCTOR_WARN, "doctor: N is a warning");
	ok(res.fix && strstr(res.fix, "options overlay permit_mounts_in_userns=1") &&
		   strstr(res.fix, "modprobe -r overlay"),
	   "doctor: the fix is the modprobe.d line and a reload");
	doctor_result_done(&res);
	put(PARAM, "Y\n");
	(void)doctor_run(&ctx, "overlay_userns", &res);
	is_int(res.status, DOCTOR_OK, "doctor: Y is fine");
	doctor_result_done(&res);
	put("/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	(void)doctor_run(&ctx, "overlay_userns", &res);
	is_int(res.status, DOCTOR_OK, "doctor: 6.1 needs no parameter");
	doctor_result_done(&res);
	put(PARAM, NULL);
	put("/proc/sys/kernel/osrelease", "4.19.0\n");
	(void)doctor_run(&ctx, "overlay_userns", &res);
	ok(res.status == DOCTOR_WARN && res.fix && strstr(res.fix, "5.11"),
	   "doctor: 4.19 without the patch: upgrade or fuse-overlayfs");
	doctor_result_done(&res);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		(void)!system(cmd);
	}
	return tap_done();
}
