/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_cmd.c - the image subcommands (images, rmi, image, load, import) and
 * the image half of 'roost run'; part of main: errors are printed here
 */
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>

#include "commands.h"
#include "roost/auth.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"
#include "roost/proc.h"
#include "roost/pull.h"
#include "roost/regconf.h"
#include "roost/registry.h"
#include "roost/userns.h"

/* Messages can quote registries and images: never a raw control byte to the terminal. */
static int fail(int r)
{
	_cleanup_free_ char *e = image_escape(err_msg());

	(void)r;
	log_msg(LOG_ERR, "%s", e);
	return EXIT_ROOST;
}

/* A user namespace with the full id map, for unpacking and removing layers. */
static int full_userns(void)
{
	struct userns_plan plan;
	int r = userns_plan_init(&plan, USERNS_DEFAULT, "/etc/subuid", "/etc/subgid");

	if (r < 0)
		return r;
	if (plan.fallback_why)
		log_warn("%s", plan.fallback_why);
	r = proc_userns_fd(&plan);
	userns_plan_done(&plan);
	return r;
}

static void human(uint64_t n, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	double v = n;
	size_t u = 0;

	while (v >= 1000 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

int cmd_images(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	struct image_info *v = NULL;
	size_t n = 0;
	int r;

	(void)argv;
	if (argc > 1)
		return err_setx(EINVAL, "usage: roost images"), fail(-EINVAL);
	r = store_open(&st);
	if (r == 0)
		r = image_list(&st, &v, &n);
	store_close(&st);
	if (r < 0)
		return fail(r);
	printf("%-50s %-12s %-10s %s\n", "NAME", "ID", "SIZE", "CREATED");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *name = image_escape(v[i].name),
				    *created = image_escape(v[i].created ? v[i].created : "");
		char size[32];

		/* The store's index may hold names an older roost took from an image unchecked. */
		human(v[i].size, size, sizeof(size));
		printf("%-50s %-12.12s %-10s %s\n", name, v[i].id, size, *created ? created : "-");
	}
	image_info_free(v, n);
	return 0;
}

/* roost rmi [-f] NAME...: untag; -f also when a container uses the image. */
int cmd_rmi(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	bool force = false;
	int r, ret = 0, first = 1;

	if (argc > 1 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--force"))) {
		force = true;
		first = 2;
	}
	if (argc <= first)
		return err_setx(EINVAL, "usage: roost rmi [-f] NAME..."), fail(-EINVAL);
	r = store_open(&st);
	if (r < 0) {
		store_close(&st);
		return fail(r);
	}
	for (int i = first; i < argc; i++) {
		r = image_remove(&st, argv[i], force);
		if (r < 0)
			ret = fail(r);
		else
			printf("%s\n", argv[i]);
	}
	store_close(&st);
	return ret;
}

static int image_prune_cmd(void)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	size_t n = 0;
	int userns_fd, r;

	r = store_open(&st);
	if (r < 0) {
		store_close(&st);
		return fail(r);
	}
	userns_fd = full_userns();
	if (userns_fd < 0)
		log_debug("no user namespace for pruning: %s", err_msg());
	r = image_prune(&st, userns_fd, &n);
	if (userns_fd >= 0)
		close(userns_fd);
	store_close(&st);
	if (r < 0)
		return fail(r);
	printf("removed %zu layer%s\n", n, n == 1 ? "" : "s");
	return 0;
}

int cmd_image(int argc, char **argv)
{
	static const char usage[] = "usage: roost image inspect NAME | prune | ls | rm NAME...";
	struct store st = {.data_fd = -1, .run_fd = -1};
	_cleanup_free_ char *json = NULL;
	int r;

	if (argc >= 2 && (!strcmp(argv[1], "ls") || !strcmp(argv[1], "list")))
		return cmd_images(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "rm"))
		return cmd_rmi(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "prune"))
		return image_prune_cmd();
	if (argc != 3 || strcmp(argv[1], "inspect"))
		return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	r = store_open(&st);
	if (r == 0)
		r = image_inspect(&st, argv[2], &json);
	store_close(&st);
	if (r < 0)
		return fail(r);
	printf("%s\n", json);
	return 0;
}

static int print_loaded(struct strv *names)
{
	for (size_t i = 0; i < names->n; i++) {
		_cleanup_free_ char *e = image_escape(names->v[i]);

		if (!strncmp(e, "note: ", 6))
			log_warn("%s", e + 6);
		else
			printf("Loaded image: %s\n", e);
	}
	strv_free(names);
	return 0;
}

/* roost load [-i] FILE: a docker-save or OCI archive, or an OCI layout directory. */
int cmd_load(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	struct strv names = {0};
	const char *file;
	int userns_fd, r;

	if (argc == 3 && (!strcmp(argv[1], "-i") || !strcmp(argv[1], "--input")))
		file = argv[2];
	else if (argc == 2 && argv[1][0] != '-')
		file = argv[1];
	else
		return err_setx(EINVAL, "usage: roost load [-i] FILE"), fail(-EINVAL);
	r = store_open(&st);
	if (r < 0) {
		store_close(&st);
		return fail(r);
	}
	userns_fd = full_userns();
	r = userns_fd < 0 ? userns_fd : image_load(&st, userns_fd, file, NULL, NULL, &names);
	if (userns_fd >= 0)
		close(userns_fd);
	store_close(&st);
	if (r < 0)
		return fail(r);
	return print_loaded(&names);
}

/* roost import TAR NAME: a root filesystem tarball as a one-layer image. */
int cmd_import(int argc, char **argv)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	int userns_fd, r;

	if (argc != 3)
		return err_setx(EINVAL, "usage: roost import TAR NAME"), fail(-EINVAL);
	r = store_open(&st);
	if (r < 0) {
		store_close(&st);
		return fail(r);
	}
	userns_fd = full_userns();
	r = userns_fd < 0 ? userns_fd : image_import(&st, userns_fd, argv[1], argv[2]);
	if (userns_fd >= 0)
		close(userns_fd);
	store_close(&st);
	if (r < 0)
		return fail(r);
	printf("Imported image: %s\n", argv[2]);
	return 0;
}

/*
 * Does the ROOTFS operand of 'roost run' name an image? A directory that
 * exists wins; a name starting with '/' or '.' is always a path; oci:DIR
 * is an OCI layout; anything else not found on disk is an image name.
 */
bool cmd_run_is_image(const char *rootfs)
{
	struct stat sb;

	if (!rootfs || rootfs[0] == '/' || rootfs[0] == '.')
		return false;
	if (!strncmp(rootfs, "oci:", 4))
		return true;
	return stat(rootfs, &sb) < 0 && errno == ENOENT;
}

/* Load oci:DIR[:TAG] into the store (layers once); returns its name there. */
static int load_oci(struct store *st, const char *ref, char **ret_name)
{
	_cleanup_free_ char *dir = xstrdup(ref + 4), *abs = NULL, *name = NULL;
	char *colon = strrchr(dir, ':'), *tag = NULL;
	struct strv names = {0};
	struct stat sb;
	int userns_fd, r;

	/* DIR:TAG unless DIR itself holds the colon. */
	if (colon && !(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	}
	abs = realpath(dir, NULL);
	if (!abs)
		return err_set(errno, "OCI layout '%s'", dir);
	name = xasprintf("oci:%s%s%s", abs, tag ? ":" : "", tag ? tag : "");
	userns_fd = full_userns();
	if (userns_fd < 0)
		return userns_fd;
	r = image_load(st, userns_fd, abs, tag, name, &names);
	close(userns_fd);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		_cleanup_free_ char *e = image_escape(names.v[i]);

		if (!strncmp(e, "note: ", 6))
			log_warn("%s", e + 6);
	}
	strv_free(&names);
	if (r == 0)
		*ret_name = TAKE_PTR(name);
	return r;
}

/*
 * --userns=keep-id: the layers are owned through the default map, so the
 * run takes copies owned for the keep-id map (image_keepid.c), and an
 * /etc/passwd entry for the caller when the image has none.
 */
static int keep_id_layers(struct store *st, struct image_run *img)
{
	struct userns_plan def, keep;
	struct passwd *pw = getpwuid(getuid());
	_cleanup_free_ char *name = xstrdup(pw ? pw->pw_name : "user");
	_cleanup_free_ char *home = xstrdup(pw && pw->pw_dir[0] == '/' ? pw->pw_dir : "/");
	struct image_user who = {.name = name, .home = home, .uid = getuid(), .gid = getgid()};
	int userns_fd, r;

	r = userns_plan_init(&def, USERNS_DEFAULT, "/etc/subuid", "/etc/subgid");
	if (r < 0)
		return r;
	r = userns_plan_init(&keep, USERNS_KEEP_ID, "/etc/subuid", "/etc/subgid");
	if (r < 0) {
		userns_plan_done(&def);
		return r;
	}
	/* Image files belong to subordinate ids: one id cannot show them as the image says. */
	if (!def.use_helpers || !keep.use_helpers)
		r = err_setx(ENOTSUP, "--userns=keep-id with an image needs subordinate ids: %s",
			     def.fallback_why ? def.fallback_why : keep.fallback_why);
	userns_fd = r < 0 ? r : proc_userns_fd(&def);
	if (userns_fd >= 0) {
		r = image_keep_id(st, userns_fd, &def, &keep, &who, img);
		close(userns_fd);
	} else {
		r = userns_fd;
	}
	userns_plan_done(&keep);
	userns_plan_done(&def);
	return r;
}

/*
 * One line per blob on stderr, as podman shows them: "Copying blob HEX12
 * 1.2 MB / 3.4 MB" rewritten as it comes, then "done" (or "skipped: already
 * exists"). Only on a terminal, and not with -q.
 */
static void show_progress(const char *what, const char *hex, uint64_t now, uint64_t total,
			  enum pull_progress state)
{
	static uint64_t last;
	char a[32], b[32];

	if (state == PULL_SKIPPED) {
		fprintf(stderr, "Copying %s %.12s skipped: already exists\n", what, hex);
		return;
	}
	if (state == PULL_DONE) {
		fprintf(stderr, "\rCopying %s %.12s done%24s\n", what, hex, "");
		last = 0;
		return;
	}
	/* libcurl calls often: a line per 64 kB is plenty. */
	if (now == last || (now - last < 65536 && now != total))
		return;
	last = now;
	human(now, a, sizeof(a));
	human(total, b, sizeof(b));
	fprintf(stderr, "\rCopying %s %.12s %10s / %-10s", what, hex, a, total ? b : "?");
}

/*
 * A short name with unqualified-search-registries set: each registry in
 * turn, the first that has the image wins; the error names every attempt.
 */
static int pull_search(struct store *st, int userns_fd, const char *ref, const struct pull_opts *po,
		       const struct strv *search, struct strv *ret_names)
{
	_cleanup_free_ char *tried = xstrdup("");

	for (size_t i = 0; i < search->n; i++) {
		_cleanup_free_ char *full = xasprintf("%s/%s", search->v[i], ref), *t = NULL;
		int r;

		log_info("Trying to pull %s...", full);
		r = pull_image(st, userns_fd, full, po, ret_names);
		if (r == 0)
			return 0;
		t = xasprintf("%s%s%s", tried, *tried ? "; " : "", err_msg());
		free(tried);
		tried = TAKE_PTR(t);
	}
	return err_setx(ENOENT, "'%s' is in none of the unqualified-search-registries: %s", ref,
			tried);
}

/*
 * Pull ref into st: a short name through unqualified-search-registries
 * when they are set. Returns 0 with the names stored (and "note: " lines)
 * in ret_names, or -errno.
 */
static int pull_ref(struct store *st, const char *ref, const struct pull_opts *po,
		    struct strv *ret_names)
{
	_cleanup_free_ char *norm = NULL;
	struct strv search = {0};
	int userns_fd, r;

	r = image_ref_normalize(ref, &norm);
	if (r == 0 && regconf_is_short(ref))
		r = regconf_search_registries(&search);
	if (r < 0)
		return r;
	if (!search.n && strcmp(norm, ref) && !strstr(ref, "docker.io"))
		log_info("'%s' resolved to %s", ref, norm);
	userns_fd = full_userns();
	if (userns_fd < 0)
		r = userns_fd;
	else if (search.n)
		r = pull_search(st, userns_fd, ref, po, &search, ret_names);
	else
		r = pull_image(st, userns_fd, ref, po, ret_names);
	strv_free(&search);
	if (userns_fd >= 0)
		close(userns_fd);
	return r;
}

/*
 * --pull: fetch image for 'roost run', as 'roost pull' would but quiet on
 * stdout (the command's own); progress on a terminal. *ret_name is the
 * name it is stored under.
 */
static int run_pull(struct store *st, const char *image, char **ret_name)
{
	struct pull_opts po = {.tls_verify = true};
	struct strv names = {0};
	int r;

	if (isatty(STDERR_FILENO))
		po.progress = show_progress;
	r = pull_ref(st, image, &po, &names);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		_cleanup_free_ char *e = image_escape(names.v[i]);

		if (!strncmp(e, "note: ", 6))
			log_warn("%s", e + 6);
		else if (!*ret_name)
			*ret_name = xstrdup(names.v[i]);
	}
	strv_free(&names);
	if (r == 0 && !*ret_name)
		r = err_setx(ENOENT, "pull %s: nothing was stored", image);
	return r < 0 ? err_wrap(r, "ROOTFS '%s' is not in the store, pulling it", image) : 0;
}

/* The image half of 'roost run': its layers and config into s. */
int cmd_run_image(const char *image, const struct opts *o, struct spec *s)
{
	struct store st = {.data_fd = -1, .run_fd = -1};
	_cleanup_free_ char *name = NULL;
	struct image_run img = {0};
	int r;

	r = store_open(&st);
	if (r == 0 && !strncmp(image, "oci:", 4))
		r = load_oci(&st, image, &name);
	else if (r == 0 && o->pull == PULL_POLICY_ALWAYS)
		r = run_pull(&st, image, &name);
	if (r == 0) {
		r = image_resolve(&st, name ? name : image, &img);
		if (r == -ENOENT && !name && o->pull == PULL_POLICY_MISSING) {
			r = run_pull(&st, image, &name);
			if (r == 0)
				r = image_resolve(&st, name, &img);
		} else if (r == -ENOENT && !name) {
			r = err_setx(
				ENOENT,
				"ROOTFS '%s' is neither a directory nor an image in the store "
				"(--pull=never): 'roost pull %s' fetches it from its registry, "
				"'roost load' adds one from a file (see 'roost images')",
				image, image);
		}
	}
	/*
	 * The record keeps the layers from rmi and prune; its lock is held until
	 * this process exits, by when containers/ID exists or there is no container.
	 */
	if (r == 0) {
		int use_fd = image_use(&st, s->id, &img);

		r = use_fd < -1 ? use_fd : 0;
	}
	if (r == 0 && s->userns == USERNS_KEEP_ID)
		r = keep_id_layers(&st, &img);
	if (r == 0)
		r = spec_apply_image(s, o, &img);
	image_run_free(&img);
	store_close(&st);
	return r;
}

/* roost pull [--platform OS/ARCH] [--cert-dir DIR] [--tls-verify=false] [-q] REF */
int cmd_pull(int argc, char **argv)
{
	static const char usage[] = "usage: roost pull [--platform OS/ARCH] [--cert-dir DIR] "
				    "[--tls-verify=BOOL] [-q] REF";
	struct store st = {.data_fd = -1, .run_fd = -1};
	struct pull_opts po = {.tls_verify = true};
	_cleanup_free_ char *platform = NULL;
	bool quiet = false;
	struct strv names = {0};
	const char *ref = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--platform") && i + 1 < argc)
			platform = xstrdup(argv[++i]);
		else if (!strncmp(a, "--platform=", 11))
			platform = xstrdup(a + 11);
		else if (!strcmp(a, "--authfile") && i + 1 < argc)
			po.authfile = argv[++i];
		else if (!strncmp(a, "--authfile=", 11))
			po.authfile = a + 11;
		else if (!strcmp(a, "--creds") && i + 1 < argc)
			po.creds = argv[++i];
		else if (!strncmp(a, "--creds=", 8))
			po.creds = a + 8;
		else if (!strcmp(a, "--cert-dir") && i + 1 < argc)
			po.cert_dir = argv[++i];
		else if (!strncmp(a, "--cert-dir=", 11))
			po.cert_dir = a + 11;
		else if (!strcmp(a, "--tls-verify=false"))
			po.tls_verify = false;
		else if (!strcmp(a, "--tls-verify=true") || !strcmp(a, "--tls-verify"))
			po.tls_verify = true;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			quiet = true;
		else if (a[0] != '-' && !ref)
			ref = a;
		else
			return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	}
	if (!ref)
		return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	if (!quiet && isatty(STDERR_FILENO))
		po.progress = show_progress;
	if (platform) {
		char *sl = strchr(platform, '/');
		if (!sl || !sl[1] || sl == platform)
			return err_setx(EINVAL, "--platform %s: want OS/ARCH, such as linux/arm64",
					platform),
			       fail(-EINVAL);
		*sl = '\0';
		po.os = platform;
		po.arch = sl + 1;
		if (strchr(po.arch, '/'))
			*strchr((char *)po.arch, '/') = '\0'; /* the variant is not used */
	}
	r = store_open(&st);
	if (r == 0)
		r = pull_ref(&st, ref, &po, &names);
	store_close(&st);
	if (r < 0)
		return fail(r);
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *e = image_escape(names.v[i]);

		if (!strncmp(e, "note: ", 6))
			log_warn("%s", e + 6);
		else
			printf("Pulled image: %s\n", e);
	}
	strv_free(&names);
	return 0;
}

/* One line of stdin without its newline; with echo off on a terminal when secret. */
static char *read_line(const char *prompt, bool secret)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t size = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (secret) {
			quiet = old;
			quiet.c_lflag &= ~ECHO;
			(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
	}
	n = getline(&line, &size, stdin);
	if (tty && secret) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/*
 * roost login [-u USER] [-p PASSWORD | --password-stdin] [--authfile FILE]
 * [--cert-dir DIR] [--tls-verify=BOOL] REGISTRY: check the credentials
 * against the registry, then store them (containers-auth.json(5)).
 */
int cmd_login(int argc, char **argv)
{
	static const char usage[] =
		"usage: roost login [-u USER] [-p PASSWORD | --password-stdin] "
		"[--authfile FILE] [--cert-dir DIR] [--tls-verify=BOOL] REGISTRY";
	struct pull_opts po = {.tls_verify = true};
	_cleanup_free_ char *user = NULL, *pass = NULL, *host = NULL;
	const char *registry = NULL;
	bool pass_stdin = false;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-u") || !strcmp(a, "--username")) && i + 1 < argc)
			user = xstrdup(argv[++i]);
		else if ((!strcmp(a, "-p") || !strcmp(a, "--password")) && i + 1 < argc)
			pass = xstrdup(argv[++i]);
		else if (!strcmp(a, "--password-stdin"))
			pass_stdin = true;
		else if (!strcmp(a, "--authfile") && i + 1 < argc)
			po.authfile = argv[++i];
		else if (!strcmp(a, "--cert-dir") && i + 1 < argc)
			po.cert_dir = argv[++i];
		else if (!strcmp(a, "--tls-verify=false"))
			po.tls_verify = false;
		else if (!strcmp(a, "--tls-verify=true") || !strcmp(a, "--tls-verify"))
			po.tls_verify = true;
		else if (a[0] != '-' && !registry)
			registry = a;
		else
			return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	}
	if (!registry || (pass && pass_stdin))
		return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	if (!user && pass_stdin)
		return err_setx(EINVAL, "--password-stdin needs -u USER"), fail(-EINVAL);
	if (!user)
		user = read_line("Username: ", false);
	if (!pass)
		pass = read_line("Password: ", true);
	if (!user || !*user || !pass)
		return err_setx(EINVAL, "login %s: no username or password given", registry),
		       fail(-EINVAL);
	/* A namespace ("quay.io/team") is a key of its own; its registry checks the login. */
	host = strndup(registry, strcspn(registry, "/"));
	r = registry_login(host, &po, user, pass);
	if (r == 0)
		r = auth_store(po.authfile, registry, user, pass);
	if (r < 0)
		return fail(r);
	printf("Login Succeeded!\n");
	return 0;
}

/* roost logout [--authfile FILE] (REGISTRY | -a): forget stored credentials. */
int cmd_logout(int argc, char **argv)
{
	static const char usage[] = "usage: roost logout [--authfile FILE] (REGISTRY | --all)";
	const char *authfile = NULL, *registry = NULL;
	bool all = false;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--authfile") && i + 1 < argc)
			authfile = argv[++i];
		else if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all"))
			all = true;
		else if (argv[i][0] != '-' && !registry)
			registry = argv[i];
		else
			return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	}
	if (all == !!registry)
		return err_setx(EINVAL, "%s", usage), fail(-EINVAL);
	r = auth_remove(authfile, registry);
	if (r < 0)
		return fail(r);
	if (all)
		printf("Removed login credentials for all registries\n");
	else
		printf("Removed login credentials for %s\n", registry);
	return 0;
}
