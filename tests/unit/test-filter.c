/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/filter.h"
#include "../tap.h"

static int count_files(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	return n;
}

/* Load f in a child and mkdir there: the child's exit code is the errno (0: made). */
static int mkdir_under(const struct filter_prog *f, const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || filter_load(f) < 0)
			_exit(200);
		_exit(mkdir(path, 0700) < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A classic BPF machine, for what libseccomp emits: the action for one call. */
static uint32_t bpf_run(const struct filter_prog *f, uint32_t arch, int nr, const uint64_t *args)
{
	struct seccomp_data d = {.nr = nr, .arch = arch};
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};

	for (int i = 0; i < 6; i++)
		d.args[i] = args ? args[i] : 0;
	for (size_t pc = 0; pc < f->n; pc++) {
		const struct sock_filter *in = &f->insns[pc];
		uint32_t k = in->k, v = BPF_SRC(in->code) == BPF_X ? x : k;

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (k + 4 > sizeof(d))
				return 0xdead0001;
			memcpy(&a, (char *)&d + k, 4);
			break;
		case BPF_LD | BPF_IMM:
			a = k;
			break;
		case BPF_LDX | BPF_IMM:
			x = k;
			break;
		case BPF_LD | BPF_MEM:
			a = mem[k % BPF_MEMWORDS];
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[k % BPF_MEMWORDS];
			break;
		case BPF_ST:
			mem[k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= k;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			a |= k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_JMP | BPF_JA:
			pc += k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
			pc += a == v ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
			pc += a > v ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
			pc += a >= v ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X:
			pc += (a & v) ? in->jt : in->jf;
			break;
		case BPF_RET | BPF_K:
			return k;
		case BPF_RET | BPF_A:
			return a;
		default:
			return 0xdead0002;
		}
	}
	return 0xdead0003;
}

#define ALLOWED SECCOMP_RET_ALLOW
#define ERR(e) (SECCOMP_RET_ERRNO | (e))

/* Call name (native) with arg 0: the action f gives. */
static uint32_t act(const struct filter_prog *f, const char *name, uint64_t a0)
{
	uint64_t args[6] = {a0};
	return bpf_run(f, seccomp_arch_native(), seccomp_syscall_resolve_name(name), args);
}

/* Load the default filter with no_new_privs unset, in a user namespace of our own, and exec. */
static int load_without_nnp(const struct filter_prog *f)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = {"true", NULL};

		if (unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 || filter_load(f) < 0)
			_exit(200);
		if (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || chdir("/") < 0 ||
		    dup3(0, 50, O_CLOEXEC) < 0 || syscall(SYS_close_range, 50, 60, 0) < 0)
			_exit(201);
		execv("/bin/true", argv);
		_exit(202);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void tamper(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	/* Keep the header, make the program "ret ALLOW" throughout: a planted allow-all. */
	while (d && (e = readdir(d))) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, e->d_name);
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct stat st;
		int fd;

		if (e->d_name[0] == '.' || stat(p, &st) < 0)
			continue;
		fd = open(p, O_WRONLY | O_CLOEXEC);
		for (off_t o = 72; fd >= 0 && o + 8 <= st.st_size; o += 8)
			(void)!pwrite(fd, &allow, sizeof(allow), o);
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

static const char deny_mkdir[] =
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
	"\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}";

int main(void)
{
	char tmp[] = "/tmp/roost-test-filter.XXXXXX";
	struct filter_prog a = {0}, b = {0}, c = {0};
	_cleanup_free_ char *cache = NULL, *prof = NULL, *bad = NULL, *dir = NULL;
	int fd, r;

	plan(45);
	if (!mkdtemp(tmp))
		return 1;
	cache = xasprintf("%s/run", tmp);
	mkdir(cache, 0700);
	setenv("XDG_RUNTIME_DIR", cache, 1);
	dir = xasprintf("%s/run/roost-seccomp", tmp);

	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &a), 0, "the default filter compiles");
	ok(a.n > 10 && a.n <= 4096, "to a BPF program the kernel takes");
	is_int(count_files(dir), 1, "and is cached");
	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0, "the second time");
	ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)),
	   "comes from the cache, the same program");
	filter_prog_free(&b);
	is_int(filter_prepare(NULL, CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN), 0, &b), 0,
	       "other capabilities");
	is_int(count_files(dir), 2, "another key");
	ok(a.n != b.n || memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "another program");
	filter_prog_free(&b);

	prof = xasprintf("%s/deny-mkdir.json", tmp);
	fd = open(prof, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	util_write_all(fd, deny_mkdir, strlen(deny_mkdir));
	close(fd);
	is_int(filter_prepare(prof, CAPS_DEFAULT, 0, &c), 0, "a JSON profile compiles");
	{
		_cleanup_free_ char *d1 = xasprintf("%s/d1", tmp), *d2 = xasprintf("%s/d2", tmp);
		is_int(mkdir_under(&c, d1), ENOSPC, "loaded, mkdir fails with its errnoRet");
		is_int(mkdir_under(&a, d2), 0, "the default filter lets mkdir through");
	}

	/* A cache file that is not ours is compiled over, not trusted. */
	{
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.') {
				_cleanup_free_ char *p = xasprintf("%s/%s", dir, e->d_name);
				(void)!truncate(p, 10);
			}
		if (d)
			closedir(d);
	}
	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0, "a damaged cache file");
	ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "is compiled again");
	filter_prog_free(&b);
	tamper(dir);
	is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0,
	       "an entry made allow-all (issue 10, item 9)");
	ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)),
	   "is not loaded: compiled again");
	is_int(act(&b, "unshare", CLONE_NEWUSER), ERR(EPERM), "and refuses what it refused");
	filter_prog_free(&b);
	{
		DIR *d = opendir(dir);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.') {
				_cleanup_free_ char *p = xasprintf("%s/%s", dir, e->d_name);
				(void)chmod(p, 0644);
			}
		if (d)
			closedir(d);
		tamper(dir);
		is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0, "an entry open to others");
		ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "is not taken");
		filter_prog_free(&b);
		chmod(dir, 0755);
		tamper(dir);
		is_int(filter_prepare(NULL, CAPS_DEFAULT, 0, &b), 0,
		       "a cache directory open to others");
		ok(a.n == b.n && !memcmp(a.insns, b.insns, a.n * sizeof(*a.insns)), "is not read");
		filter_prog_free(&b);
		chmod(dir, 0700);
	}

	/* What the default program answers (a BPF machine here runs it). */
	ok(act(&a, "read", 0) == ALLOWED && act(&a, "futex", 0) == ALLOWED, "read, futex: allowed");
	is_int(act(&a, "kexec_load", 0), ERR(EPERM), "kexec_load: EPERM");
	is_int(act(&a, "keyctl", 0), ERR(EPERM), "keyctl: EPERM");
	is_int(act(&a, "io_uring_setup", 0), ERR(ENOSYS), "io_uring_setup: ENOSYS");
	is_int(act(&a, "clone3", 0), ERR(ENOSYS), "clone3: ENOSYS");
	is_int(act(&a, "clone", SIGCHLD), ALLOWED, "clone (fork): allowed");
	is_int(act(&a, "clone", CLONE_NEWUSER | SIGCHLD), ERR(EPERM),
	       "clone(CLONE_NEWUSER): EPERM");
	is_int(act(&a, "personality", 0xfffc0000), ERR(EPERM), "personality(0xfffc0000): EPERM");
	is_int(act(&a, "personality", ADDR_NO_RANDOMIZE), ERR(EPERM),
	       "personality(ADDR_NO_RANDOMIZE): EPERM");
	ok(act(&a, "personality", 0xffffffff) == ALLOWED && act(&a, "personality", 8) == ALLOWED,
	   "personality: the query and PER_LINUX32 pass");
	is_int(act(&a, "socket", 40), ERR(EAFNOSUPPORT), "socket(AF_VSOCK): EAFNOSUPPORT");
	is_int(act(&a, "socket", AF_ALG), ERR(EAFNOSUPPORT), "socket(AF_ALG): EAFNOSUPPORT");
	ok(act(&a, "socket", AF_INET) == ALLOWED && act(&a, "socket", AF_NETLINK) == ALLOWED &&
		   act(&a, "socket", AF_UNIX) == ALLOWED,
	   "socket(AF_INET, AF_NETLINK, AF_UNIX): allowed");
	is_int(act(&a, "socket", 0x100000028ULL), ERR(EAFNOSUPPORT),
	       "the high half of an int is not a way around");
	{
		static const int newer[] = {336 /* uprobe */,
					    457,
					    459 /* lsm_* */,
					    462,
					    467 /* open_tree_attr */,
					    468,
					    469 /* file_[gs]etattr */,
					    470 /* listns */,
					    1000};
		int wrong = 0;

		for (size_t i = 0; i < ARRAY_SIZE(newer); i++)
			if (bpf_run(&a, SCMP_ARCH_X86_64, newer[i], NULL) != ERR(ENOSYS)) {
				printf("# %d: %#x\n", newer[i],
				       bpf_run(&a, SCMP_ARCH_X86_64, newer[i], NULL));
				wrong++;
			}
		ok(seccomp_arch_native() != SCMP_ARCH_X86_64 || wrong == 0,
		   "calls newer than the policy (uprobe, lsm_*, open_tree_attr, file_*attr, "
		   "listns): ENOSYS");
		is_int(bpf_run(&a, SCMP_ARCH_X86_64, 0x40000000 | 39, NULL), ERR(ENOSYS),
		       "x32: ENOSYS");
		is_int(bpf_run(&a, SCMP_ARCH_X86, 20, NULL), ERR(ENOSYS), "i386: ENOSYS");
	}
	r = load_without_nnp(&a);
	if (r == 77)
		printf("ok %d # SKIP no unprivileged user namespaces\n", ++tap_n);
	else
		is_int(r, 0,
		       "loaded without no_new_privs (CAP_SYS_ADMIN in its user namespace), "
		       "roost's last calls and exec pass");
	filter_prog_free(&b);
	is_int(filter_prepare(NULL, CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN), 0, &b), 0,
	       "with CAP_SYS_ADMIN");
	ok(act(&b, "clone", CLONE_NEWUSER | SIGCHLD) == ALLOWED && act(&b, "mount", 0) == ALLOWED &&
		   act(&b, "clone3", 0) == ALLOWED,
	   "clone with namespaces, mount and clone3 are allowed");
	filter_prog_free(&b);
	is_int(filter_prepare(NULL, CAPS_DEFAULT, PROFILE_PID_HOST, &b), 0, "with --pid=host");
	ok(act(&b, "ptrace", 0) == ERR(EPERM) && act(&a, "ptrace", 0) == ALLOWED,
	   "ptrace: refused, allowed without it");
	filter_prog_free(&b);

	bad = xasprintf("%s/bad.json", tmp);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	util_write_all(fd, "{\"defaultAction\": 1}", strlen("{\"defaultAction\": 1}"));
	close(fd);
	is_int(filter_prepare(bad, CAPS_DEFAULT, 0, &b), -EINVAL, "a malformed profile");
	ok(strstr(err_msg(), "defaultAction: want a string") != NULL, "is an error naming the key");
	is_int(filter_prepare("/nonexistent/p.json", CAPS_DEFAULT, 0, &b), -ENOENT,
	       "a missing profile");

	filter_prog_free(&a);
	filter_prog_free(&c);
	{
		_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", tmp);
		(void)!system(cmd);
	}
	return tap_done();
}
