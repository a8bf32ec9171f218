/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile_json.c - Docker/Podman seccomp profiles -> struct profile
 *
 * The JSON of `docker run --security-opt seccomp=FILE`: defaultAction and
 * defaultErrnoRet, architectures or archMap (the native entry and its
 * sub-architectures), flags, and syscalls: names (or an older "name"),
 * action, errnoRet, args, includes/excludes by caps, arches and minKernel,
 * resolved for the container's capabilities. A malformed profile is an
 * error naming the line (bad JSON) or the key path ("syscalls[3].action");
 * names libseccomp does not know go to p->unknown; unknown properties are
 * ignored, as Docker does.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/profile.h"

struct jctx {
	const char *name; /* the file, for messages */
	uint64_t caps;
	struct profile *p;
};

static int jerr(const struct jctx *j, const char *path, const char *why)
{
	return err_setx(EINVAL, "seccomp profile %s: %s: %s", j->name, path, why);
}

static int want(const struct jctx *j, json_object *o, json_type t, const char *path)
{
	static const char *const names[] = {
		[json_type_null] = "null",	  [json_type_boolean] = "a boolean",
		[json_type_double] = "a number",  [json_type_int] = "an integer",
		[json_type_object] = "an object", [json_type_array] = "an array",
		[json_type_string] = "a string",
	};
	char msg[64];

	if (json_object_get_type(o) == t)
		return 0;
	snprintf(msg, sizeof(msg), "want %s", names[t]);
	return jerr(j, path, msg);
}

static const struct {
	const char *name;
	uint32_t action; /* SCMP_ACT_ERRNO/TRACE take errnoRet */
} actions[] = {
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
	{"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG},
};

/*
 * An action at path; SCMP_ACT_ERRNO and SCMP_ACT_TRACE take their value from
 * holder's ret_key (at ret_path), EPERM (0 for TRACE) without it.
 */
static int parse_action(const struct jctx *j, json_object *o, const char *path, json_object *holder,
			const char *ret_key, const char *ret_path, uint32_t *ret)
{
	const char *s;
	char msg[256];
	json_object *v;

	if (want(j, o, json_type_string, path) < 0)
		return -EINVAL;
	s = json_object_get_string(o);
	if (!strcmp(s, "SCMP_ACT_NOTIFY"))
		return jerr(j, path, "SCMP_ACT_NOTIFY needs a seccomp agent; roost has none");
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		uint32_t a = actions[i].action;
		int64_t e = a == SCMP_ACT_TRACE(0) ? 0 : EPERM;

		if (strcmp(s, actions[i].name))
			continue;
		if (a != SCMP_ACT_ERRNO(0) && a != SCMP_ACT_TRACE(0)) {
			*ret = a;
			return 0;
		}
		if (json_object_object_get_ex(holder, ret_key, &v)) {
			if (want(j, v, json_type_int, ret_path) < 0)
				return -EINVAL;
			e = json_object_get_int64(v);
			if (e < 0 || e > 0xffff)
				return jerr(j, ret_path, "want 0 to 65535");
		}
		*ret = a | (uint32_t)e;
		return 0;
	}
	snprintf(msg, sizeof(msg),
		 "unknown action '%s' (want SCMP_ACT_ALLOW, _ERRNO, _KILL, _KILL_PROCESS, _TRAP, "
		 "_TRACE or _LOG)",
		 s);
	return jerr(j, path, msg);
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/*
 * An argument's value is a uint64 in Docker's profile (a negative one is
 * refused there): json-c would turn -100 (AT_FDCWD) into 0, a rule on fd 0.
 * Write such a value as its unsigned 64-bit form (4294967196 for a 32-bit
 * -100, 18446744073709551516 for a 64-bit one).
 */
static int want_uint(const struct jctx *j, json_object *v, const char *path)
{
	if (want(j, v, json_type_int, path) < 0)
		return -EINVAL;
	if (json_object_get_int64(v) < 0)
		return jerr(j, path, "negative: want 0 to 18446744073709551615");
	return 0;
}

static int parse_arg(const struct jctx *j, json_object *o, const char *path,
		     struct scmp_arg_cmp *ret)
{
	json_object *idx, *val, *val2 = NULL, *op;
	char sub[160], msg[160];
	const char *s;
	size_t k;

	if (want(j, o, json_type_object, path) < 0)
		return -EINVAL;
	snprintf(sub, sizeof(sub), "%s.index", path);
	if (!json_object_object_get_ex(o, "index", &idx))
		return jerr(j, sub, "missing");
	if (want(j, idx, json_type_int, sub) < 0)
		return -EINVAL;
	if (json_object_get_int64(idx) < 0 || json_object_get_int64(idx) > 5)
		return jerr(j, sub, "want 0 to 5");
	snprintf(sub, sizeof(sub), "%s.value", path);
	if (!json_object_object_get_ex(o, "value", &val))
		return jerr(j, sub, "missing");
	if (want_uint(j, val, sub) < 0)
		return -EINVAL;
	snprintf(sub, sizeof(sub), "%s.valueTwo", path);
	if (json_object_object_get_ex(o, "valueTwo", &val2) && want_uint(j, val2, sub) < 0)
		return -EINVAL;
	snprintf(sub, sizeof(sub), "%s.op", path);
	if (!json_object_object_get_ex(o, "op", &op))
		return jerr(j, sub, "missing");
	if (want(j, op, json_type_string, sub) < 0)
		return -EINVAL;
	s = json_object_get_string(op);
	for (k = 0; k < ARRAY_SIZE(ops) && strcmp(s, ops[k].name); k++)
		;
	if (k == ARRAY_SIZE(ops)) {
		snprintf(msg, sizeof(msg), "unknown operator '%s'", s);
		return jerr(j, sub, msg);
	}
	*ret = (struct scmp_arg_cmp){
		.arg = (unsigned int)json_object_get_int64(idx),
		.op = ops[k].op,
		.datum_a = json_object_get_uint64(val),
		.datum_b = val2 ? json_object_get_uint64(val2) : 0,
	};
	return 0;
}

/* The names this machine goes by in profiles: libseccomp's, Go's, uname's. */
static const struct {
	uint32_t token;
	const char *names[3];
} arch_names[] = {
	{SCMP_ARCH_X86_64, {"SCMP_ARCH_X86_64", "amd64", "x86_64"}},
	{SCMP_ARCH_X86, {"SCMP_ARCH_X86", "386", "x86"}},
	{SCMP_ARCH_X32, {"SCMP_ARCH_X32", "x32", NULL}},
	{SCMP_ARCH_AARCH64, {"SCMP_ARCH_AARCH64", "arm64", "aarch64"}},
	{SCMP_ARCH_ARM, {"SCMP_ARCH_ARM", "arm", NULL}},
	{SCMP_ARCH_PPC64LE, {"SCMP_ARCH_PPC64LE", "ppc64le", NULL}},
	{SCMP_ARCH_S390X, {"SCMP_ARCH_S390X", "s390x", NULL}},
	{SCMP_ARCH_S390, {"SCMP_ARCH_S390", "s390", NULL}},
	{SCMP_ARCH_RISCV64, {"SCMP_ARCH_RISCV64", "riscv64", NULL}},
	{SCMP_ARCH_MIPS64, {"SCMP_ARCH_MIPS64", "mips64", NULL}},
	{SCMP_ARCH_MIPSEL64, {"SCMP_ARCH_MIPSEL64", "mips64le", NULL}},
};

/* The arch token for a name, 0 when unknown. */
static uint32_t arch_token(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
		for (size_t k = 0; k < 3; k++)
			if (arch_names[i].names[k] && !strcmp(arch_names[i].names[k], name))
				return arch_names[i].token;
	return 0;
}

static int kernel_at_least(const char *want_version)
{
	struct utsname u;
	unsigned int a = 0, b = 0, x = 0, y = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &a, &b) < 1)
		return 1;
	if (sscanf(want_version, "%u.%u", &x, &y) < 1)
		return -1;
	return a > x || (a == x && b >= y);
}

/*
 * "includes"/"excludes": {"caps": [...], "arches": [...], "minKernel": "X.Y"}.
 * Sets *ret_match when every condition holds (includes) or any holds (excludes).
 */
static int parse_cond(const struct jctx *j, json_object *o, const char *path, bool all,
		      bool *ret_match)
{
	json_object *v;
	char sub[160];
	bool match = all;

	if (want(j, o, json_type_object, path) < 0)
		return -EINVAL;
	if (json_object_object_get_ex(o, "caps", &v)) {
		snprintf(sub, sizeof(sub), "%s.caps", path);
		if (want(j, v, json_type_array, sub) < 0)
			return -EINVAL;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *c = json_object_array_get_idx(v, i);
			bool held;
			int cap;

			snprintf(sub, sizeof(sub), "%s.caps[%zu]", path, i);
			if (want(j, c, json_type_string, sub) < 0)
				return -EINVAL;
			/* A capability this libcap does not know: not held. */
			held = caps_parse_name(json_object_get_string(c), &cap) == 0 &&
			       (j->caps & CAPS_BIT(cap));
			match = all ? match && held : match || held;
		}
	}
	if (json_object_object_get_ex(o, "arches", &v)) {
		bool any = false;

		snprintf(sub, sizeof(sub), "%s.arches", path);
		if (want(j, v, json_type_array, sub) < 0)
			return -EINVAL;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *a = json_object_array_get_idx(v, i);

			snprintf(sub, sizeof(sub), "%s.arches[%zu]", path, i);
			if (want(j, a, json_type_string, sub) < 0)
				return -EINVAL;
			any = any || arch_token(json_object_get_string(a)) == seccomp_arch_native();
		}
		if (json_object_array_length(v) > 0)
			match = all ? match && any : match || any;
	}
	if (json_object_object_get_ex(o, "minKernel", &v)) {
		int k;

		snprintf(sub, sizeof(sub), "%s.minKernel", path);
		if (want(j, v, json_type_string, sub) < 0)
			return -EINVAL;
		k = kernel_at_least(json_object_get_string(v));
		if (k < 0)
			return jerr(j, sub, "want a version such as \"5.8\"");
		match = all ? match && k : match || k;
	}
	*ret_match = match;
	return 0;
}

static int parse_syscall(const struct jctx *j, json_object *o, int index)
{
	struct scmp_arg_cmp args[6];
	json_object *names, *v;
	unsigned int n_args = 0;
	bool same_index = false, match;
	char path[64], sub[160], errpath[96];
	uint32_t action;
	int r;

	snprintf(path, sizeof(path), "syscalls[%d]", index);
	if (want(j, o, json_type_object, path) < 0)
		return -EINVAL;

	snprintf(sub, sizeof(sub), "%s.action", path);
	if (!json_object_object_get_ex(o, "action", &v))
		return jerr(j, sub, "missing");
	snprintf(errpath, sizeof(errpath), "%s.errnoRet", path);
	r = parse_action(j, v, sub, o, "errnoRet", errpath, &action);
	if (r < 0)
		return r;

	if (json_object_object_get_ex(o, "args", &v) && !json_object_is_type(v, json_type_null)) {
		snprintf(sub, sizeof(sub), "%s.args", path);
		if (want(j, v, json_type_array, sub) < 0)
			return -EINVAL;
		if (json_object_array_length(v) > 6)
			return jerr(j, sub, "at most 6 comparisons");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			snprintf(sub, sizeof(sub), "%s.args[%zu]", path, i);
			r = parse_arg(j, json_object_array_get_idx(v, i), sub, &args[n_args]);
			if (r < 0)
				return r;
			for (unsigned int k = 0; k < n_args; k++)
				same_index = same_index || args[k].arg == args[n_args].arg;
			n_args++;
		}
	}

	match = true;
	if (json_object_object_get_ex(o, "includes", &v)) {
		snprintf(sub, sizeof(sub), "%s.includes", path);
		r = parse_cond(j, v, sub, true, &match);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "excludes", &v)) {
		bool ex;

		snprintf(sub, sizeof(sub), "%s.excludes", path);
		r = parse_cond(j, v, sub, false, &ex);
		if (r < 0)
			return r;
		/* An empty "excludes": {} excludes nothing. */
		match = match && !(ex && json_object_object_length(v) > 0);
	}

	/* "names": [...], or an older profile's single "name". */
	if (json_object_object_get_ex(o, "names", &names)) {
		snprintf(sub, sizeof(sub), "%s.names", path);
		if (want(j, names, json_type_array, sub) < 0)
			return -EINVAL;
	} else if (json_object_object_get_ex(o, "name", &names)) {
		snprintf(sub, sizeof(sub), "%s.name", path);
		if (want(j, names, json_type_string, sub) < 0)
			return -EINVAL;
	} else {
		return jerr(j, path, "needs \"names\"");
	}

	for (size_t i = 0;
	     i <
	     (json_object_is_type(names, json_type_array) ? json_object_array_length(names) : 1);
	     i++) {
		json_object *n = json_object_is_type(names, json_type_array)
					 ? json_object_array_get_idx(names, i)
					 : names;
		int nr;

		snprintf(sub, sizeof(sub), "%s.names[%zu]", path, i);
		if (want(j, n, json_type_string, sub) < 0)
			return -EINVAL;
		if (!match || action == j->p->default_action)
			continue;
		nr = seccomp_syscall_resolve_name(json_object_get_string(n));
		if (nr == __NR_SCMP_ERROR) {
			strv_push(&j->p->unknown, xstrdup(json_object_get_string(n)));
			continue;
		}
		/* Comparisons of one argument are alternatives (as runc reads them): one rule each. */
		if (same_index)
			for (unsigned int k = 0; k < n_args; k++)
				profile_add_rule(j->p, nr, action, 1, &args[k], index);
		else
			profile_add_rule(j->p, nr, action, n_args, args, index);
	}
	return 0;
}

static int parse_arches(const struct jctx *j, json_object *root)
{
	json_object *v;
	char sub[96];

	/* archMap: the native architecture's entry and its sub-architectures. */
	if (json_object_object_get_ex(root, "archMap", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (want(j, v, json_type_array, "archMap") < 0)
			return -EINVAL;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i), *a, *subs;

			snprintf(sub, sizeof(sub), "archMap[%zu]", i);
			if (want(j, e, json_type_object, sub) < 0)
				return -EINVAL;
			snprintf(sub, sizeof(sub), "archMap[%zu].architecture", i);
			if (!json_object_object_get_ex(e, "architecture", &a))
				return jerr(j, sub, "missing");
			if (want(j, a, json_type_string, sub) < 0)
				return -EINVAL;
			if (arch_token(json_object_get_string(a)) != seccomp_arch_native())
				continue;
			if (!json_object_object_get_ex(e, "subArchitectures", &subs) ||
			    json_object_is_type(subs, json_type_null))
				continue;
			snprintf(sub, sizeof(sub), "archMap[%zu].subArchitectures", i);
			if (want(j, subs, json_type_array, sub) < 0)
				return -EINVAL;
			for (size_t k = 0; k < json_object_array_length(subs); k++) {
				json_object *s = json_object_array_get_idx(subs, k);
				uint32_t t;

				snprintf(sub, sizeof(sub), "archMap[%zu].subArchitectures[%zu]", i,
					 k);
				if (want(j, s, json_type_string, sub) < 0)
					return -EINVAL;
				t = arch_token(json_object_get_string(s));
				if (t && t != seccomp_arch_native() &&
				    j->p->n_arches < ARRAY_SIZE(j->p->arches))
					j->p->arches[j->p->n_arches++] = t;
			}
		}
		return 0;
	}
	if (!json_object_object_get_ex(root, "architectures", &v) ||
	    json_object_is_type(v, json_type_null))
		return 0;
	if (want(j, v, json_type_array, "architectures") < 0)
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *a = json_object_array_get_idx(v, i);
		uint32_t t;

		snprintf(sub, sizeof(sub), "architectures[%zu]", i);
		if (want(j, a, json_type_string, sub) < 0)
			return -EINVAL;
		t = arch_token(json_object_get_string(a));
		if (t && t != seccomp_arch_native() && j->p->n_arches < ARRAY_SIZE(j->p->arches))
			j->p->arches[j->p->n_arches++] = t;
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned int flag;
} load_flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", 0}, /* one thread at exec: nothing to synchronize */
	{"SECCOMP_FILTER_FLAG_LOG", 1u << 1},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1u << 2},
};

static int parse_root(struct jctx *j, json_object *root)
{
	json_object *v, *calls;
	int r;

	if (want(j, root, json_type_object, "(top level)") < 0)
		return -EINVAL;
	if (!json_object_object_get_ex(root, "defaultAction", &v))
		return jerr(j, "defaultAction", "missing");
	r = parse_action(j, v, "defaultAction", root, "defaultErrnoRet", "defaultErrnoRet",
			 &j->p->default_action);
	if (r < 0)
		return r;
	r = parse_arches(j, root);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(root, "flags", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		if (want(j, v, json_type_array, "flags") < 0)
			return -EINVAL;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *f = json_object_array_get_idx(v, i);
			char sub[64], msg[128];
			size_t k;

			snprintf(sub, sizeof(sub), "flags[%zu]", i);
			if (want(j, f, json_type_string, sub) < 0)
				return -EINVAL;
			for (k = 0; k < ARRAY_SIZE(load_flags) &&
				    strcmp(load_flags[k].name, json_object_get_string(f));
			     k++)
				;
			if (k == ARRAY_SIZE(load_flags)) {
				snprintf(msg, sizeof(msg), "unknown flag '%s'",
					 json_object_get_string(f));
				return jerr(j, sub, msg);
			}
			j->p->load_flags |= load_flags[k].flag;
		}
	}
	if (!json_object_object_get_ex(root, "syscalls", &calls) ||
	    json_object_is_type(calls, json_type_null))
		return 0;
	if (want(j, calls, json_type_array, "syscalls") < 0)
		return -EINVAL;
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		r = parse_syscall(j, json_object_array_get_idx(calls, i), (int)i);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Parse a Docker/Podman seccomp profile from text (name is used in
 * messages) for a container holding caps. Returns 0 with *ret, or -EINVAL
 * with a message naming the line (bad JSON) or the key path.
 */
int profile_parse_json(const char *text, size_t len, const char *name, uint64_t caps,
		       struct profile *ret)
{
	struct profile p = {.bad_arch_action = SCMP_ACT_ERRNO(ENOSYS)};
	struct jctx j = {.name = name, .caps = caps, .p = &p};
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error e;
	json_object *root;
	size_t end, line = 1;
	int r;

	if (!tok)
		abort();
	root = json_tokener_parse_ex(tok, text, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	while (root && end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (!root || e != json_tokener_success || end < len) {
		const char *why = !root && e == json_tokener_continue ? "unexpected end of the file"
				  : root			      ? "data after the profile"
								      : json_tokener_error_desc(e);

		for (size_t i = 0; i < end && i < len; i++)
			line += text[i] == '\n';
		json_object_put(root);
		json_tokener_free(tok);
		return err_setx(EINVAL, "seccomp profile %s: line %zu: %s", name, line, why);
	}
	json_tokener_free(tok);
	r = parse_root(&j, root);
	json_object_put(root);
	if (r < 0) {
		profile_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}

/* Read and parse the profile at path; see profile_parse_json(). */
int profile_load_json(const char *path, uint64_t caps, struct profile *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return err_set(errno, "seccomp profile %s", path);
	if (fstat(fd, &st) < 0)
		return err_set(errno, "seccomp profile %s", path);
	if (st.st_size > 16 << 20)
		return err_setx(EFBIG, "seccomp profile %s: larger than 16 MiB", path);
	buf = xmalloc(st.st_size + 1);
	n = util_read_all(fd, buf, st.st_size);
	if (n < 0)
		return err_set(-n, "read seccomp profile %s", path);
	buf[n] = '\0';
	return profile_parse_json(buf, n, path, caps, ret);
}
