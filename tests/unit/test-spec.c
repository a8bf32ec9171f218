/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/rootfs.h"
#include "roost/spec.h"
#include "../tap.h"

static const struct mount_op *find(const struct mount_plan *p, const char *dst, size_t *ret_i)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->ops[i].dst, dst)) {
			if (ret_i)
				*ret_i = i;
			return &p->ops[i];
		}
	return NULL;
}

static const char *env_get(const struct strv *e, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->v[i], key, k) && e->v[i][k] == '=')
			return e->v[i] + k + 1;
	return NULL;
}

int main(void)
{
	struct spec s;
	struct opts o = {0};
	struct strv env = {0};
	const struct mount_op *op;
	char envfile[] = "/tmp/roost-test-env.XXXXXX";
	char dir[] = "/tmp/roost-test-dir.XXXXXX";
	size_t i_proc = 0, i_vol = 0, i_mask = 0;
	FILE *f;
	int fd;

	plan(51);

	/* Environment */
	setenv("ROOST_TEST_FROM_HOST", "hostval", 1);
	is_int(spec_env_set(&env, "A=1"), 0, "set A");
	is_int(spec_env_set(&env, "A=2"), 0, "replace A");
	is_int(env.n, 1, "replaced, not added");
	is_str(env_get(&env, "A"), "2", "A=2");
	is_int(spec_env_set(&env, "ROOST_TEST_FROM_HOST"), 0, "bare key");
	is_str(env_get(&env, "ROOST_TEST_FROM_HOST"), "hostval", "bare key copies ours");
	is_int(spec_env_set(&env, "ROOST_TEST_UNSET_XYZ"), 0, "bare unset key");
	is_int(env.n, 2, "bare unset key is skipped");
	is_int(spec_env_set(&env, "BAD KEY=1"), -EINVAL, "space in key");

	fd = mkstemp(envfile);
	f = fdopen(fd, "w");
	fputs("# comment\n\n  B=3\nC=with = sign\r\nROOST_TEST_FROM_HOST\n", f);
	fclose(f);
	is_int(spec_parse_env_file(envfile, &env), 0, "env file");
	is_str(env_get(&env, "B"), "3", "env file value");
	is_str(env_get(&env, "C"), "with = sign", "value keeps '=' and loses CR");
	f = fopen(envfile, "w");
	fputs("OK=1\n=bad\n", f);
	fclose(f);
	is_int(spec_parse_env_file(envfile, &env), -EINVAL, "malformed env file line");
	ok(strstr(err_msg(), ":2:") != NULL, "message names the line");
	unlink(envfile);
	is_int(spec_parse_env_file(envfile, &env), -ENOENT, "missing env file");
	is_int(spec_parse_env_file("/", &env), -EISDIR, "--env-file DIR is refused (issue 11)");
	strv_free(&env);

	/* Spec and mount plan: a directory ROOTFS */
	ok(mkdtemp(dir) != NULL, "temp rootfs");
	o.rootfs = dir;
	o.read_only = true;
	o.volumes = (struct volume[]){{dir, "/data", true, false, -1}};
	o.n_volumes = 1;
	is_int(spec_from_opts(&o, &s) || rootfs_plan(&s, NULL), 0, "spec from a directory");
	is_str(s.argv.v[0], "/bin/sh", "default command");
	is_str(s.workdir, "/", "default workdir");
	ok(strlen(s.id) == 12, "generated 12-character id");
	is_str(env_get(&s.env, "HOSTNAME"), s.id, "hostname defaults to the id");
	op = find(&s.plan, "/proc", &i_proc);
	ok(op && op->kind == MK_PROC, "plan mounts /proc");
	op = find(&s.plan, "/tmp", NULL);
	ok(op && op->kind == MK_TMPFS, "--read-only: tmpfs on /tmp");
	op = find(&s.plan, "/data", &i_vol);
	ok(op && op->kind == MK_BIND && (op->flags & MOP_RO) && (op->mflags & MS_REC),
	   "volume: recursive read-only bind");
	op = find(&s.plan, "/proc/kcore", &i_mask);
	ok(op && op->kind == MK_MASK, "/proc/kcore masked");
	ok(i_proc < i_mask && i_mask < i_vol, "order: proc, masks, volumes");
	op = find(&s.plan, "/proc/sys", NULL);
	ok(op && op->kind == MK_RDONLY, "/proc/sys read-only");
	ok(find(&s.plan, "/usr", NULL) == NULL, "a directory ROOTFS binds nothing from the host");
	spec_free(&s);

	/* A long name gives a hostname cut to the kernel's 64; --tmpfs options reach the plan */
	o = (struct opts){0};
	o.name = "n123456789012345678901234567890123456789012345678901234567890123456789";
	o.tmpfs = (char *[]){"/t:size=10m,noexec"};
	o.n_tmpfs = 1;
	is_int(spec_from_opts(&o, &s) || rootfs_plan(&s, NULL), 0, "a 70-character name");
	is_int(strlen(s.hostname), 64, "the hostname is its first 64 characters");
	op = find(&s.plan, "/t", NULL);
	ok(op && op->kind == MK_TMPFS && !strcmp(op->data, "mode=1777,size=10m"),
	   "--tmpfs /t:size=10m mounts /t with size=10m");
	ok(op && (op->mflags & MS_NOEXEC) && (op->mflags & MS_NOSUID), "--tmpfs flags");
	spec_free(&s);

	/* The host system */
	o = (struct opts){0};
	is_int(spec_from_opts(&o, &s) || rootfs_plan(&s, NULL), 0, "spec for the host system");
	op = find(&s.plan, "/usr", NULL);
	ok(op && op->kind == MK_BIND && (op->flags & MOP_RO), "host /usr read-only");
	op = find(&s.plan, "/home", NULL);
	ok(op && op->kind == MK_TMPFS, "host system: /home is a private tmpfs");
	spec_free(&s);

	/* Confinement */
	o = (struct opts){0};
	is_int(spec_from_opts(&o, &s), 0, "defaults");
	ok(s.caps == CAPS_DEFAULT && !s.seccomp_off && !s.seccomp_file && !s.no_new_privs,
	   "defaults: Docker's capabilities, the default filter, no no_new_privs");
	spec_free(&s);
	o.privileged = true;
	o.pid_host = o.ipc_host = true;
	is_int(spec_from_opts(&o, &s) || rootfs_plan(&s, NULL), 0, "--privileged --pid/--ipc=host");
	ok(s.caps == CAPS_ALL && s.seccomp_off && !s.no_new_privs,
	   "--privileged: every capability, no filter, no no_new_privs");
	ok(!find(&s.plan, "/proc/kcore", NULL) && !find(&s.plan, "/proc/sys", NULL),
	   "--privileged: nothing masked or read-only");
	op = find(&s.plan, "/sys", NULL);
	ok(op && op->kind == MK_SYSFS && !(op->flags & MOP_RO), "--privileged: /sys read-write");
	op = find(&s.plan, "/proc", NULL);
	ok(op && op->kind == MK_BIND && !strcmp(op->src, "/proc") && (op->mflags & MS_REC),
	   "--pid=host: the host's /proc, bound recursively");
	ok(!find(&s.plan, "/dev/mqueue", NULL) ||
		   find(&s.plan, "/dev/mqueue", NULL)->kind == MK_BIND,
	   "--ipc=host: no new mqueue");
	spec_free(&s);
	o = (struct opts){.seccomp = "unconfined", .nnp_set = true, .nnp = true};
	is_int(spec_from_opts(&o, &s), 0, "seccomp=unconfined, no-new-privileges");
	ok(s.seccomp_off && s.no_new_privs, "no filter, no_new_privs");
	spec_free(&s);
	o = (struct opts){.nnp_set = true, .nnp = false};
	is_int(spec_from_opts(&o, &s), 0, "no-new-privileges=false with a filter");
	ok(!s.seccomp_off && !s.no_new_privs, "a filter without no_new_privs");
	spec_free(&s);
	o = (struct opts){.preserve_fds = 1000};
	is_int(spec_from_opts(&o, &s), -EBADF, "--preserve-fds of fds that are not open");
	o = (struct opts){.seccomp = "/nonexistent/profile.json"};
	is_int(spec_from_opts(&o, &s), -ENOENT, "a missing seccomp profile");

	o = (struct opts){0};
	o.rootfs = "/nonexistent/rootfs";
	is_int(spec_from_opts(&o, &s), -ENOENT, "missing ROOTFS");
	rmdir(dir);
	return tap_done();
}
