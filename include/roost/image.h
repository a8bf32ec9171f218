/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image.h - the image store: layers once by diff id, blobs, names; loading and running images
 */
#ifndef ROOST_IMAGE_H
#define ROOST_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "roost/store.h"
#include "roost/userns.h"
#include "roost/util.h"

/* What roost honours of an image's config ("config" in the OCI image config). */
struct image_config {
	struct strv entrypoint, cmd, env, ports;
	char *workdir;
	char *user;
};

/* A stored image, resolved for a run. */
struct image_run {
	char *name;
	struct strv layers; /* absolute layer directories, topmost first */
	struct image_config config;
};

/* Who --userns=keep-id keeps: the caller, as the host's passwd has it. */
struct image_user {
	const char *name;
	const char *home;
	uid_t uid;
	gid_t gid;
};

struct image_info {
	char *name;
	char id[65]; /* the config digest's hex */
	uint64_t size;
	char *created;
};

int image_ref_normalize(const char *ref, char **ret);
bool image_tag_valid(const char *s);
char *image_escape(const char *s);
int image_digest_hex(const char *digest, char ret[65]);
int image_config_parse(const char *json, struct image_config *ret);
void image_config_free(struct image_config *c);
const char *image_host_arch(void);

int image_load(struct store *st, int userns_fd, const char *path, const char *tag, const char *name,
	       struct strv *ret_names);
int image_import(struct store *st, int userns_fd, const char *tar, const char *name);
int image_resolve(struct store *st, const char *name, struct image_run *ret);
void image_run_free(struct image_run *r);
int image_keep_id(struct store *st, int userns_fd, const struct userns_plan *def,
		  const struct userns_plan *keep, const struct image_user *who,
		  struct image_run *img);
bool image_etc_has_id(const char *text, unsigned long id);
int image_list(struct store *st, struct image_info **ret, size_t *ret_n);
void image_info_free(struct image_info *v, size_t n);
int image_remove(struct store *st, const char *name, bool force);
int image_use(struct store *st, const char *id, const struct image_run *img);
void image_tmp_clean(struct store *st);
int image_inspect(struct store *st, const char *name, char **ret_json);
int image_prune(struct store *st, int userns_fd, size_t *ret_n);

#endif
