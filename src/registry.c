/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry.c - talking to a registry: the OCI distribution API's GETs over
 * HTTPS (HTTP/1.1 or HTTP/2) with libcurl
 *
 * registry_open() splits a normalized reference into host and repository,
 * loads the registry's certificate directory (containers-certs.d(5)) and
 * its credentials (--creds, or auth.c's files). registry_get() makes a GET
 * of /v2/REPO/PATH: a 401 with a Bearer challenge (WWW-Authenticate) gets a
 * token from the realm (anonymous, or for the credentials) and the request
 * is made once more; a Basic challenge gets the credentials. The status is
 * libcurl's (CURLINFO_RESPONSE_CODE): HTTP/2 status lines are not HTTP/1's.
 * Credentials never follow a redirect to another host.
 */
#include <curl/curl.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>

#include "roost/auth.h"
#include "roost/err.h"
#include "roost/log.h"
#include "roost/registry.h"

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
int registry_parse_www_auth(const char *header, char **ret_realm, char **ret_service,
			    char **ret_scope)
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
	struct registry_resp *r = userdata;
	size_t len = size * n;

	/* The status of the response this body belongs to, as libcurl parsed it (HTTP/1 or 2). */
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->code);
	if (r->fd >= 0 && r->code < 300 && !r->started) {
		r->started = true;
		/* 206 is the rest of what fd holds; a 200 to a Range request is all of it again. */
		if (r->offset > 0 && r->code != 206) {
			r->offset = 0;
			if (ftruncate(r->fd, 0) < 0 || lseek(r->fd, 0, SEEK_SET) < 0) {
				r->write_errno = errno;
				return 0;
			}
			if (r->ctx)
				EVP_DigestInit_ex(r->ctx, EVP_sha256(), NULL);
		} else if (r->offset > 0 && lseek(r->fd, 0, SEEK_END) < 0) {
			r->write_errno = errno;
			return 0;
		}
	}
	if (r->ctx && r->code < 300)
		EVP_DigestUpdate(r->ctx, data, len);
	if (r->fd >= 0 && r->code < 300) {
		int w = util_write_all(r->fd, data, len);

		if (w < 0)
			r->write_errno = -w;
		return w < 0 ? 0 : len;
	}
	if (r->len + len > REGISTRY_BODY_MAX) {
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
 * One header line, data[0..len) as libcurl hands it: bytes with a length,
 * no NUL. A status line starts a response (after a redirect or a 401 there
 * are several), so what the last one said is forgotten; its status comes
 * from libcurl (CURLINFO_RESPONSE_CODE, when r->curl is set), as an HTTP/2
 * status line is "HTTP/2 200", not HTTP/1's.
 */
void registry_header(struct registry_resp *r, const char *data, size_t len)
{
	if (header_is(data, len, "HTTP/")) {
		if (r->curl)
			curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->code);
		r->www_auth[0] = r->ctype[0] = '\0';
	} else if (header_is(data, len, "www-authenticate:")) {
		header_value(data, len, 17, r->www_auth, sizeof(r->www_auth), "\r\n");
	} else if (header_is(data, len, "content-type:")) {
		header_value(data, len, 13, r->ctype, sizeof(r->ctype), "\r\n;");
	}
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	registry_header(userdata, data, size * n);
	return size * n;
}

static int on_xfer(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		   curl_off_t ulnow)
{
	struct registry_resp *r = userdata;

	(void)ultotal;
	(void)ulnow;
	if (r->started && r->code < 300)
		r->xfer(r->xfer_data, dlnow, dltotal);
	return 0;
}

/* How a request authenticates: not at all, as the registry asked, or with the credentials. */
enum auth_mode { AUTH_NONE, AUTH_REGISTRY, AUTH_CREDS };

static int perform(struct registry *g, const char *url, const char *accept, enum auth_mode auth,
		   struct registry_resp *r)
{
	struct curl_slist *h = NULL;
	_cleanup_free_ char *bearer = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", range[32];
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
	if (r->xfer) {
		curl_easy_setopt(g->curl, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(g->curl, CURLOPT_XFERINFOFUNCTION, on_xfer);
		curl_easy_setopt(g->curl, CURLOPT_XFERINFODATA, r);
	}
	if (r->fd >= 0 && r->offset > 0) {
		snprintf(range, sizeof(range), "%lld-", (long long)r->offset);
		curl_easy_setopt(g->curl, CURLOPT_RANGE, range);
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
static int get_token(struct registry *g, const char *challenge)
{
	_cleanup_free_ char *realm = NULL, *service = NULL, *scope = NULL, *url = NULL;
	_cleanup_free_ char *eservice = NULL, *escope = NULL, *dscope = NULL;
	struct registry_resp r = {.fd = -1};
	struct json_object *j, *t = NULL;
	int q;

	if (registry_parse_www_auth(challenge, &realm, &service, &scope) < 0)
		return err_setx(EACCES,
				"%s: the registry asks for an authentication roost does "
				"not speak (%s)",
				g->host, challenge);
	/* Credentials go in the clear only where the user allowed plain HTTP. */
	if (g->user && g->tls_verify && strncasecmp(realm, "https://", 8))
		return err_setx(EACCES,
				"%s: its token server %s is not HTTPS: refusing to send the "
				"credentials there",
				g->host, realm);
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
static int request_v2(struct registry *g, const char *path, const char *accept,
		      struct registry_resp *r)
{
	int q;

	for (int attempt = 0; attempt < 2; attempt++) {
		_cleanup_free_ char *url = xasprintf("%s://%s/v2/%s", g->scheme, g->host, path);

		r->len = 0;
		r->started = false;
		if (r->fd >= 0 && r->offset == 0 &&
		    (ftruncate(r->fd, 0) < 0 || lseek(r->fd, 0, SEEK_SET) < 0))
			return err_set(errno, "truncate");
		if (r->ctx && r->offset == 0)
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

/* GET /v2/REPO/PATH; anything but 200 is an error naming it. Returns 0 or -errno. */
int registry_get(struct registry *g, const char *path, const char *accept, struct registry_resp *r)
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
	if (r->code != 200 && !(r->code == 206 && r->offset > 0))
		return err_setx(EIO, "%s/%s: %s: HTTP %ld", g->host, g->repo, path, r->code);
	return 0;
}

/*
 * A registry's certificate directory, as containers-certs.d(5) lays it out:
 * every *.crt is a CA to trust besides the system's, a *.cert with the *.key
 * of the same name a client certificate. --cert-dir names the directory;
 * else the first of $HOME/.config/containers/certs.d/HOST:PORT,
 * /etc/containers/certs.d/HOST:PORT and /etc/docker/certs.d/HOST:PORT that
 * exists. Returns 0 (also when there is none) or -errno.
 */
static int load_cert_dir(struct registry *g, const char *cert_dir)
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
			if (sb.st_size > REGISTRY_BODY_MAX)
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
static int load_creds(struct registry *g, const char *norm, const struct pull_opts *po)
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

/* Free what registry_open() or registry_login() set up. */
void registry_close(struct registry *g)
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
int registry_login(const char *registry, const struct pull_opts *po, const char *user,
		   const char *pass)
{
	struct registry g = {.tls_verify = po->tls_verify};
	struct registry_resp r = {.fd = -1};
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
	registry_close(&g);
	return q;
}

/*
 * Set up g for the normalized reference norm (REGISTRY/REPO[:TAG][@DIGEST]):
 * host (docker.io's API host for docker.io), repository, certificates and
 * credentials. *ret_ref points into norm at the tag or digest. Returns 0 or
 * -errno; registry_close() frees g either way.
 */
int registry_open(struct registry *g, char *norm, const struct pull_opts *po, const char **ret_ref)
{
	char *slash = strchr(norm, '/'), *at, *colon;
	int r;

	g->tls_verify = po->tls_verify;
	*slash = '\0';
	g->host = xstrdup(!strcmp(norm, "docker.io") ? "registry-1.docker.io" : norm);
	*slash = '/';
	at = strchr(slash + 1, '@');
	colon = strrchr(slash + 1, ':');
	if (at) {
		*ret_ref = at + 1;
		g->repo = strndup(slash + 1, (colon && colon < at ? colon : at) - slash - 1);
	} else {
		*ret_ref = colon + 1;
		g->repo = strndup(slash + 1, colon - slash - 1);
	}
	g->scheme = xstrdup("https");
	g->curl = curl_easy_init();
	if (!g->curl)
		abort();
	r = load_cert_dir(g, po->cert_dir);
	if (r == 0)
		r = load_creds(g, norm, po);
	return r;
}

/*
 * g as a copy of proto for another thread: the same registry, repository,
 * token, credentials and certificates, its own libcurl handle (a handle is
 * used by one thread at a time). registry_close() frees it.
 */
void registry_clone(struct registry *g, const struct registry *proto)
{
	*g = (struct registry){
		.host = xstrdup(proto->host),
		.scheme = xstrdup(proto->scheme),
		.repo = xstrdup(proto->repo),
		.token = proto->token ? xstrdup(proto->token) : NULL,
		.user = proto->user ? xstrdup(proto->user) : NULL,
		.pass = proto->pass ? xstrdup(proto->pass) : NULL,
		.basic = proto->basic,
		.dir = proto->dir,
		.tls_verify = proto->tls_verify,
		.client_cert = proto->client_cert ? xstrdup(proto->client_cert) : NULL,
		.client_key = proto->client_key ? xstrdup(proto->client_key) : NULL,
		.ca = proto->ca,
	};
	if (proto->ca.len) {
		g->ca.data = xmalloc(proto->ca.len);
		memcpy(g->ca.data, proto->ca.data, proto->ca.len);
	}
	g->curl = curl_easy_init();
	if (!g->curl)
		abort();
}
