/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opt.c - "roost run" options
 *
 * One getopt_long table; each entry carries its help text, so --help and
 * the parser cannot drift apart. Parsing stops at the first operand:
 *   roost run [OPTIONS] [ROOTFS] [--] [COMMAND [ARG...]]
 * "--" right after the options means "no ROOTFS": sandbox the host system.
 * No I/O here: checks that need the filesystem are in spec.c.
 */
#include <getopt.h>
#include <string.h>
#include <sys/mount.h>

#include "roost/err.h"
#include "roost/opt.h"
#include "roost/util.h"

enum {
	OPT_ENV_FILE = 0x100,
	OPT_TMPFS,
	OPT_HOSTNAME,
	OPT_NAME,
	OPT_RM,
	OPT_INIT,
	OPT_READ_ONLY,
	OPT_USERNS,
	OPT_PULL,
	OPT_NETWORK,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECURITY_OPT,
	OPT_PRIVILEGED,
	OPT_PID,
	OPT_IPC,
	OPT_PRESERVE_FDS,
	OPT_STOP_TIMEOUT,
};

struct opt_def {
	struct option o;
	const char *arg;
	const char *help;
};

/* clang-format off */
static const struct opt_def run_opts[] = {
	{{"volume", required_argument, NULL, 'v'}, "SRC:DST[:ro]",
	 "bind SRC (recursively) at DST; \"ro\" makes it read-only"},
	{{"tmpfs", required_argument, NULL, OPT_TMPFS}, "DST[:OPTS]",
	 "mount a fresh tmpfs at DST; OPTS: size=, mode=, ro, noexec, exec, nosuid, suid, nodev, dev"},
	{{"env", required_argument, NULL, 'e'}, "KEY[=VAL]",
	 "set an environment variable (KEY alone copies roost's own)"},
	{{"env-file", required_argument, NULL, OPT_ENV_FILE}, "FILE",
	 "read KEY=VAL lines from FILE (# comments, blank lines ignored)"},
	{{"workdir", required_argument, NULL, 'w'}, "DIR",
	 "working directory inside (created if missing; default /)"},
	{{"user", required_argument, NULL, 'u'}, "UID[:GID]",
	 "run the command as UID (a number or a name in the container's /etc/passwd)"},
	{{"hostname", required_argument, NULL, OPT_HOSTNAME}, "NAME",
	 "the container's hostname (default: its name)"},
	{{"name", required_argument, NULL, OPT_NAME}, "NAME", "name the container (default: random)"},
	{{"tty", no_argument, NULL, 't'}, NULL, "give the command a pseudo-terminal"},
	{{"interactive", no_argument, NULL, 'i'}, NULL,
	 "keep stdin open (without it the command reads /dev/null)"},
	{{"rm", no_argument, NULL, OPT_RM}, NULL,
	 "remove the container's writable layer and state when it exits"},
	{{"init", no_argument, NULL, OPT_INIT}, NULL,
	 "run a tiny init as pid 1 that reaps zombies and forwards signals"},
	{{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT}, "SECONDS",
	 "kill the container this long after passing on SIGTERM, SIGINT or SIGHUP (10)"},
	{{"read-only", no_argument, NULL, OPT_READ_ONLY}, NULL,
	 "make / read-only (fresh tmpfs on /tmp, /run, /dev/shm)"},
	{{"userns", required_argument, NULL, OPT_USERNS}, "MODE",
	 "\"keep-id\": keep your uid/gid inside and run as you (default: you are root)"},
	{{"pull", required_argument, NULL, OPT_PULL}, "POLICY",
	 "an image not in the store: \"missing\" pulls it (default), \"always\", \"never\""},
	{{"publish", required_argument, NULL, 'p'}, "[IP:]HOST:CTR[/udp]",
	 "publish the container's port CTR on the host's port HOST (ranges LOW-HIGH)"},
	{{"network", required_argument, NULL, OPT_NETWORK}, "MODE",
	 "\"slirp[:KEY=VAL,...]\" (default: user-mode networking), \"none\" (only lo) or "
	 "\"host\""},
	{{"cap-add", required_argument, NULL, OPT_CAP_ADD}, "CAP",
	 "add a capability to the default set (NET_ADMIN, CAP_SYS_ADMIN, ALL...)"},
	{{"cap-drop", required_argument, NULL, OPT_CAP_DROP}, "CAP",
	 "drop a capability from the set (ALL: keep only those added)"},
	{{"security-opt", required_argument, NULL, OPT_SECURITY_OPT}, "OPT",
	 "seccomp=FILE (a Docker JSON profile), seccomp=unconfined, no-new-privileges"},
	{{"privileged", no_argument, NULL, OPT_PRIVILEGED}, NULL,
	 "every capability of the user namespace, no seccomp, /proc and /sys unmasked"},
	{{"pid", required_argument, NULL, OPT_PID}, "MODE",
	 "\"host\": share the host's pid namespace and /proc (default: private)"},
	{{"ipc", required_argument, NULL, OPT_IPC}, "MODE",
	 "\"host\": share the host's IPC namespace, /dev/shm and /dev/mqueue"},
	{{"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS}, "N",
	 "pass roost's fds 3 to 3+N-1 to the command (every other fd is closed)"},
	{{"help", no_argument, NULL, 'h'}, NULL, "show this help"},
};
/* clang-format on */

void opt_print_run_help(FILE *f)
{
	fprintf(f, "Usage: roost run [OPTIONS] [ROOTFS] [--] [COMMAND [ARG...]]\n\n"
		   "Run COMMAND (default /bin/sh) in a new rootless container. ROOTFS is a\n"
		   "directory holding a root filesystem, used as the read-only lower layer of an\n"
		   "overlay; without it (\"roost run -- CMD\") the host's own /usr, /etc and /opt\n"
		   "are mounted read-only with private, empty /home, /tmp and /run.\n\n"
		   "Options:\n");
	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++) {
		const struct opt_def *d = &run_opts[i];
		char left[64];

		if (d->o.val < 0x100)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->o.val, d->o.name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->o.name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		fprintf(f, "  %-28s %s\n", left, d->help);
	}
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

/*
 * Parse "SRC:DST[:OPTIONS]". OPTIONS is a comma list of ro, rw, z, Z (the
 * last two are SELinux relabel requests, accepted and ignored: there is
 * nothing to relabel rootless). Returns 0 or -EINVAL with a message.
 */
int opt_parse_volume(const char *arg, struct volume *ret)
{
	_cleanup_free_ char *s = xstrdup(arg);
	char *src = s, *dst, *o;
	bool ro = false;

	dst = strchr(s, ':');
	if (!dst || dst == s)
		return err_setx(EINVAL, "-v %s: want SRC:DST[:ro]", arg);
	*dst++ = '\0';
	o = strchr(dst, ':');
	if (o) {
		*o++ = '\0';
		for (char *save = NULL, *t = strtok_r(o, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			if (!strcmp(t, "ro"))
				ro = true;
			else if (!strcmp(t, "rw"))
				ro = false;
			else if (strcmp(t, "z") && strcmp(t, "Z"))
				return err_setx(EINVAL,
						"-v %s: unknown option '%s' (want ro or rw)", arg,
						t);
		}
	}
	if (dst[0] != '/')
		return err_setx(EINVAL, "-v %s: the destination must be an absolute path", arg);
	if (src[0] != '/' && src[0] != '.')
		return err_setx(EINVAL,
				"-v %s: the source must be a path (named volumes are not "
				"supported; write ./%s for a relative path)",
				arg, src);
	ret->src = xstrdup(src);
	ret->dst = xstrdup(dst);
	ret->ro = ro;
	return 0;
}

/* tmpfs's size=N[k|m|g|%] and nr_inodes=N[k|m|g], as the kernel reads them. */
static bool tmpfs_size_ok(const char *v, bool percent)
{
	size_t n = strspn(v, "0123456789");

	if (n == 0)
		return false;
	return v[n] == '\0' || (v[n + 1] == '\0' && strchr(percent ? "kKmMgG%" : "kKmMgG", v[n]));
}

/*
 * Parse "--tmpfs DST[:OPTIONS]", OPTIONS a comma list as Docker takes it:
 * size=N[k|m|g|%], mode=OCTAL, nr_inodes=N, ro, rw, noexec, exec, nosuid,
 * suid, nodev, dev. The default is nosuid, nodev and mode 1777. Returns 0
 * with ret->dst allocated, or -EINVAL with a message.
 */
int opt_parse_tmpfs(const char *arg, struct tmpfs_opt *ret)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} flags[] = {
		{"ro", MS_RDONLY, 0},	{"rw", 0, MS_RDONLY},	  {"noexec", MS_NOEXEC, 0},
		{"exec", 0, MS_NOEXEC}, {"nosuid", MS_NOSUID, 0}, {"suid", 0, MS_NOSUID},
		{"nodev", MS_NODEV, 0}, {"dev", 0, MS_NODEV},
	};
	_cleanup_free_ char *s = xstrdup(arg);
	char *o = strchr(s, ':'), mode[16] = "1777", extra[64] = "";
	unsigned long mflags = MS_NOSUID | MS_NODEV;

	if (o)
		*o++ = '\0';
	if (s[0] != '/')
		return err_setx(EINVAL, "--tmpfs %s: want an absolute path", arg);
	for (char *save = NULL, *t = o ? strtok_r(o, ",", &save) : NULL; t;
	     t = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(flags); i++)
			if (!strcmp(t, flags[i].name))
				break;
		if (i < ARRAY_SIZE(flags)) {
			mflags = (mflags | flags[i].set) & ~flags[i].clear;
			continue;
		}
		if (!strncmp(t, "mode=", 5) && t[5] && strlen(t + 5) <= 4 &&
		    strspn(t + 5, "01234567") == strlen(t + 5)) {
			snprintf(mode, sizeof(mode), "%s", t + 5);
			continue;
		}
		bool size = !strncmp(t, "size=", 5), inodes = !strncmp(t, "nr_inodes=", 10);
		if ((size || inodes) && tmpfs_size_ok(t + (size ? 5 : 10), size) &&
		    strlen(extra) + strlen(t) + 2 < sizeof(extra)) {
			strcat(extra, ",");
			strcat(extra, t);
			continue;
		}
		return err_setx(
			EINVAL,
			"--tmpfs %s: unknown or malformed option '%s' (want size=N[k|m|g|%%], "
			"mode=OCTAL, nr_inodes=N, ro, rw, noexec, exec, nosuid, suid, nodev, "
			"dev)",
			arg, t);
	}
	ret->dst = xstrdup(s);
	ret->mflags = mflags;
	snprintf(ret->data, sizeof(ret->data), "mode=%s%s", mode, extra);
	return 0;
}

static int parse_mode(const char *opt, const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return err_setx(EINVAL, "--%s=%s: unknown mode (want %s%s%s)", opt, arg, names[0],
			n > 1 ? " or " : "", n > 1 ? names[1] : "");
}

static int parse_bool(const char *opt, const char *v, bool *ret)
{
	if (!strcmp(v, "true") || !strcmp(v, "1")) {
		*ret = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0")) {
		*ret = false;
		return 0;
	}
	return err_setx(EINVAL, "--security-opt %s: want true or false", opt);
}

/*
 * One --security-opt: seccomp=FILE|unconfined, no-new-privileges[=true|
 * false] (Docker's "seccomp:FILE" and "no-new-privileges:true" too), and
 * apparmor=unconfined / label=disable, accepted as the no-ops they are
 * here (roost loads no LSM policy). Returns 0 or -EINVAL with a message.
 */
int opt_parse_security(const char *arg, struct opts *o)
{
	size_t klen = strcspn(arg, "=:");
	const char *v = arg[klen] ? arg + klen + 1 : NULL;

	if (klen == 7 && !strncmp(arg, "seccomp", 7)) {
		if (!v || !*v)
			return err_setx(
				EINVAL,
				"--security-opt %s: want seccomp=FILE or seccomp=unconfined", arg);
		o->seccomp = v;
		return 0;
	}
	if (klen == 17 && !strncmp(arg, "no-new-privileges", 17)) {
		o->nnp_set = true;
		o->nnp = true;
		return v ? parse_bool(arg, v, &o->nnp) : 0;
	}
	if (!strcmp(arg, "apparmor=unconfined") || !strcmp(arg, "label=disable"))
		return 0;
	return err_setx(EINVAL,
			"--security-opt %s: unknown option (want seccomp=FILE, seccomp=unconfined "
			"or no-new-privileges[=true|false])",
			arg);
}

/*
 * A numeric UID or GID of -u must be a valid id: 0 to 4294967294
 * ((uid_t)-1 means "no change" to the kernel). Names are resolved later.
 */
static int check_user_ids(const char *arg)
{
	_cleanup_free_ char *s = xstrdup(arg);
	char *g = strchr(s, ':');
	unsigned long v;

	if (g)
		*g++ = '\0';
	for (char *p = s; p; p = p == s ? g : NULL)
		if (*p && strspn(p, "0123456789") == strlen(p) &&
		    util_parse_uint(p, 4294967294UL, &v) < 0)
			return err_setx(ERANGE, "-u %s: %s %s is out of range (0 to 4294967294)",
					arg, p == s ? "uid" : "gid", p);
	return 0;
}

/*
 * Parse the arguments after "run". Returns 0 with *ret filled (pointers
 * into argv stay valid as long as argv), or -EINVAL with a one-line
 * message naming the bad argument.
 */
int opt_parse_run(int argc, char **argv, struct opts *ret)
{
	static const char *const userns_names[] = {"", "keep-id"};
	static const char *const share_names[] = {"private", "host"};
	static const char *const pull_names[] = {"missing", "always", "never"};
	struct option longopts[ARRAY_SIZE(run_opts) + 1];
	struct opts o = {0};
	int c, r;

	net_config_default(&o.net);
	o.stop_timeout = 10; /* as podman */
	for (size_t i = 0; i < ARRAY_SIZE(run_opts); i++)
		longopts[i] = run_opts[i].o;
	memset(&longopts[ARRAY_SIZE(run_opts)], 0, sizeof(struct option));

	optind = 0; /* full reset: tests call us more than once */
	opterr = 0;
	const char *last_arg = NULL; /* "-e --": that "--" is -e's value, not the end */
	while ((c = getopt_long(argc, argv, "+:v:e:w:u:p:tih", longopts, NULL)) != -1) {
		last_arg = optarg;
		switch (c) {
		case 'v': {
			struct volume v;
			r = opt_parse_volume(optarg, &v);
			if (r < 0)
				goto fail;
			o.volumes = xrealloc(o.volumes, (o.n_volumes + 1) * sizeof(v));
			o.volumes[o.n_volumes++] = v;
			break;
		}
		case 'p':
			r = portfwd_parse(optarg, &o.ports, &o.n_ports);
			if (r < 0)
				goto fail;
			break;
		case OPT_TMPFS: {
			struct tmpfs_opt t;
			r = opt_parse_tmpfs(optarg, &t);
			if (r < 0)
				goto fail;
			free(t.dst);
			push(&o.tmpfs, &o.n_tmpfs, optarg);
			break;
		}
		case 'e':
			if (optarg[0] == '=' || optarg[0] == '\0') {
				r = err_setx(EINVAL, "-e '%s': want KEY=VALUE or KEY", optarg);
				goto fail;
			}
			push(&o.env, &o.n_env, optarg);
			break;
		case OPT_ENV_FILE:
			push(&o.env_files, &o.n_env_files, optarg);
			break;
		case OPT_PRESERVE_FDS: {
			unsigned long n;
			if (util_parse_uint(optarg, 1024, &n) < 0) {
				r = err_setx(EINVAL,
					     "--preserve-fds %s: want a number of fds, 0 to 1024",
					     optarg);
				goto fail;
			}
			o.preserve_fds = n;
			break;
		}
		case OPT_STOP_TIMEOUT: {
			unsigned long n;
			if (util_parse_uint(optarg, 86400, &n) < 0) {
				r = err_setx(EINVAL, "--stop-timeout %s: want seconds, 0 to 86400",
					     optarg);
				goto fail;
			}
			o.stop_timeout = n;
			break;
		}
		case 'w':
			if (optarg[0] != '/') {
				r = err_setx(EINVAL, "-w %s: want an absolute path", optarg);
				goto fail;
			}
			o.workdir = optarg;
			break;
		case 'u':
			if (!optarg[0] || optarg[0] == ':') {
				r = err_setx(EINVAL, "-u '%s': want UID[:GID]", optarg);
				goto fail;
			}
			r = check_user_ids(optarg);
			if (r < 0)
				goto fail;
			o.user = optarg;
			break;
		case OPT_HOSTNAME:
			if (!optarg[0] || strlen(optarg) > 64) {
				r = err_setx(EINVAL, "--hostname '%s': want 1 to 64 characters",
					     optarg);
				goto fail;
			}
			o.hostname = optarg;
			break;
		case OPT_NAME:
			if (!optarg[0] || strlen(optarg) > 128 ||
			    strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789_.-") != strlen(optarg) ||
			    optarg[0] == '.' || optarg[0] == '-') {
				r = err_setx(EINVAL,
					     "--name '%s': use letters, digits, '_', '.' and '-' "
					     "(not first), at most 128",
					     optarg);
				goto fail;
			}
			o.name = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'i':
			o.interactive = true;
			break;
		case OPT_RM:
			o.rm = true;
			break;
		case OPT_INIT:
			o.init = true;
			break;
		case OPT_READ_ONLY:
			o.read_only = true;
			break;
		case OPT_USERNS:
			r = parse_mode("userns", optarg, userns_names + 1, 1);
			if (r < 0)
				goto fail;
			o.userns = USERNS_KEEP_ID;
			break;
		case OPT_PULL:
			for (o.pull = 0; o.pull < 3 && strcmp(optarg, pull_names[o.pull]); o.pull++)
				;
			if (o.pull == 3) {
				r = err_setx(EINVAL, "--pull=%s: want missing, always or never",
					     optarg);
				goto fail;
			}
			break;
		case OPT_NETWORK:
			r = net_parse(optarg, &o.net);
			if (r < 0)
				goto fail;
			break;
		case OPT_CAP_ADD:
			push(&o.cap_add, &o.n_cap_add, optarg);
			break;
		case OPT_CAP_DROP:
			push(&o.cap_drop, &o.n_cap_drop, optarg);
			break;
		case OPT_SECURITY_OPT:
			r = opt_parse_security(optarg, &o);
			if (r < 0)
				goto fail;
			break;
		case OPT_PRIVILEGED:
			o.privileged = true;
			break;
		case OPT_PID:
		case OPT_IPC:
			r = parse_mode(c == OPT_PID ? "pid" : "ipc", optarg, share_names, 2);
			if (r < 0)
				goto fail;
			*(c == OPT_PID ? &o.pid_host : &o.ipc_host) = r == 1;
			break;
		case 'h':
			o.help = true;
			break;
		case ':':
			r = err_setx(EINVAL,
				     "option '%s' needs an argument; see 'roost run --help'",
				     argv[optind - 1]);
			goto fail;
		default:
			if (optopt && optopt < 0x100)
				r = err_setx(EINVAL, "unknown option '-%c'; see 'roost run --help'",
					     optopt);
			else
				r = err_setx(EINVAL, "unknown option '%s'; see 'roost run --help'",
					     argv[optind - 1]);
			goto fail;
		}
	}

	/* getopt has eaten a "--" that ends the options: then there is no ROOTFS. */
	bool dashdash = optind > 0 && optind <= argc && !strcmp(argv[optind - 1], "--") &&
			argv[optind - 1] != last_arg;
	if (!dashdash && optind < argc) {
		o.rootfs = argv[optind++];
		if (optind < argc && !strcmp(argv[optind], "--"))
			optind++;
	}
	if (optind < argc) {
		o.argv = &argv[optind];
		o.argc = argc - optind;
	}
	*ret = o;
	return 0;

fail:
	opt_free(&o);
	return r;
}

void opt_free(struct opts *o)
{
	for (size_t i = 0; i < o->n_volumes; i++) {
		free(o->volumes[i].src);
		free(o->volumes[i].dst);
	}
	free(o->volumes);
	free(o->tmpfs);
	free(o->env);
	free(o->env_files);
	free(o->ports);
	free(o->cap_add);
	free(o->cap_drop);
	memset(o, 0, sizeof(*o));
}
