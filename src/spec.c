/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.c - struct spec: what to run, from options, checked against the host
 *
 * Everything a user can get wrong is checked here, before any namespace
 * exists: ROOTFS, volume sources, env files. The result owns all its
 * strings; the mount plan is added by rootfs_plan().
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/random.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"
#include "roost/rootfs.h"
#include "roost/spec.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Set KEY=VAL in env, replacing an earlier KEY. A bare KEY copies roost's own value (if any). */
int spec_env_set(struct strv *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	char *item;

	if (klen == 0 || strcspn(kv, " \t\n") < klen)
		return err_setx(EINVAL, "environment entry '%s': want KEY=VALUE", kv);
	if (eq)
		item = xstrdup(kv);
	else {
		_cleanup_free_ char *key = strndup(kv, klen);
		const char *v = getenv(key);
		if (!v)
			return 0;
		item = xasprintf("%s=%s", key, v);
	}
	for (size_t i = 0; i < env->n; i++) {
		if (!strncmp(env->v[i], item, klen) && env->v[i][klen] == '=') {
			free(env->v[i]);
			env->v[i] = item;
			return 0;
		}
	}
	strv_push(env, item);
	return 0;
}

/* KEY=VAL lines; "#" comments and blank lines are skipped; a bare KEY copies ours. */
int spec_parse_env_file(const char *path, struct strv *env)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;

	struct stat st;

	if (!f)
		return err_set(errno, "--env-file %s", path);
	/* fopen() takes a directory and getline() then sees an empty file. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
		return err_setx(EISDIR,
				"--env-file %s: a directory; want a file of KEY=VALUE lines", path);
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (spec_env_set(env, p) < 0)
			return err_setx(EINVAL, "--env-file %s:%zu: want KEY=VALUE, got '%s'", path,
					lineno, p);
	}
	return 0;
}

void spec_new_id(char *buf, size_t size)
{
	unsigned char rnd[6];
	size_t n = 0;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		unsigned long x = (unsigned long)getpid() ^ (unsigned long)&rnd;
		memcpy(rnd, &x, sizeof(rnd));
	}
	for (size_t i = 0; i < sizeof(rnd) && n + 2 < size; i++)
		n += snprintf(buf + n, size - n, "%02x", rnd[i]);
}

static int check_dir(const char *what, const char *path, char **ret_abs)
{
	char buf[PATH_MAX];
	struct stat st;

	if (!realpath(path, buf) || stat(buf, &st) < 0) {
		if (errno == ENOENT)
			return err_setx(ENOENT, "%s '%s' does not exist; create it or fix the path",
					what, path);
		return err_set(errno, "%s '%s'", what, path);
	}
	if (ret_abs)
		*ret_abs = xstrdup(buf);
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

/*
 * ROOTFS, resolved once: the directory checked here is the one the child
 * mounts (it proves the path still leads to this inode, without symlinks).
 * The host's own / is refused: that is what '--' is for.
 */
static int open_rootfs(const char *given, const char *abs, int *ret_fd)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS};
	_cleanup_close_ int fd = syscall(SYS_openat2, AT_FDCWD, abs, &how, sizeof(how));
	struct stat st, root;

	if (fd < 0 && errno == ENOSYS)
		fd = open(abs, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(errno, "ROOTFS '%s' (%s) changed while roost looked at it", given,
			       abs);
	if (stat("/", &root) == 0 && st.st_dev == root.st_dev && st.st_ino == root.st_ino)
		return err_setx(EINVAL,
				"ROOTFS '%s' is the host's /: to sandbox the host system, give "
				"'--' instead of a ROOTFS",
				given);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/*
 * A volume source, resolved once: the O_PATH fd is what gets mounted, so a
 * source swapped for a symlink (to "/", say) after this check changes
 * nothing. *ret_abs is the path it resolved to, for messages. Returns 1
 * for a directory, 0 for another file.
 */
static int open_source(const char *path, char **ret_abs, int *ret_fd)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	char link[64], buf[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (errno == ENOENT)
			return err_setx(ENOENT,
					"volume source '%s' does not exist; create it or fix the "
					"path",
					path);
		return err_set(errno, "volume source '%s'", path);
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return err_setx(EINVAL, "volume source '%s': cannot tell where it resolves to",
				path);
	buf[n] = '\0';
	log_debug("volume %s: %s (device %u:%u, inode %lu) is what gets mounted", path, buf,
		  major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	*ret_abs = xstrdup(buf);
	*ret_fd = TAKE_FD(fd);
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

/*
 * Capabilities, seccomp, no_new_privs and the shared namespaces. An
 * explicit seccomp=FILE holds even with --privileged: it was asked for.
 */
static int spec_confine(const struct opts *o, struct spec *s)
{
	bool unconfined = o->seccomp && !strcmp(o->seccomp, "unconfined");
	struct statfs sf;
	struct stat st;
	int r;

	r = caps_compute(o->privileged ? CAPS_ALL : CAPS_DEFAULT, o->cap_add, o->n_cap_add,
			 o->cap_drop, o->n_cap_drop, &s->caps);
	if (r < 0)
		return r;
	s->privileged = o->privileged;
	s->seccomp_off = unconfined || (o->privileged && !o->seccomp);
	if (o->seccomp && !unconfined) {
		if (stat(o->seccomp, &st) < 0)
			return err_set(errno, "--security-opt seccomp=%s", o->seccomp);
		s->seccomp_file = xstrdup(o->seccomp);
	}
	/*
	 * The filter is loaded while the child still holds CAP_SYS_ADMIN in its
	 * own user namespace, so it needs no no_new_privs: setuid programs
	 * (sudo, ping on old images) keep working inside, as with Docker and
	 * Podman. no_new_privs is set only when asked for.
	 */
	s->no_new_privs = o->nnp_set && o->nnp;
	/* The host's /proc is bound: the kernel refuses a new one for the host's pid namespace. */
	if (o->pid_host && (statfs("/proc", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC))
		return err_setx(EINVAL, "--pid=host: the host's /proc is not a proc filesystem, "
					"and roost must bind it (a new one would be refused)");
	s->pid_host = o->pid_host;
	s->ipc_host = o->ipc_host;
	return 0;
}

/*
 * The fds the command gets besides stdio: --preserve-fds N, and sockets
 * passed for socket activation (LISTEN_PID is roost, LISTEN_FDS=N), as
 * podman does; then LISTEN_FDS (and LISTEN_FDNAMES) go into the container's
 * environment and LISTEN_PID becomes the command's pid inside. Each must
 * be open: roost's own fds are never passed by mistake.
 */
static int spec_pass_fds(const struct opts *o, struct spec *s)
{
	const char *lpid = getenv("LISTEN_PID"), *lfds = getenv("LISTEN_FDS");
	unsigned long pid, n = 0;

	s->pass_fds = o->preserve_fds;
	if (lpid && lfds && util_parse_uint(lpid, INT32_MAX, &pid) == 0 &&
	    pid == (unsigned long)getpid() && util_parse_uint(lfds, 1024, &n) == 0 && n > 0) {
		_cleanup_free_ char *kv = xasprintf("LISTEN_FDS=%lu", n);
		const char *names = getenv("LISTEN_FDNAMES");

		s->listen_fds = true;
		(void)spec_env_set(&s->env, kv);
		if (names) {
			_cleanup_free_ char *nkv = xasprintf("LISTEN_FDNAMES=%s", names);
			(void)spec_env_set(&s->env, nkv);
		}
		if (n > s->pass_fds)
			s->pass_fds = n;
	}
	for (unsigned int fd = 3; fd < 3 + s->pass_fds; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return err_setx(EBADF, "%s %u: fd %u is not open; open fds 3 to %u first",
					s->listen_fds ? "LISTEN_FDS" : "--preserve-fds",
					s->pass_fds, fd, 2 + s->pass_fds);
	return 0;
}

int spec_from_opts(const struct opts *o, struct spec *ret)
{
	struct spec s = {0};
	char id[32];
	int r;

	s.rootfs_fd = -1;
	/* First, while roost has opened nothing that could sit on fd 3 and up. */
	r = spec_pass_fds(o, &s);
	if (r < 0)
		goto fail;
	if (o->name)
		s.id = xstrdup(o->name);
	else {
		spec_new_id(id, sizeof(id));
		s.id = xstrdup(id);
	}
	if (o->rootfs) {
		r = check_dir("ROOTFS", o->rootfs, &s.rootfs);
		if (r < 0)
			goto fail;
		if (r == 0) {
			r = err_setx(ENOTDIR,
				     "ROOTFS '%s' is not a directory; give a directory holding a "
				     "root filesystem, or '--' to sandbox the host system",
				     o->rootfs);
			goto fail;
		}
		r = open_rootfs(o->rootfs, s.rootfs, &s.rootfs_fd);
		if (r < 0)
			goto fail;
	}

	if (o->argc > 0)
		for (int i = 0; i < o->argc; i++)
			strv_push(&s.argv, xstrdup(o->argv[i]));
	else
		strv_push(&s.argv, xstrdup("/bin/sh"));

	/* A name may be 128 long, a hostname 64 (the kernel's limit): cut it, as podman does. */
	s.hostname = o->hostname ? xstrdup(o->hostname) : xasprintf("%.64s", s.id);
	(void)spec_env_set(&s.env, "PATH=" DEFAULT_PATH);
	{
		_cleanup_free_ char *h = xasprintf("HOSTNAME=%s", s.hostname);
		(void)spec_env_set(&s.env, h);
	}
	(void)spec_env_set(&s.env, "container=roost");
	if (o->tty) {
		const char *term = getenv("TERM");
		_cleanup_free_ char *t = xasprintf("TERM=%s", term && *term ? term : "xterm");
		(void)spec_env_set(&s.env, t);
	}
	for (size_t i = 0; i < o->n_env_files; i++) {
		r = spec_parse_env_file(o->env_files[i], &s.env);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < o->n_env; i++) {
		r = spec_env_set(&s.env, o->env[i]);
		if (r < 0)
			goto fail;
	}

	s.workdir = xstrdup(o->workdir ? o->workdir : "/");
	s.user = o->user ? xstrdup(o->user) : NULL;
	s.userns = o->userns;
	s.net = o->net;
	s.tty = o->tty;
	s.interactive = o->interactive;
	s.rm = o->rm;
	s.init = o->init;
	s.stop_timeout = o->stop_timeout;
	s.read_only = o->read_only;

	s.volumes = xcalloc(o->n_volumes, sizeof(*s.volumes));
	for (size_t i = 0; i < o->n_volumes; i++) {
		struct volume *v = &s.volumes[s.n_volumes];

		v->fd = -1;
		r = open_source(o->volumes[i].src, &v->src, &v->fd);
		if (r < 0)
			goto fail;
		v->dst = xstrdup(o->volumes[i].dst);
		v->ro = o->volumes[i].ro;
		v->file = r == 0;
		s.n_volumes++;
	}
	for (size_t i = 0; i < o->n_tmpfs; i++)
		strv_push(&s.tmpfs, xstrdup(o->tmpfs[i]));
	if (o->n_ports && s.net.mode == NET_HOST) {
		r = err_setx(EINVAL, "--publish needs a network namespace of the container's own: "
				     "with --network=host its ports are the host's already");
		goto fail;
	}
	if (o->n_ports) {
		s.ports = xcalloc(o->n_ports, sizeof(*s.ports));
		memcpy(s.ports, o->ports, o->n_ports * sizeof(*s.ports));
		s.n_ports = o->n_ports;
	}

	r = spec_confine(o, &s);
	if (r < 0)
		goto fail;

	*ret = s;
	return 0;
fail:
	spec_free(&s);
	return r;
}

/*
 * Run the image img (its layers and config) with the options o, as
 * Docker does: the image's Env under -e and --env-file, Entrypoint then
 * the command given (or the image's Cmd), WorkingDir and User unless -w
 * and -u say otherwise. The layers move into s. Returns 0 or -EINVAL.
 */
int spec_apply_image(struct spec *s, const struct opts *o, struct image_run *img)
{
	const struct image_config *c = &img->config;
	int r;

	if (!img->layers.n)
		return err_setx(EINVAL, "image '%s' has no layers", img->name);
	free(s->rootfs);
	s->rootfs = xstrdup(img->layers.v[0]);
	s->image = xstrdup(img->name);
	strv_free(&s->layers);
	s->layers = img->layers;
	img->layers = (struct strv){0};

	for (size_t i = 0; i < c->env.n; i++)
		if (strchr(c->env.v[i], '=') && spec_env_set(&s->env, c->env.v[i]) < 0)
			return err_setx(EINVAL, "image '%s': bad Env entry '%s'", img->name,
					c->env.v[i]);
	/* What the user said wins over the image. */
	for (size_t i = 0; i < o->n_env_files; i++) {
		r = spec_parse_env_file(o->env_files[i], &s->env);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < o->n_env; i++) {
		r = spec_env_set(&s->env, o->env[i]);
		if (r < 0)
			return r;
	}

	if (c->entrypoint.n || o->argc == 0) {
		struct strv argv = {0};

		for (size_t i = 0; i < c->entrypoint.n; i++)
			strv_push(&argv, xstrdup(c->entrypoint.v[i]));
		if (o->argc > 0)
			for (int i = 0; i < o->argc; i++)
				strv_push(&argv, xstrdup(o->argv[i]));
		else
			for (size_t i = 0; i < c->cmd.n; i++)
				strv_push(&argv, xstrdup(c->cmd.v[i]));
		if (!argv.n)
			strv_push(&argv, xstrdup("/bin/sh"));
		strv_free(&s->argv);
		s->argv = argv;
	}
	if (!o->workdir && c->workdir) {
		free(s->workdir);
		s->workdir = xstrdup(c->workdir);
	}
	/* keep-id runs as the caller, as podman does; -u still wins. */
	if (!o->user && c->user && s->userns != USERNS_KEEP_ID)
		s->user = xstrdup(c->user);
	return 0;
}

void mount_plan_add(struct mount_plan *p, enum mount_kind kind, const char *src, const char *dst,
		    unsigned long mflags, const char *data, unsigned int flags)
{
	p->ops = xrealloc(p->ops, (p->n + 1) * sizeof(*p->ops));
	p->ops[p->n++] = (struct mount_op){
		.kind = kind,
		.flags = flags,
		.mflags = mflags,
		.src = src ? xstrdup(src) : NULL,
		.dst = xstrdup(dst),
		.data = data ? xstrdup(data) : NULL,
		.src_fd = -1,
	};
}

void mount_plan_free(struct mount_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->ops[i].src);
		free(p->ops[i].dst);
		free(p->ops[i].data);
	}
	free(p->ops);
	p->ops = NULL;
	p->n = 0;
}

void spec_free(struct spec *s)
{
	free(s->id);
	free(s->rootfs);
	free(s->image);
	strv_free(&s->layers);
	strv_free(&s->argv);
	strv_free(&s->env);
	free(s->workdir);
	free(s->user);
	free(s->hostname);
	if (s->rootfs_fd > 2)
		close(s->rootfs_fd);
	s->rootfs_fd = -1;
	for (size_t i = 0; i < s->n_volumes; i++) {
		if (s->volumes[i].fd >= 0)
			close(s->volumes[i].fd);
		free(s->volumes[i].src);
		free(s->volumes[i].dst);
	}
	free(s->volumes);
	strv_free(&s->tmpfs);
	if (s->ports)
		portfwd_close(s->ports, s->n_ports);
	free(s->ports);
	free(s->seccomp_file);
	mount_plan_free(&s->plan);
	memset(s, 0, sizeof(*s));
}
