/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "roost/err.h"
#include "roost/opt.h"
#include "../tap.h"

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, ...) opt_parse_run(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

int main(void)
{
	struct opts o;
	struct volume v;
	char *none[] = {"run", NULL};

	plan(76);

	is_int(opt_parse_run(1, none, &o), 0, "no arguments");
	ok(!o.rootfs && !o.argv, "no arguments: host system, default command");
	opt_free(&o);

	is_int(PARSE(&o, "--", "sh", "-c", "id"), 0, "-- first: host system");
	ok(!o.rootfs, "-- first: no ROOTFS");
	is_int(o.argc, 3, "-- first: command and its arguments");
	is_str(o.argv[0], "sh", "-- first: command");
	opt_free(&o);

	is_int(PARSE(&o, "./root", "ls", "-l"), 0, "ROOTFS then command");
	is_str(o.rootfs, "./root", "ROOTFS");
	is_str(o.argv[1], "-l", "command options are not ours");
	opt_free(&o);

	is_int(PARSE(&o, "./root", "--", "ls", "--rm"), 0, "ROOTFS -- command");
	is_str(o.argv[0], "ls", "-- after ROOTFS is dropped");
	ok(!o.rm, "options after the command are the command's");
	opt_free(&o);

	is_int(PARSE(&o, "./root"), 0, "ROOTFS alone");
	ok(o.rootfs && !o.argv, "ROOTFS alone: default command");
	opt_free(&o);

	is_int(PARSE(&o, "-it", "--rm", "--init", "--read-only", "--name", "web", "--hostname",
		     "box", "-w", "/srv", "-u", "1000:1000", "r"),
	       0, "flags");
	ok(o.tty && o.interactive && o.rm && o.init && o.read_only, "boolean flags");
	is_str(o.name, "web", "--name");
	is_str(o.hostname, "box", "--hostname");
	is_str(o.workdir, "/srv", "-w");
	is_str(o.user, "1000:1000", "-u");
	opt_free(&o);

	is_int(PARSE(&o, "-v", "/a:/b", "-v", "./c:/d:ro", "--tmpfs", "/t", "-e", "A=1", "-e", "B",
		     "--env-file", "f", "r"),
	       0, "lists");
	is_int(o.n_volumes, 2, "two volumes");
	ok(!o.volumes[0].ro && o.volumes[1].ro, "ro volume");
	is_int(o.n_env, 2, "two -e");
	is_int(o.n_tmpfs, 1, "one --tmpfs");
	is_int(o.n_env_files, 1, "one --env-file");
	opt_free(&o);

	is_int(PARSE(&o, "--userns=keep-id", "--network=host", "r"), 0, "modes");
	ok(o.userns == USERNS_KEEP_ID && o.net.mode == NET_HOST, "keep-id and host network");
	opt_free(&o);

	is_int(PARSE(&o, "--userns=auto", "r"), -EINVAL, "unknown userns mode");
	is_int(PARSE(&o, "--network=slirp4", "r"), -EINVAL, "unknown network mode");
	is_int(PARSE(&o, "--bogus", "r"), -EINVAL, "unknown long option");
	is_str(err_msg(), "unknown option '--bogus'; see 'roost run --help'", "message names it");
	is_int(PARSE(&o, "-X", "r"), -EINVAL, "unknown short option");
	is_str(err_msg(), "unknown option '-X'; see 'roost run --help'", "message names -X");
	is_int(PARSE(&o, "-v"), -EINVAL, "missing argument");
	is_str(err_msg(), "option '-v' needs an argument; see 'roost run --help'",
	       "message names the option");
	is_int(PARSE(&o, "-w", "rel"), -EINVAL, "relative workdir");
	is_int(PARSE(&o, "--name", "a/b"), -EINVAL, "name with a slash");
	is_int(PARSE(&o, "--tmpfs", "t"), -EINVAL, "relative tmpfs");
	is_int(PARSE(&o, "-e", "=x"), -EINVAL, "empty env key");

	/* --tmpfs DST[:OPTIONS], as Docker takes them (issue 11) */
	{
		struct tmpfs_opt t;

		is_int(opt_parse_tmpfs("/t", &t), 0, "--tmpfs DST");
		ok(t.mflags == (MS_NOSUID | MS_NODEV) && !strcmp(t.data, "mode=1777"),
		   "--tmpfs default: nosuid, nodev, mode 1777");
		free(t.dst);
		is_int(opt_parse_tmpfs("/t:size=10m", &t), 0, "--tmpfs /t:size=10m");
		is_str(t.dst, "/t", "the options are not part of the path");
		is_str(t.data, "mode=1777,size=10m", "size goes to the mount data");
		free(t.dst);
		is_int(opt_parse_tmpfs("/run:rw,noexec,nosuid,size=65536k,mode=700,exec,dev,ro",
				       &t),
		       0, "Docker's example and every flag");
		ok(t.mflags == (MS_NOSUID | MS_RDONLY), "later flags win: exec, dev, ro");
		is_str(t.data, "mode=700,size=65536k", "mode and size");
		free(t.dst);
		is_int(opt_parse_tmpfs("/t:size=50%", &t), 0, "size as a share of memory");
		free(t.dst);
		is_int(opt_parse_tmpfs("/t:size=10x", &t), -EINVAL, "a bad size");
		is_int(opt_parse_tmpfs("/t:mode=999", &t), -EINVAL, "a mode that is not octal");
		is_int(opt_parse_tmpfs("/t:bogus", &t), -EINVAL, "an unknown option");
		is_int(PARSE(&o, "--tmpfs", "/t:uid=0:gid=0"), -EINVAL,
		       "--tmpfs checks its options");
	}
	/* -u with an id past 32 bits is out of range, not a name to look up (issue 11) */
	is_int(PARSE(&o, "-u", "99999999999"), -ERANGE, "-u 99999999999");
	is_str(err_msg(), "-u 99999999999: uid 99999999999 is out of range (0 to 4294967294)",
	       "-u: says the range");
	is_int(PARSE(&o, "-u", "0:4294967295"), -ERANGE, "-u with a gid of (gid_t)-1");
	is_int(PARSE(&o, "-u", "4294967294:user", "r"), 0, "the largest uid and a group name");
	opt_free(&o);

	/* Confinement */
	is_int(PARSE(&o, "--cap-add", "NET_ADMIN", "--cap-add", "sys_ptrace", "--cap-drop", "ALL",
		     "--privileged", "--pid", "host", "--ipc=host", "r"),
	       0, "capabilities, --privileged, --pid, --ipc");
	ok(o.n_cap_add == 2 && o.n_cap_drop == 1 && !strcmp(o.cap_add[1], "sys_ptrace"),
	   "--cap-add and --cap-drop are lists");
	ok(o.privileged && o.pid_host && o.ipc_host, "--privileged --pid=host --ipc=host");
	opt_free(&o);
	is_int(PARSE(&o, "--pid=private", "r"), 0, "--pid=private");
	ok(!o.pid_host, "--pid=private is the default");
	opt_free(&o);
	is_int(PARSE(&o, "--ipc=shareable", "r"), -EINVAL, "unknown --ipc mode");
	is_str(err_msg(), "--ipc=shareable: unknown mode (want private or host)", "names it");
	is_int(PARSE(&o, "--security-opt", "seccomp=/p.json", "--security-opt", "no-new-privileges",
		     "r"),
	       0, "--security-opt");
	ok(!strcmp(o.seccomp, "/p.json") && o.nnp_set && o.nnp, "seccomp=FILE, no-new-privileges");
	opt_free(&o);
	is_int(PARSE(&o, "--security-opt", "seccomp:unconfined", "--security-opt",
		     "no-new-privileges:false", "--security-opt", "label=disable", "r"),
	       0, "Docker's colon forms, label=disable");
	ok(!strcmp(o.seccomp, "unconfined") && o.nnp_set && !o.nnp, "unconfined, nnp false");
	opt_free(&o);
	is_int(PARSE(&o, "--security-opt", "seccomp=", "r"), -EINVAL, "seccomp= without a file");
	is_int(PARSE(&o, "--security-opt", "no-new-privileges=maybe", "r"), -EINVAL,
	       "no-new-privileges=maybe");
	is_int(PARSE(&o, "--security-opt", "mask=/proc", "r"), -EINVAL, "unknown --security-opt");

	is_int(opt_parse_volume("/a:/b:ro,z", &v), 0, "volume with ro,z");
	ok(v.ro, "ro,z is read-only");
	free(v.src);
	free(v.dst);
	is_int(opt_parse_volume("/a:rel", &v), -EINVAL, "relative destination");
	is_int(opt_parse_volume("data:/b", &v), -EINVAL, "named volume");
	is_int(opt_parse_volume("/a:/b:rx", &v), -EINVAL, "unknown volume option");
	return tap_done();
}
