/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-doctor.c - roost doctor's checks on fake /etc and /proc/sys trees
 *
 * Each case writes the files a check reads below a temporary root, runs the
 * check without live probes and compares the verdict and the fix text.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "../tap.h"
#include "roost/doctor.h"
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

static struct doctor_result res;

/* Run check id on the fake tree; returns its status. */
static enum doctor_status run(const struct doctor_ctx *ctx, const char *id)
{
	doctor_result_done(&res);
	if (doctor_run(ctx, id, &res) < 0)
		return -1;
	return res.status;
}

static const char *fix(void)
{
	return res.fix ? res.fix : "(none)";
}

int main(void)
{
	static const gid_t groups[] = {4242};
	char *rundir;
	struct doctor_ctx ctx = {
		.root = root,
		.user = "alice",
		.uid = 4242,
		.gid = 4242,
		.groups = groups,
		.n_groups = 1,
		.exe = "/usr/local/bin/roost",
		.data_dir = "/var/tmp",
		.runtime_dir = NULL,
		.live = false,
	};

	plan(59);
	snprintf(root, sizeof(root), "/tmp/roost-doctor.XXXXXX");
	if (!mkdtemp(root))
		return 1;

	/* subuid: missing, overlapping, too small, fine, by uid, malformed */
	put("/etc/subuid", "bob:100000:65536\n");
	put("/etc/subgid", "bob:100000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "no subuid range: WARN");
	is_int(res.impact, IMPACT_DEGRADED, "no subuid range: degraded");
	is_str(fix(),
	       "no subordinate ids for 'alice' in /etc/subuid: running with a single-id map (only "
	       "root exists inside; chown to other ids, setuid programs and package managers will "
	       "fail). For the full map add the line 'alice:196608:65536' to /etc/subuid and "
	       "/etc/subgid (sudo usermod --add-subuids 196608-262143 --add-subgids 196608-262143 "
	       "alice) and install newuidmap/newgidmap (sudo apt-get install uidmap)",
	       "no subuid range: roost run's warning, with a free range");
	put("/etc/subuid", "bob:100000:65536\nalice:150000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "overlapping range: WARN");
	ok(strstr(res.found, "overlaps bob:100000:65536"), "overlapping range: names the other");
	is_str(fix(),
	       "give alice a range of its own: sudo usermod --del-subuids 150000-215535 "
	       "--del-subgids 150000-215535 --add-subuids 262144-327679 --add-subgids "
	       "262144-327679 alice",
	       "overlapping range: the usermod line");
	/* Several ranges: the one that overlaps is named and deleted, not the first (issue 11). */
	put("/etc/subuid", "alice:400000:65536\nbob:100000:65536\nalice:150000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "several ranges, one overlapping: WARN");
	ok(strstr(res.found, "alice:150000:65536 overlaps bob:100000:65536") != NULL,
	   "several ranges: names the overlapping one");
	is_str(fix(),
	       "give alice a range of its own: sudo usermod --del-subuids 150000-215535 "
	       "--del-subgids 150000-215535 --add-subuids 524288-589823 --add-subgids "
	       "524288-589823 alice",
	       "several ranges: deletes only the overlapping one");
	/* The same range by name and by uid is counted once. */
	put("/etc/subuid", "bob:100000:65536\nalice:200000:32768\n4242:200000:32768\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "the same range twice is not twice the ids");
	ok(strstr(res.found, "32768 ids for alice") != NULL, "the same range twice: counted once");
	/* Inside a container only the mapped ids can be granted. */
	put("/proc/self/uid_map", "         0       1000      65536\n");
	put("/etc/subuid", "bob:100000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "nested, no range: WARN");
	is_str(fix(),
	       "inside this container only the ids it maps can be granted: sudo usermod "
	       "--add-subuids 4243-65535 --add-subgids 4243-65535 alice",
	       "nested: the range lies in the mapped ids");
	put("/proc/sys/net/ipv4/ping_group_range", "1\t0\n");
	is_int(run(&ctx, "ping"), DOCTOR_WARN, "nested: ping_group_range WARN");
	ok(!strncmp(fix(),
		    "this runs in a container: the kernel is the host's, so do this on the "
		    "host: ",
		    72),
	   "nested: a sysctl is the host's business");
	put("/proc/sys/net/ipv4/ping_group_range", NULL);
	put("/proc/self/uid_map", NULL);

	put("/etc/subuid", "bob:100000:65536\nalice:300000:1000\n");
	is_int(run(&ctx, "subuid"), DOCTOR_WARN, "1000 ids: WARN");
	is_str(fix(), "sudo usermod --add-subuids 327680-393215 --add-subgids 327680-393215 alice",
	       "1000 ids: add a full range");
	put("/etc/subuid", "bob:100000:65536\nalice:200000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_OK, "own 65536 ids: OK");
	ok(res.fix == NULL, "OK has no fix");
	put("/etc/subuid", "bob:100000:65536\n4242:200000:65536\n");
	is_int(run(&ctx, "subuid"), DOCTOR_OK, "range by uid: OK");
	put("/etc/subuid", "alice:1\n");
	is_int(run(&ctx, "subuid"), DOCTOR_FAIL, "malformed entry: FAIL");
	is_int(res.impact, IMPACT_FATAL, "malformed entry: fatal");
	is_int(run(&ctx, "subgid"), DOCTOR_WARN, "subgid is checked on its own");

	/* newuidmap: missing, without setuid bit */
	is_int(run(&ctx, "newuidmap"), DOCTOR_WARN, "no newuidmap: WARN");
	ok(!strncmp(fix(), "newuidmap not found: running with a single-id map although alice", 64),
	   "no newuidmap: roost run's warning");
	put("/usr/bin/newuidmap", "#!/bin/sh\n");
	{
		char p[512];
		snprintf(p, sizeof(p), "%s/usr/bin/newuidmap", root);
		(void)chmod(p, 0755);
		is_int(run(&ctx, "newuidmap"), DOCTOR_FAIL, "newuidmap not setuid: FAIL");
		char *want = xasprintf("sudo chmod u+s %s (or reinstall: sudo apt-get install "
				       "--reinstall uidmap)",
				       p);
		is_str(fix(), want, "newuidmap not setuid: chmod u+s its real path");
		free(want);
	}

	/* user namespace switches */
	put("/proc/sys/user/max_user_namespaces", "0\n");
	is_int(run(&ctx, "max_user_namespaces"), DOCTOR_FAIL, "max_user_namespaces=0: FAIL");
	is_str(fix(),
	       "user namespaces are disabled (user.max_user_namespaces=0): sudo sysctl -w "
	       "user.max_user_namespaces=28633 (and add it to /etc/sysctl.d/ to keep it)",
	       "max_user_namespaces=0: roost run's message");
	is_int(run(&ctx, "idmap"), DOCTOR_SKIP, "max_user_namespaces=0: the id-map check skips");
	ok(strstr(res.found, "switched off") != NULL,
	   "max_user_namespaces=0: the id-map check blames no subgid");
	put("/proc/sys/user/max_user_namespaces", "15000\n");
	is_int(run(&ctx, "max_user_namespaces"), DOCTOR_OK, "max_user_namespaces=15000: OK");
	put("/proc/sys/kernel/unprivileged_userns_clone", "0\n");
	is_int(run(&ctx, "userns_clone"), DOCTOR_FAIL, "unprivileged_userns_clone=0: FAIL");
	ok(!strncmp(fix(), "user namespaces are disabled for unprivileged users", 51),
	   "unprivileged_userns_clone=0: roost run's message");
	put("/proc/sys/kernel/unprivileged_userns_clone", NULL);
	is_int(run(&ctx, "userns_clone"), DOCTOR_OK, "no unprivileged_userns_clone: OK");
	put("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
	is_int(run(&ctx, "apparmor"), DOCTOR_FAIL, "AppArmor restriction: FAIL");
	ok(strstr(fix(), "profile roost ") && strstr(fix(), "apparmor_parser -r"),
	   "AppArmor restriction: the profile and how to load it");
	put("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "0\n");
	is_int(run(&ctx, "apparmor"), DOCTOR_OK, "AppArmor without restriction: OK");

	/* ping and ports */
	put("/proc/sys/net/ipv4/ping_group_range", "1\t0\n");
	is_int(run(&ctx, "ping"), DOCTOR_WARN, "ping_group_range '1 0': WARN");
	ok(strstr(fix(), "sudo sysctl -w net.ipv4.ping_group_range='4242 4242'"),
	   "ping_group_range '1 0': exactly the caller's group");
	put("/proc/sys/net/ipv4/ping_group_range", "0\t2147483647\n");
	is_int(run(&ctx, "ping"), DOCTOR_OK, "ping_group_range covering the group: OK");
	put("/proc/sys/net/ipv4/ip_unprivileged_port_start", "1024\n");
	is_int(run(&ctx, "ports"), DOCTOR_OK, "no port asked: OK");
	ctx.port = 80;
	is_int(run(&ctx, "ports"), DOCTOR_WARN, "port 80 below 1024: WARN");
	is_str(fix(), "sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80",
	       "port 80: lower it to 80, not 0");
	put("/proc/sys/net/ipv4/ip_unprivileged_port_start", "80\n");
	is_int(run(&ctx, "ports"), DOCTOR_OK, "port 80 with start 80: OK");
	ctx.port = 0;

	/* XDG_RUNTIME_DIR */
	is_int(run(&ctx, "runtime_dir"), DOCTOR_WARN, "XDG_RUNTIME_DIR unset: WARN");
	ctx.runtime_dir = "/";
	is_int(run(&ctx, "runtime_dir"), DOCTOR_WARN, "someone else's XDG_RUNTIME_DIR: WARN");
	ok(strstr(res.found, "belongs to uid 0"),
	   "someone else's XDG_RUNTIME_DIR: names the owner");
	is_str(fix(),
	       "no /run/user/4242 here (it is made by systemd-logind at login): make a private "
	       "directory and set it in your shell's profile: mkdir -p -m 0700 ~/.cache/roost-run "
	       "&& export XDG_RUNTIME_DIR=~/.cache/roost-run",
	       "XDG_RUNTIME_DIR without logind: a directory that can exist");
	put("/run/user/4242/x", "");
	run(&ctx, "runtime_dir");
	is_str(fix(),
	       "log in as alice directly (ssh, or machinectl shell alice@) rather than with su or "
	       "sudo, or: export XDG_RUNTIME_DIR=/run/user/4242",
	       "XDG_RUNTIME_DIR with logind's directory: the fix names the user and uid");
	rundir = xasprintf("%s/run-user", root);
	(void)mkdir(rundir, 0700);
	ctx.runtime_dir = rundir;
	ctx.uid = getuid();
	is_int(run(&ctx, "runtime_dir"), DOCTOR_OK, "own XDG_RUNTIME_DIR: OK");
	ctx.uid = 4242;

	/* linger, cgroup, seccomp */
	is_int(run(&ctx, "linger"), DOCTOR_WARN, "no linger: WARN");
	is_str(fix(), "sudo loginctl enable-linger alice", "no linger: loginctl");
	put("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
	put("/sys/fs/cgroup/user.slice/user-4242.slice/user@4242.service/cgroup.controllers",
	    "memory pids\n");
	is_int(run(&ctx, "cgroup"), DOCTOR_OK, "cgroup v2 with delegation: OK");
	is_int(run(&ctx, "seccomp"), DOCTOR_FAIL, "no seccomp: FAIL");

	/* probes are skipped without live; the exit status and JSON */
	is_int(run(&ctx, "userns"), DOCTOR_SKIP, "no live probes in unit tests");
	{
		struct doctor_result v[3] = {{.impact = IMPACT_NONE},
					     {.impact = IMPACT_DEGRADED},
					     {.impact = IMPACT_NONE}};
		is_int(doctor_exit_status(v, 3), 1, "a degraded check: exit status 1");
		v[2].impact = IMPACT_FATAL;
		is_int(doctor_exit_status(v, 3), 2, "a fatal check: exit status 2");
		v[0].found = "say \"hi\"\n";
		char *text = doctor_json(v, 3);
		json_object *j = json_tokener_parse(text);
		json_object *checks = NULL, *first, *found;
		ok(j && json_object_object_get_ex(j, "checks", &checks) &&
			   (first = json_object_array_get_idx(checks, 0)) &&
			   json_object_object_get_ex(first, "found", &found) &&
			   !strcmp(json_object_get_string(found), "say \"hi\"\n"),
		   "JSON parses back, quotes and newlines intact");
		json_object_put(j);
		free(text);
	}

	doctor_result_done(&res);
	free(rundir);
	{
		_cleanup_close_ int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		(void)util_rm_rf_at(fd, root + 5);
	}
	return tap_done();
}
