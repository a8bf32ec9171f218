/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doctor.h - every prerequisite of rootless containers, checked on this host
 */
#ifndef ROOST_DOCTOR_H
#define ROOST_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum doctor_status { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL, DOCTOR_SKIP };

/* What a result means for roost; the exit status of roost doctor is the worst one. */
enum doctor_impact {
	IMPACT_NONE, /* containers run with a full id map */
	IMPACT_DEGRADED, /* they run, with less (single-id map, no network, no ping...) */
	IMPACT_FATAL, /* they cannot run */
};

/* The host as the checks see it. Files are read below root ("" on the host). */
struct doctor_ctx {
	const char *root;
	const char *user;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int n_groups;
	const char *exe; /* roost's real path */
	const char *data_dir; /* the storage dir, $XDG_DATA_HOME/roost */
	const char *runtime_dir; /* $XDG_RUNTIME_DIR as set, or NULL */
	unsigned int port; /* lowest host port the user wants to publish, 0 for none */
	bool live; /* run the probes (namespaces, mounts, devices); off in unit tests */
};

struct doctor_result {
	enum doctor_status status;
	enum doctor_impact impact;
	char *found; /* what is there */
	char *meaning; /* what it means for roost */
	char *fix; /* WARN/FAIL: what to type; the text roost run prints for the same cause */
};

struct doctor_check {
	const char *id;
	const char *title;
	void (*fn)(const struct doctor_ctx *ctx, struct doctor_result *ret);
};

extern const struct doctor_check doctor_checks[];
extern const size_t doctor_n_checks;

const char *doctor_status_name(enum doctor_status s);
const char *doctor_impact_name(enum doctor_impact i);
int doctor_run(const struct doctor_ctx *ctx, const char *id, struct doctor_result *ret);
void doctor_result_done(struct doctor_result *r);
int doctor_exit_status(const struct doctor_result *v, size_t n);
char *doctor_json(const struct doctor_result *v, size_t n);

#endif
