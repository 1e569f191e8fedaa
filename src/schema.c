/* schema: the keys argoweb accepts, their types, and the strict walk that
 * checks a YAML tree against them. cloudflared ignores unknown keys, so a
 * typo silently loses a setting; here it is an error with the nearest key. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "goregex.h"
#include "msg.h"
#include "schema.h"
#include "values.h"

#define SEC_NS 1000000000LL

/* The rules on single values, each named for what it wants. */
static int want_hostname(const char *v, struct fault *f)
{
	return !*v || !strcmp(v, "*") ? 0 : val_hostname(v, f);
}

/* goregex speaks regerror's language (a message into a buffer), as the
 * small library it is; here it becomes the fault every rule fills. */
static int want_path_regex(const char *v, struct fault *f)
{
	char err[256];
	return goregex_check(v, strlen(v), err, sizeof err) ? fail(f, EINVAL, "%s", err) : 0;
}

static int want_cidr(const char *v, struct fault *f)
{
	return val_cidr(v) ? 0 : fail(f, EINVAL, "ipRules[].prefix must be an address prefix such as 10.0.0.0/8");
}

static int want_abs_credential(const char *v, struct fault *f)
{
	return v[0] == '/' ? 0 : fail(f, EINVAL, "must be an absolute path (e.g. /etc/argoweb/NAME.json)");
}

static int want_abs_binary(const char *v, struct fault *f)
{
	return v[0] == '/' ? 0 : fail(f, EINVAL, "must be an absolute path (e.g. /usr/bin/cloudflared)");
}

static int want_abs_pem(const char *v, struct fault *f)
{
	return v[0] == '/' ? 0 : fail(f, EINVAL, "must be an absolute path to a PEM file");
}

static int want_origin_url(const char *v, struct fault *f)
{
	return !val_service(v, f) && strstr(v, "://") ? 0
	       : fail_anew(f, EINVAL, "expected the local origin's URL, e.g. http://localhost:8080");
}

static int want_loopback(const char *v, struct fault *f)
{
	struct hostport hp;
	return val_loopback_addr(v, &hp, f);
}

static int want_true(const char *v, struct fault *f)
{
	return !strcasecmp(v, "true") ? 0 : fail(f, EINVAL, "argoweb always runs with no-autoupdate: "
	                                         "true (update cloudflared with your package manager)");
}

static int want_ip(const char *v, struct fault *f)
{
	return val_ip(v) ? 0 : fail(f, EINVAL, "expected an IP address of this host");
}

static int want_region(const char *v, struct fault *f)
{
	return !*v || !strcmp(v, "us") ? 0 : fail(f, EINVAL, "expected \"us\" or an empty string (global)");
}

static int want_not_root_user(const char *v, struct fault *f)
{
	return strcmp(v, "root") && strcmp(v, "0") ? 0
	       : fail(f, EINVAL, "cloudflared never runs as root: name a service user (the packages create argoweb)");
}

static int want_not_root_group(const char *v, struct fault *f)
{
	return strcmp(v, "root") && strcmp(v, "0") ? 0
	       : fail(f, EINVAL, "the root group is refused: name the service user's group");
}

/* A row: the name, the type, and what it has beyond them. */
#define K(key, ktype, ...) { .name = key, .type = ktype, __VA_ARGS__ }

static const char *const e_protocol[] = { "auto", "quic", "http2", NULL };
static const char *const e_ipver[] = { "auto", "4", "6", NULL };
static const char *const e_loglevel[] = { "debug", "info", "warn", "error", "fatal", NULL };
static const char *const e_output[] = { "default", "json", NULL };
static const char *const e_proxytype[] = { "", "socks", NULL };

static const struct key k_iprule[] = {
	K("prefix", T_STR, .flags = KF_AT_ANCHOR, .check = want_cidr),
	K("ports", T_LIST_UINT, .max = 65535),
	K("allow", T_BOOL),
	{ .name = NULL },
};

static const struct key k_access[] = {
	K("required", T_BOOL),
	K("teamName", T_STR),
	K("audTag", T_LIST_STR),
	K("environment", T_STR),
	{ .name = NULL },
};

const struct key k_origin[] = {
	K("connectTimeout", T_DUR),
	K("tlsTimeout", T_DUR),
	K("tcpKeepAlive", T_DUR),
	K("noHappyEyeballs", T_BOOL),
	K("keepAliveConnections", T_UINT, .max = 1000000),
	K("keepAliveTimeout", T_DUR),
	K("httpHostHeader", T_STR),
	K("originServerName", T_STR),
	K("matchSNItoHost", T_BOOL),
	K("caPool", T_STR),
	K("noTLSVerify", T_BOOL),
	K("disableChunkedEncoding", T_BOOL),
	K("bastionMode", T_BOOL),
	K("proxyAddress", T_STR),
	K("proxyPort", T_UINT, .max = 65535),
	K("proxyType", T_ENUM, .arg = e_proxytype),
	K("ipRules", T_LIST_MAP, .arg = k_iprule),
	K("http2Origin", T_BOOL),
	K("access", T_MAP, .arg = k_access),
	{ .name = NULL },
};

const struct key k_rule[] = {
	K("hostname", T_STR, .flags = KF_AT_ANCHOR, .check = want_hostname),
	K("path", T_STR, .flags = KF_AT_ANCHOR, .check = want_path_regex),
	K("service", T_STR, .flags = KF_AT_ANCHOR, .check = val_service),
	K("originRequest", T_MAP, .arg = k_origin),
	{ .name = NULL },
};

static const struct key k_warp[] = {
	K("enabled", T_BOOL),
	K("connectTimeout", T_DUR),
	K("maxActiveFlows", T_UINT, .max = 1LL << 40),
	K("tcpKeepAlive", T_DUR),
	{ .name = NULL },
};

const struct key k_health[] = {
	K("interval", T_DUR, .min = SEC_NS, .max = 3600 * SEC_NS, .bounds = "must be from 1s to 1h",
	  .dflt = "5s"),
	K("unhealthy-after", T_DUR, .dflt = "60s"),
	{ .name = NULL },
};

/* Top level: cloudflared's typed keys, the flags that are safe to pass
 * through (each is a `tunnel run` flag name), and argoweb's own keys, which
 * are never rendered. */
const struct key k_top[] = {
	K("tunnel", T_STR, .flags = KF_OWN),
	K("credentials-file", T_STR, .flags = KF_OWN | KF_CRED_LOCAL, .check = want_abs_credential),
	K("token-file", T_STR, .flags = KF_OWN | KF_CRED_TOKEN, .check = want_abs_credential),
	K("quick", T_STR, .flags = KF_OWN, .check = want_origin_url),
	K("ingress", T_LIST_MAP, .arg = k_rule, .flags = KF_ANCHOR, .min = 1,
	  .bounds = "no rules (end with - service: http_status:404)"),
	K("originRequest", T_MAP, .arg = k_origin, .flags = KF_ANCHOR),
	K("warp-routing", T_MAP, .arg = k_warp),
	K("protocol", T_ENUM, .arg = e_protocol),
	K("edge-ip-version", T_ENUM, .arg = e_ipver),
	K("edge-bind-address", T_STR, .check = want_ip),
	K("region", T_STR, .check = want_region),
	K("retries", T_UINT, .max = 1000),
	K("max-edge-addr-retries", T_UINT, .max = 1000),
	K("ha-connections", T_UINT, .max = 64),
	K("grace-period", T_DUR, .max = 180 * SEC_NS, .bounds = "at most 3m (cloudflared's limit)",
	  .dflt = "30s"),
	K("rpc-timeout", T_DUR),
	K("write-stream-timeout", T_DUR),
	K("no-prechecks", T_BOOL),
	K("quic-connection-level-flow-control-limit", T_UINT, .max = 1LL << 40),
	K("quic-stream-level-flow-control-limit", T_UINT, .max = 1LL << 40),
	K("post-quantum", T_BOOL),
	K("quic-disable-pmtu-discovery", T_BOOL),
	K("management-diagnostics", T_BOOL),
	/* A private edge, e.g. for testing (cloudflared's hidden flags). */
	K("edge", T_LIST_STR, .check = val_hostport),
	K("cacert", T_STR, .check = want_abs_pem),
	K("quick-service", T_STR, .check = val_http_url),
	K("loglevel", T_ENUM, .arg = e_loglevel),
	K("transport-loglevel", T_ENUM, .arg = e_loglevel),
	K("output", T_ENUM, .arg = e_output),
	K("logfile", T_STR),
	K("log-directory", T_STR),
	K("tag", T_LIST_STR),
	K("label", T_STR),
	/* Its default is per instance: see config.c's default_metrics. */
	K("metrics", T_STR, .flags = KF_OWN, .check = want_loopback),
	K("no-autoupdate", T_BOOL, .flags = KF_OWN, .check = want_true),
	K("user", T_STR, .flags = KF_OWN, .check = want_not_root_user, .dflt = "argoweb"),
	K("group", T_STR, .flags = KF_OWN, .check = want_not_root_group),
	K("cloudflared", T_STR, .flags = KF_OWN, .check = want_abs_binary,
	  .dflt = "/usr/bin/cloudflared"),
	K("health", T_MAP, .arg = k_health, .flags = KF_OWN),
	K("seed-remote-config", T_BOOL, .flags = KF_OWN, .dflt = "true"),
	{ .name = NULL },
};

#define DNS_PROXY_GONE "cloudflared's DNS proxy is gone since 2026.2.0, which ignores the key; " \
	"argoweb does not run it with older releases either: remove it (a local resolver such " \
	"as systemd-resolved does the job)"

/* Keys cloudflared knows that argoweb refuses on purpose, with the fix. */
static const struct { const char *name, *why; } refused[] = {
	{ "token", "secrets are never written in the config: put the token in a 0600 file and set token-file:" },
	{ "credentials-contents", "secrets are never written in the config: put the JSON in a 0600 file and set credentials-file:" },
	{ "origincert", "a tunnel runs from its credentials file or token; remove origincert (the account certificate is not needed)" },
	{ "autoupdate-freq", "argoweb pins no-autoupdate: true; update cloudflared with your package manager" },
	{ "url", "single-origin mode is not supported: use ingress: (or quick: for a quick tunnel)" },
	{ "hello-world", "single-origin mode is not supported: use ingress: with service: hello_world" },
	{ "unix-socket", "single-origin mode is not supported: use ingress: with service: unix:PATH" },
	{ "bastion", "single-origin mode is not supported: use ingress: with service: bastion" },
	{ "pidfile", "systemd tracks the process; remove pidfile" },
	/* Gone from cloudflared 2026.2.0 (9388e7f4, TUN-9858), which ignores
	 * them without a word. */
	{ "proxy-dns", DNS_PROXY_GONE }, { "proxy-dns-port", DNS_PROXY_GONE },
	{ "proxy-dns-address", DNS_PROXY_GONE }, { "proxy-dns-upstream", DNS_PROXY_GONE },
	{ "proxy-dns-max-upstream-conns", DNS_PROXY_GONE }, { "proxy-dns-bootstrap", DNS_PROXY_GONE },
	{ "resolver", DNS_PROXY_GONE },
};

const char *schema_str(const struct ynode *map, const struct key *set, const char *name)
{
	const struct ynode *v = ymap_get(map, name);
	const struct key *k = schema_find(set, name);
	return v ? v->str : k ? k->dflt : NULL;
}

const struct key *schema_find(const struct key *set, const char *name)
{
	for (; set->name; set++)
		if (!strcmp(set->name, name))
			return set;
	return NULL;
}

int schema_is_extension(const char *key)
{
	return !strncmp(key, "x-", 2) && key[2];
}

static const char *nearest(const struct key *set, const char *name)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, len = strlen(name);
	for (; set->name; set++) {
		size_t d = val_edit_distance(name, set->name);
		if (d < bestd) {
			bestd = d;
			best = set->name;
		}
	}
	/* Suggest only what is plausibly a typo, not any key at all. */
	return bestd <= 2 || bestd <= len / 3 ? best : NULL;
}

/* The path to the value being checked ("ingress[3].originRequest") is
 * kept in one buffer, extended and cut back as the walk goes: formatting
 * it per key cost a sixth of a 10 000-rule check. */
static size_t path_push(struct walk *w, const char *key, size_t index, int is_index)
{
	size_t old = w->len, cap = sizeof w->path - 1;
	char num[24];
	if (is_index) {
		/* "[index]", digits written backwards into num's end */
		char *d = num + sizeof num;
		*--d = 0;
		*--d = ']';
		do
			*--d = (char)('0' + index % 10);
		while ((index /= 10) && d > num + 1);
		*--d = '[';
		key = d;
	} else if (w->len && w->len < cap) {
		w->path[w->len++] = '.';
	}
	size_t n = strlen(key);
	if (n > cap - w->len)
		n = cap - w->len;
	memcpy(w->path + w->len, key, n);
	w->len += n;
	w->path[w->len] = 0;
	return old;
}

static void path_pop(struct walk *w, size_t old)
{
	w->len = old;
	w->path[old] = 0;
}

static const char *here(const struct walk *w)
{
	return w->len ? w->path : "config";
}

static int unknown_key(struct walk *w, const struct key *set, const struct ynode *k)
{
	if (set == k_top)
		for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
			if (!strcmp(k->str, refused[i].name)) {
				return fault(w->f, k->line, k->col, "%s: %s", k->str, refused[i].why);
			}
	const char *near = nearest(set, k->str);
	if (near)
		return fault(w->f, k->line, k->col, "%s%s%.64s: unknown key (did you mean `%s`?)",
		             w->path, w->len ? "." : "", k->str, near);
	return fault(w->f, k->line, k->col, "%s%s%.64s: unknown key (see argoweb.yaml(5) for the keys)",
	             w->path, w->len ? "." : "", k->str);
}

int schema_fail(struct walk *w, const struct ynode *n, const char *where,
                const char *why)
{
	return fault(w->f, n->line, n->col, "%s: %s", where ? where : here(w), why);
}

static int fail_here(struct walk *w, const struct ynode *n, const char *why)
{
	return schema_fail(w, n, NULL, why);
}

/* A row's own rule broken: at the key, or (KF_AT_ANCHOR) at the nearest
 * anchor, as in "ingress[3]: a hostname cannot contain a port". */
static int fail_rule(struct walk *w, const struct ynode *n, const struct key *k, const char *why)
{
	char where[sizeof w->path];
	if (!(k->flags & KF_AT_ANCHOR) || !w->anchor)
		return fail_here(w, n, why);
	snprintf(where, sizeof where, "%.*s", (int)w->anchor, w->path);
	return schema_fail(w, n, where, why);
}

static int check_scalar(struct walk *w, const struct ynode *v)
{
	if (v->kind != YN_SCALAR)
		return fail_here(w, v, v->kind == YN_MAP ? "expected a single value, found a mapping"
		                                         : "expected a single value, found a list");
	if (!v->is_str && val_is_null(v->str))
		return fail_here(w, v, "empty value (give a value or remove the key)");
	return 0;
}

/* A value YAML would read as a number, boolean or timestamp, where
 * cloudflared wants a string, is rendered quoted. The node may be shared
 * through an alias with a place that wants the number: quote a copy. */
static void quote_if_needed(struct walk *w, struct ynode **slot)
{
	if (!(*slot)->is_str && !val_resolves_as_string((*slot)->str))
		*slot = ytree_quoted_copy(w->tree, *slot);
}

static int check_enum(struct walk *w, struct ynode **slot, const struct key *k)
{
	struct ynode *v = *slot;
	const char *const *e = k->arg;
	for (int i = 0; e[i]; i++)
		if (!strcmp(v->str, e[i])) {
			quote_if_needed(w, slot);       /* edge-ip-version: 4 */
			return 0;
		}
	char said[256];
	int n = snprintf(said, sizeof said, "\"%.40s\" is not one of", v->str);
	for (int i = 0; e[i] && n < (int)sizeof said; i++)
		n += snprintf(said + n, sizeof said - n, "%s %s", i ? "," : "", *e[i] ? e[i] : "\"\"");
	return fail_here(w, v, said);
}

static int check_value(struct walk *w, struct ynode **slot, const struct key *k);

static int check_list(struct walk *w, struct ynode *v, const struct key *k)
{
	if (v->kind != YN_SEQ)
		return fail_here(w, v, "expected a list");
	if (v->n < (size_t)k->min)
		return fail_here(w, v, k->bounds);
	struct key item = *k;
	item.type = k->type == T_LIST_MAP ? T_MAP : k->type == T_LIST_UINT ? T_UINT : T_STR;
	for (size_t i = 0; i < v->n; i++) {
		size_t old = path_push(w, NULL, i, 1);
		int rc = check_value(w, &v->kid[i], &item);
		path_pop(w, old);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_duration(struct walk *w, const struct ynode *v, const struct key *k)
{
	struct fault r = { 0 };
	int64_t ns;
	if (val_duration(v->str, &ns, &r))
		return fail_here(w, v, r.why);
	if (ns <= 0)
		return fail_here(w, v, "a duration must be positive");
	if ((k->min && ns < k->min) || (k->max && ns > k->max))
		return fail_here(w, v, k->bounds);
	return 0;
}

/* The type, then the row's rule. */
static int check_typed_scalar(struct walk *w, struct ynode **slot, const struct key *k)
{
	struct ynode *v = *slot;
	struct fault r = { 0 };         /* the rule's reason, placed by fail_rule */
	long long u;
	int b, rc = 0;
	switch (k->type) {
	case T_STR:
		quote_if_needed(w, slot);       /* label: 2024 */
		break;
	case T_BOOL:
		rc = v->is_str || val_bool(v->str, &b) ? fail_here(w, v, "expected true or false") : 0;
		break;
	case T_UINT:
		if (v->is_str || val_uint(v->str, k->max, &u, &r))
			rc = fail_here(w, v, v->is_str ? "expected a number, not a quoted string" : r.why);
		break;
	case T_DUR:
		rc = check_duration(w, v, k);
		break;
	case T_ENUM:
		rc = check_enum(w, slot, k);
		break;
	default:
		rc = fail_here(w, v, "internal: unhandled type");
	}
	if (!rc && k->check && k->check(v->str, &r))
		rc = fail_rule(w, v, k, r.why);
	return rc;
}

static int check_value(struct walk *w, struct ynode **slot, const struct key *k)
{
	struct ynode *v = *slot;
	switch (k->type) {
	case T_MAP: {
		if (v->kind != YN_MAP)
			return fail_here(w, v, "expected a mapping of keys to values");
		size_t anchor = w->anchor;
		if (k->flags & KF_ANCHOR)
			w->anchor = w->len;
		int rc = schema_check_and_quote(w, v, k->arg);
		w->anchor = anchor;
		return rc;
	}
	case T_LIST_MAP:
	case T_LIST_STR:
	case T_LIST_UINT:
		return check_list(w, v, k);
	default:
		return check_scalar(w, v) ? -1 : check_typed_scalar(w, slot, k);
	}
}

int schema_check_and_quote(struct walk *w, struct ynode *map, const struct key *set)
{
	for (size_t i = 0; i < map->n; i += 2) {
		const struct ynode *k = map->kid[i];
		const struct key *def = schema_find(set, k->str);
		/* x-NAME at the top holds anchors for reuse (as in Compose
		 * files); it is checked for nothing and never rendered. */
		if (!def && set == k_top && schema_is_extension(k->str))
			continue;
		if (!def)
			return unknown_key(w, set, k);
		size_t old = path_push(w, k->str, 0, 0);
		int rc = check_value(w, &map->kid[i + 1], def);
		path_pop(w, old);
		if (rc)
			return rc;
	}
	return 0;
}
