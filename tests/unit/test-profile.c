/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/profile.h"
#include "../tap.h"

static int parse(const char *text, uint64_t caps, struct profile *ret)
{
	return profile_parse_json(text, strlen(text), "t.json", caps, ret);
}

static const struct profile_rule *rule_for(const struct profile *p, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].nr == nr)
			return &p->rules[i];
	return NULL;
}

/* A profile with one rule for mkdir, around a JSON fragment for that rule. */
static int one(const char *rule_json, uint64_t caps, struct profile *ret)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"%s}]}",
		 rule_json);
	return parse(buf, caps, ret);
}

int main(void)
{
	const struct profile_rule *r;
	struct profile p;

	plan(77);

	/* Good profiles. */
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": "
		     "13}]}",
		     CAPS_DEFAULT, &p),
	       0, "a profile denying mkdir");
	is_int(p.default_action, SCMP_ACT_ALLOW, "default action");
	is_int(p.n_rules, 2, "one rule per name");
	ok((r = rule_for(&p, "mkdirat")) && r->action == SCMP_ACT_ERRNO(13), "errnoRet");
	profile_free(&p);

	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
		     "\"syscalls\": "
		     "[{\"name\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}]}",
		     CAPS_DEFAULT, &p),
	       0, "an allow list, an old profile's \"name\"");
	is_int(p.default_action, SCMP_ACT_ERRNO(38), "defaultErrnoRet");
	ok(rule_for(&p, "read") && p.n_rules == 1, "the old \"name\" form");
	profile_free(&p);

	is_int(one(", \"comment\": \"x\", \"unknownKey\": [1]", CAPS_DEFAULT, &p), 0,
	       "unknown properties are ignored");
	ok((r = rule_for(&p, "mkdir")) && r->action == SCMP_ACT_ERRNO(EPERM),
	   "SCMP_ACT_ERRNO without errnoRet is EPERM");
	profile_free(&p);

	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "[\"mkdir\", "
		     "\"no_such_call_roost\", \"rmdir\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}",
		     CAPS_DEFAULT, &p),
	       0, "unknown syscall names are no error");
	is_int(p.n_rules, 2, "they are skipped");
	ok(p.unknown.n == 1 && !strcmp(p.unknown.v[0], "no_such_call_roost"), "and listed");
	profile_free(&p);

	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "[\"read\"], "
		     "\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"mkdir\"], \"action\": "
		     "\"SCMP_ACT_LOG\"}]}",
		     CAPS_DEFAULT, &p),
	       0, "a rule with the default action");
	ok(p.n_rules == 1 && rule_for(&p, "mkdir"), "is dropped (libseccomp refuses it)");
	profile_free(&p);

	/* Arguments. */
	is_int(one(", \"args\": [{\"index\": 1, \"value\": 448, \"valueTwo\": 0, \"op\": "
		   "\"SCMP_CMP_MASKED_EQ\"}, {\"index\": 0, \"value\": 0, \"op\": "
		   "\"SCMP_CMP_NE\"}]",
		   CAPS_DEFAULT, &p),
	       0, "args");
	ok((r = rule_for(&p, "mkdir")) && r->n_args == 2 && r->args[0].arg == 1 &&
		   r->args[0].op == SCMP_CMP_MASKED_EQ && r->args[0].datum_a == 448 &&
		   r->args[1].op == SCMP_CMP_NE,
	   "two comparisons in one rule");
	profile_free(&p);
	is_int(one(", \"args\": [{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, "
		   "{\"index\": 1, "
		   "\"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       0, "two comparisons of one argument");
	ok(p.n_rules == 2 && p.rules[0].n_args == 1 && p.rules[1].args[0].datum_a == 2,
	   "are alternatives: one rule each");
	profile_free(&p);
	is_int(one(", \"args\": [{\"index\": 0, \"value\": 18446744073709551615, \"op\": "
		   "\"SCMP_CMP_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       0, "a 64-bit value");
	ok((r = rule_for(&p, "mkdir")) && r->args[0].datum_a == UINT64_MAX, "kept whole");
	profile_free(&p);

	/* Conditions. */
	is_int(one(", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", CAPS_DEFAULT, &p), 0,
	       "includes caps");
	is_int(p.n_rules, 0, "includes caps: skipped without the capability");
	profile_free(&p);
	is_int(one(", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}",
		   CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN), &p),
	       0, "includes caps, held");
	is_int(p.n_rules, 1, "includes caps: kept with it");
	profile_free(&p);
	is_int(one(", \"excludes\": {\"caps\": [\"CAP_CHOWN\"]}", CAPS_DEFAULT, &p), 0,
	       "excludes caps");
	is_int(p.n_rules, 0, "excludes caps: skipped with the capability");
	profile_free(&p);
	is_int(one(", \"excludes\": {}", CAPS_DEFAULT, &p), 0, "empty excludes");
	is_int(p.n_rules, 1, "empty excludes: kept");
	profile_free(&p);
	is_int(one(", \"includes\": {\"arches\": [\"s390x\", \"ppc64le\"]}", CAPS_DEFAULT, &p), 0,
	       "includes arches, not ours");
	is_int(p.n_rules, 0, "includes arches: skipped on another architecture");
	profile_free(&p);
	is_int(one(", \"includes\": {\"minKernel\": \"99.1\"}", CAPS_DEFAULT, &p), 0,
	       "includes minKernel");
	is_int(p.n_rules, 0, "minKernel: skipped on an older kernel");
	profile_free(&p);
	is_int(one(", \"includes\": {\"minKernel\": \"3.0\"}", CAPS_DEFAULT, &p), 0,
	       "includes an old minKernel");
	is_int(p.n_rules, 1, "minKernel: kept on a newer kernel");
	profile_free(&p);

	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": "
		     "\"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}, "
		     "{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": "
		     "[\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}], \"flags\": "
		     "[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}",
		     CAPS_DEFAULT, &p),
	       0, "archMap and flags");
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		ok(p.n_arches == 2 && p.arches[0] == SCMP_ARCH_X86 && p.arches[1] == SCMP_ARCH_X32,
		   "archMap: the native entry's sub-architectures");
	else
		ok(p.n_arches == 0 || p.n_arches == 1, "archMap: another native architecture");
	is_int(p.load_flags, 1u << 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
	profile_free(&p);

	/* Malformed profiles: the line, or the key path. */
	is_int(parse("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n    "
		     "{\"names\": "
		     "[\"mkdir\"] \"action\": \"SCMP_ACT_ERRNO\"}\n  ]\n}\n",
		     CAPS_DEFAULT, &p),
	       -EINVAL, "a syntax error");
	ok(!strncmp(err_msg(), "seccomp profile t.json: line 4: ", 32), "names the line");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n", CAPS_DEFAULT, &p), -EINVAL,
	       "a truncated file");
	is_str(err_msg(), "seccomp profile t.json: line 2: unexpected end of the file", "says so");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}\n}", CAPS_DEFAULT, &p), -EINVAL,
	       "data after the profile");
	is_str(err_msg(), "seccomp profile t.json: line 2: data after the profile", "says so");
	is_int(parse("[1, 2]", CAPS_DEFAULT, &p), -EINVAL, "not an object");
	is_int(parse("{\"syscalls\": []}", CAPS_DEFAULT, &p), -EINVAL, "no defaultAction");
	is_str(err_msg(), "seccomp profile t.json: defaultAction: missing", "names the key");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "[\"read\"], "
		     "\"action\": \"SCMP_ACT_ERRNO\"}, {\"names\": [\"mkdir\"], \"action\": "
		     "\"SCMP_ACT_FROB\"}]}",
		     CAPS_DEFAULT, &p),
	       -EINVAL, "an unknown action");
	is_str(err_msg(),
	       "seccomp profile t.json: syscalls[1].action: unknown action 'SCMP_ACT_FROB' (want "
	       "SCMP_ACT_ALLOW, _ERRNO, _KILL, _KILL_PROCESS, _TRAP, _TRACE or _LOG)",
	       "names the key path");
	is_int(one(", \"errnoRet\": \"EPERM\"", CAPS_DEFAULT, &p), -EINVAL, "errnoRet a string");
	is_str(err_msg(), "seccomp profile t.json: syscalls[0].errnoRet: want an integer",
	       "names errnoRet");
	is_int(one(", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       -EINVAL, "argument index 6");
	is_str(err_msg(), "seccomp profile t.json: syscalls[0].args[0].index: want 0 to 5",
	       "names the index");
	is_int(one(", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_ABOUT\"}]",
		   CAPS_DEFAULT, &p),
	       -EINVAL, "an unknown operator");
	is_str(err_msg(),
	       "seccomp profile t.json: syscalls[0].args[0].op: unknown operator "
	       "'SCMP_CMP_ABOUT'",
	       "names the operator");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "\"mkdir\", "
		     "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		     CAPS_DEFAULT, &p),
	       -EINVAL, "names not an array");
	is_str(err_msg(), "seccomp profile t.json: syscalls[0].names: want an array",
	       "names the key");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		     "[\"mkdir\", "
		     "7], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		     CAPS_DEFAULT, &p),
	       -EINVAL, "a name not a string");
	is_str(err_msg(), "seccomp profile t.json: syscalls[0].names[1]: want a string",
	       "names the element");
	is_int(parse("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", CAPS_DEFAULT, &p), -EINVAL,
	       "SCMP_ACT_NOTIFY");

	/* The default policy. */
	is_int(profile_default(CAPS_DEFAULT, 0, &p), 0, "the default policy");
	is_int(p.default_action, SCMP_ACT_ERRNO(EPERM),
	       "is an allow-list: what it does not name, EPERM");
	ok((r = rule_for(&p, "read")) && r->action == SCMP_ACT_ALLOW && r->n_args == 0,
	   "read: allowed");
	ok(!rule_for(&p, "kexec_load") && !rule_for(&p, "keyctl"),
	   "kexec_load, keyctl: the default");
	ok((r = rule_for(&p, "clone3")) && r->action == SCMP_ACT_ERRNO(ENOSYS), "clone3: ENOSYS");
	ok((r = rule_for(&p, "clone")) && r->n_args == 1, "clone: only without namespace flags");
	ok(!rule_for(&p, "mount") && rule_for(&p, "ptrace"),
	   "mount refused, ptrace allowed in a pid namespace of its own");
	ok(p.n_enosys >= 1 && p.enosys[p.n_enosys - 1].last == UINT32_MAX &&
		   (int)p.enosys[p.n_enosys - 1].first >
			   seccomp_syscall_resolve_name("futex_waitv"),
	   "calls above the table's highest number: ENOSYS");
	{
		int uprobe = 336,
		    hits = 0; /* x86_64's number: in the range libseccomp cannot name */

		for (size_t i = 0; i < p.n_enosys; i++)
			hits += p.enosys[i].first <= (uint32_t)uprobe &&
				uprobe <= (int)p.enosys[i].last;
		ok(seccomp_arch_native() != SCMP_ARCH_X86_64 || hits == 1,
		   "numbers libseccomp cannot name below it (uprobe): ENOSYS");
	}
	profile_free(&p);
	/* What roost calls between loading the filter and exec (issue 10, item 11). */
	{
		static const char *const own[] = {
			"setgroups", "setresgid", "setresuid",	 "prctl",  "capget",
			"capset",    "close",	  "close_range", "dup2",   "dup3",
			"ioctl",     "setsid",	  "open",	 "openat", "chdir",
			"execve",    "execveat",  "exit_group",	 "write",  "read"};
		int bad = 0;

		is_int(profile_default(0, PROFILE_PID_HOST, &p), 0, "no capabilities, --pid=host");
		for (size_t i = 0; i < ARRAY_SIZE(own); i++)
			if (!(r = rule_for(&p, own[i])) || r->action != SCMP_ACT_ALLOW ||
			    r->n_args) {
				printf("# %s is not allowed whole\n", own[i]);
				bad++;
			}
		is_int(bad, 0, "roost's own calls after the filter are allowed whole");
		profile_free(&p);
	}
	is_int(profile_default(CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN), PROFILE_PID_HOST, &p), 0,
	       "the default policy with CAP_SYS_ADMIN and --pid=host");
	ok((r = rule_for(&p, "mount")) && r->action == SCMP_ACT_ALLOW && !rule_for(&p, "ptrace") &&
		   (r = rule_for(&p, "clone")) && r->n_args == 0 &&
		   rule_for(&p, "clone3")->action == SCMP_ACT_ALLOW,
	   "mount, clone with namespaces and clone3 allowed, ptrace refused");
	profile_free(&p);
	/* Issue 11: a negative value would become 0, a rule on fd 0 instead of AT_FDCWD. */
	is_int(one(", \"args\": [{\"index\": 0, \"value\": -100, \"op\": \"SCMP_CMP_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       -EINVAL, "a negative value is refused");
	ok(strstr(err_msg(), "syscalls[0].args[0].value: negative") != NULL, "naming its key");
	is_int(one(", \"args\": [{\"index\": 0, \"value\": 1, \"valueTwo\": -1, \"op\": "
		   "\"SCMP_CMP_MASKED_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       -EINVAL, "a negative valueTwo too");
	is_int(one(", \"args\": [{\"index\": 0, \"value\": 18446744073709551516, \"op\": "
		   "\"SCMP_CMP_EQ\"}]",
		   CAPS_DEFAULT, &p),
	       0, "-100 written as an unsigned 64-bit value is taken");
	ok((r = rule_for(&p, "mkdir")) && r->args[0].datum_a == (uint64_t)-100, "as it is");
	profile_free(&p);
	return tap_done();
}
