/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-usernet.c - which libslirp versions get IPv4 fragments (issue 10)
 */
#include "../tap.h"
#include "roost/usernet.h"

int main(void)
{
	plan(8);
	is_int(usernet_slirp_reassembly_ok("4.7.0"), false, "4.7.0 (Debian 12) mishandles them");
	is_int(usernet_slirp_reassembly_ok("4.1.0"), false, "4.1.0 too");
	is_int(usernet_slirp_reassembly_ok("4.8.0"), true, "4.8.0 has the fix");
	is_int(usernet_slirp_reassembly_ok("4.9.1"), true, "4.9.1 too");
	is_int(usernet_slirp_reassembly_ok("5.0"), true, "a major version later");
	is_int(usernet_slirp_reassembly_ok("4.10.0"), true, "minor versions compare as numbers");
	is_int(usernet_slirp_reassembly_ok(NULL), false, "no version: fragments dropped");
	is_int(usernet_slirp_reassembly_ok("git"), false, "an unreadable version: dropped too");
	return tap_done();
}
