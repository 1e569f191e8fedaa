/* config (cfg_): find, read and validate one tunnel's YAML. Types come from
 * schema.c; the rules that relate keys to each other live here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fnv.h"
#include "msg.h"
#include "safefile.h"
#include "schema.h"
#include "values.h"

int cfg_valid_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 64 && s[0] != '.' && s[0] != '-' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* "web" means /etc/argoweb/web.yaml; anything with a slash or a .yaml/.yml
 * ending is a path. The instance name is the file's base name. */
static int resolve(struct config *c, const char *arg)
{
	const char *slash = strrchr(arg, '/');
	const char *base = slash ? slash + 1 : arg;
	size_t n = strlen(base);
	const char *dot = strrchr(base, '.');
	int is_path = slash || (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")));
	if (dot && is_path && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml")))
		n = (size_t)(dot - base);
	c->name = xstrndup(base, n);
	if (!cfg_valid_name(c->name)) {
		msg("%s: not a valid instance name (letters, digits, '.', '_', '-'; "
		    "or give a path to the config file)", arg);
		return EX_USAGE;
	}
	/* NAME.handover is NAME's hand-over connector (its metrics address
	 * and runtime directory): no tunnel of its own may take it. */
	if (inst_reserved(c->name)) {
		msg("%s: an instance name may not end in .handover (the hand-over connector's)", arg);
		return EX_USAGE;
	}
	char conf[4200];
	if (!is_path && inst_config(c->name, conf, sizeof conf)) {
		msg("%s: an instance name too long", arg);
		return EX_USAGE;
	}
	c->path = xstrdup(is_path ? arg : conf);
	return 0;
}

/* The whole file, read to EOF from fd (closed). 0, or -errno with f
 * saying why (-EINVAL: not a config at all). */
static int read_file(int fd, char **buf, size_t *len, struct fault *f)
{
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = fail_sys(f, "fstat");
	else if (!S_ISREG(st.st_mode) || st.st_size > ARGOWEB_MAX_CONFIG)
		rc = fail(f, EINVAL, S_ISREG(st.st_mode) ? "larger than 32 MiB" : "not a regular file");
	if (rc) {
		close(fd);
		return rc;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t r;
	/* Read to EOF (bounded), not st_size: the file may change under us. */
	while ((r = read(fd, *buf + got, (size_t)st.st_size + 1 - got)) > 0 &&
	       got + (size_t)r <= (size_t)st.st_size)
		got += (size_t)r;
	close(fd);
	if (r != 0) {
		free(*buf);
		return fail(f, r < 0 ? EIO : EINVAL, r < 0 ? "read error" : "changed while being read");
	}
	*len = got;
	return 0;
}

static const char *str_of(const struct ynode *root, const char *key)
{
	const struct ynode *v = ymap_get(root, key);
	return v ? v->str : NULL;
}

static int fail_key(struct walk *w, const struct ynode *root, const char *key,
                    const char *why)
{
	return schema_fail(w, ymap_get(root, key), key, why);
}

static int is_catch_all(const struct ynode *rule)
{
	const char *h = str_of(rule, "hostname"), *p = str_of(rule, "path");
	return (!h || !*h || !strcmp(h, "*")) && (!p || !*p);
}

#define TOP_LEVEL ((size_t)-1)

/* "ingress[i]" (or "originRequest" at the top), formatted only on failure:
 * a config may have 100 000 rules. */
static int fail_rule(struct walk *w, const struct ynode *n, size_t rule, const char *why)
{
	char where[64];
	snprintf(where, sizeof where, rule == TOP_LEVEL ? "originRequest" : "ingress[%zu]", rule);
	return schema_fail(w, n, where, why);
}

static int check_origin(struct walk *w, const struct ynode *or, size_t rule)
{
	const struct ynode *access = ymap_get(or, "access");
	const struct ynode *req = ymap_get(access, "required");
	int required = 0;
	if (req)
		val_bool(req->str, &required);
	if (required && ymap_get(access, "audTag") && !ymap_get(access, "teamName"))
		return fail_rule(w, access, rule, "access.teamName is required when access.audTag is set");
	/* A prefix's value is its row's rule; that there is one, ours. */
	const struct ynode *rules = ymap_get(or, "ipRules");
	for (size_t i = 0; rules && i < rules->n; i++)
		if (!ymap_get(rules->kid[i], "prefix"))
			return fail_rule(w, rules->kid[i], rule,
			                 "ipRules[].prefix must be an address prefix such as 10.0.0.0/8");
	return 0;
}

/* Rules between a rule's keys and its place in the list (each value
 * alone was checked by the schema walk). */
static int check_rule(struct walk *w, const struct ynode *rule, size_t i, size_t n)
{
	if (!ymap_get(rule, "service"))
		return fail_rule(w, rule, i, "service: is required (e.g. service: http://localhost:8080)");
	if (i + 1 == n && !is_catch_all(rule))
		return fail_rule(w, rule, i, "the last rule must match everything: add a final "
		                 "rule with no hostname or path, e.g. - service: http_status:404");
	if (i + 1 < n && is_catch_all(rule))
		return fail_rule(w, rule, i, "only the last rule may match every hostname and "
		                 "path; the rules after it would never be used");
	const struct ynode *or = ymap_get(rule, "originRequest");
	return or ? check_origin(w, or, i) : 0;
}

/* The schema's flags (KF_CRED_*) of the key naming c's credential file. */
static unsigned cred_flags(const struct config *c)
{
	const struct key *k = c->cred_key ? schema_find(k_top, c->cred_key) : NULL;
	return k ? k->flags : 0;
}

static int check_ingress(struct walk *w, struct config *c, const struct ynode *root)
{
	const struct ynode *ing = ymap_get(root, "ingress");
	if (!ing) {
		if (cred_flags(c) & KF_CRED_LOCAL)
			return schema_fail(w, root, "ingress", "a locally-managed tunnel needs ingress: rules "
			                   "ending with a catch-all such as - service: http_status:404");
		return 0;
	}
	if (c->quick_url)
		return schema_fail(w, ing, "ingress", "a quick tunnel has one origin, its quick: URL; "
		                   "remove ingress: or use a named tunnel");
	for (size_t i = 0; i < ing->n; i++)
		if (check_rule(w, ing->kid[i], i, ing->n))
			return -EINVAL;
	c->nrules = ing->n;
	const struct ynode *or = ymap_get(root, "originRequest");
	return or ? check_origin(w, or, TOP_LEVEL) : 0;
}

/* Exactly one way to name the tunnel and its secret: the file of one kind
 * of credential (credentials-file, token-file), quick, or none (systemd's
 * copy). A second one is reported where it stands. */
static int check_identity(struct walk *w, struct config *c, const struct ynode *root)
{
	const struct ynode *first = NULL, *qs = ymap_get(root, "quick-service");
	c->tunnel = str_of(root, "tunnel");
	for (size_t i = 0; i < root->n; i += 2) {
		const char *key = root->kid[i]->str;
		const struct key *k = schema_find(k_top, key);
		int cred = k && (k->flags & (KF_CRED_LOCAL | KF_CRED_TOKEN));
		if (!cred && strcmp(key, "quick"))
			continue;
		if (first)
			return schema_fail(w, root->kid[i + 1], key,
			                   "choose one of credentials-file, token-file and quick");
		first = root->kid[i + 1];
		if (cred) {
			c->cred_key = key;
			c->cred_path = first->str;
		} else {
			c->quick_url = first->str;
		}
	}
	if (c->tunnel && (c->quick_url || (cred_flags(c) & KF_CRED_TOKEN)))
		return fail_key(w, root, "tunnel", c->quick_url ? "a quick tunnel has no name: remove tunnel:"
		                : "a token names its tunnel itself: remove tunnel:");
	if (qs && !c->quick_url)
		return schema_fail(w, qs, "quick-service", "only a quick tunnel (quick:) uses it: remove it");
	return 0;
}

static int check_health(struct walk *w, struct config *c, const struct ynode *root)
{
	const struct ynode *h = ymap_get(root, "health");
	struct fault checked = { 0 };
	/* Both valid, or given as defaults: the walk saw to that. */
	val_duration(schema_str(h, k_health, "interval"), &c->interval_ns, &checked);
	val_duration(schema_str(h, k_health, "unhealthy-after"), &c->unhealthy_ns, &checked);
	if (c->unhealthy_ns <= c->interval_ns)
		return schema_fail(w, ymap_get(h, "unhealthy-after") ? ymap_get(h, "unhealthy-after") : h,
		                   "health.unhealthy-after", "must be longer than health.interval");
	return 0;
}

/* Without metrics: the monitor needs a known address, and a fixed port
 * would collide between tunnels. Each instance gets its own loopback
 * address, 127.A.B.C from a hash of its name, on cloudflared's usual port. */
static void default_metrics(const char *name, char *addr, size_t n)
{
	uint32_t h = fnv1a(name, strlen(name));
	snprintf(addr, n, "127.%u.%u.%u:20241",
	         1 + (h >> 16 & 0xff) % 254, 1 + (h >> 8 & 0xff) % 254, 1 + (h & 0xff) % 254);
}

/* What the rest of argoweb reads from the config, defaults filled in. */
static void extract(struct config *c, const struct ynode *root)
{
	char addr[32], name[300];
	struct fault checked = { 0 };  /* validate's walk has passed every value */
	const char *m = str_of(root, "metrics");
	/* The hand-over connector's is its own whatever the config says:
	 * the tunnel's is taken. */
	if (!m || c->handover) {
		inst_connector(c->name, c->handover, name, sizeof name);
		default_metrics(name, addr, sizeof addr);
		m = addr;
	}
	val_loopback_addr(m, &c->metrics, &checked);
	c->user = schema_str(root, k_top, "user");
	c->group = schema_str(root, k_top, "group");
	c->cloudflared = schema_str(root, k_top, "cloudflared");
	c->cacert = schema_str(root, k_top, "cacert");
	val_duration(schema_str(root, k_top, "grace-period"), &c->grace_ns, &checked);
	int seed = 1;
	val_bool(schema_str(root, k_top, "seed-remote-config"), &seed);
	c->seed_remote = seed;
	/* cloudflared opens ha-connections (4; its YAML layer ignores 0), at
	 * most one per edge: address, and a quick tunnel only one. */
	const struct ynode *edge = ymap_get(root, "edge"), *ha = ymap_get(root, "ha-connections");
	long n = ha ? strtol(ha->str, NULL, 10) : 0;
	n = n > 0 ? n : 4;
	c->has_edge = edge != NULL;
	if (edge && (long)edge->n < n)
		n = (long)edge->n;
	c->expected_conns = c->quick_url ? 1 : (int)n;
}

static int validate(struct config *c, struct fault *f);

int cfg_graft_ingress(struct config *c, struct ytree *from, struct fault *f)
{
	struct ynode *root = c->tree.root, *src = from->root;
	struct ynode *key = NULL, *rules = NULL;
	for (size_t i = 0; src && src->kind == YN_MAP && i + 1 < src->n; i += 2)
		if (!strcmp(src->kid[i]->str, "ingress")) {
			key = src->kid[i];
			rules = src->kid[i + 1];
		}
	if (!key || ymap_get(root, "ingress"))
		return fail(f, EINVAL, key ? "the config has ingress rules of its own" : "no ingress: rules");
	ytree_adopt(&c->tree, from);
	ymap_append(root, key, rules);
	if (validate(c, f) == 0)
		return 0;
	/* Back as it was, and as valid as it was. */
	root->n -= 2;
	struct fault ignored = { 0 };
	validate(c, &ignored);
	return -EINVAL;
}

static int validate(struct config *c, struct fault *f)
{
	struct walk w = { .f = f, .tree = &c->tree };
	struct ynode *root = c->tree.root;
	if (!root || (root->kind == YN_SCALAR && val_is_null(root->str)))
		return fault(f, 1, 1, "empty config: expected at least tunnel:, credentials-file: and "
		             "ingress: (see argoweb.yaml(5))");
	if (root->kind != YN_MAP)
		return schema_fail(&w, root, "config", "expected a mapping of keys to values at the top");
	if (schema_check_and_quote(&w, root, k_top) || check_identity(&w, c, root) ||
	    check_ingress(&w, c, root) || check_health(&w, c, root))
		return -EINVAL;
	extract(c, root);
	return 0;
}

int cfg_parse(struct config *c, const char *buf, size_t len, struct fault *f)
{
	if (!c->name)
		c->name = xstrdup("argoweb");
	c->seed_version = -1;
	return ytree_parse(&c->tree, buf, len, f) ? -EINVAL : validate(c, f);
}

int cfg_load_buffer(struct config *c, const char *path, const char *buf, size_t len)
{
	struct fault f = { 0 };
	if (!c->path)
		c->path = xstrdup(path);
	if (cfg_parse(c, buf, len, &f) == 0)
		return 0;
	msg_fault(c->path, &f);
	return EX_CONFIG;
}

/* Open the config: plainly, or (trusted) through safefile's walk, whose
 * fault names the path itself (the plain one's is said of the path). */
static int open_config(const char *path, const uid_t *trusted, struct fault *f)
{
	if (trusted)
		return sf_open_config(path, *trusted, f);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int e = errno;
	return fd >= 0 ? fd : fail(f, e == ENOENT ? ENOENT : EPERM, "cannot open: %s", strerror(e));
}

static int load_config(struct config *c, const char *arg, const uid_t *trusted)
{
	memset(c, 0, sizeof *c);
	struct fault f = { 0 };
	char *buf = NULL;
	size_t len = 0;
	int rc = resolve(c, arg);
	if (rc)
		return rc;
	int fd = open_config(c->path, trusted, &f);
	if (fd < 0) {
		msg_fault(trusted ? NULL : c->path, &f);
		return exit_for(fd);
	}
	rc = read_file(fd, &buf, &len, &f);
	if (rc) {
		msg_fault(c->path, &f);
		return exit_for(rc);
	}
	rc = cfg_load_buffer(c, c->path, buf, len);
	free(buf);
	return rc;
}

int cfg_load(struct config *c, const char *arg)
{
	return load_config(c, arg, NULL);
}

int cfg_load_trusted(struct config *c, const char *arg, uid_t owner)
{
	return load_config(c, arg, &owner);
}

void cfg_handover(struct config *c)
{
	c->handover = 1;
	extract(c, c->tree.root);
}

void cfg_free(struct config *c)
{
	ytree_free(&c->tree);
	free(c->path);
	free(c->name);
	memset(c, 0, sizeof *c);
}
