/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry.h - GETs of the OCI distribution API (libcurl), with certificates and credentials
 */
#ifndef ROOST_REGISTRY_H
#define ROOST_REGISTRY_H

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <sys/types.h>

#include "roost/pull.h"

#define REGISTRY_BODY_MAX (4 << 20) /* a body kept in memory: manifests, tokens */

struct registry {
	CURL *curl;
	char *host; /* as in the reference, docker.io mapped to its API host */
	char *scheme; /* https, or http after a fallback */
	char *repo;
	char *token;
	char *user, *pass; /* credentials (auth.json, --creds), or NULL */
	bool basic; /* the registry asked for Basic authentication */
	const char *dir; /* the image layout being filled, in the store's tmp/ */
	bool tls_verify;
	struct curl_blob ca; /* the CA certificates of the registry's cert dir, or none */
	char *client_cert, *client_key; /* a client certificate from the cert dir */
};

struct registry_resp {
	CURL *curl; /* set by perform() */
	long code;
	char *buf; /* the body, when no fd */
	size_t len;
	int fd; /* else the body goes here */
	off_t offset; /* what fd holds already (and ctx has hashed): asked for the rest (Range) */
	bool started; /* the body's first bytes came */
	/* Called as the body comes (CURLOPT_XFERINFOFUNCTION), when set. */
	void (*xfer)(void *data, curl_off_t now, curl_off_t total);
	void *xfer_data;
	EVP_MD_CTX *ctx; /* hashed as it comes, when set */
	bool too_big;
	int write_errno; /* the body could not be written to fd */
	char www_auth[1024];
	char ctype[256];
};

int registry_parse_www_auth(const char *header, char **ret_realm, char **ret_service,
			    char **ret_scope);
void registry_header(struct registry_resp *r, const char *data, size_t len);
int registry_open(struct registry *g, char *norm, const struct pull_opts *po, const char **ret_ref);
void registry_clone(struct registry *g, const struct registry *proto);
void registry_close(struct registry *g);
int registry_get(struct registry *g, const char *path, const char *accept, struct registry_resp *r);
int registry_login(const char *registry, const struct pull_opts *po, const char *user,
		   const char *pass);

#endif
