/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pull.c - images from a registry
 *
 * The OCI distribution API over HTTPS with libcurl: GET the manifest by tag
 * or digest (OCI and Docker v2 schema 2 manifests, OCI indexes and Docker
 * manifest lists, from which the platform's entry is taken), then the
 * config and every layer the store lacks, each hashed while it is written
 * and refused when it does not match its digest. A 401 with a Bearer
 * challenge (WWW-Authenticate) gets an anonymous token from the realm and
 * the request is made once more. What was fetched is laid out as an OCI
 * image layout in the store's tmp/ and handed to image_load(), which checks
 * it all again and stores it under the lock; the layout is then removed.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "roost/auth.h"
#include "roost/err.h"
#include "roost/image.h"
#include "roost/log.h"
#include "roost/pull.h"

#define MANIFEST_MAX (4 << 20)
#define ACCEPT                                                                                     \
	"Accept: application/vnd.oci.image.index.v1+json, "                                        \
	"application/vnd.oci.image.manifest.v1+json, "                                             \
	"application/vnd.docker.distribution.manifest.list.v2+json, "                              \
	"application/vnd.docker.distribution.manifest.v2+json"

struct reg {
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

struct resp {
	CURL *curl; /* set by perform() */
	long code;
	char *buf; /* the body, when no fd */
	size_t len;
	int fd; /* else the body goes here */
	EVP_MD_CTX *ctx; /* hashed as it comes, when set */
	bool too_big;
	int write_errno; /* the body could not be written to fd */
	char www_auth[1024];
	char ctype[256];
};

/* Find KEY="VALUE" in a challenge; *ret gets a copy. */
static char *param(const char *h, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = h; (p = strstr(p, key)); p += kl) {
		const char *v, *end;

		if ((p != h && p[-1] != ' ' && p[-1] != ',') || p[kl] != '=')
			continue;
		v = p + kl + 1;
		if (*v == '"') {
			end = strchr(++v, '"');
			if (!end)
				return NULL;
		} else {
			end = v + strcspn(v, ", ");
		}
		return strndup(v, end - v);
	}
	return NULL;
}

/*
 * A WWW-Authenticate header: 'Bearer realm="URL",service="S",scope="X"'.
 * Returns 0 with the realm (required) and the others (or NULL), -EINVAL
 * when it is no Bearer challenge.
 */
int pull_parse_www_auth(const char *header, char **ret_realm, char **ret_service, char **ret_scope)
{
	while (*header == ' ')
		header++;
	if (strncasecmp(header, "Bearer ", 7))
		return -EINVAL;
	*ret_realm = param(header + 7, "realm");
	if (!*ret_realm)
		return -EINVAL;
	*ret_service = param(header + 7, "service");
	*ret_scope = param(header + 7, "scope");
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct resp *r = userdata;
	size_t len = size * n;

	/* The status of the response this body belongs to, as libcurl parsed it (HTTP/1 or 2). */
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->code);
	if (r->ctx && r->code < 300)
		EVP_DigestUpdate(r->ctx, data, len);
	if (r->fd >= 0 && r->code < 300) {
		int w = util_write_all(r->fd, data, len);

		if (w < 0)
			r->write_errno = -w;
		return w < 0 ? 0 : len;
	}
	if (r->len + len > MANIFEST_MAX) {
		r->too_big = true;
		return 0;
	}
	r->buf = xrealloc(r->buf, r->len + len + 1);
	memcpy(r->buf + r->len, data, len);
	r->len += len;
	r->buf[r->len] = '\0';
	return len;
}

/* Does the header line data[0..len) (not NUL-terminated) start with name, case aside? */
static bool header_is(const char *data, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len >= n && !strncasecmp(data, name, n);
}

/* A header value into out: what follows the name, up to the line's end or one of stop. */
static void header_value(const char *data, size_t len, size_t skip, char *out, size_t size,
			 const char *stop)
{
	snprintf(out, size, "%.*s", (int)(len - skip), data + skip);
	out[strcspn(out, stop)] = '\0';
}

/*
 * libcurl hands each header line as bytes with a length, not as a string. The
 * status comes from CURLINFO_RESPONSE_CODE: an HTTP/2 status line is "HTTP/2 200".
 */
static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct resp *r = userdata;
	size_t len = size * n;

	if (header_is(data, len, "HTTP/")) {
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->code);
		r->www_auth[0] = r->ctype[0] = '\0';
	} else if (header_is(data, len, "www-authenticate:")) {
		header_value(data, len, 17, r->www_auth, sizeof(r->www_auth), "\r\n");
	} else if (header_is(data, len, "content-type:")) {
		header_value(data, len, 13, r->ctype, sizeof(r->ctype), "\r\n;");
	}
	return len;
}

/* How a request authenticates: not at all, as the registry asked, or with the credentials. */
enum auth_mode { AUTH_NONE, AUTH_REGISTRY, AUTH_CREDS };

static int perform(struct reg *g, const char *url, const char *accept, enum auth_mode auth,
		   struct resp *r)
{
	struct curl_slist *h = NULL;
	_cleanup_free_ char *bearer = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode c;

	if (accept)
		h = curl_slist_append(h, accept);
	if (auth == AUTH_REGISTRY && g->token) {
		bearer = xasprintf("Authorization: Bearer %s", g->token);
		h = curl_slist_append(h, bearer);
	}
	r->curl = g->curl;
	r->code = 0;
	curl_easy_reset(g->curl);
	curl_easy_setopt(g->curl, CURLOPT_URL, url);
	curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(g->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(g->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(g->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(g->curl, CURLOPT_REDIR_PROTOCOLS_STR,
			 g->tls_verify ? "https" : "http,https");
	curl_easy_setopt(g->curl, CURLOPT_USERAGENT, "roost/" ROOST_VERSION);
	curl_easy_setopt(g->curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(g->curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(g->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(g->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(g->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(g->curl, CURLOPT_HEADERDATA, r);
	if (!g->tls_verify) {
		curl_easy_setopt(g->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(g->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	/* Never sent to another host a redirect leads to (CURLOPT_UNRESTRICTED_AUTH is off). */
	if (g->user && (auth == AUTH_CREDS || (auth == AUTH_REGISTRY && g->basic && !g->token))) {
		curl_easy_setopt(g->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(g->curl, CURLOPT_USERNAME, g->user);
		curl_easy_setopt(g->curl, CURLOPT_PASSWORD, g->pass);
	}
	/* With OpenSSL, libcurl trusts these in addition to the system's CA file. */
	if (g->ca.len)
		curl_easy_setopt(g->curl, CURLOPT_CAINFO_BLOB, &g->ca);
	if (g->client_cert && g->client_key) {
		curl_easy_setopt(g->curl, CURLOPT_SSLCERT, g->client_cert);
		curl_easy_setopt(g->curl, CURLOPT_SSLKEY, g->client_key);
	}
	c = curl_easy_perform(g->curl);
	curl_slist_free_all(h);
	if (c == CURLE_WRITE_ERROR && r->write_errno)
		return err_set(r->write_errno, "%s: write what arrives in %s", url, g->dir);
	if (c == CURLE_OK)
		curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &r->code);
	if (c == CURLE_SSL_CONNECT_ERROR)
		return -EPROTO;
	if (c != CURLE_OK)
		return err_setx(EIO, "%s: %s%s", url, errbuf[0] ? errbuf : curl_easy_strerror(c),
				c == CURLE_PEER_FAILED_VERIFICATION
					? " (--cert-dir DIR or certs.d/HOST:PORT/ca.crt trusts "
					  "its CA; --tls-verify=false accepts it anyway)"
					: "");
	return 0;
}

/*
 * A token for the challenge's realm: anonymous, or for the credentials
 * when there are some (Basic authentication to the token server).
 */
static int get_token(struct reg *g, const char *challenge)
{
	_cleanup_free_ char *realm = NULL, *service = NULL, *scope = NULL, *url = NULL;
	_cleanup_free_ char *eservice = NULL, *escope = NULL, *dscope = NULL;
	struct resp r = {.fd = -1};
	struct json_object *j, *t = NULL;
	int q;

	if (pull_parse_www_auth(challenge, &realm, &service, &scope) < 0)
		return err_setx(EACCES,
				"%s: the registry asks for an authentication roost does "
				"not speak (%s)",
				g->host, challenge);
	dscope = scope ? xstrdup(scope) : g->repo ? xasprintf("repository:%s:pull", g->repo) : NULL;
	escope = dscope ? curl_easy_escape(g->curl, dscope, 0) : NULL;
	eservice = service ? curl_easy_escape(g->curl, service, 0) : NULL;
	url = xasprintf("%s%s%s%s%s%s", realm, strchr(realm, '?') ? "&" : "?",
			escope ? "scope=" : "", escope ? escope : "",
			eservice ? (escope ? "&service=" : "service=") : "",
			eservice ? eservice : "");
	q = perform(g, url, NULL, g->user ? AUTH_CREDS : AUTH_NONE, &r);
	if (q == -EPROTO)
		q = err_setx(EPROTO, "%s: TLS handshake failed", realm);
	if (q == 0 && (r.code == 401 || r.code == 403) && g->user)
		q = err_setx(EACCES, "%s: the token server refused the credentials of '%s'", realm,
			     g->user);
	else if (q == 0 && (r.code == 401 || r.code == 403))
		q = err_setx(EACCES, "%s: the registry wants credentials: 'roost login %s'",
			     g->host, g->host);
	else if (q == 0 && r.code != 200)
		q = err_setx(EACCES, "%s: the token server answered %ld", realm, r.code);
	j = q == 0 && r.buf ? json_tokener_parse(r.buf) : NULL;
	if (q == 0 && !((json_object_object_get_ex(j, "token", &t) &&
			 json_object_is_type(t, json_type_string)) ||
			(json_object_object_get_ex(j, "access_token", &t) &&
			 json_object_is_type(t, json_type_string))))
		q = err_setx(EACCES, "%s: no token in the answer", realm);
	if (q == 0) {
		free(g->token);
		g->token = xstrdup(json_object_get_string(t));
	}
	if (j)
		json_object_put(j);
	free(r.buf);
	return q;
}

/*
 * GET /v2/PATH: a token once the registry asks for one (a Bearer
 * challenge), the credentials for a Basic challenge. Returns 0 for 200.
 */
static int request_v2(struct reg *g, const char *path, const char *accept, struct resp *r)
{
	int q;

	for (int attempt = 0; attempt < 2; attempt++) {
		_cleanup_free_ char *url = xasprintf("%s://%s/v2/%s", g->scheme, g->host, path);

		r->len = 0;
		if (r->fd >= 0 && (ftruncate(r->fd, 0) < 0 || lseek(r->fd, 0, SEEK_SET) < 0))
			return err_set(errno, "truncate");
		if (r->ctx)
			EVP_DigestInit_ex(r->ctx, EVP_sha256(), NULL);
		q = perform(g, url, accept, AUTH_REGISTRY, r);
		if (q == -EPROTO && !g->tls_verify && !strcmp(g->scheme, "https")) {
			/* --tls-verify=false also allows a registry speaking plain HTTP. */
			log_debug("%s: no TLS; trying plain HTTP", g->host);
			free(g->scheme);
			g->scheme = xstrdup("http");
			attempt--;
			continue;
		}
		if (q == -EPROTO)
			return err_setx(EPROTO,
					"%s: TLS handshake failed (a plain HTTP registry needs "
					"--tls-verify=false)",
					g->host);
		if (q < 0)
			return q;
		if (r->code == 401 && attempt == 0 &&
		    !strncasecmp(r->www_auth + strspn(r->www_auth, " "), "Basic", 5) && g->user) {
			g->basic = true;
			continue;
		}
		if (r->code == 401 && attempt == 0 && r->www_auth[0] &&
		    strncasecmp(r->www_auth + strspn(r->www_auth, " "), "Basic", 5)) {
			q = get_token(g, r->www_auth);
			if (q < 0)
				return q;
			continue;
		}
		break;
	}
	if (r->code == 401 && g->user)
		return err_setx(EACCES, "%s: the registry refused the credentials of '%s'", g->host,
				g->user);
	if (r->code == 401)
		return err_setx(EACCES, "%s: the registry wants credentials: 'roost login %s'",
				g->host, g->host);
	return 0;
}

/* GET /v2/REPO/PATH; anything but 200 is an error naming it. */
static int request(struct reg *g, const char *path, const char *accept, struct resp *r)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", g->repo, path);
	int q = request_v2(g, p, accept, r);

	if (q < 0)
		return q;
	if (r->too_big)
		return err_setx(EFBIG, "%s/%s: %s is too big for a manifest", g->host, g->repo,
				path);
	if (r->code == 404)
		return err_setx(ENOENT, "%s/%s: %s not found", g->host, g->repo, path);
	if (r->code != 200)
		return err_setx(EIO, "%s/%s: %s: HTTP %ld", g->host, g->repo, path, r->code);
	return 0;
}

static void hex_of(EVP_MD_CTX *ctx, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	EVP_DigestFinal_ex(ctx, md, NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* A manifest (or index) by tag or digest; a digest is checked. */
static int get_manifest(struct reg *g, const char *ref, char **ret, size_t *ret_len,
			char ret_hex[65])
{
	_cleanup_free_ char *path = xasprintf("manifests/%s", ref);
	struct resp r = {.fd = -1, .ctx = EVP_MD_CTX_new()};
	char want[65];
	int q = request(g, path, ACCEPT, &r);

	if (q == 0) {
		hex_of(r.ctx, ret_hex);
		if (image_digest_hex(ref, want) == 0 && strcmp(want, ret_hex))
			q = err_setx(EBADMSG, "%s/%s: manifest %s does not match its digest",
				     g->host, g->repo, ref);
	}
	EVP_MD_CTX_free(r.ctx);
	if (q < 0 || !r.buf) {
		free(r.buf);
		return q < 0 ? q : err_setx(EIO, "%s: an empty manifest", ref);
	}
	*ret = r.buf;
	*ret_len = r.len;
	return 0;
}

/* A blob into dir_fd/blobs/sha256/HEX, hashed as it comes and refused unless it matches. */
static int get_blob(struct reg *g, int dir_fd, const char *digest)
{
	char want[65], got[65];
	_cleanup_free_ char *rel = NULL, *path = xasprintf("blobs/%s", digest);
	struct resp r = {.fd = -1};
	int q;

	if (image_digest_hex(digest, want) < 0)
		return err_setx(EINVAL, "unsupported digest '%s'", digest);
	rel = xasprintf("blobs/sha256/%s", want);
	r.fd = openat(dir_fd, rel, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (r.fd < 0)
		return err_set(errno, "create %s", rel);
	r.ctx = EVP_MD_CTX_new();
	q = request(g, path, NULL, &r);
	close(r.fd);
	if (q == 0) {
		hex_of(r.ctx, got);
		if (strcmp(got, want))
			q = err_setx(EBADMSG,
				     "%s/%s: blob %s does not match its digest (it is sha256:%s): "
				     "corrupted; nothing was stored",
				     g->host, g->repo, digest, got);
	}
	EVP_MD_CTX_free(r.ctx);
	free(r.buf);
	return q;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v = jget(o, k);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int write_file(int dir_fd, const char *rel, const char *data, size_t len)
{
	_cleanup_close_ int fd =
		openat(dir_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || util_write_all(fd, data, len) < 0)
		return err_set(errno, "write %s", rel);
	return 0;
}

static bool is_index(struct json_object *m, const char *ctype)
{
	const char *mt = jstr(m, "mediaType");

	if (!mt)
		mt = ctype;
	return (mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"))) ||
	       (jget(m, "manifests") && !jget(m, "layers"));
}

/* The digest of the index entry for os/arch. */
static int pick(struct json_object *index, const char *os, const char *arch, const char *where,
		char **ret)
{
	struct json_object *list = jget(index, "manifests");
	_cleanup_free_ char *seen = xstrdup("");

	if (!list || !json_object_is_type(list, json_type_array))
		return err_setx(EINVAL, "%s: the index's \"manifests\" is not an array", where);

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i),
				   *p = jget(d, "platform");
		const char *o = jstr(p, "os"), *a = jstr(p, "architecture"),
			   *dg = jstr(d, "digest");
		char *s;

		if (o && a && dg && !strcmp(o, os) && !strcmp(a, arch)) {
			*ret = xstrdup(dg);
			return 0;
		}
		s = xasprintf("%s%s%s/%s", seen, *seen ? ", " : "", o ? o : "?", a ? a : "?");
		free(seen);
		seen = s;
	}
	return err_setx(ENOENT, "%s: no image for %s/%s (it has: %s; see --platform)", where, os,
			arch, seen);
}

static int fetch(struct reg *g, int dir_fd, const char *ref, const struct pull_opts *po,
		 const char *where, struct strv *ret_names, struct store *st, int userns_fd,
		 const char *dir, const char *name)
{
	_cleanup_free_ char *man = NULL, *sub = NULL, *idx = NULL;
	struct json_object *m = NULL, *cfg = NULL, *layers, *diffs;
	char mhex[65], hx[65];
	size_t mlen;
	int q;

	q = get_manifest(g, ref, &man, &mlen, mhex);
	if (q < 0)
		return q;
	m = json_tokener_parse(man);
	if (!m || !json_object_is_type(m, json_type_object)) {
		q = err_setx(EINVAL, "%s: the manifest is not JSON", where);
		goto out;
	}
	if (is_index(m, NULL)) {
		q = pick(m, po->os ? po->os : "linux", po->arch ? po->arch : image_host_arch(),
			 where, &sub);
		json_object_put(m);
		m = NULL;
		free(man);
		man = NULL;
		if (q == 0)
			q = get_manifest(g, sub, &man, &mlen, mhex);
		if (q < 0)
			goto out;
		m = json_tokener_parse(man);
		if (!m || is_index(m, NULL) || !jget(m, "layers")) {
			q = err_setx(EINVAL, "%s: %s is not an image manifest", where, sub);
			goto out;
		}
	}
	layers = jget(m, "layers");
	if (!jstr(jget(m, "config"), "digest") || !layers ||
	    !json_object_is_type(layers, json_type_array)) {
		q = err_setx(EINVAL,
			     "%s: not an image manifest (schema 1 manifests are not supported)",
			     where);
		goto out;
	}
	{
		_cleanup_free_ char *rel = xasprintf("blobs/sha256/%s", mhex);
		const char *mt = jstr(m, "mediaType");

		q = write_file(dir_fd, rel, man, mlen);
		if (q < 0)
			goto out;
		idx = xasprintf(
			"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":"
			"\"sha256:%s\",\"size\":%zu}]}",
			mt ? mt : "application/vnd.oci.image.manifest.v1+json", mhex, mlen);
		q = write_file(dir_fd, "index.json", idx, strlen(idx));
		if (q == 0)
			q = write_file(dir_fd, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}",
				       30);
		if (q < 0)
			goto out;
	}
	q = get_blob(g, dir_fd, jstr(jget(m, "config"), "digest"));
	if (q < 0)
		goto out;
	{
		_cleanup_free_ char *text = NULL, *rel = NULL;
		_cleanup_close_ int fd = -1;
		struct stat sb;

		(void)image_digest_hex(jstr(jget(m, "config"), "digest"), hx);
		rel = xasprintf("blobs/sha256/%s", hx);
		fd = openat(dir_fd, rel, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size > MANIFEST_MAX) {
			q = err_setx(EFBIG, "%s: the config is unreadable or too big", where);
			goto out;
		}
		text = xmalloc(sb.st_size + 1);
		text[util_read_all(fd, text, sb.st_size) == sb.st_size ? sb.st_size : 0] = '\0';
		cfg = json_tokener_parse(text);
	}
	diffs = jget(jget(cfg, "rootfs"), "diff_ids");
	if (!diffs || !json_object_is_type(diffs, json_type_array) ||
	    json_object_array_length(diffs) != json_object_array_length(layers)) {
		q = err_setx(EINVAL, "%s: the config's diff ids do not match the layers", where);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(layers); i++) {
		const char *dg = jstr(json_object_array_get_idx(layers, i), "digest");
		struct json_object *d = json_object_array_get_idx(diffs, i);
		const char *diff =
			json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL;
		_cleanup_free_ char *have = NULL;

		/* A layer the store has is not fetched again. */
		if (diff && image_digest_hex(diff, hx) == 0) {
			have = xasprintf("layers/%s", hx);
			if (faccessat(st->data_fd, have, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
		}
		if (!dg) {
			q = err_setx(EINVAL, "%s: layer %zu has no digest", where, i + 1);
			goto out;
		}
		q = get_blob(g, dir_fd, dg);
		if (q < 0)
			goto out;
	}
	q = image_load(st, userns_fd, dir, NULL, name, ret_names);
out:
	if (m)
		json_object_put(m);
	if (cfg)
		json_object_put(cfg);
	return q;
}

/*
 * A registry's certificate directory, as containers-certs.d(5) lays it out:
 * every *.crt is a CA to trust besides the system's, a *.cert with the *.key
 * of the same name a client certificate. --cert-dir names the directory;
 * else the first of $HOME/.config/containers/certs.d/HOST:PORT,
 * /etc/containers/certs.d/HOST:PORT and /etc/docker/certs.d/HOST:PORT that
 * exists. Returns 0 (also when there is none) or -errno.
 */
static int load_cert_dir(struct reg *g, const char *cert_dir)
{
	_cleanup_free_ char *home = NULL, *dir = NULL, *ca = NULL;
	const char *h = getenv("HOME");
	_cleanup_closedir_ DIR *d = NULL;
	size_t ca_len = 0;

	if (cert_dir) {
		dir = xstrdup(cert_dir);
	} else {
		const char *const etc[] = {"/etc/containers/certs.d", "/etc/docker/certs.d"};
		struct stat sb;

		home = h && *h ? xasprintf("%s/.config/containers/certs.d/%s", h, g->host) : NULL;
		if (home && stat(home, &sb) == 0)
			dir = TAKE_PTR(home);
		for (size_t i = 0; !dir && i < ARRAY_SIZE(etc); i++) {
			_cleanup_free_ char *p = xasprintf("%s/%s", etc[i], g->host);
			if (stat(p, &sb) == 0)
				dir = TAKE_PTR(p);
		}
		if (!dir)
			return 0;
	}
	d = opendir(dir);
	if (!d)
		return err_set(errno, "certificate directory %s", dir);
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t len;
		int r;

		if (n > 4 && !strcmp(de->d_name + n - 4, ".crt")) {
			/* certs.d files are often links into /etc/pki or /etc/ssl: followed. */
			_cleanup_close_ int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
			struct stat sb;

			if (fd < 0 || fstat(fd, &sb) < 0)
				return err_set(errno, "read %s/%s", dir, de->d_name);
			if (sb.st_size > MANIFEST_MAX)
				return err_setx(EFBIG, "%s/%s: too big for a certificate", dir,
						de->d_name);
			text = xmalloc(sb.st_size + 1);
			r = util_read_all(fd, text, sb.st_size);
			if (r != sb.st_size)
				return err_set(r < 0 ? -r : EIO, "read %s/%s", dir, de->d_name);
			len = r;
			ca = xrealloc(ca, ca_len + len + 2);
			memcpy(ca + ca_len, text, len);
			ca_len += len;
			ca[ca_len++] = '\n';
		} else if (n > 5 && !strcmp(de->d_name + n - 5, ".cert")) {
			free(g->client_cert);
			free(g->client_key);
			g->client_cert = xasprintf("%s/%s", dir, de->d_name);
			g->client_key = xasprintf("%s/%.*s.key", dir, (int)(n - 5), de->d_name);
		}
	}
	log_debug("%s: certificates from %s", g->host, dir);
	g->ca.data = TAKE_PTR(ca);
	g->ca.len = ca_len;
	g->ca.flags = CURL_BLOB_COPY;
	return 0;
}

/* Credentials from --creds USER:PASSWORD, else from the auth files for the reference. */
static int load_creds(struct reg *g, const char *norm, const struct pull_opts *po)
{
	_cleanup_free_ char *registry = strndup(norm, strcspn(norm, "/"));
	const char *colon;
	int r;

	if (po->creds) {
		colon = strchr(po->creds, ':');
		if (!colon || colon == po->creds)
			return err_setx(EINVAL, "--creds: want USER:PASSWORD");
		g->user = strndup(po->creds, colon - po->creds);
		g->pass = xstrdup(colon + 1);
		return 0;
	}
	r = auth_lookup(po->authfile, registry, g->repo, &g->user, &g->pass);
	return r < 0 ? r : 0;
}

static void reg_done(struct reg *g)
{
	if (g->curl)
		curl_easy_cleanup(g->curl);
	free(g->host);
	free(g->scheme);
	free(g->repo);
	free(g->token);
	free(g->user);
	free(g->pass);
	free(g->ca.data);
	free(g->client_cert);
	free(g->client_key);
}

/*
 * Check user and pass against the registry (GET /v2/, with a token for
 * them where the registry hands out tokens), as 'roost login' does before
 * it stores them. Returns 0, -EACCES when they are refused.
 */
int pull_login(const char *registry, const struct pull_opts *po, const char *user, const char *pass)
{
	struct reg g = {.tls_verify = po->tls_verify};
	struct resp r = {.fd = -1};
	int q;

	g.host = xstrdup(!strcmp(registry, "docker.io") ? "registry-1.docker.io" : registry);
	g.scheme = xstrdup("https");
	g.user = xstrdup(user);
	g.pass = xstrdup(pass);
	g.curl = curl_easy_init();
	if (!g.curl)
		abort();
	q = load_cert_dir(&g, po->cert_dir);
	if (q == 0)
		q = request_v2(&g, "", NULL, &r);
	if (q == 0 && r.code != 200)
		q = err_setx(EACCES, "%s: /v2/ answered HTTP %ld", registry, r.code);
	free(r.buf);
	reg_done(&g);
	return q;
}

/*
 * Pull ref into the store. Names stored (and notes, "note: ...") are pushed
 * to ret_names. Returns 0 or -errno.
 */
int pull_image(struct store *st, int userns_fd, const char *ref, const struct pull_opts *po,
	       struct strv *ret_names)
{
	_cleanup_free_ char *norm = NULL, *dir = NULL, *tmp = NULL;
	_cleanup_close_ int dir_fd = -1;
	struct reg g = {.tls_verify = po->tls_verify};
	char *slash, *at, *colon, *tag;
	int q;

	q = image_ref_normalize(ref, &norm);
	if (q < 0)
		return q;
	slash = strchr(norm, '/');
	*slash = '\0';
	g.host = xstrdup(!strcmp(norm, "docker.io") ? "registry-1.docker.io" : norm);
	*slash = '/';
	at = strchr(slash + 1, '@');
	colon = strrchr(slash + 1, ':');
	if (at) {
		tag = at + 1;
		g.repo = strndup(slash + 1, (colon && colon < at ? colon : at) - slash - 1);
	} else {
		tag = colon + 1;
		g.repo = strndup(slash + 1, colon - slash - 1);
	}
	g.scheme = xstrdup("https");
	g.curl = curl_easy_init();
	if (!g.curl)
		abort();
	q = load_cert_dir(&g, po->cert_dir);
	if (q == 0)
		q = load_creds(&g, norm, po);
	if (q < 0)
		goto out;
	image_tmp_clean(st);
	if (mkdirat(st->data_fd, "tmp", 0700) < 0 && errno != EEXIST) {
		q = err_set(errno, "create %s/tmp", st->data_path);
		goto out;
	}
	dir = xasprintf("%s/tmp/pull-XXXXXX", st->data_path);
	if (!mkdtemp(dir)) {
		q = err_set(errno, "create %s", dir);
		goto out;
	}
	tmp = xstrdup(dir + strlen(st->data_path) + 1);
	g.dir = dir;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* The lock says "in progress" to a prune, which removes only abandoned pulls. */
	if (dir_fd < 0 || flock(dir_fd, LOCK_EX) < 0 || mkdirat(dir_fd, "blobs", 0700) < 0 ||
	    mkdirat(dir_fd, "blobs/sha256", 0700) < 0) {
		q = err_set(errno, "create %s", dir);
		goto out;
	}
	q = fetch(&g, dir_fd, tag, po, norm, ret_names, st, userns_fd, dir, norm);
out:
	if (tmp)
		(void)util_rm_rf_at(st->data_fd, tmp);
	reg_done(&g);
	return q;
}
