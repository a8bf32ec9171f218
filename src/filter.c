/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.c - the container's seccomp filter: compiled or taken from the cache, loaded in the child
 *
 * In the parent, before the clone (filter_prepare()):
 *   1. the profile is resolved (profile.c: roost's table, or a JSON file)
 *      for the container's capabilities;
 *   2. its key, a hash of the resolved rules, libseccomp's version and the
 *      native architecture, names a cache entry under
 *      $XDG_RUNTIME_DIR/roost-seccomp/;
 *   3. a hit is taken only when it is ours and whole (below); a miss is
 *      compiled with libseccomp, exported with seccomp_export_bpf(), the
 *      ENOSYS prefix for calls newer than the policy put in front, and
 *      written there for next time.
 * In the child: filter_load(), a single seccomp(2) call. It needs
 * no_new_privs or CAP_SYS_ADMIN in the caller's user namespace, which the
 * child holds until it drops to the container's user; the policy allows
 * what roost calls after it (profile.c). libseccomp never runs in the
 * child, and needs no file there.
 *
 * Why a cache, and why there (issue 10, item 9): compiling the allow-list
 * takes libseccomp 2.5.4 about 1.2 ms, six times the old deny-list, more
 * than the whole filter may cost at start-up. A cache the container can
 * write is a way out: it was ~/.cache, which `-v $HOME:$HOME` hands to the
 * container, and a planted allow-all program was loaded by every later run.
 * $XDG_RUNTIME_DIR is where roost keeps the state of its running
 * containers already (a tmpfs of the user's, 0700, never mounted into a
 * container by roost): the cache trusts nothing more than roost does.
 * An entry is taken only when the directory is ours and 0700 and the
 * file is a regular file of ours, 0600, with one link, holding the key it
 * is named by and a checksum of what it holds; anything else is compiled
 * over. A writer who can reach roost's runtime directory can forge all of
 * it, as it can forge the containers' state: do not bind it into one.
 * Without XDG_RUNTIME_DIR nothing is cached.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
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

#define CACHE_MAGIC "roostbp2"
#define BPF_MAX_INSNS 4096 /* the kernel's BPF_MAXINSNS */

struct cache_head {
	char magic[8];
	uint32_t flags;
	uint32_t n;
	char key[40]; /* the name it was written under: a renamed entry is foreign */
	uint64_t sum[2]; /* entry_sum() */
};

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

/*
 * The calls newer than the policy (p->enosys) get ENOSYS before
 * libseccomp's program runs, as runc does: libseccomp cannot say "every
 * number above N", and its default action is the policy's EPERM. For the
 * native ABI only (x32's numbers, with bit 30 set, are above every range
 * end but the last, so they get ENOSYS too, like the bad-arch answer).
 *   ld arch; jeq NATIVE ? next : out; ld nr;
 *   per range: jge first ? next : skip 2; jgt last ? skip 1 : next; ret ENOSYS
 */
static size_t prefix_len(const struct profile *p)
{
	return p->n_enosys ? 3 + 3 * p->n_enosys : 0;
}

static void prefix_write(const struct profile *p, struct sock_filter *f)
{
	size_t n = prefix_len(p), k = 0;

	if (!n)
		return;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0,
					      (uint8_t)(n - 2));
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < p->n_enosys; i++) {
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, p->enosys[i].first,
						      0, 2);
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, p->enosys[i].last,
						      1, 0);
		f[k++] = (struct sock_filter)BPF_STMT(
			BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	}
	assert(k == n);
}

/*
 * Compile p with libseccomp into ret (owned by the caller). Returns 0, or
 * -errno naming the rule libseccomp refused.
 */
int filter_compile(const struct profile *p, struct filter_prog *ret)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	_cleanup_close_ int fd = -1;
	struct sock_filter *buf;
	size_t n, n_pre;
	struct stat st;
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
	n_pre = prefix_len(p);
	n = st.st_size / sizeof(struct sock_filter);
	if (n + n_pre > BPF_MAX_INSNS)
		return err_setx(E2BIG,
				"seccomp: the filter has %zu instructions: more than the "
				"kernel takes (%d)",
				n + n_pre, BPF_MAX_INSNS);
	buf = xmalloc((n + n_pre) * sizeof(*buf));
	if (pread(fd, buf + n_pre, st.st_size, 0) != st.st_size) {
		free(buf);
		return err_set(errno ? errno : EIO, "seccomp: read the exported filter");
	}
	prefix_write(p, buf);
	*ret = (struct filter_prog){
		.insns = buf,
		.n = n + n_pre,
		.flags = p->load_flags,
	};
	return 0;
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
	key_add(&k, p->enosys, p->n_enosys * sizeof(p->enosys[0]));
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
 * The cache directory, $XDG_RUNTIME_DIR/roost-seccomp, opened and checked:
 * ours and closed to others (0700), not a link. (Beside roost/, whose
 * entries are containers.) Returns a directory fd, or -errno (no cache: compile every run).
 * create: make what is missing.
 */
static int cache_open(bool create)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	static const char *const parts[] = {"roost-seccomp"};
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!x || x[0] != '/')
		return -ENOENT;
	fd = open(x, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_uid != geteuid())
		return -EPERM;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		int sub;

		if (create && mkdirat(fd, parts[i], 0700) < 0 && errno != EEXIST)
			return -errno;
		sub = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return -errno;
		close(fd);
		fd = sub;
		if (fstat(fd, &st) < 0)
			return -errno;
		if (st.st_uid != geteuid() || (st.st_mode & 077))
			return -EPERM;
	}
	return TAKE_FD(fd);
}

/* Over what the entry says it is: its key, flags, length and program. */
static struct key entry_sum(const char *key, const struct cache_head *h,
			    const struct sock_filter *insns)
{
	struct key k = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL};

	key_add(&k, key, strlen(key));
	key_add(&k, h->magic, sizeof(h->magic));
	key_add(&k, &h->flags, sizeof(h->flags));
	key_add(&k, &h->n, sizeof(h->n));
	key_add(&k, insns, h->n * sizeof(*insns));
	return k;
}

/*
 * The entry for key, if it is ours and whole: a regular file of our own,
 * 0600, one link, holding this key and a checksum that matches.
 * -EBADMSG for anything else, which the caller compiles over.
 */
static int cache_read(int dir_fd, const char *name, const char *key, struct filter_prog *ret)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_free_ struct sock_filter *insns = NULL;
	struct cache_head h;
	struct key sum;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_nlink != 1)
		return -EBADMSG;
	n = util_read_all(fd, &h, sizeof(h));
	if (n != sizeof(h) || memcmp(h.magic, CACHE_MAGIC, 8) || h.n == 0 || h.n > BPF_MAX_INSNS ||
	    strncmp(h.key, key, sizeof(h.key)))
		return -EBADMSG;
	insns = xmalloc(h.n * sizeof(*insns));
	n = util_read_all(fd, insns, h.n * sizeof(*insns));
	if (n != (ssize_t)(h.n * sizeof(*insns)))
		return -EBADMSG;
	sum = entry_sum(key, &h, insns);
	if (sum.a != h.sum[0] || sum.b != h.sum[1] || util_read_all(fd, &n, 1) != 0)
		return -EBADMSG;
	*ret = (struct filter_prog){.insns = TAKE_PTR(insns), .n = h.n, .flags = h.flags};
	return 0;
}

static int cache_write(int dir_fd, const char *name, const char *key, const struct filter_prog *f)
{
	struct cache_head h = {.flags = f->flags, .n = (uint32_t)f->n};
	_cleanup_free_ char *tmp = xasprintf("%s.%d.tmp", name, (int)getpid());
	_cleanup_close_ int fd = -1;
	struct key sum;
	int r;

	memcpy(h.magic, CACHE_MAGIC, 8);
	snprintf(h.key, sizeof(h.key), "%s", key);
	sum = entry_sum(key, &h, f->insns);
	h.sum[0] = sum.a;
	h.sum[1] = sum.b;
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = util_write_all(fd, &h, sizeof(h));
	if (r == 0)
		r = util_write_all(fd, f->insns, f->n * sizeof(*f->insns));
	/* rename() is atomic: a concurrent run reads the old file, the new one, or none. */
	if (r == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dir_fd, tmp, 0);
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
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int dir_fd = -1;
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
	name = xasprintf("%s.bpf", key);
	dir_fd = cache_open(false);
	if (dir_fd >= 0 && cache_read(dir_fd, name, key, ret) == 0) {
		profile_free(&p);
		return 0;
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
	if (dir_fd < 0)
		dir_fd = cache_open(true);
	r = dir_fd < 0 ? dir_fd : cache_write(dir_fd, name, key, ret);
	if (r < 0)
		log_debug("seccomp cache %s: %s; compiling on every run", name, strerror(-r));
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
