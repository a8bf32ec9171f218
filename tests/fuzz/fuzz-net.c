/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-net.c - --network options (net_parse), then the /etc files built from an image's
 * /etc/hosts and the host's resolv.conf: "OPTIONS\n----\nHOSTNAME\nHOSTS...\n----\nRESOLV..."
 */
#include <stdlib.h>

#include "roost/net.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_string(data, size);
	char *hosts = fuzz_split(s), *resolv = hosts ? fuzz_split(hosts) : NULL, *name = "box";
	struct net_config n;

	if (net_parse(s, &n) < 0)
		net_config_default(&n);
	if (hosts) {
		char *nl = strchr(hosts, '\n');

		name = hosts;
		hosts = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
	}
	free(net_hosts_text(&n, name, hosts));
	free(net_resolv_text(&n, resolv));
	return 0;
}
