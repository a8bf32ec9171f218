/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "roost/auth.h"
#include "roost/image.h"
#include "roost/layer.h"
#include "roost/pull.h"
#include "roost/regconf.h"
#include "roost/registry.h"
#include "roost/spec.h"
#include "../tap.h"

static char *norm(const char *ref)
{
	static char buf[512];
	char *n = NULL;

	if (image_ref_normalize(ref, &n) < 0)
		return "ERROR";
	snprintf(buf, sizeof(buf), "%s", n);
	free(n);
	return buf;
}

/*
 * A store whose images/index.json holds index (damaged on purpose); for
 * find_image and prune, which must not read past short strings there.
 */
static int store_with_index(struct store *st, const char *index)
{
	char tmpl[] = "/tmp/test-image-XXXXXX";
	int fd;

	if (!mkdtemp(tmpl))
		return -errno;
	st->data_path = strdup(tmpl);
	st->data_fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	st->run_fd = -1;
	if (st->data_fd < 0 || mkdirat(st->data_fd, "images", 0700) < 0)
		return -errno;
	fd = openat(st->data_fd, "images/index.json", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, index, strlen(index)) != (ssize_t)strlen(index))
		return -EIO;
	close(fd);
	return 0;
}

static char *clean(const char *name)
{
	static char buf[256];
	int r = layer_clean_path(name, buf, sizeof(buf));

	if (r < 0)
		return "REFUSED";
	return r == 1 ? "ROOT" : buf;
}

int main(void)
{
	const char *w = NULL;
	char hex[65];
	struct image_config c;
	static const char cfg[] =
		"{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/"
		"init\"],\"Cmd\":[\"a\",\"b\"],"
		"\"Env\":[\"PATH=/x\",\"A=1\"],\"WorkingDir\":\"/w\",\"User\":\"app:staff\","
		"\"ExposedPorts\":{\"80/tcp\":{}},\"Unknown\":1},\"rootfs\":{\"diff_ids\":[]}}";

	plan(64);
	/* keep-id: does the image's passwd/group have the caller's id (the third field)? */
	ok(image_etc_has_id("root:x:0:0::/root:/bin/sh\napp:x:1000:50::/w:/bin/sh\n", 1000),
	   "passwd: a line with the uid");
	ok(!image_etc_has_id("root:x:0:0::/root:/bin/sh\nu1000:x:10000:1000::/:/bin/sh", 1000),
	   "passwd: the gid field or a longer uid is no match");
	ok(image_etc_has_id("staff:x:50:\nme:x:1001:", 1001), "group: the last line, no newline");
	ok(!image_etc_has_id("x:1001:7:\n:\n::\n", 1001), "a uid in the second field is no match");
	ok(!image_etc_has_id("", 0), "an empty file has no entry");
	is_str(norm("alpine"), "docker.io/library/alpine:latest", "short name via docker.io");
	is_str(norm("alpine:3.20"), "docker.io/library/alpine:3.20", "short name with a tag");
	is_str(norm("user/app"), "docker.io/user/app:latest", "user repository on docker.io");
	is_str(norm("quay.io/a/b:1"), "quay.io/a/b:1", "a registry with a dot");
	is_str(norm("localhost:5000/x"), "localhost:5000/x:latest", "a registry with a port");
	is_str(norm("localhost/x:y"), "localhost/x:y", "localhost is a registry");
	is_str(norm("x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	       "docker.io/library/"
	       "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	       "a digest reference");
	is_str(norm("Alpine"), "ERROR", "upper case repository refused");
	is_str(norm("/abs/path"), "ERROR", "a path is no reference");
	is_str(norm("a:b:c"), "ERROR", "two tags refused");
	is_str(norm("x@sha256:12"), "ERROR", "a short digest refused");
	is_str(norm("ev\x1b[2Jil.io/x:1"), "ERROR", "an escape code in the registry refused");
	is_str(norm("[::1]:5000/x"), "[::1]:5000/x:latest", "an IPv6 registry");
	is_str(norm("x:-a"), "ERROR", "a tag starting with '-' refused");
	{
		char *u = NULL, *pw = NULL;

		is_int(auth_decode("YWxpY2U6czNjcjp0", &u, &pw), 0, "auth: base64 of user:pass");
		is_str(u, "alice", "auth: the user");
		is_str(pw, "s3cr:t", "auth: the password keeps its colons");
		free(u);
		free(pw);
		is_int(auth_decode("bm9jb2xvbg==", &u, &pw), -EINVAL, "auth: no colon refused");
	}
	{
		/* Header lines in buffers of their exact size, as libcurl may hand them. */
		static const char *const lines[] = {"www-auth", "content-typ", "HTTP", "x",
						    "www-authenticate: Bearer realm=\"r\"\r\n"};
		struct registry_resp r = {.fd = -1};

		for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
			size_t n = strlen(lines[i]);
			char *exact = malloc(n);

			memcpy(exact, lines[i], n);
			registry_header(&r, exact, n);
			free(exact);
		}
		is_str(r.www_auth, " Bearer realm=\"r\"", "header lines are read by their length");
	}
	{
		struct strv v = {0};

		is_int(regconf_parse("# c\nunqualified-search-registries = [\"quay.io\",\n"
				     "  'localhost:5000', # here\n]\n[[registry]]\nprefix=\"x\"\n",
				     "t", &v),
		       1, "registries.conf: the array, over lines, with comments");
		is_str(v.n == 2 ? v.v[1] : "", "localhost:5000", "registries.conf: in order");
		is_int(regconf_parse("[aliases]\nunqualified-search-registries = [\"a.io\"]\n", "t",
				     &v),
		       0, "registries.conf: a key inside a table is not the top-level one");
		is_int(regconf_parse("unqualified-search-registries = [\"noregistry\"]", "t", &v),
		       -EINVAL, "registries.conf: a name that is no registry refused");
		is_int(regconf_is_short("team/app:1") && !regconf_is_short("quay.io/a") &&
			       !regconf_is_short("localhost/a"),
		       1, "short names");
		strv_free(&v);
	}
	{
		char *e = image_escape("a\x1b[31m\nb\\");

		is_str(e, "a\\x1b[31m\\x0ab\\", "escape: control bytes as \\xNN, backslash kept");
		free(e);
	}

	is_int(image_digest_hex(
		       "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		       hex),
	       0, "digest parsed");
	is_str(hex, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	       "digest hex");
	is_int(image_digest_hex("sha512:00", hex), -EINVAL, "other algorithms refused");
	is_int(image_digest_hex(
		       "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		       hex),
	       -EINVAL, "upper case hex refused");

	is_int(layer_whiteout(".wh.foo", &w), LAYER_WHITEOUT, "a whiteout");
	is_str(w, "foo", "whiteout names what it deletes");
	is_int(layer_whiteout(".wh..wh..opq", &w), LAYER_OPAQUE, "an opaque marker");
	is_int(layer_whiteout("foo.wh.", &w), 0, "not a whiteout");
	is_int(layer_whiteout(".wh...", &w), -EINVAL, "whiteout of .. refused");

	is_str(clean("./a//b/"), "a/b", "./ and slashes go");
	is_str(clean("./"), "ROOT", "the root entry");
	is_str(clean("a/../../b"), "REFUSED", ".. refused");
	is_str(clean("/etc/passwd"), "REFUSED", "absolute refused");
	is_int(layer_link_escapes("a/b", "../c"), 0, "a link within the layer");
	is_int(layer_link_escapes("a/b", "../../c"), 1, "a link climbing out");
	is_int(layer_link_escapes("a", "/etc/x"), 0, "absolute links stay in the container root");

	is_int(image_config_parse(cfg, &c), 0, "config parsed");
	is_str(c.entrypoint.v[0], "/init", "Entrypoint");
	is_int((int)c.cmd.n, 2, "Cmd");
	is_str(c.user, "app:staff", "User");
	is_str(c.ports.v[0], "80/tcp", "ExposedPorts");
	{
		struct spec s = {0};
		struct opts o = {0};
		char *argv[] = {"x", NULL};
		char *env[] = {"A=2"};
		struct image_run ir = {.name = "img"};

		strv_push(&ir.layers, strdup("/l/top"));
		ir.config = c;
		strv_push(&s.env, strdup("PATH=/default"));
		strv_push(&s.argv, strdup("/bin/sh"));
		s.workdir = strdup("/");
		o.argv = argv;
		o.argc = 1;
		o.env = env;
		o.n_env = 1;
		is_int(spec_apply_image(&s, &o, &ir), 0, "image applied");
		is_str(s.argv.v[0], "/init", "Entrypoint first, then the given command");
		is_str(s.env.v[0], "PATH=/x", "the image's PATH replaces the default");
		is_str(s.env.v[1], "A=2", "-e wins over the image's Env");
		strv_free(&ir.layers);
		spec_free(&s);
	}
	image_config_free(&c);
	{
		char *realm = NULL, *service = NULL, *scope = NULL;

		is_int(registry_parse_www_auth(" Bearer "
					       "realm=\"https://auth.docker.io/"
					       "token\",service=\"registry.docker.io\",scope="
					       "\"repository:library/alpine:pull\"",
					       &realm, &service, &scope),
		       0, "a Bearer challenge");
		is_str(realm, "https://auth.docker.io/token", "its realm");
		is_str(service, "registry.docker.io", "its service");
		is_str(scope, "repository:library/alpine:pull", "its scope");
		free(realm);
		free(service);
		free(scope);
		is_int(registry_parse_www_auth("Basic realm=\"x\"", &realm, &service, &scope),
		       -EINVAL, "Basic is no Bearer challenge");
	}
	{
		struct store st = {.data_fd = -1, .run_fd = -1};
		struct image_run ir = {0};
		size_t n = 99;
		char cmd[64];

		is_int(store_with_index(&st, "{\"a\":{\"config\":\"x\",\"manifest\":\"y\"},"
					     "\"b\":{\"config\":7,\"manifest\":[]}}"),
		       0, "a store with a damaged index");
		is_int(image_resolve(&st, "abcd", &ir), -ENOENT,
		       "an id prefix against short config strings: not found");
		is_int(image_prune(&st, -1, &n), 0, "prune with short config/manifest strings");
		is_int((int)n, 0, "nothing to prune");
		snprintf(cmd, sizeof(cmd), "rm -rf %s", st.data_path);
		(void)!system(cmd);
		close(st.data_fd);
		free(st.data_path);
	}
	return tap_done();
}
