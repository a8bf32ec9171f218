/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * auth.h - registry credentials (containers-auth.json(5), docker's config.json)
 */
#ifndef ROOST_AUTH_H
#define ROOST_AUTH_H

char *auth_primary_path(void);
int auth_decode(const char *b64, char **ret_user, char **ret_pass);
int auth_lookup(const char *authfile, const char *host, const char *repo, char **ret_user,
		char **ret_pass);
int auth_store(const char *authfile, const char *key, const char *user, const char *pass);
int auth_remove(const char *authfile, const char *key);

#endif
