/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.c - the container's seccomp filter: compiled once, loaded last
 *
 * In the parent, before the clone (filter_prepare()):
 *   1. the profile is resolved (profile.c: roost's table, or a JSON file)
 *      for the container's capabilities;
 *   2. its key, a hash of the resolved rules, libseccomp's version and the
 *      native architecture, names a cache file under
 *      $XDG_CACHE_HOME/roost/seccomp/ (~/.cache without it);
 *   3. a hit is read as it is; a miss is compiled with libseccomp,
 *      exported with seccomp_export_bpf() and written there for next time.
 * In the child, after the user and capabilities are set: no_new_privs
 * (proc.c), then filter_load(), a single seccomp(2) call, then execve.
 * libseccomp never runs in the child, and needs no file there.
 *
 * The cache is the user's own (0700) and holds what roost would compile
 * anyway: a change to the table, a profile, the capabilities, libseccomp
 * or the kernel's answer to "minKernel" makes a new key, never a stale hit.
 */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "roost/err.h"
#include "roost/filter.h"
#include "roost/log.h"

#define CACHE_MAGIC "roostbpf"
#define BPF_MAX_INSNS 4096 /* the kernel's BPF_MAXINSNS */

struct cache_head {
	char magic[8];
	uint32_t flags;
	uint32_t n;
};

/*
 * Compile p with libseccomp into ret (owned by the caller). Returns 0, or
 * -errno naming the rule libseccomp refused.
 */
int filter_compile(const struct profile *p, struct filter_prog *ret)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	_cleanup_close_ int fd = -1;
	struct stat st;
	void *buf;
	int r;

	if (!ctx)
		return err_setx(EINVAL, "seccomp: libseccomp refuses the default action");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, p->bad_arch_action);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); /* proc.c sets it */
	/* A binary tree: a call walks a few comparisons, not the whole list. */
	if (r == 0)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; r == 0 && i < p->n_arches; i++) {
		r = seccomp_arch_add(ctx, p->arches[i]);
		if (r == -EEXIST)
			r = 0;
	}
	if (r < 0) {
		seccomp_release(ctx);
		return err_set(-r, "seccomp: set up the filter");
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct profile_rule *u = &p->rules[i];

		r = seccomp_rule_add_array(ctx, u->action, u->nr, u->n_args, u->args);
		if (r < 0) {
			_cleanup_free_ char *name =
				seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, u->nr);

			seccomp_release(ctx);
			if (u->src >= 0)
				return err_set(-r,
					       "seccomp profile: syscalls[%d] (%s): libseccomp "
					       "refuses the rule",
					       u->src, name ? name : "?");
			return err_set(-r, "seccomp: rule for %s", name ? name : "?");
		}
	}

	fd = memfd_create("roost-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		seccomp_release(ctx);
		return err_set(errno, "memfd_create");
	}
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0)
		return err_set(-r, "seccomp: export the filter");
	if (fstat(fd, &st) < 0)
		return err_set(errno, "seccomp: export the filter");
	if (st.st_size == 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAX_INSNS)
		return err_setx(E2BIG,
				"seccomp: the filter has %lld bytes: more than the kernel "
				"takes (%d instructions)",
				(long long)st.st_size, BPF_MAX_INSNS);
	buf = xmalloc(st.st_size);
	if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		free(buf);
		return err_set(errno ? errno : EIO, "seccomp: read the exported filter");
	}
	*ret = (struct filter_prog){
		.insns = buf,
		.n = st.st_size / sizeof(struct sock_filter),
		.flags = p->load_flags,
	};
	return 0;
}

/* FNV-1a, 64 bits, twice with different bases: 128 bits against accidents. */
struct key {
	uint64_t a, b;
};

static void key_add(struct key *k, const void *data, size_t n)
{
	const unsigned char *c = data;

	for (size_t i = 0; i < n; i++) {
		k->a = (k->a ^ c[i]) * 0x100000001b3ULL;
		k->b = (k->b ^ c[i]) * 0x100000001b3ULL;
	}
}

static void profile_key(const struct profile *p, char *buf, size_t size)
{
	const struct scmp_version *v = seccomp_version();
	struct key k = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
	uint32_t native = seccomp_arch_native();

	key_add(&k, "roost-filter-1", 15);
	key_add(&k, v, sizeof(*v));
	key_add(&k, &native, sizeof(native));
	key_add(&k, &p->default_action, sizeof(p->default_action));
	key_add(&k, &p->bad_arch_action, sizeof(p->bad_arch_action));
	key_add(&k, &p->load_flags, sizeof(p->load_flags));
	key_add(&k, p->arches, p->n_arches * sizeof(p->arches[0]));
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct profile_rule *u = &p->rules[i];

		key_add(&k, &u->nr, sizeof(u->nr));
		key_add(&k, &u->action, sizeof(u->action));
		key_add(&k, &u->n_args, sizeof(u->n_args));
		for (unsigned int a = 0; a < u->n_args; a++) {
			key_add(&k, &u->args[a].arg, sizeof(u->args[a].arg));
			key_add(&k, &u->args[a].op, sizeof(u->args[a].op));
			key_add(&k, &u->args[a].datum_a, sizeof(u->args[a].datum_a));
			key_add(&k, &u->args[a].datum_b, sizeof(u->args[a].datum_b));
		}
	}
	snprintf(buf, size, "%016llx%016llx", (unsigned long long)k.a, (unsigned long long)k.b);
}

/*
 * $XDG_CACHE_HOME/roost/seccomp, or ~/.cache/...; NULL without either, or
 * when HOME is not a directory we may write (HOME=/nonexistent).
 */
static char *cache_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return xasprintf("%s/roost/seccomp", x);
	if (home && home[0] == '/' && access(home, W_OK) == 0)
		return xasprintf("%s/.cache/roost/seccomp", home);
	return NULL;
}

static int cache_read(const char *path, struct filter_prog *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct cache_head h;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = util_read_all(fd, &h, sizeof(h));
	if (n != sizeof(h) || memcmp(h.magic, CACHE_MAGIC, 8) || h.n == 0 || h.n > BPF_MAX_INSNS)
		return -EBADMSG;
	insns = xmalloc(h.n * sizeof(*insns));
	n = util_read_all(fd, insns, h.n * sizeof(*insns));
	if (n != (ssize_t)(h.n * sizeof(*insns)))
		return -EBADMSG;
	*ret = (struct filter_prog){.insns = TAKE_PTR(insns), .n = h.n, .flags = h.flags};
	return 0;
}

static int cache_write(const char *dir, const char *path, const struct filter_prog *f)
{
	struct cache_head h = {.flags = f->flags, .n = (uint32_t)f->n};
	_cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	_cleanup_close_ int fd = -1;
	int r;

	memcpy(h.magic, CACHE_MAGIC, 8);
	r = util_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = util_write_all(fd, &h, sizeof(h));
	if (r == 0)
		r = util_write_all(fd, f->insns, f->n * sizeof(*f->insns));
	/* rename() is atomic: a concurrent run reads the old file, the new one, or none. */
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

/*
 * The filter for a container holding caps: roost's default policy
 * (profile_path NULL) or the JSON profile at profile_path; flags are
 * PROFILE_*. From the cache when it has it. Returns 0 with *ret (free it
 * with filter_prog_free()), or -errno with a message.
 */
int filter_prepare(const char *profile_path, uint64_t caps, unsigned int flags,
		   struct filter_prog *ret)
{
	_cleanup_free_ char *dir = cache_dir(), *path = NULL;
	struct profile p;
	char key[40];
	int r;

	if (profile_path)
		r = profile_load_json(profile_path, caps, &p);
	else
		r = profile_default(caps, flags, &p);
	if (r < 0)
		return r;

	profile_key(&p, key, sizeof(key));
	if (dir) {
		path = xasprintf("%s/%s.bpf", dir, key);
		if (cache_read(path, ret) == 0) {
			profile_free(&p);
			return 0;
		}
	}
	/* Said once, when the profile is compiled: a hit skips it. */
	if (p.unknown.n > 0) {
		_cleanup_free_ char *list = NULL;
		size_t len = 0;

		for (size_t i = 0; i < p.unknown.n; i++)
			len += strlen(p.unknown.v[i]) + 2;
		list = xcalloc(1, len + 1);
		for (size_t i = 0; i < p.unknown.n; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, p.unknown.v[i]);
		}
		log_warn("seccomp profile %s: skipping system calls this libseccomp does not "
			 "know: %s",
			 profile_path, list);
	}
	r = filter_compile(&p, ret);
	profile_free(&p);
	if (r < 0)
		return r;
	if (dir) {
		int q = cache_write(dir, path, ret);
		if (q < 0)
			log_debug("seccomp cache %s: %s; compiling on every run", path,
				  strerror(-q));
	}
	return 0;
}

/*
 * Load f into the calling thread (no_new_privs or CAP_SYS_ADMIN first, as
 * the kernel requires). Returns 0 or -errno. Runs in the child: no I/O.
 */
int filter_load(const struct filter_prog *f)
{
	struct sock_fprog prog = {.len = (unsigned short)f->n, .filter = f->insns};

	if (!f->insns)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog) == 0)
		return 0;
	if (errno == ENOSYS && f->flags == 0 &&
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	return err_set(errno, "load the seccomp filter");
}

void filter_prog_free(struct filter_prog *f)
{
	free(f->insns);
	*f = (struct filter_prog){0};
}
