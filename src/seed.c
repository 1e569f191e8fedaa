/* seed: cloudflared's /config turned back into argoweb's ingress rules,
 * kept, and put into the next start's config. /config shows the rules as
 * cloudflared resolved them: every originRequest setting spelled out per
 * rule, durations in seconds, unset strings empty. Each is written back
 * the way a config names it (30 -> "30s"), defaults that say nothing left
 * out, so the kept rules read as a person would have written them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "safefile.h"
#include "seed.h"
#include "values.h"
#include "yemit.h"
#include "ytree.h"

#define SEED_HEADER "# Kept by argoweb: the configuration Cloudflare last pushed to this tunnel\n" \
	"# (from cloudflared's /config), served from the first registration of the\n" \
	"# next start until Cloudflare pushes again. Rewritten at each push.\n"

/* originRequest's settings by how /config writes them. */
static const char *const o_seconds[] = { "connectTimeout", "tlsTimeout", "tcpKeepAlive",
                                         "keepAliveTimeout", NULL };
static const char *const o_flags[] = { "noHappyEyeballs", "noTLSVerify", "disableChunkedEncoding",
                                       "bastionMode", "http2Origin", "matchSNItoHost", NULL };
static const char *const o_strings[] = { "httpHostHeader", "originServerName", "caPool",
                                         "proxyAddress", "proxyType", NULL };
static const char *const o_counts[] = { "keepAliveConnections", "proxyPort", NULL };

void seed_where(const char *name, char *dir, size_t dn, char *file, size_t fn)
{
	const char *sd = getenv("STATE_DIRECTORY");
	/* systemd gives a list when the unit names several; ours is first. */
	snprintf(dir, dn, "%.*s", sd && sd[0] == '/' ? (int)strcspn(sd, ":") : (int)sizeof SEED_STATEDIR,
	         sd && sd[0] == '/' ? sd : SEED_STATEDIR);
	inst_kept_rules(name, file, fn);
}

static int in(const char *const *set, const char *s)
{
	for (; *set; set++)
		if (!strcmp(*set, s))
			return 1;
	return 0;
}

/* A plain scalar of the JSON: a string (quoted in the source), or not. */
static int is_text(const struct ynode *v)
{
	return v && v->kind == YN_SCALAR && v->is_str;
}

static int is_true(const struct ynode *v)
{
	return v && v->kind == YN_SCALAR && !v->is_str && !strcmp(v->str, "true");
}

/* Seconds as /config writes them (30, 0.5) as a Go duration ("30s",
 * "500ms"); 0 (unset) and anything else: no. */
static int duration_of(const struct ynode *v, char *out, size_t n)
{
	char *end;
	if (!v || v->kind != YN_SCALAR || v->is_str)
		return 0;
	double s = strtod(v->str, &end);
	if (*end || !(s > 0) || s > 1e9)
		return 0;
	long long ms = (long long)(s * 1000 + 0.5);
	if (ms % 1000 == 0)
		snprintf(out, n, "%llds", ms / 1000);
	else
		snprintf(out, n, "%lldms", ms);
	return ms > 0;
}

/* A whole number above 0, as written. */
static int count_of(const struct ynode *v)
{
	long long u;
	struct fault not_one = { 0 };
	return v && v->kind == YN_SCALAR && !v->is_str && !val_uint(v->str, 1LL << 40, &u, &not_one) &&
	       u > 0;
}

static int emit_text(struct yemit *y, const char *key, const struct ynode *v)
{
	return yemit_key(y, key) || yemit_str(y, v->str, v->len, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static int emit_list(struct yemit *y, const char *key, const struct ynode *v, int quoted)
{
	if (yemit_key(y, key) || yemit_seq(y))
		return -1;
	for (size_t i = 0; i < v->n; i++)
		if (v->kid[i]->kind != YN_SCALAR ||
		    yemit_str(y, v->kid[i]->str, v->kid[i]->len,
		              quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE))
			return -1;
	return yemit_close_seq(y);
}

static int emit_access(struct yemit *y, const struct ynode *a)
{
	const struct ynode *team = ymap_get(a, "teamName"), *aud = ymap_get(a, "audTag"),
	                   *env = ymap_get(a, "environment"), *req = ymap_get(a, "required");
	int has_team = is_text(team) && team->len, has_aud = aud && aud->kind == YN_SEQ && aud->n,
	    has_env = is_text(env) && env->len;
	if (!is_true(req) && !has_team && !has_aud)
		return 0;
	return yemit_key(y, "access") || yemit_map(y) ||
	       (is_true(req) && yemit_pair(y, "required", "true", YAML_PLAIN_SCALAR_STYLE)) ||
	       (has_team && emit_text(y, "teamName", team)) ||
	       (has_aud && emit_list(y, "audTag", aud, 1)) ||
	       (has_env && emit_text(y, "environment", env)) ||
	       yemit_close_map(y);
}

static int emit_iprule(struct yemit *y, const struct ynode *r)
{
	const struct ynode *prefix = ymap_get(r, "prefix"), *ports = ymap_get(r, "ports"),
	                   *allow = ymap_get(r, "allow");
	if (r->kind != YN_MAP || !is_text(prefix))
		return -1;
	return yemit_map(y) || emit_text(y, "prefix", prefix) ||
	       (ports && ports->kind == YN_SEQ && ports->n && emit_list(y, "ports", ports, 0)) ||
	       yemit_pair(y, "allow", is_true(allow) ? "true" : "false", YAML_PLAIN_SCALAR_STYLE) ||
	       yemit_close_map(y);
}

/* Does this setting of a rule's originRequest say anything a config
 * would? Unset (0, "", false, null) and cloudflared's own fields do not. */
static int says(const char *key, const struct ynode *v)
{
	char d[32];
	if (in(o_seconds, key))
		return duration_of(v, d, sizeof d);
	if (in(o_flags, key))
		return is_true(v);
	if (in(o_strings, key))
		return is_text(v) && v->len;
	if (in(o_counts, key))
		return count_of(v);
	if (!strcmp(key, "access"))
		return v->kind == YN_MAP && (is_true(ymap_get(v, "required")) ||
		       (is_text(ymap_get(v, "teamName")) && ymap_get(v, "teamName")->len));
	return !strcmp(key, "ipRules") && v->kind == YN_SEQ && v->n;
}

/* One that says something, as a config writes it. */
static int emit_setting(struct yemit *y, const char *key, const struct ynode *v)
{
	char d[32];
	if (in(o_seconds, key))
		return duration_of(v, d, sizeof d) && yemit_pair(y, key, d, YAML_PLAIN_SCALAR_STYLE);
	if (in(o_flags, key))
		return yemit_pair(y, key, "true", YAML_PLAIN_SCALAR_STYLE);
	if (in(o_strings, key))
		return emit_text(y, key, v);
	if (in(o_counts, key))
		return yemit_key(y, key) || yemit_str(y, v->str, v->len, YAML_PLAIN_SCALAR_STYLE);
	if (!strcmp(key, "access"))
		return emit_access(y, v);
	if (yemit_key(y, key) || yemit_seq(y))
		return -1;
	for (size_t i = 0; i < v->n; i++)
		if (emit_iprule(y, v->kid[i]))
			return -1;
	return yemit_close_seq(y);
}

static int emit_origin(struct yemit *y, const struct ynode *or)
{
	size_t n = 0;
	for (size_t i = 0; i + 1 < or->n; i += 2)
		n += (size_t)says(or->kid[i]->str, or->kid[i + 1]);
	if (!n)
		return 0;
	if (yemit_key(y, "originRequest") || yemit_map(y))
		return -1;
	for (size_t i = 0; i + 1 < or->n; i += 2)
		if (says(or->kid[i]->str, or->kid[i + 1]) && emit_setting(y, or->kid[i]->str, or->kid[i + 1]))
			return -1;
	return yemit_close_map(y);
}

static int emit_rule(struct yemit *y, const struct ynode *r)
{
	const struct ynode *host = ymap_get(r, "hostname"), *path = ymap_get(r, "path"),
	                   *svc = ymap_get(r, "service"), *or = ymap_get(r, "originRequest");
	if (r->kind != YN_MAP || !is_text(svc) || !svc->len || yemit_map(y))
		return -1;
	if ((is_text(host) && host->len && emit_text(y, "hostname", host)) ||
	    (is_text(path) && path->len && emit_text(y, "path", path)) || emit_text(y, "service", svc) ||
	    (or && or->kind == YN_MAP && emit_origin(y, or)))
		return -1;
	return yemit_close_map(y);
}

/* What /config cannot give back: cloudflared shows each of a rule's
 * ipRules as {} (its fields are unexported). Kept without them, the rules
 * would let the connector reach more than the dashboard allows: not kept
 * at all. 0, or -EINVAL with f. */
static int unreadable(const struct ynode *ing, struct fault *f)
{
	for (size_t i = 0; i < ing->n; i++) {
		const struct ynode *r = ing->kid[i];
		const struct ynode *ip = ymap_get(ymap_get(r, "originRequest"), "ipRules");
		if (r->kind != YN_MAP || !is_text(ymap_get(r, "service")))
			return fail(f, EINVAL, "rule %zu of cloudflared's /config has no service", i);
		for (size_t j = 0; ip && ip->kind == YN_SEQ && j < ip->n; j++)
			if (!is_text(ymap_get(ip->kid[j], "prefix")))
				return fail(f, EINVAL, "rule %zu has ipRules, which cloudflared's /config does "
				            "not show (as {}): kept without them, the rules would allow more "
				            "than the dashboard does", i);
	}
	return 0;
}

/* /config's version: a whole number, -1 before any push. */
static int version_of(const struct ynode *v, long long *out)
{
	char *end;
	if (!v || v->kind != YN_SCALAR || v->is_str)
		return -1;
	*out = strtoll(v->str, &end, 10);
	return *end || *out < -1 ? -1 : 0;
}

int seed_from_config(const char *body, size_t len, long long *version, char **yaml, size_t *ylen,
                     struct fault *f)
{
	struct ytree t = { 0 };
	struct yemit y;
	char ver[24];
	*yaml = NULL;
	/* JSON is YAML: the same bounded reader as the configs. */
	if (ytree_parse(&t, body, len, f))
		return -EINVAL;
	const struct ynode *root = t.root, *cfg = ymap_get(root, "config");
	const struct ynode *ing = ymap_get(cfg, "ingress");
	int rc = !root || root->kind != YN_MAP || version_of(ymap_get(root, "version"), version)
	         ? fail(f, EINVAL, "not cloudflared's /config: no version") : 0;
	if (!rc && *version >= 0 && (!ing || ing->kind != YN_SEQ || !ing->n))
		rc = fail(f, EINVAL, "cloudflared's /config (version %lld) has no ingress rules", *version);
	if (!rc && *version >= 0)
		rc = unreadable(ing, f);
	if (rc || *version < 0) {
		ytree_free(&t);
		return rc;
	}
	snprintf(ver, sizeof ver, "%lld", *version);
	rc = yemit_begin(&y, SEED_MAX) || yemit_pair(&y, "version", ver, YAML_PLAIN_SCALAR_STYLE) ||
	     yemit_key(&y, "ingress") || yemit_seq(&y);
	for (size_t i = 0; !rc && i < ing->n; i++)
		rc = emit_rule(&y, ing->kid[i]);
	rc = rc || yemit_close_seq(&y);
	ytree_free(&t);
	if (rc) {
		yemit_abort(&y);
		return fail(f, EINVAL, y.too_big ? "cloudflared's /config is larger than the %u MiB kept"
		            : "cloudflared's /config has a rule argoweb cannot read back%.0u", SEED_MAX >> 20);
	}
	char *doc;
	size_t dlen;
	if (yemit_end(&y, &doc, &dlen))
		return fail(f, EINVAL, "cannot write the kept configuration");
	*ylen = sizeof SEED_HEADER - 1 + dlen;
	*yaml = xmalloc(*ylen + 1);
	memcpy(*yaml, SEED_HEADER, sizeof SEED_HEADER - 1);
	memcpy(*yaml + sizeof SEED_HEADER - 1, doc, dlen + 1);
	free(doc);
	return 0;
}

int seed_served(const char *body, size_t len, long long *version, int *waiting)
{
	struct ytree t = { 0 };
	struct fault f = { 0 };
	if (ytree_parse(&t, body, len, &f))
		return -1;
	const struct ynode *ing = ymap_get(ymap_get(t.root, "config"), "ingress");
	int rc = version_of(ymap_get(t.root, "version"), version);
	/* cloudflared's own stand-in before a push: one rule, 503 for all. */
	const struct ynode *svc = ing && ing->kind == YN_SEQ && ing->n == 1
	                          ? ymap_get(ing->kid[0], "service") : NULL;
	*waiting = !rc && *version < 0 && svc && svc->str && !strcmp(svc->str, "http_status:503");
	ytree_free(&t);
	return rc;
}

int seed_store(const char *name, uid_t owner, const char *yaml, size_t len, struct fault *f)
{
	char dir[4096], file[128];
	seed_where(name, dir, sizeof dir, file, sizeof file);
	int pfd = sf_open_dir(dir, owner, f);
	if (pfd < 0)
		return pfd;
	int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	/* Written by root (argoweb adopt): the service user reads it at its
	 * next start, with no capability to read root's files. */
	uid_t to = geteuid() == 0 && owner != 0 ? owner : (uid_t)-1;
	int e = dfd < 0 ? -errno : atomic_write_owned(dfd, file, yaml, len, 0600, to, (gid_t)-1);
	if (dfd >= 0)
		close(dfd);
	return e ? fail(f, -e, "%s/%s: %s", dir, file, strerror(-e)) : 0;
}

/* The kept file, read whole through safefile's walk (owner's or root's,
 * writable by no one else). 0, or -errno with f saying why. */
static int read_seed(const char *path, uid_t owner, char **buf, size_t *len, struct fault *f)
{
	int fd = sf_open_config(path, owner, f);
	if (fd < 0)
		return fd;
	*buf = xmalloc(SEED_MAX + 1);
	size_t got = 0;
	ssize_t r;
	while ((r = read(fd, *buf + got, SEED_MAX + 1 - got)) > 0 && (got += (size_t)r) <= SEED_MAX)
		;
	close(fd);
	if (r < 0 || got > SEED_MAX) {
		free(*buf);
		return fail(f, EINVAL, "%.200s: %s", path, r < 0 ? "read error" : "larger than 8 MiB");
	}
	(*buf)[got] = 0;
	*len = got;
	return 0;
}

int seed_apply(struct config *c, uid_t owner)
{
	long long v = -1;
	char dir[4096], file[128], path[4300], *buf = NULL;
	size_t len = 0;
	struct fault f = { 0 };
	struct ytree seed = { 0 };
	seed_where(c->name, dir, sizeof dir, file, sizeof file);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int rc = read_seed(path, owner, &buf, &len, &f);
	if (rc == -ENOENT)
		return 0;       /* the first start ever: cloudflared waits for the push */
	if (rc) {
		msg_warn(NULL, 0, 0, "the kept remote configuration is not used: %s", f.why);
		return 0;
	}
	rc = ytree_parse(&seed, buf, len, &f);
	free(buf);
	const struct ynode *ing = rc ? NULL : ymap_get(seed.root, "ingress");
	if (!rc && (!ing || version_of(ymap_get(seed.root, "version"), &v)))
		rc = fail(&f, EINVAL, "not a kept configuration (version, ingress)");
	if (!rc)
		rc = cfg_graft_ingress(c, &seed, &f);
	if (rc)
		msg_warn(path, f.line, f.col, "the kept remote configuration is not used: %s", f.why);
	else
		c->seed_version = v;
	ytree_free(&seed);
	return 0;
}
