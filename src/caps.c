/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps.c - the container's capabilities
 *
 * The set starts from Docker's default (CAPS_DEFAULT), or every capability
 * with --privileged, and --cap-add/--cap-drop change it as Docker does:
 * "--cap-add ALL" is every capability but those dropped, "--cap-drop ALL"
 * only those added. In the child, in this order:
 *   caps_bound()   while still root with every capability of the user
 *                  namespace: the bounding set is cut to the set and the
 *                  ambient set cleared (needs CAP_SETPCAP, so before -u);
 *   set_identity() (proc.c): setgroups/setgid/setuid;
 *   caps_apply()   root gets the set as permitted, effective and
 *                  inheritable; any other user gets none (its permitted and
 *                  effective sets were cleared by setuid already).
 * Everything here is within the user namespace: nothing can exceed what
 * the user has on the host.
 */
#include <ctype.h>
#include <string.h>
#include <sys/prctl.h>

#include "roost/caps.h"
#include "roost/err.h"
#include "roost/util.h"

/*
 * A capability name: "CAP_NET_ADMIN", "net_admin", any case. Returns 0 with
 * *ret_cap, -EINVAL with a message for a name libcap does not know.
 */
int caps_parse_name(const char *name, int *ret_cap)
{
	char buf[64];
	cap_value_t v;
	size_t n = 0;

	if (strncasecmp(name, "cap_", 4) != 0)
		n = snprintf(buf, sizeof(buf), "cap_");
	for (const char *p = name; *p && n + 1 < sizeof(buf); p++)
		buf[n++] = tolower((unsigned char)*p);
	buf[n] = '\0';
	/* libcap also takes numbers; a capability is named here. */
	if (!name[0] || strlen(name) >= sizeof(buf) - 4 || isdigit((unsigned char)buf[4]) ||
	    cap_from_name(buf, &v) < 0 || v < 0 || v > 63)
		return err_setx(EINVAL,
				"unknown capability '%s'; 'man 7 capabilities' lists them (or "
				"'capsh --print')",
				name);
	*ret_cap = v;
	return 0;
}

static bool has_all(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(v[i], "ALL"))
			return true;
	return false;
}

static int mask_of(const char *opt, char *const *v, size_t n, uint64_t *ret)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++) {
		int cap, r;

		if (!strcasecmp(v[i], "ALL"))
			continue;
		r = caps_parse_name(v[i], &cap);
		if (r < 0)
			return err_wrap(r, "%s", opt);
		m |= CAPS_BIT(cap);
	}
	*ret = m;
	return 0;
}

/*
 * The set from base (CAPS_DEFAULT, or CAPS_ALL for --privileged) and the
 * names given to --cap-add and --cap-drop (with or without "CAP_", any
 * case, or "ALL"). Returns 0 with *ret, or -EINVAL naming the bad name.
 */
int caps_compute(uint64_t base, char *const *add, size_t n_add, char *const *drop, size_t n_drop,
		 uint64_t *ret)
{
	uint64_t a, d;
	int r;

	r = mask_of("--cap-add", add, n_add, &a);
	if (r < 0)
		return r;
	r = mask_of("--cap-drop", drop, n_drop, &d);
	if (r < 0)
		return r;
	if (has_all(add, n_add))
		*ret = CAPS_ALL & ~d;
	else if (has_all(drop, n_drop))
		*ret = a;
	else
		*ret = (base & ~d) | a;
	return 0;
}

/*
 * Cut the bounding set to caps and clear the ambient set. Needs
 * CAP_SETPCAP: call it before giving up root. Returns 0 or -errno.
 */
int caps_bound(uint64_t caps)
{
	int last = cap_max_bits();

	for (int c = 0; c < last && c < 64; c++)
		if (!(caps & CAPS_BIT(c)) && cap_drop_bound(c) < 0 && errno != EINVAL)
			return err_set(errno, "drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_set(errno, "clear the ambient capabilities");
	return 0;
}

/*
 * Set the permitted, effective and inheritable sets for the command:
 * caps for uid 0, nothing for any other uid. Returns 0 or -errno.
 */
int caps_apply(uint64_t caps, uid_t uid)
{
	cap_t c = cap_init(); /* all clear */
	int last = cap_max_bits(), r = 0;

	if (!c)
		return err_set(errno, "cap_init");
	for (cap_value_t v = 0; uid == 0 && v < last && v < 64; v++) {
		if (!(caps & CAPS_BIT(v)))
			continue;
		if (cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
		    cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET) < 0) {
			r = err_set(errno, "cap_set_flag");
			goto out;
		}
	}
	if (cap_set_proc(c) < 0)
		r = err_set(errno, "set the capabilities of the command");
out:
	cap_free(c);
	return r;
}
