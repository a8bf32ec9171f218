/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns.c - id maps for a pid: newuidmap/newgidmap, single-id fallback
 *
 * The plan is made in the parent before the child is cloned:
 *   1. read the caller's ranges from /etc/subuid and /etc/subgid (subid.c);
 *   2. find newuidmap and newgidmap (setuid helpers from shadow's "uidmap");
 *   3. build both maps: container 0 = the caller, 1..N = the ranges in file
 *      order; with keep-id the caller keeps its own id and the ranges fill
 *      the ids around it.
 * Without ranges or helpers the plan is a single-id map which the parent,
 * as owner of the new namespace, may write itself once setgroups is denied.
 * userns_apply_start() then runs both helpers at once for the child's pid.
 */
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "roost/err.h"
#include "roost/log.h"
#include "roost/userns.h"
#include "roost/util.h"

extern char **environ;

static size_t map_push(struct id_map *out, size_t n, size_t max, unsigned long inner,
		       unsigned long outer, unsigned long count)
{
	if (count == 0)
		return n;
	if (n > max)
		return n + 1;
	/* Merge with the previous line when both sides continue it. */
	if (n > 0 && out[n - 1].inner + out[n - 1].count == inner &&
	    out[n - 1].outer + out[n - 1].count == outer) {
		out[n - 1].count += count;
		return n;
	}
	if (n == max)
		return n + 1;
	out[n] = (struct id_map){inner, outer, count};
	return n + 1;
}

/* Map outer ids [start, start+count) from inner *next on, leaving keep-id's hole. */
static size_t push_range(struct id_map *out, size_t k, size_t max, unsigned long *next,
			 unsigned long start, unsigned long count, unsigned long host_id,
			 bool keep_id)
{
	while (count > 0) {
		unsigned long take = count;

		/* keep-id: leave a hole at host_id for the caller itself. */
		if (keep_id && *next <= host_id && *next + take > host_id)
			take = host_id - *next;
		if (take == 0) {
			(*next)++; /* skip the hole */
			continue;
		}
		k = map_push(out, k, max, *next, start, take);
		*next += take;
		start += take;
		count -= take;
	}
	return k;
}

/*
 * Build a map from the caller's host id and its subordinate ranges.
 * Default: inner 0 -> host_id, inner 1.. -> the ranges in order.
 * keep_id: inner host_id -> host_id; inner 0..host_id-1 take the first
 * ranges' ids, inner host_id+1.. the rest. A range that contains host_id
 * itself is split around it: the kernel refuses an outer id mapped twice,
 * and the caller's id has its place already.
 * Returns the number of lines, -E2BIG past max lines.
 */
int userns_build_map(unsigned long host_id, const struct id_range *r, size_t n, bool keep_id,
		     struct id_map *out, size_t max)
{
	unsigned long next = keep_id ? 0 : 1;
	size_t k = 0;

	if (!keep_id)
		k = map_push(out, k, max, 0, host_id, 1);

	for (size_t i = 0; i < n; i++) {
		unsigned long start = r[i].start, count = r[i].count;

		if (host_id >= start && host_id < start + count) {
			k = push_range(out, k, max, &next, start, host_id - start, host_id,
				       keep_id);
			count -= host_id + 1 - start;
			start = host_id + 1;
		}
		k = push_range(out, k, max, &next, start, count, host_id, keep_id);
	}
	if (keep_id) {
		/* The caller's own id sits in the hole (or past the ranges). */
		size_t j;

		if (k < max) {
			for (j = k; j > 0 && out[j - 1].inner > host_id; j--)
				out[j] = out[j - 1];
			out[j] = (struct id_map){host_id, host_id, 1};
		}
		k++;
	}
	return k > max ? -E2BIG : (int)k;
}

/* "inner outer count\n" lines, as /proc/PID/uid_map takes them. */
int userns_map_format(const struct id_map *m, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%lu %lu %lu\n", m[i].inner, m[i].outer,
				 m[i].count);
		if (w < 0 || (size_t)w >= size - len)
			return -ENOBUFS;
		len += w;
	}
	return len;
}

/* The host id that inner maps to, or (unsigned long)-1 when unmapped. */
unsigned long userns_map_lookup(const struct id_map *m, size_t n, unsigned long inner)
{
	for (size_t i = 0; i < n; i++)
		if (inner >= m[i].inner && inner < m[i].inner + m[i].count)
			return m[i].outer + (inner - m[i].inner);
	return (unsigned long)-1;
}

/* The helper's path in PATH or /usr/bin, NULL when missing. */
char *userns_find_helper(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;

	/* The helpers live in /usr/bin; PATH of a confined user may lack it. */
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", dir, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	for (const char *d = "/usr/bin"; d; d = NULL) {
		char *p = xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

static void single_map(struct userns_plan *p, enum userns_mode mode)
{
	unsigned long inner_u = mode == USERNS_KEEP_ID ? p->host_uid : 0;
	unsigned long inner_g = mode == USERNS_KEEP_ID ? p->host_gid : 0;

	p->uid[0] = (struct id_map){inner_u, p->host_uid, 1};
	p->gid[0] = (struct id_map){inner_g, p->host_gid, 1};
	p->n_uid = p->n_gid = 1;
	p->use_helpers = false;
}

/*
 * The warning for a single-id map for lack of ranges: path is the file
 * without one, start a free place for the line to add (subid_suggest_start()).
 * roost doctor prints the same text. Returns an allocated string.
 */
char *userns_no_subid_text(const char *user, const char *path, unsigned long start,
			   bool have_helpers, bool keep_id)
{
	unsigned long s = start;

	return xasprintf("no subordinate ids for '%s' in %s: running with a single-id map (only "
			 "%s exists inside; chown to other ids, setuid programs and package "
			 "managers will fail). For the full map add the line '%s:%lu:65536' to "
			 "/etc/subuid and /etc/subgid (sudo usermod --add-subuids %lu-%lu "
			 "--add-subgids %lu-%lu %s)%s",
			 user, path, keep_id ? "your own id" : "root", user, s, s, s + 65535, s,
			 s + 65535, user,
			 have_helpers ? ""
				      : " and install newuidmap/newgidmap "
					"(sudo apt-get install uidmap)");
}

/* The warning for a single-id map for lack of the helper named. */
char *userns_no_helper_text(const char *helper, const char *user, bool keep_id)
{
	return xasprintf("%s not found: running with a single-id map although %s has "
			 "subordinate ids (only %s exists inside; chown to other ids and "
			 "package managers will fail). Install it for the full map: sudo apt-get "
			 "install uidmap (the package may be called shadow-utils or shadow "
			 "elsewhere)",
			 helper, user, keep_id ? "your own id" : "root");
}

/*
 * Decide the maps for the caller. Never fails for lack of ranges or
 * helpers: the plan then falls back to a single-id map and fallback_why
 * holds the one warning to print (what is lost, the line to add, the
 * package to install). Fails for a malformed subuid entry or too many
 * ranges.
 */
int userns_plan_init(struct userns_plan *p, enum userns_mode mode, const char *subuid_path,
		     const char *subgid_path)
{
	_cleanup_free_ struct id_range *ur = NULL, *gr = NULL;
	size_t n_ur = 0, n_gr = 0;
	struct passwd *pw;
	const char *user;
	char uidbuf[32];
	int ru, rg, r;

	memset(p, 0, sizeof(*p));
	p->host_uid = getuid();
	p->host_gid = getgid();
	pw = getpwuid(p->host_uid);
	snprintf(uidbuf, sizeof(uidbuf), "%u", (unsigned)p->host_uid);
	user = pw ? pw->pw_name : uidbuf;

	ru = subid_load(subuid_path, user, p->host_uid, &ur, &n_ur);
	if (ru == -EINVAL)
		return ru;
	rg = subid_load(subgid_path, user, p->host_uid, &gr, &n_gr);
	if (rg == -EINVAL)
		return rg;
	p->newuidmap = userns_find_helper("newuidmap");
	p->newgidmap = userns_find_helper("newgidmap");

	if (ru < 0 || rg < 0) {
		single_map(p, mode);
		p->fallback_why = userns_no_subid_text(
			user, ru < 0 ? subuid_path : subgid_path, subid_suggest_start(subuid_path),
			p->newuidmap && p->newgidmap, mode == USERNS_KEEP_ID);
		return 0;
	}
	if (!p->newuidmap || !p->newgidmap) {
		single_map(p, mode);
		p->fallback_why = userns_no_helper_text(!p->newuidmap ? "newuidmap" : "newgidmap",
							user, mode == USERNS_KEEP_ID);
		return 0;
	}

	r = userns_build_map(p->host_uid, ur, n_ur, mode == USERNS_KEEP_ID, p->uid, IDMAP_MAX);
	if (r < 0)
		return err_setx(E2BIG, "%s: too many ranges for '%s' (the kernel takes %d)",
				subuid_path, user, IDMAP_MAX);
	p->n_uid = r;
	r = userns_build_map(p->host_gid, gr, n_gr, mode == USERNS_KEEP_ID, p->gid, IDMAP_MAX);
	if (r < 0)
		return err_setx(E2BIG, "%s: too many ranges for '%s' (the kernel takes %d)",
				subgid_path, user, IDMAP_MAX);
	p->n_gid = r;
	p->use_helpers = true;
	return 0;
}

void userns_plan_done(struct userns_plan *p)
{
	free(p->newuidmap);
	free(p->newgidmap);
	free(p->fallback_why);
	p->newuidmap = p->newgidmap = p->fallback_why = NULL;
}

/* Start "newuidmap PID inner outer count ..." with its stderr on a pipe. */
static int helper_start(const char *helper, pid_t pid, const struct id_map *m, size_t n,
			struct userns_job *j)
{
	_cleanup_free_ char **argv = xcalloc(3 * n + 3, sizeof(char *));
	char args[IDMAP_MAX * 3][24];
	char pidbuf[24];
	posix_spawn_file_actions_t fa;
	int pipefd[2], r;
	size_t k = 0;

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[k++] = (char *)helper;
	argv[k++] = pidbuf;
	for (size_t i = 0; i < n; i++) {
		snprintf(args[3 * i], 24, "%lu", m[i].inner);
		snprintf(args[3 * i + 1], 24, "%lu", m[i].outer);
		snprintf(args[3 * i + 2], 24, "%lu", m[i].count);
		argv[k++] = args[3 * i];
		argv[k++] = args[3 * i + 1];
		argv[k++] = args[3 * i + 2];
	}
	argv[k] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	r = posix_spawn(&j->pid[j->n], helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		return err_set(r, "run %s", helper);
	}
	j->err_fd[j->n++] = pipefd[0];
	return 0;
}

static int helper_finish(const char *helper, const char *idfile, pid_t pid, int err_fd)
{
	char out[512];
	ssize_t n;
	int status;

	n = util_read_all(err_fd, out, sizeof(out) - 1);
	close(err_fd);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(errno, "wait for %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;

	struct stat st;
	bool setuid_ok = stat(helper, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0;
	return err_setx(EPERM, "%s refused the id map (%s)%s: check your entry in %s", helper,
			out[0] ? out : "no message",
			setuid_ok ? ""
				  : "; it is not setuid root: sudo chmod u+s it, or "
				    "reinstall the uidmap package",
			idfile);
}

static int write_single(pid_t pid, const struct userns_plan *p)
{
	char path[64], buf[128];
	int r;

	/* The kernel refuses gid_map from an unprivileged writer until setgroups is denied. */
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	r = util_write_file(path, "deny");
	if (r < 0 && r != -ENOENT)
		return err_set(r, "write %s", path);

	userns_map_format(p->gid, p->n_gid, buf, sizeof(buf));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	r = util_write_file(path, buf);
	if (r < 0)
		return err_set(r, "write %s", path);

	userns_map_format(p->uid, p->n_uid, buf, sizeof(buf));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	r = util_write_file(path, buf);
	if (r < 0)
		return err_set(r, "write %s", path);
	return 0;
}

/*
 * Start writing both maps of pid's user namespace as planned. The two
 * helpers run concurrently (they are setuid programs and most of their
 * time is exec and start-up), and the caller may do other work until
 * userns_apply_finish(). A single-id map is written here and then.
 */
int userns_apply_start(const struct userns_plan *p, pid_t pid, struct userns_job *j)
{
	int r;

	j->n = 0;
	if (!p->use_helpers)
		return write_single(pid, p);
	r = helper_start(p->newuidmap, pid, p->uid, p->n_uid, j);
	if (r < 0)
		return r;
	r = helper_start(p->newgidmap, pid, p->gid, p->n_gid, j);
	if (r < 0) {
		(void)userns_apply_finish(p, j);
		return r;
	}
	return 0;
}

/* Wait for the helpers; the first refusal is the error. */
int userns_apply_finish(const struct userns_plan *p, struct userns_job *j)
{
	static const char *const idfile[] = {"/etc/subuid", "/etc/subgid"};
	const char *helper[] = {p->newuidmap, p->newgidmap};
	int r = 0;

	for (int i = 0; i < j->n; i++) {
		int q = helper_finish(helper[i], idfile[i], j->pid[i], j->err_fd[i]);
		if (q < 0 && r == 0)
			r = q;
	}
	j->n = 0;
	return r;
}

int userns_apply(const struct userns_plan *p, pid_t pid)
{
	struct userns_job j;
	int r = userns_apply_start(p, pid, &j);

	return r < 0 ? r : userns_apply_finish(p, &j);
}
