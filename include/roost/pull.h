/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pull.h - images from a registry (OCI distribution API over HTTPS, libcurl)
 */
#ifndef ROOST_PULL_H
#define ROOST_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include "roost/store.h"
#include "roost/util.h"

enum pull_progress { PULL_COPYING, PULL_DONE, PULL_SKIPPED };

struct pull_opts {
	const char *os, *arch; /* the platform to pick from an index; NULL: this machine's */
	bool tls_verify; /* false: accept any certificate, and plain HTTP */
	const char *cert_dir; /* CAs (.crt), client certificate (.cert, .key); NULL: certs.d */
	const char *authfile; /* NULL: the auth files of containers-auth.json(5) */
	const char *creds; /* USER:PASSWORD, instead of the auth files */
	/* Told how each blob ("blob", "config") comes along, with its bytes; NULL: nothing. */
	void (*progress)(const char *what, const char *hex, uint64_t now, uint64_t total,
			 enum pull_progress state);
};

int pull_pick_platform(const char *text, const char *ctype, const char *os, const char *arch,
		       char **ret);
int pull_image(struct store *st, int userns_fd, const char *ref, const struct pull_opts *po,
	       struct strv *ret_names);

#endif
