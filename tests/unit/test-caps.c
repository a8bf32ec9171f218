/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "../tap.h"

#define V(...) ((char *[]){__VA_ARGS__})
#define COMPUTE(base, add, drop, ret)                                                              \
	caps_compute(base, add, sizeof(add) / sizeof(char *), drop, sizeof(drop) / sizeof(char *), \
		     ret)

int main(void)
{
	uint64_t m;
	int cap;

	plan(22);

	is_int(CAPS_DEFAULT, 0xa80425fbULL, "the default set is Docker's (CapEff a80425fb)");
	is_int(caps_parse_name("CAP_SYS_ADMIN", &cap), 0, "CAP_ prefix");
	is_int(cap, CAP_SYS_ADMIN, "CAP_SYS_ADMIN");
	is_int(caps_parse_name("net_admin", &cap), 0, "no prefix, lower case");
	is_int(cap, CAP_NET_ADMIN, "net_admin");
	is_int(caps_parse_name("Cap_Chown", &cap), 0, "mixed case");
	is_int(cap, CAP_CHOWN, "Cap_Chown");
	is_int(caps_parse_name("SYS_BOGUS", &cap), -EINVAL, "unknown name");
	is_str(err_msg(),
	       "unknown capability 'SYS_BOGUS'; 'man 7 capabilities' lists them (or 'capsh "
	       "--print')",
	       "the message says where to find the names");
	is_int(caps_parse_name("12", &cap), -EINVAL, "a number is not a name");
	is_int(caps_parse_name("", &cap), -EINVAL, "empty");

	{
		char *none[1] = {NULL};
		is_int(caps_compute(CAPS_DEFAULT, none, 0, none, 0, &m), 0, "no options");
		is_int(m, CAPS_DEFAULT, "no options: the default set");
	}
	is_int(COMPUTE(CAPS_DEFAULT, V("sys_admin"), V("NET_RAW", "CAP_MKNOD"), &m), 0,
	       "add and drop");
	is_int(m,
	       (CAPS_DEFAULT | CAPS_BIT(CAP_SYS_ADMIN)) & ~CAPS_BIT(CAP_NET_RAW) &
		       ~CAPS_BIT(CAP_MKNOD),
	       "add and drop: the set");
	is_int(COMPUTE(CAPS_DEFAULT, V("SYS_ADMIN"), V("ALL"), &m), 0, "--cap-drop ALL");
	is_int(m, CAPS_BIT(CAP_SYS_ADMIN), "--cap-drop ALL keeps only those added");
	is_int(COMPUTE(CAPS_DEFAULT, V("all"), V("CHOWN"), &m), 0, "--cap-add ALL");
	is_int(m, CAPS_ALL & ~CAPS_BIT(CAP_CHOWN), "--cap-add ALL: all but those dropped");
	is_int(COMPUTE(CAPS_ALL, V("NET_RAW"), V("SYS_ADMIN"), &m), 0, "--privileged base");
	is_int(COMPUTE(CAPS_DEFAULT, V("CHOWN"), V("FROB"), &m), -EINVAL, "unknown drop");
	is_str(err_msg(),
	       "--cap-drop: unknown capability 'FROB'; 'man 7 capabilities' lists them (or "
	       "'capsh --print')",
	       "the message names the option");
	return tap_done();
}
