/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doctor.c - roost doctor: the host's prerequisites, one check each
 *
 * The checks are a table, run in order; each fills one result: a status,
 * what was found, what it means for roost and, for WARN and FAIL, the fix.
 * Where roost run has a message for the same cause, the fix is that
 * message, built by the same function (diag.c, userns.c, tap.c, overlay.c,
 * net.c). Files are read below ctx->root, so unit tests pass a fake tree.
 * Live probes (a user namespace, newuidmap on a throwaway child, an overlay
 * mount with a whiteout, /dev/net/tun and /dev/fuse opened inside a user
 * namespace, an ICMP socket) run only with ctx->live, each in a forked
 * child so that doctor itself stays in the host's namespaces.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "roost/diag.h"
#include "roost/doctor.h"
#include "roost/err.h"
#include "roost/net.h"
#include "roost/overlay.h"
#include "roost/subid.h"
#include "roost/usernet.h"
#include "roost/userns.h"
#include "roost/util.h"

#define SUBID_WANT 65536 /* ids 0..65535: nobody (65534) and every distribution's ids */

static void set(struct doctor_result *r, enum doctor_status s, enum doctor_impact i,
		const char *fix, const char *meaning, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void set(struct doctor_result *r, enum doctor_status s, enum doctor_impact i,
		const char *fix, const char *meaning, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	r->impact = i;
	free(r->found);
	free(r->meaning);
	free(r->fix);
	va_start(ap, fmt);
	if (vasprintf(&r->found, fmt, ap) < 0)
		abort();
	va_end(ap);
	r->meaning = xstrdup(meaning);
	r->fix = fix ? xstrdup(fix) : NULL;
}

static int read_at(const struct doctor_ctx *ctx, const char *path, char *buf, size_t size)
{
	_cleanup_free_ char *full = xasprintf("%s%s", ctx->root, path);
	int r = util_read_file(full, buf, size);

	if (r >= 0)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

static int read_long_at(const struct doctor_ctx *ctx, const char *path, long *ret)
{
	_cleanup_free_ char *full = xasprintf("%s%s", ctx->root, path);

	return util_read_int(full, ret);
}

/* ---- probes: a forked child reports {stage, errno} on a pipe ---- */

struct probe_msg {
	int stage; /* 0: entering the user namespace failed; 1: the probe itself */
	int err; /* 0 or a positive errno */
};

/* Become root of a new user and mount namespace holding only our own ids. */
static int enter_userns(uid_t uid, gid_t gid)
{
	char buf[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -errno;
	/* The kernel refuses gid_map from an unprivileged writer until setgroups is denied. */
	(void)util_write_file("/proc/self/setgroups", "deny");
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
	if (util_write_file("/proc/self/gid_map", buf) < 0)
		return -EPERM;
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
	if (util_write_file("/proc/self/uid_map", buf) < 0)
		return -EPERM;
	return 0;
}

static struct probe_msg probe(const struct doctor_ctx *ctx, int (*fn)(const void *arg),
			      const void *arg)
{
	struct probe_msg m = {0, EIO};
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return (struct probe_msg){0, errno};
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return (struct probe_msg){0, errno};
	}
	if (pid == 0) {
		int r = enter_userns(ctx->uid, ctx->gid);

		m = (struct probe_msg){0, -r};
		if (r == 0 && fn) {
			r = fn(arg);
			m = (struct probe_msg){1, -r};
		}
		(void)util_write_all(pfd[1], &m, sizeof(m));
		_exit(0);
	}
	close(pfd[1]);
	if (util_read_all(pfd[0], &m, sizeof(m)) != sizeof(m))
		m = (struct probe_msg){0, EIO};
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return m;
}

static int open_dev(const void *arg)
{
	int fd = open(arg, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Mount an overlay as roost does (userxattr, directories by /proc/self/fd),
 * then delete a lower file through it: the whiteout must hide it.
 */
static int overlay_probe(const void *arg)
{
	const char *dir = arg;
	_cleanup_free_ char *lower = xasprintf("%s/lower", dir);
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir);
	_cleanup_free_ char *work = xasprintf("%s/work", dir);
	_cleanup_free_ char *merged = xasprintf("%s/merged", dir);
	_cleanup_free_ char *gone = xasprintf("%s/merged/f", dir);
	_cleanup_close_ int lfd = open(lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int ufd = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int wfd = open(work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char data[256];
	int r = 0;

	if (lfd < 0 || ufd < 0 || wfd < 0)
		return -errno;
	snprintf(data, sizeof(data),
		 "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,"
		 "userxattr",
		 lfd, ufd, wfd);
	if (mount("overlay", merged, "overlay", 0, data) < 0)
		return -errno;
	if (unlink(gone) < 0)
		r = -errno;
	else if (access(gone, F_OK) == 0)
		r = -EEXIST; /* the whiteout did not hide the file */
	(void)umount2(merged, MNT_DETACH);
	/* The work dir's mode-0 subdirectory needs our powers in here to be removed. */
	{
		_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)util_rm_rf_at(dfd, "work");
			(void)util_rm_rf_at(dfd, "upper");
		}
	}
	return r;
}

static int tmpfs_xattr_probe(const void *arg)
{
	const char *dir = arg;

	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") < 0)
		return -errno;
	if (setxattr(dir, "user.roost", "1", 1, 0) < 0)
		return -errno;
	return 0;
}

/* ---- the checks ---- */

static void check_kernel(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	char rel[128];
	unsigned maj = 0, min = 0;

	if (read_at(ctx, "/proc/sys/kernel/osrelease", rel, sizeof(rel)) < 0) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, NULL, "the probes below decide",
		    "kernel release unknown");
		return;
	}
	(void)sscanf(rel, "%u.%u", &maj, &min);
	if (maj > 5 || (maj == 5 && min >= 11))
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "overlayfs in a user namespace is possible (5.11+)", "Linux %s", rel);
	else
		set(ret, DOCTOR_WARN, IMPACT_NONE,
		    "upgrade to Linux 5.11 or later, or install fuse-overlayfs",
		    "kernel overlayfs refuses user namespaces before 5.11: roost uses "
		    "fuse-overlayfs, which is slower",
		    "Linux %s", rel);
}

#define NESTED_FIX                                                                                 \
	"nothing while the probes below pass; otherwise run roost on the host, or start the "      \
	"outer container with new namespaces allowed (docker run --security-opt "                  \
	"seccomp=unconfined --security-opt apparmor=unconfined)"

static void check_nested(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	char map[256];
	unsigned long a = 0, b = 0, c = 0;
	_cleanup_free_ char *env = xasprintf("%s/run/.containerenv", ctx->root);
	_cleanup_free_ char *denv = xasprintf("%s/.dockerenv", ctx->root);

	if (read_at(ctx, "/proc/self/uid_map", map, sizeof(map)) < 0 ||
	    sscanf(map, "%lu %lu %lu", &a, &b, &c) != 3) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "no /proc/self/uid_map");
		return;
	}
	if (c != 4294967295UL)
		set(ret, DOCTOR_WARN, IMPACT_NONE, NESTED_FIX,
		    "roost runs in a user namespace already (inside a container?): only the ids "
		    "mapped here can be mapped again, and the outer runtime may forbid new "
		    "namespaces",
		    "uid_map '%s'", map);
	else if (access(env, F_OK) == 0 || access(denv, F_OK) == 0)
		set(ret, DOCTOR_WARN, IMPACT_NONE, NESTED_FIX,
		    "roost runs inside a container: its seccomp profile may forbid new "
		    "namespaces; see the probes below",
		    "%s present", access(env, F_OK) == 0 ? "/run/.containerenv" : "/.dockerenv");
	else
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "roost runs on the host",
		    "initial user namespace");
}

static char *helper_path(const struct doctor_ctx *ctx, const char *name)
{
	char *p;

	if (!*ctx->root)
		return userns_find_helper(name);
	p = xasprintf("%s/usr/bin/%s", ctx->root, name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/*
 * The first range of another owner in path that overlaps one of v, as
 * "OWNER:START:COUNT"; *ret_i is the index of the range of v it overlaps.
 */
static char *overlap(const char *path, const struct doctor_ctx *ctx, const struct id_range *v,
		     size_t n, size_t *ret_i)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	char uidbuf[32];
	size_t cap = 0;

	if (!f)
		return NULL;
	snprintf(uidbuf, sizeof(uidbuf), "%u", (unsigned)ctx->uid);
	while (getline(&line, &cap, f) >= 0) {
		char owner[256];
		unsigned long s, c;

		if (sscanf(line, "%255[^:]:%lu:%lu", owner, &s, &c) != 3 || owner[0] == '#')
			continue;
		if (!strcmp(owner, ctx->user) || !strcmp(owner, uidbuf))
			continue;
		for (size_t i = 0; i < n; i++)
			if (s < v[i].start + v[i].count && v[i].start < s + c) {
				*ret_i = i;
				return xasprintf("%s:%lu:%lu", owner, s, c);
			}
	}
	return NULL;
}

/*
 * The ids this namespace maps, from ctx's /proc/self/uid_map: true and
 * [*ret_lo, *ret_hi] (the widest line) inside a container's user namespace,
 * false on the host (the identity map of all ids).
 */
static bool nested_ids(const struct doctor_ctx *ctx, unsigned long *ret_lo, unsigned long *ret_hi)
{
	_cleanup_free_ char *path = xasprintf("%s/proc/self/uid_map", ctx->root);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	unsigned long a, b, c, best = 0;

	if (!f)
		return false;
	while (fscanf(f, "%lu %lu %lu", &a, &b, &c) == 3) {
		if (c == 4294967295UL)
			return false;
		if (c > best) {
			best = c;
			*ret_lo = a;
			*ret_hi = a + c - 1;
		}
	}
	return best > 0;
}

/* The first id from s on that no line of path grants (bounded: one pass per line). */
static unsigned long past_ranges(const char *path, unsigned long s)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, n = 0;
	bool moved = true;

	while (f && moved && n++ < 1000) {
		moved = false;
		rewind(f);
		while (getline(&line, &cap, f) >= 0) {
			unsigned long a, c;

			if (sscanf(line, "%*[^:]:%lu:%lu", &a, &c) == 2 && s >= a && s < a + c) {
				s = a + c;
				moved = true;
			}
		}
	}
	return s;
}

/*
 * A free range to suggest: 65536 ids past every range in subuid. Inside a
 * container only the ids its user namespace maps can be granted, so the
 * range is cut to them, past the caller's own id; 0 ids when none is free.
 */
static void suggest_range(const struct doctor_ctx *ctx, const char *subuid,
			  unsigned long *ret_start, unsigned long *ret_count)
{
	unsigned long s = subid_suggest_start(subuid), lo, hi;

	*ret_start = s;
	*ret_count = 65536;
	if (!nested_ids(ctx, &lo, &hi))
		return;
	s = ctx->uid >= lo && ctx->uid < hi ? ctx->uid + 1 : lo;
	s = past_ranges(subuid, s);
	*ret_start = s;
	*ret_count = s > hi ? 0 : (hi - s + 1 < 65536 ? hi - s + 1 : 65536);
}

/* The usermod line for a suggested range, or why there is none inside a container. */
static char *add_range_fix(const struct doctor_ctx *ctx, const char *subuid)
{
	unsigned long s, c, lo = 0, hi = 0;
	bool nested = nested_ids(ctx, &lo, &hi);

	suggest_range(ctx, subuid, &s, &c);
	if (c == 0)
		return xasprintf("this runs in a container whose user namespace maps only ids "
				 "%lu-%lu, none free for %s: give the outer container more ids, or "
				 "run roost on the host",
				 lo, hi, ctx->user);
	return xasprintf("%ssudo usermod --add-subuids %lu-%lu --add-subgids %lu-%lu %s",
			 nested ? "inside this container only the ids it maps can be granted: "
				: "",
			 s, s + c - 1, s, s + c - 1, ctx->user);
}

static void check_subid(const struct doctor_ctx *ctx, struct doctor_result *ret, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s%s", ctx->root, file);
	_cleanup_free_ char *subuid = xasprintf("%s/etc/subuid", ctx->root);
	_cleanup_free_ struct id_range *v = NULL;
	_cleanup_free_ char *other = NULL, *fix = NULL, *helper = NULL;
	size_t n = 0;
	unsigned long total, s;
	int r;

	r = subid_load(path, ctx->user, ctx->uid, &v, &n);
	if (r == -EINVAL) {
		set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(),
		    "roost run refuses to start until the entry is fixed", "malformed entry");
		return;
	}
	s = subid_suggest_start(subuid);
	if (r < 0) {
		_cleanup_free_ char *gidmap = helper_path(ctx, "newgidmap");
		unsigned long lo, hi;

		helper = helper_path(ctx, "newuidmap");
		if (nested_ids(ctx, &lo, &hi))
			fix = add_range_fix(ctx, subuid);
		else
			fix = userns_no_subid_text(ctx->user, file, s, helper && gidmap, false);
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
		    "containers run with a single-id map: only root exists inside",
		    "no range for %s", ctx->user);
		return;
	}
	size_t bad = 0;
	other = overlap(path, ctx, v, n, &bad);
	if (other) {
		unsigned long b0 = v[bad].start, b1 = v[bad].start + v[bad].count - 1, c;

		/* Only the overlapping range goes: the others are the user's own. */
		suggest_range(ctx, subuid, &s, &c);
		if (c == 0)
			fix = add_range_fix(ctx, subuid);
		else
			fix = xasprintf("give %s a range of its own: sudo usermod --del-subuids "
					"%lu-%lu --del-subgids %lu-%lu --add-subuids %lu-%lu "
					"--add-subgids %lu-%lu %s",
					ctx->user, b0, b1, b0, b1, s, s + c - 1, s, s + c - 1,
					ctx->user);
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
		    "another user's processes and files share ids with your containers: they can "
		    "reach each other's files",
		    "%s:%lu:%lu overlaps %s", ctx->user, v[bad].start, v[bad].count, other);
		return;
	}
	total = subid_total(v, n);
	if (total + 1 < SUBID_WANT) {
		fix = add_range_fix(ctx, subuid);
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
		    "ids past the range are unmapped: images with files of ids up to 65534 "
		    "(nobody) fail to unpack, and chown to them fails",
		    "%lu ids for %s (fewer than 65536)", total, ctx->user);
		return;
	}
	set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers get the full id map",
	    "%lu ids for %s from %lu", total, ctx->user, v[0].start);
}

static void check_subuid(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_subid(ctx, ret, "/etc/subuid");
}

static void check_subgid(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_subid(ctx, ret, "/etc/subgid");
}

static void check_helper(const struct doctor_ctx *ctx, struct doctor_result *ret, const char *name)
{
	_cleanup_free_ char *path = NULL, *fix = NULL;
	struct stat st;

	if (*ctx->root)
		path = xasprintf("%s/usr/bin/%s", ctx->root, name);
	else
		path = userns_find_helper(name);
	if (!path || stat(path, &st) < 0) {
		fix = userns_no_helper_text(name, ctx->user, false);
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
		    "containers run with a single-id map: only root exists inside", "%s not found",
		    name);
		return;
	}
	if ((st.st_mode & S_ISUID) && st.st_uid == 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "it can write the full id map",
		    "%s setuid root", path);
		return;
	}
	if (getxattr(path, "security.capability", NULL, 0) > 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "it can write the full id map",
		    "%s with file capabilities", path);
		return;
	}
	fix = xasprintf("sudo chmod u+s %s (or reinstall: sudo apt-get install --reinstall uidmap)",
			path);
	set(ret, DOCTOR_FAIL, IMPACT_FATAL, fix,
	    "it will refuse the id map and roost run fails (remove your subuid entry to run with "
	    "a single-id map instead)",
	    "%s is neither setuid root nor has file capabilities", path);
}

static void check_newuidmap(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_helper(ctx, ret, "newuidmap");
}

static void check_newgidmap(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_helper(ctx, ret, "newgidmap");
}

static void check_sysctl_userns(const struct doctor_ctx *ctx, struct doctor_result *ret,
				const char *path, const char *name, long bad)
{
	long v;

	if (read_long_at(ctx, path, &v) < 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "this kernel has no such switch",
		    "%s absent", name);
		return;
	}
	if (v != bad) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "unprivileged user namespaces are allowed by it", "%s=%ld", name, v);
		return;
	}
	(void)diag_userns_create_at(ctx->root, -EPERM);
	set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(), "roost cannot create containers", "%s=%ld",
	    name, v);
}

static void check_userns_clone(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_sysctl_userns(ctx, ret, "/proc/sys/kernel/unprivileged_userns_clone",
			    "kernel.unprivileged_userns_clone", 0);
}

static void check_max_userns(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_sysctl_userns(ctx, ret, "/proc/sys/user/max_user_namespaces",
			    "user.max_user_namespaces", 0);
}

static void check_apparmor(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	long v;

	if (read_long_at(ctx, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &v) < 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "no AppArmor restriction on user namespaces",
		    "kernel.apparmor_restrict_unprivileged_userns absent");
		return;
	}
	if (v != 1) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "AppArmor does not restrict user namespaces",
		    "kernel.apparmor_restrict_unprivileged_userns=%ld", v);
		return;
	}
	/* A profile may already allow roost: the live probe below tells; here we say how. */
	(void)diag_apparmor(-EPERM);
	set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(),
	    "user namespaces lose their powers unless a profile for roost's binary allows them",
	    "kernel.apparmor_restrict_unprivileged_userns=1");
}

static void check_userns(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	struct probe_msg m;

	if (!ctx->live)
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not probed");
	m = probe(ctx, NULL, NULL);
	if (m.err == 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "roost can create its namespaces",
		    "created a user namespace");
		return;
	}
	(void)diag_userns_create_at(ctx->root, -m.err);
	set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(), "roost cannot create containers",
	    "a new user namespace was refused (%s)", strerror(m.err));
}

static unsigned long map_total(const struct id_map *m, size_t n)
{
	unsigned long t = 0;

	for (size_t i = 0; i < n; i++)
		t += m[i].count;
	return t;
}

/* A sysctl forbids unprivileged user namespaces (the checks above say which). */
static bool userns_switched_off(const struct doctor_ctx *ctx)
{
	long v;

	return (read_long_at(ctx, "/proc/sys/user/max_user_namespaces", &v) == 0 && v == 0) ||
	       (read_long_at(ctx, "/proc/sys/kernel/unprivileged_userns_clone", &v) == 0 && v == 0);
}

/* Run newuidmap and newgidmap for a throwaway child, as roost run does. */
static void check_idmap(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	struct userns_plan plan;
	int sync[2], r, status;
	char c = 0;
	pid_t pid;

	/* Without user namespaces the helpers' refusal would blame the subuid files. */
	if (userns_switched_off(ctx))
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the checks above",
			   "user namespaces are switched off: nothing to map");
	if (!ctx->live)
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not probed");
	r = userns_plan_init(&plan, USERNS_DEFAULT, "/etc/subuid", "/etc/subgid");
	if (r < 0) {
		set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(), "roost run fails", "no plan");
		return;
	}
	if (!plan.use_helpers) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the subuid and newuidmap checks",
		    "single-id map: nothing to probe");
		userns_plan_done(&plan);
		return;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		userns_plan_done(&plan);
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid == 0) {
		close(sync[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		(void)util_read_all(sync[0], &c, 1); /* until the parent is done */
		_exit(0);
	}
	close(sync[0]);
	if (pid < 0) {
		close(sync[1]);
		userns_plan_done(&plan);
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "fork: %s", strerror(errno));
	}
	/* The child's unshare() races our helpers: wait until its user namespace differs. */
	bool moved = false;
	for (int i = 0; i < 1000 && !moved; i++) {
		char a[64], b[64], p[64];
		ssize_t na, nb;

		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)pid);
		na = readlink(p, a, sizeof(a) - 1);
		nb = readlink("/proc/self/ns/user", b, sizeof(b) - 1);
		if (na < 0 || nb < 0)
			break; /* the child is gone: its unshare() failed */
		moved = na != nb || memcmp(a, b, na);
		if (!moved)
			(void)sched_yield();
	}
	if (!moved) {
		close(sync[1]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		userns_plan_done(&plan);
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the userns check",
			   "no user namespace to map");
	}
	r = userns_apply(&plan, pid);
	close(sync[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		set(ret, DOCTOR_FAIL, IMPACT_FATAL, err_msg(), "roost run fails at the same step",
		    "newuidmap/newgidmap refused a throwaway child's map");
	else
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers get the full id map",
		    "newuidmap and newgidmap mapped %lu uids, %lu gids for a throwaway child",
		    map_total(plan.uid, plan.n_uid), map_total(plan.gid, plan.n_gid));
	userns_plan_done(&plan);
}

static void check_overlay(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *dir = NULL, *fuse = helper_path(ctx, "fuse-overlayfs");
	const char *sub[] = {"lower", "upper", "work", "merged"};
	struct probe_msg m;
	int r;

	if (!ctx->live)
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not probed");
	r = util_mkdir_p(ctx->data_dir, 0700);
	dir = xasprintf("%s/doctor.XXXXXX", ctx->data_dir);
	if (r < 0 || !mkdtemp(dir)) {
		set(ret, DOCTOR_FAIL, IMPACT_FATAL, "set XDG_DATA_HOME to a directory you own",
		    "roost cannot store containers", "cannot create a directory in %s: %s",
		    ctx->data_dir, strerror(r < 0 ? -r : errno));
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, sub[i]);
		(void)mkdir(p, 0700);
	}
	{
		_cleanup_free_ char *f = xasprintf("%s/lower/f", dir);
		_cleanup_close_ int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	}
	m = probe(ctx, overlay_probe, dir);
	{
		_cleanup_close_ int dfd = open(ctx->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0)
			(void)util_rm_rf_at(dfd, strrchr(dir, '/') + 1);
	}
	if (m.err == 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers get the kernel's overlayfs",
		    "overlay with userxattr and a whiteout mounted in a user namespace on %s",
		    ctx->data_dir);
		return;
	}
	if (m.stage == 0) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the userns check",
		    "no user namespace to probe in");
		return;
	}
	if (fuse) {
		_cleanup_free_ char *note = xasprintf(
			"the kernel refused overlayfs in a user namespace on %s (%s): using "
			"fuse-overlayfs, which is slower",
			ctx->data_dir, strerror(m.err));
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, note, "roost falls back to fuse-overlayfs",
		    "overlay refused on %s (%s)", ctx->data_dir, strerror(m.err));
		return;
	}
	set(ret, DOCTOR_FAIL, IMPACT_FATAL,
	    "fuse-overlayfs is not installed: sudo apt-get install fuse-overlayfs",
	    "roost cannot make a container's root", "overlay refused on %s (%s), no fuse-overlayfs",
	    ctx->data_dir, strerror(m.err));
}

/* Ubuntu's overlay patch before 5.11: overlayfs in a user namespace only with this parameter. */
static void check_overlay_param(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	static const char param[] = "/sys/module/overlay/parameters/permit_mounts_in_userns";
	char why[512], value[8];
	bool present = read_at(ctx, param, value, sizeof(value)) >= 0;

	switch (overlay_flavour(ctx->root, why, sizeof(why))) {
	case OVERLAY_USERXATTR:
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "not needed: the kernel mounts overlayfs in a user namespace with userxattr",
		    "Linux 5.11 or later");
		return;
	case OVERLAY_TRUSTED:
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "containers get the kernel's overlayfs without userxattr (images of several "
		    "layers use fuse-overlayfs)",
		    "permit_mounts_in_userns=Y");
		return;
	case OVERLAY_REFUSED:
		break;
	}
	if (!present) {
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED,
		    "upgrade to Linux 5.11 or later, or install fuse-overlayfs",
		    "roost uses fuse-overlayfs, which is slower", "%s", why);
		return;
	}
	set(ret, DOCTOR_WARN, IMPACT_DEGRADED,
	    "add 'options overlay permit_mounts_in_userns=1' to a file in /etc/modprobe.d, then "
	    "reload the module (sudo modprobe -r overlay && sudo modprobe overlay)",
	    "roost uses fuse-overlayfs, which is slower", "permit_mounts_in_userns=%s", value);
}

static void check_fuse_overlayfs(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *p = helper_path(ctx, "fuse-overlayfs");

	if (p)
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "the fallback when the kernel refuses overlayfs is there", "%s", p);
	else
		set(ret, DOCTOR_WARN, IMPACT_NONE,
		    "fuse-overlayfs is not installed: sudo apt-get install fuse-overlayfs",
		    "no fallback when the kernel refuses overlayfs", "fuse-overlayfs not found");
}

static void check_device(const struct doctor_ctx *ctx, struct doctor_result *ret, const char *dev,
			 int (*message)(int e), enum doctor_impact impact, const char *loss)
{
	struct probe_msg m;

	if (!ctx->live)
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not probed");
	m = probe(ctx, open_dev, dev);
	if (m.err == 0) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "usable", "%s opened in a user namespace",
		    dev);
		return;
	}
	if (m.stage == 0) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the userns check",
		    "no user namespace to probe in");
		return;
	}
	(void)message(m.err);
	set(ret, DOCTOR_WARN, impact, err_msg(), loss, "%s: %s", dev, strerror(m.err));
}

static void check_tun(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_device(ctx, ret, "/dev/net/tun", tap_device_error, IMPACT_DEGRADED,
		     "the default network (user-mode) fails; --network=none and --network=host "
		     "work");
}

static void check_fuse(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	check_device(ctx, ret, "/dev/fuse", overlay_fuse_device_error, IMPACT_NONE,
		     "the fuse-overlayfs fallback fails (needed only when the kernel refuses "
		     "overlayfs)");
}

static const struct {
	long magic;
	const char *name;
	bool bad; /* breaks rootless storage: no user xattrs, no subordinate ids */
} fs_types[] = {
	{0xEF53, "ext4", false},      {0x58465342, "xfs", false},
	{0x9123683E, "btrfs", false}, {0x01021994, "tmpfs", false},
	{0x2FC12FC1, "zfs", false},   {0x794C7630, "overlayfs", true},
	{0x6969, "nfs", true},	      {0xFF534D42, "cifs", true},
	{0xFE534D42, "smb2", true},   {0x65735546, "fuse", true},
	{0x47504653, "gpfs", true},   {0x0BD00BD0, "lustre", true},
	{0x6B414653, "afs", true},    {0x5346414F, "openafs", true},
	{0x00C36400, "ceph", true},   {0x01161970, "gfs2", true},
};

static void check_storage_fs(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *p = xstrdup(ctx->data_dir), *fix = NULL;
	struct statfs sf;
	const char *name = NULL;
	bool bad = false;

	/* The store may not exist yet: its nearest existing parent is where it will be. */
	while (statfs(p, &sf) < 0) {
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "%s: %s", ctx->data_dir,
			    strerror(errno));
			return;
		}
		*slash = '\0';
	}
	for (size_t i = 0; i < ARRAY_SIZE(fs_types); i++)
		if ((unsigned long)sf.f_type == (unsigned long)fs_types[i].magic) {
			name = fs_types[i].name;
			bad = fs_types[i].bad;
		}
	if (!bad) {
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "a filesystem rootless storage works on",
		    "%s on %s (0x%lx)", ctx->data_dir, name ? name : "a local filesystem",
		    (unsigned long)sf.f_type);
		return;
	}
	fix = xasprintf("keep the store on a local disk: export XDG_DATA_HOME=/var/tmp/%s-data "
			"(or another directory on ext4, xfs or btrfs)",
			ctx->user);
	set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
	    "subordinate ids and user xattrs do not work there: overlay and id-mapped files fail",
	    "%s on %s", ctx->data_dir, name);
}

static void check_tmpfs_xattr(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	struct probe_msg m;

	if (!ctx->live)
		return set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not probed");
	m = probe(ctx, tmpfs_xattr_probe, "/tmp");
	if (m.err == 0)
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "a store on tmpfs would work",
		    "user xattrs on a tmpfs in a user namespace");
	else if (m.stage == 0)
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "see the userns check",
		    "no user namespace to probe in");
	else
		set(ret, DOCTOR_WARN, IMPACT_NONE,
		    "keep XDG_DATA_HOME off tmpfs (or use Linux 6.6+)",
		    "a store on tmpfs cannot hold overlay whiteouts (user xattrs need Linux 6.6+)",
		    "tmpfs refuses user xattrs (%s)", strerror(m.err));
}

static void check_ping(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *warn = NULL;
	char range[64];

	if (read_at(ctx, "/proc/sys/net/ipv4/ping_group_range", range, sizeof(range)) < 0) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "no net.ipv4.ping_group_range");
		return;
	}
	for (char *t = range; *t; t++)
		if (*t == '\t')
			*t = ' ';
	warn = net_ping_warning(range, ctx->gid, ctx->groups, ctx->n_groups);
	if (warn) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, warn,
		    "ping from containers to other hosts fails; everything else works",
		    "net.ipv4.ping_group_range=%s leaves out gid %u", range, (unsigned)ctx->gid);
		return;
	}
	if (ctx->live) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd < 0) {
			set(ret, DOCTOR_WARN, IMPACT_NONE,
			    "allow ICMP datagram sockets in the security policy that forbids them",
			    "ping from containers to other hosts fails (a security module or "
			    "seccomp policy forbids ICMP sockets)",
			    "net.ipv4.ping_group_range=%s, but an ICMP socket was refused: %s",
			    range, strerror(errno));
			return;
		}
		close(fd);
	}
	set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers can ping other hosts",
	    "net.ipv4.ping_group_range=%s covers gid %u%s", range, (unsigned)ctx->gid,
	    ctx->live ? ", ICMP socket opened" : "");
}

/* libslirp as the network process will load it; its version decides the fragment guard. */
static void check_libslirp(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	const char *v;

	if (!ctx->live) {
		set(ret, DOCTOR_SKIP, IMPACT_NONE, NULL, "", "not loaded without live probes");
		return;
	}
	v = usernet_slirp_version();
	if (!v)
		set(ret, DOCTOR_FAIL, IMPACT_DEGRADED, "sudo apt-get install libslirp0",
		    "containers run only with --network=none or --network=host",
		    "no libslirp.so.0");
	else if (!usernet_slirp_reassembly_ok(v))
		set(ret, DOCTOR_WARN, IMPACT_NONE,
		    "upgrade libslirp0 to 4.8.0 or later when your distribution ships it",
		    "IPv4 fragments from containers are dropped: libslirp before 4.8.0 "
		    "mishandles them; unfragmented traffic is unaffected",
		    "libslirp %s", v);
	else
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "user-mode networking, IPv4 fragments too",
		    "libslirp %s", v);
}

static void check_ports(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *fix = NULL;
	long start;

	if (read_long_at(ctx, "/proc/sys/net/ipv4/ip_unprivileged_port_start", &start) < 0)
		start = 1024;
	if (ctx->port && ctx->port < start) {
		/* The least privilege that does it: exactly the port asked for, never 0. */
		fix = xasprintf("sudo sysctl -w net.ipv4.ip_unprivileged_port_start=%u", ctx->port);
		set(ret, DOCTOR_WARN, IMPACT_DEGRADED, fix,
		    "roost run -p fails for host ports below it",
		    "net.ipv4.ip_unprivileged_port_start=%ld, port %u wanted", start, ctx->port);
		return;
	}
	if (start > 0)
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL,
		    "host ports from there up can be published (ask 'roost doctor --port N' for a "
		    "lower one)",
		    "net.ipv4.ip_unprivileged_port_start=%ld", start);
	else
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "any host port can be published",
		    "net.ipv4.ip_unprivileged_port_start=0");
}

static void check_cgroup(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *path = NULL;
	char ctl[512];

	if (read_at(ctx, "/sys/fs/cgroup/cgroup.controllers", ctl, sizeof(ctl)) < 0) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, "boot with systemd.unified_cgroup_hierarchy=1",
		    "resource limits cannot be delegated to you (roost sets none yet)",
		    "cgroup v1 or hybrid: no cgroup v2 at /sys/fs/cgroup");
		return;
	}
	path = xasprintf(
		"/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers",
		(unsigned)ctx->uid, (unsigned)ctx->uid);
	if (read_at(ctx, path, ctl, sizeof(ctl)) < 0 || !ctl[0]) {
		set(ret, DOCTOR_WARN, IMPACT_NONE,
		    "sudo mkdir -p /etc/systemd/system/user@.service.d && printf "
		    "'[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee "
		    "/etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl "
		    "daemon-reload (then log in again)",
		    "roost sets no resource limits yet, so nothing fails today",
		    "cgroup v2, no controllers delegated to uid %u", (unsigned)ctx->uid);
		return;
	}
	set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "resource limits can be delegated",
	    "cgroup v2, delegated: %s", ctl);
}

static void check_runtime_dir(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *fix = NULL, *meaning = NULL;
	struct stat st;

	_cleanup_free_ char *logind = xasprintf("%s/run/user/%u", ctx->root, (unsigned)ctx->uid);
	struct stat lst;

	/* /run/user/UID is made by systemd-logind; without it, name a directory that can exist. */
	if (stat(logind, &lst) == 0)
		fix = xasprintf("log in as %s directly (ssh, or machinectl shell %s@) rather than "
				"with su or sudo, or: export XDG_RUNTIME_DIR=/run/user/%u",
				ctx->user, ctx->user, (unsigned)ctx->uid);
	else
		fix = xasprintf(
			"no /run/user/%u here (it is made by systemd-logind at login): make "
			"a private directory and set it in your shell's profile: mkdir -p -m "
			"0700 ~/.cache/roost-run && export XDG_RUNTIME_DIR=~/.cache/roost-run",
			(unsigned)ctx->uid);
	meaning = xasprintf("container state goes to /tmp/roost-%u, which a reboot or tmp "
			    "cleaner may empty under running containers",
			    (unsigned)ctx->uid);
	if (!ctx->runtime_dir || !*ctx->runtime_dir) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, fix, meaning, "XDG_RUNTIME_DIR is not set");
		return;
	}
	if (stat(ctx->runtime_dir, &st) < 0) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, fix, meaning, "XDG_RUNTIME_DIR=%s: %s",
		    ctx->runtime_dir, strerror(errno));
		return;
	}
	if (st.st_uid != ctx->uid) {
		set(ret, DOCTOR_WARN, IMPACT_NONE, fix, meaning,
		    "XDG_RUNTIME_DIR=%s belongs to uid %u (left by su or sudo?)", ctx->runtime_dir,
		    (unsigned)st.st_uid);
		return;
	}
	set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "container state lives there",
	    "XDG_RUNTIME_DIR=%s, yours", ctx->runtime_dir);
}

static void check_linger(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	_cleanup_free_ char *path = xasprintf("%s/var/lib/systemd/linger/%s", ctx->root, ctx->user);
	_cleanup_free_ char *fix = xasprintf("sudo loginctl enable-linger %s", ctx->user);

	if (access(path, F_OK) == 0)
		set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers outlive your sessions",
		    "linger enabled for %s", ctx->user);
	else
		set(ret, DOCTOR_WARN, IMPACT_NONE, fix,
		    "systemd may kill your containers when your last session ends",
		    "no systemd linger for %s", ctx->user);
}

static void check_seccomp(const struct doctor_ctx *ctx, struct doctor_result *ret)
{
	char buf[256];

	if (read_at(ctx, "/proc/sys/kernel/seccomp/actions_avail", buf, sizeof(buf)) < 0) {
		set(ret, DOCTOR_FAIL, IMPACT_FATAL,
		    "use a kernel built with CONFIG_SECCOMP_FILTER=y (every distribution's is)",
		    "roost always loads a seccomp filter: containers cannot start",
		    "no seccomp in this kernel");
		return;
	}
	set(ret, DOCTOR_OK, IMPACT_NONE, NULL, "containers get roost's seccomp filter",
	    "seccomp actions: %s", buf);
}

/* Policy as data: the order is the order of the output. */
const struct doctor_check doctor_checks[] = {
	{"kernel", "kernel version", check_kernel},
	{"nested", "already in a container", check_nested},
	{"subuid", "subordinate uids", check_subuid},
	{"subgid", "subordinate gids", check_subgid},
	{"newuidmap", "newuidmap", check_newuidmap},
	{"newgidmap", "newgidmap", check_newgidmap},
	{"userns_clone", "kernel.unprivileged_userns_clone", check_userns_clone},
	{"max_user_namespaces", "user.max_user_namespaces", check_max_userns},
	{"apparmor", "AppArmor user namespace restriction", check_apparmor},
	{"userns", "user namespace", check_userns},
	{"idmap", "full id map", check_idmap},
	{"overlay", "overlayfs in a user namespace", check_overlay},
	{"overlay_userns", "overlay permit_mounts_in_userns", check_overlay_param},
	{"fuse_overlayfs", "fuse-overlayfs", check_fuse_overlayfs},
	{"fuse", "/dev/fuse", check_fuse},
	{"tun", "/dev/net/tun", check_tun},
	{"storage_fs", "storage filesystem", check_storage_fs},
	{"tmpfs_xattr", "tmpfs user xattrs", check_tmpfs_xattr},
	{"libslirp", "libslirp (user-mode networking)", check_libslirp},
	{"ping", "ping", check_ping},
	{"ports", "low ports", check_ports},
	{"cgroup", "cgroup delegation", check_cgroup},
	{"runtime_dir", "XDG_RUNTIME_DIR", check_runtime_dir},
	{"linger", "systemd linger", check_linger},
	{"seccomp", "seccomp", check_seccomp},
};
const size_t doctor_n_checks = ARRAY_SIZE(doctor_checks);

const char *doctor_status_name(enum doctor_status s)
{
	static const char *const names[] = {"OK", "WARN", "FAIL", "SKIP"};
	return names[s];
}

const char *doctor_impact_name(enum doctor_impact i)
{
	static const char *const names[] = {"none", "degraded", "fatal"};
	return names[i];
}

/* Run the check named id. Returns 0, -ENOENT for an unknown id. The caller frees *ret. */
int doctor_run(const struct doctor_ctx *ctx, const char *id, struct doctor_result *ret)
{
	for (size_t i = 0; i < doctor_n_checks; i++)
		if (!strcmp(doctor_checks[i].id, id)) {
			unsigned long lo, hi;

			memset(ret, 0, sizeof(*ret));
			doctor_checks[i].fn(ctx, ret);
			/* In a container, kernel modules and sysctls are the host's business. */
			if (ret->fix && nested_ids(ctx, &lo, &hi) &&
			    (strstr(ret->fix, "modprobe") || strstr(ret->fix, "sysctl -w"))) {
				char *f = xasprintf("this runs in a container: the kernel is the "
						    "host's, so do this on the host: %s",
						    ret->fix);
				free(ret->fix);
				ret->fix = f;
			}
			return 0;
		}
	return err_setx(ENOENT, "no check '%s'", id);
}

void doctor_result_done(struct doctor_result *r)
{
	free(r->found);
	free(r->meaning);
	free(r->fix);
	r->found = r->meaning = r->fix = NULL;
}

/* 0: containers run with a full id map; 1: only degraded; 2: not at all. */
int doctor_exit_status(const struct doctor_result *v, size_t n)
{
	int worst = 0;

	for (size_t i = 0; i < n; i++)
		if ((int)v[i].impact > worst)
			worst = v[i].impact;
	return worst;
}

/* v holds one result per doctor_checks[] entry. Returns an allocated JSON document. */
char *doctor_json(const struct doctor_result *v, size_t n)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	char *s;

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(doctor_checks[i].id));
		json_object_object_add(o, "title", json_object_new_string(doctor_checks[i].title));
		json_object_object_add(o, "status",
				       json_object_new_string(doctor_status_name(v[i].status)));
		json_object_object_add(o, "impact",
				       json_object_new_string(doctor_impact_name(v[i].impact)));
		json_object_object_add(o, "found",
				       json_object_new_string(v[i].found ? v[i].found : ""));
		json_object_object_add(o, "meaning",
				       json_object_new_string(v[i].meaning ? v[i].meaning : ""));
		json_object_object_add(o, "fix",
				       v[i].fix ? json_object_new_string(v[i].fix) : NULL);
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "checks", arr);
	json_object_object_add(root, "exit_status", json_object_new_int(doctor_exit_status(v, n)));
	s = xstrdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}
