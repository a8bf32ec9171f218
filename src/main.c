/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the subcommands; the only place an error is printed
 *
 * Exit status: the command's own; 128+N when it died of signal N; 125 when
 * roost failed; 126 when the command cannot be executed; 127 when it is not
 * found.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "roost/doctor.h"
#ifndef ROOST_SLIM
#include "commands.h"
#endif
#include "roost/err.h"
#include "roost/log.h"
#include "roost/opt.h"
#include "roost/net.h"
#include "roost/proc.h"
#include "roost/rootfs.h"
#include "roost/spec.h"
#include "roost/store.h"
#include "roost/userns.h"

#define EXIT_ROOST 125

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: roost COMMAND [OPTIONS]\n\n"
		"Rootless containers: no daemon, no setuid bit of roost's own.\n\n"
		"Commands:\n"
		"  run [OPTIONS] [ROOTFS] [--] [COMMAND [ARG...]]\n"
		"                   run a command in a new container (see 'roost run --help')\n"
		"  ps [-a]          list running containers (-a: also stopped ones)\n"
		"  rm [-f] NAME...  remove stopped containers (-f: kill running ones first)\n"
		"  port NAME        list the published ports of a running container\n"
		"  doctor [--json] [--port N]\n"
		"                   check this host for rootless containers (see roost-doctor(1))\n"
		"  pull REF         fetch an image from a registry (short names: docker.io)\n"
		"  login REGISTRY   store credentials for a registry ('logout' forgets them)\n"
		"  images           list the images in the store\n"
		"  load FILE        add the images of a docker-save or OCI archive\n"
		"  import TAR NAME  add a root filesystem tarball as an image\n"
		"  rmi NAME...      remove images (their layers go with 'roost image prune')\n"
		"  image inspect NAME | prune\n"
		"                   an image's JSON; remove layers no image uses\n\n"
		"Options:\n"
		"  -h, --help       show this help\n"
		"  -V, --version    show roost's version\n\n"
		"Environment: ROOST_OVERLAY=auto|kernel|fuse, ROOST_DEBUG=1, XDG_DATA_HOME,\n"
		"XDG_RUNTIME_DIR. See roost(1) and roost-run(1).\n");
}

static int fail(int r)
{
	(void)r;
	log_msg(LOG_ERR, "%s", err_msg());
	return EXIT_ROOST;
}

#ifdef ROOST_SLIM
static char **main_argv; /* for handing a command over to roost-image whole */

static const char *const image_commands[] = {"images", "rmi",  "image", "load",
					     "import", "pull", "login", "logout"};

/*
 * Does the ROOTFS operand of 'roost run' name an image? The same rule as
 * roost-image's: an existing directory wins; a name starting with '/' or
 * '.' is always a path; oci:DIR is an OCI layout; anything else not found
 * on disk is an image name.
 */
static bool image_operand(const char *rootfs)
{
	struct stat sb;

	if (!rootfs || rootfs[0] == '/' || rootfs[0] == '.')
		return false;
	if (!strncmp(rootfs, "oci:", 4))
		return true;
	return stat(rootfs, &sb) < 0 && errno == ENOENT;
}

/*
 * Run this command line in roost-image, the companion that holds the image
 * code and its libraries: next to this binary (a build tree, or both in
 * bin/), else in roost's libexec directory. Returns only on failure.
 */
static int exec_image_binary(void)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *tried[2];
	_cleanup_free_ char *near = NULL;

	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	near = xasprintf("%s/roost-image", self);
	tried[0] = near;
	tried[1] = ROOST_LIBEXECDIR "/roost-image";
	for (size_t i = 0; i < ARRAY_SIZE(tried); i++) {
		main_argv[0] = (char *)tried[i];
		execv(tried[i], main_argv);
	}
	err_set(errno, "image commands need %s or %s (part of roost): reinstall roost", tried[0],
		tried[1]);
	return fail(-ENOENT);
}
#endif

/* The line to print when the host keeps the container's pings from leaving it, or NULL. */
static char *ping_warning(void)
{
	gid_t groups[256];
	char range[64];
	int n = getgroups(ARRAY_SIZE(groups), groups);

	if (util_read_file("/proc/sys/net/ipv4/ping_group_range", range, sizeof(range)) < 0)
		return NULL;
	return net_ping_warning(range, getegid(), groups, n < 0 ? 0 : n);
}

/*
 * A directory ROOTFS whose owner the map leaves out (root's, for a user):
 * inside, every file of it belongs to nobody and cannot be written. Said
 * once, with the way to a tree of the container's own; NULL when mapped.
 */
static char *rootfs_owner_warning(const struct spec *s, const struct userns_plan *plan)
{
	struct stat sb;

	if (!s->rootfs || s->layers.n || stat(s->rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return NULL;
	for (size_t i = 0; i < plan->n_uid; i++)
		if (sb.st_uid >= plan->uid[i].outer &&
		    sb.st_uid - plan->uid[i].outer < plan->uid[i].count)
			return NULL;
	return xasprintf("ROOTFS %s belongs to uid %u, outside your id map: inside, its files are "
			 "nobody's and read-only; 'roost import' makes an image you own (%star -C "
			 "%s -cf rootfs.tar . && roost import rootfs.tar NAME)",
			 s->rootfs, (unsigned)sb.st_uid, sb.st_uid == 0 ? "sudo " : "", s->rootfs);
}

/* store_sweep()'s user namespace, made only when a leftover holds files of subordinate ids. */
static int sweep_userns(void *data)
{
	struct userns_plan plan;
	int fd;

	(void)data;
	if (userns_plan_init(&plan, USERNS_DEFAULT, "/etc/subuid", "/etc/subgid") < 0)
		return -1;
	fd = proc_userns_fd(&plan);
	userns_plan_done(&plan);
	return fd;
}

static void block_stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static int cmd_run(int argc, char **argv)
{
	struct opts o;
	struct spec s = {0};
	struct userns_plan plan;
	struct store st = {.data_fd = -1, .run_fd = -1};
	struct ctr_dirs dirs = {.lock_fd = -1};
	struct container c = {
		.userns_fd = -1,
		.sync_fd = -1,
		.net = {.ctl_fd = -1, .ready_fd = -1},
		.ports = {.ctl_fd = -1},
	};
	_cleanup_free_ char *ping_warn = NULL, *owner_warn = NULL;
	int r, status;

	r = opt_parse_run(argc, argv, &o);
	if (r < 0)
		return fail(r);
	if (o.help) {
		opt_print_run_help(stdout);
		opt_free(&o);
		return 0;
	}
#ifdef ROOST_SLIM
	if (image_operand(o.rootfs)) {
		opt_free(&o);
		return exec_image_binary(); /* the image's own path through roost-image */
	}
	r = spec_from_opts(&o, &s);
#else
	const char *image = cmd_run_is_image(o.rootfs) ? o.rootfs : NULL;
	if (image)
		o.rootfs = NULL;
	r = spec_from_opts(&o, &s);
	if (r == 0 && image)
		r = cmd_run_image(image, &o, &s);
#endif
	opt_free(&o);
	if (r < 0) {
		spec_free(&s);
		return fail(r);
	}

	r = overlay_parse_mode(getenv("ROOST_OVERLAY"), &c.overlay);
	if (r < 0)
		goto out_spec;
	r = userns_plan_init(&plan, s.userns, "/etc/subuid", "/etc/subgid");
	if (r < 0)
		goto out_spec;
	/* Published ports are bound first: a port in use stops us before anything exists. */
	r = portfwd_bind(s.ports, s.n_ports);
	if (r < 0)
		goto out_plan;
	r = store_open(&st);
	if (r < 0)
		goto out_plan;
	/* The leftovers of killed --rm runs; one readdir when there are none. */
	(void)store_sweep(&st, sweep_userns, NULL);
	/*
	 * From the first file of the container on, a terminal's or timeout's
	 * signal must not cut roost short with half a container made (a slow
	 * seccomp compile, a layer copy): it waits, blocked, and the container's
	 * wait loop takes it from its signalfd and passes it on, or the clean-up
	 * runs first. Blocked signals are dropped at exit.
	 */
	block_stop_signals();
	r = store_create(&st, &s, &dirs);
	if (r < 0)
		goto out_store;
	r = net_write_etc(&s.net, s.hostname, s.rootfs, dirs.run);
	if (r == 0 && s.n_ports) {
		_cleanup_free_ char *text = portfwd_format(s.ports, s.n_ports);
		r = store_write(&st, s.id, "ports", text);
	}
	if (r == 0)
		r = rootfs_plan(&s, dirs.run);
	if (r < 0) {
		(void)store_remove(&st, s.id, -1);
		ctr_dirs_free(&dirs);
		goto out_store;
	}
	if (plan.fallback_why)
		log_warn("%s", plan.fallback_why);
	owner_warn = rootfs_owner_warning(&s, &plan);
	if (owner_warn)
		log_warn("%s", owner_warn);
	/* Found now, said by the network process when the container first pings outside. */
	if (s.net.mode == NET_SLIRP)
		c.ping_warning = ping_warn = ping_warning();

	c.spec = &s;
	c.userns = &plan;
	c.dirs = &dirs;
	c.store = &st;
	status = proc_run(&c);

	/* A container whose command never ran is not kept: nothing half-made stays. */
	if (s.rm || status < 0 || (c.child_failed && status == EXIT_ROOST)) {
		char saved[ERR_MSG_MAX];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		if (store_remove(&st, s.id, c.userns_fd) < 0)
			log_warn("%s", err_msg());
		err_setx(EIO, "%s", saved);
	}
	if (c.userns_fd >= 0)
		close(c.userns_fd);
	if (status < 0 || c.child_failed)
		log_msg(LOG_ERR, "%s", err_msg());
	r = status < 0 ? -1 : status;
	ctr_dirs_free(&dirs);
	store_close(&st);
	userns_plan_done(&plan);
	spec_free(&s);
	return r < 0 ? EXIT_ROOST : r;

out_store:
	store_close(&st);
out_plan:
	userns_plan_done(&plan);
out_spec:
	spec_free(&s);
	return fail(r);
}

static int cmd_ps(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	_cleanup_free_ struct ctr_info *v = NULL;
	bool all = argc > 1 && (!strcmp(argv[1], "-a") || !strcmp(argv[1], "--all"));
	size_t n;
	int r;

	if (argc > 2 || (argc == 2 && !all))
		return err_setx(EINVAL, "usage: roost ps [-a]"), fail(-EINVAL);
	r = store_open(&st);
	if (r == 0)
		(void)store_sweep(&st, sweep_userns, NULL);
	if (r == 0)
		r = store_list(&st, &v, &n);
	store_close(&st);
	if (r < 0)
		return fail(r);
	printf("%-20s %-8s %-8s %-20s %s\n", "NAME", "STATUS", "PID", "CREATED", "COMMAND");
	for (size_t i = 0; i < n; i++) {
		char when[32] = "-", pid[16] = "-";
		time_t t = v[i].created;
		struct tm tm;

		if (!all && !v[i].running)
			continue;
		if (t && localtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (v[i].running)
			snprintf(pid, sizeof(pid), "%d", (int)v[i].pid);
		printf("%-20s %-8s %-8s %-20s %s\n", v[i].id, v[i].running ? "running" : "exited",
		       pid, when, v[i].command);
	}
	return 0;
}

static int cmd_port(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	_cleanup_free_ char *text = NULL;
	struct ctr_info ci;
	int r;

	if (argc != 2)
		return err_setx(EINVAL, "usage: roost port NAME"), fail(-EINVAL);
	r = store_open(&st);
	if (r == 0)
		r = store_info(&st, argv[1], &ci);
	if (r == 0 && !ci.running)
		r = err_setx(ESRCH, "container '%s' is not running: it has no published ports",
			     argv[1]);
	if (r == 0) {
		r = store_read(&st, argv[1], "ports", &text);
		if (r == -ENOENT)
			r = 0; /* running, nothing published */
	}
	store_close(&st);
	if (r < 0)
		return fail(r);
	if (!text)
		return 0;
	fputs(text, stdout);
	return 0;
}

static int cmd_rm(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	struct userns_plan plan;
	bool force = false, have_plan = false;
	int userns_fd = -1, ret = 0, i = 1, r;

	if (i < argc && (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))) {
		force = true;
		i++;
	}
	if (i >= argc)
		return err_setx(EINVAL, "usage: roost rm [-f] NAME..."), fail(-EINVAL);
	r = store_open(&st);
	if (r < 0) {
		store_close(&st);
		return fail(r);
	}
	for (; i < argc; i++) {
		struct ctr_info ci;

		r = store_info(&st, argv[i], &ci);
		if (r == 0 && ci.running && !force)
			r = err_setx(EBUSY,
				     "container '%s' is running (pid %d): stop it, or use "
				     "'roost rm -f %s'",
				     argv[i], (int)ci.pid, argv[i]);
		if (r == 0 && ci.running) {
			/* Its roost removes --rm containers itself; wait for its lock either way. */
			_cleanup_free_ char *lock = xasprintf("%s/lock", argv[i]);
			_cleanup_close_ int lfd = openat(st.run_fd, lock, O_RDONLY | O_CLOEXEC);
			if (ci.pid > 0)
				(void)kill(ci.pid, SIGKILL);
			if (lfd >= 0)
				(void)flock(lfd, LOCK_EX);
		}
		if (r == 0 && !have_plan) {
			r = userns_plan_init(&plan, USERNS_DEFAULT, "/etc/subuid", "/etc/subgid");
			have_plan = r == 0;
			if (r == 0)
				userns_fd = proc_userns_fd(&plan);
		}
		if (r == 0)
			r = store_remove(&st, argv[i], userns_fd);
		if (r < 0) {
			log_msg(LOG_ERR, "%s", err_msg());
			ret = EXIT_ROOST;
		} else {
			printf("%s\n", argv[i]);
		}
	}
	if (userns_fd >= 0)
		close(userns_fd);
	if (have_plan)
		userns_plan_done(&plan);
	store_close(&st);
	return ret;
}

/* Exit status: 0 full id map, 1 only degraded, 2 roost cannot run containers; 125 bad usage. */
static int cmd_doctor(int argc, char **argv)
{
	static const char usage_text[] = "usage: roost doctor [--json] [--port N]";
	gid_t groups[256];
	char exe[PATH_MAX];
	struct passwd *pw = getpwuid(getuid());
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *data_dir = NULL, *uidbuf = xasprintf("%u", (unsigned)getuid());
	_cleanup_free_ struct doctor_result *v = NULL;
	unsigned long port = 0;
	bool json = false;
	ssize_t len;
	int n_groups;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((!strcmp(argv[i], "--port") || !strcmp(argv[i], "-p")) && i + 1 < argc) {
			if (util_parse_uint(argv[++i], 65535, &port) < 0 || port == 0)
				return err_setx(EINVAL, "--port %s: want a port 1..65535", argv[i]),
				       fail(-EINVAL);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n\nCheck every prerequisite of rootless containers on this "
			       "host.\n"
			       "  --json      print one JSON document\n"
			       "  -p, --port N  the lowest host port you will publish\n"
			       "Exit status: 0 full id map, 1 degraded, 2 cannot run containers.\n",
			       usage_text);
			return 0;
		} else {
			return err_setx(EINVAL, "%s", usage_text), fail(-EINVAL);
		}
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	n_groups = getgroups(ARRAY_SIZE(groups), groups);
	if (data && data[0] == '/')
		data_dir = xasprintf("%s/roost", data);
	else
		data_dir = xasprintf("%s/.local/share/roost", home && home[0] == '/' ? home
							      : pw		     ? pw->pw_dir
										     : "/");
	struct doctor_ctx ctx = {
		.root = "",
		.user = pw ? pw->pw_name : uidbuf,
		.uid = getuid(),
		.gid = getgid(),
		.groups = groups,
		.n_groups = n_groups < 0 ? 0 : n_groups,
		.exe = exe,
		.data_dir = data_dir,
		.runtime_dir = getenv("XDG_RUNTIME_DIR"),
		.port = port,
		.live = true,
	};
	v = xcalloc(doctor_n_checks, sizeof(*v));
	for (size_t i = 0; i < doctor_n_checks; i++)
		(void)doctor_run(&ctx, doctor_checks[i].id, &v[i]);
	if (json) {
		_cleanup_free_ char *text = doctor_json(v, doctor_n_checks);
		printf("%s\n", text);
	} else {
		for (size_t i = 0; i < doctor_n_checks; i++) {
			printf("%-4s %-20s %s: %s", doctor_status_name(v[i].status),
			       doctor_checks[i].id, v[i].found, v[i].meaning);
			if (v[i].status == DOCTOR_WARN || v[i].status == DOCTOR_FAIL)
				printf(v[i].fix ? ". Fix: %s" : "", v[i].fix);
			printf("\n");
		}
	}
	int status = doctor_exit_status(v, doctor_n_checks);
	if (!json)
		printf("%s\n", status == 0 ? "roost can run containers with a full id map"
			       : status == 1
				       ? "roost can run containers, degraded (see WARN and FAIL)"
				       : "roost cannot run containers here (see FAIL)");
	for (size_t i = 0; i < doctor_n_checks; i++)
		doctor_result_done(&v[i]);
	return status;
}

int main(int argc, char **argv)
{
#ifdef ROOST_SLIM
	main_argv = argv;
#endif
	log_init();
	if (argc < 2) {
		usage(stderr);
		return EXIT_ROOST;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ps"))
		return cmd_ps(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rm"))
		return cmd_rm(argc - 1, argv + 1);
	if (!strcmp(argv[1], "port"))
		return cmd_port(argc - 1, argv + 1);
	if (!strcmp(argv[1], "doctor"))
		return cmd_doctor(argc - 1, argv + 1);
#ifdef ROOST_SLIM
	for (size_t i = 0; i < ARRAY_SIZE(image_commands); i++)
		if (!strcmp(argv[1], image_commands[i]))
			return exec_image_binary();
#else
	if (!strcmp(argv[1], "images"))
		return cmd_images(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rmi"))
		return cmd_rmi(argc - 1, argv + 1);
	if (!strcmp(argv[1], "image"))
		return cmd_image(argc - 1, argv + 1);
	if (!strcmp(argv[1], "load"))
		return cmd_load(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pull"))
		return cmd_pull(argc - 1, argv + 1);
	if (!strcmp(argv[1], "login"))
		return cmd_login(argc - 1, argv + 1);
	if (!strcmp(argv[1], "logout"))
		return cmd_logout(argc - 1, argv + 1);
#endif
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		/* libslirp is loaded here only: every other run leaves it to the network process. */
		const char *slirp = usernet_slirp_version();

		printf("roost %s\nlibslirp %s\n", ROOST_VERSION,
		       slirp ? slirp : "not found (package libslirp0)");
		return 0;
	}
	err_setx(EINVAL, "unknown command '%s'; see 'roost --help'", argv[1]);
	return fail(-EINVAL);
}
