/* schema: the keys argoweb accepts, their types, and the strict walk that
 * checks a YAML tree against them. cloudflared ignores unknown keys, so a
 * typo silently loses a setting; here it is an error with the nearest key. */
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "schema.h"
#include "values.h"

static const char *const e_protocol[] = { "auto", "quic", "http2", NULL };
static const char *const e_ipver[] = { "auto", "4", "6", NULL };
static const char *const e_loglevel[] = { "debug", "info", "warn", "error", "fatal", NULL };
static const char *const e_output[] = { "default", "json", NULL };
static const char *const e_proxytype[] = { "", "socks", NULL };

static const struct key k_iprule[] = {
	{ "prefix", T_STR, NULL, 0, 0 },
	{ "ports", T_LIST_UINT, NULL, 65535, 0 },
	{ "allow", T_BOOL, NULL, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

static const struct key k_access[] = {
	{ "required", T_BOOL, NULL, 0, 0 },
	{ "teamName", T_STR, NULL, 0, 0 },
	{ "audTag", T_LIST_STR, NULL, 0, 0 },
	{ "environment", T_STR, NULL, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

const struct key k_origin[] = {
	{ "connectTimeout", T_DUR, NULL, 0, 0 },
	{ "tlsTimeout", T_DUR, NULL, 0, 0 },
	{ "tcpKeepAlive", T_DUR, NULL, 0, 0 },
	{ "noHappyEyeballs", T_BOOL, NULL, 0, 0 },
	{ "keepAliveConnections", T_UINT, NULL, 1000000, 0 },
	{ "keepAliveTimeout", T_DUR, NULL, 0, 0 },
	{ "httpHostHeader", T_STR, NULL, 0, 0 },
	{ "originServerName", T_STR, NULL, 0, 0 },
	{ "matchSNItoHost", T_BOOL, NULL, 0, 0 },
	{ "caPool", T_STR, NULL, 0, 0 },
	{ "noTLSVerify", T_BOOL, NULL, 0, 0 },
	{ "disableChunkedEncoding", T_BOOL, NULL, 0, 0 },
	{ "bastionMode", T_BOOL, NULL, 0, 0 },
	{ "proxyAddress", T_STR, NULL, 0, 0 },
	{ "proxyPort", T_UINT, NULL, 65535, 0 },
	{ "proxyType", T_ENUM, e_proxytype, 0, 0 },
	{ "ipRules", T_LIST_MAP, k_iprule, 0, 0 },
	{ "http2Origin", T_BOOL, NULL, 0, 0 },
	{ "access", T_MAP, k_access, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

const struct key k_rule[] = {
	{ "hostname", T_STR, NULL, 0, 0 },
	{ "path", T_STR, NULL, 0, 0 },
	{ "service", T_STR, NULL, 0, 0 },
	{ "originRequest", T_MAP, k_origin, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

static const struct key k_warp[] = {
	{ "enabled", T_BOOL, NULL, 0, 0 },
	{ "connectTimeout", T_DUR, NULL, 0, 0 },
	{ "maxActiveFlows", T_UINT, NULL, 1LL << 40, 0 },
	{ "tcpKeepAlive", T_DUR, NULL, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

const struct key k_health[] = {
	{ "interval", T_DUR, NULL, 0, 0 },
	{ "unhealthy-after", T_DUR, NULL, 0, 0 },
	{ NULL, 0, NULL, 0, 0 },
};

/* Top level: cloudflared's typed keys, the flags that are safe to pass
 * through (each is a `tunnel run` flag name), and argoweb's own keys, which
 * are never rendered. */
const struct key k_top[] = {
	{ "tunnel", T_STR, NULL, 0, KF_OWN },
	{ "credentials-file", T_STR, NULL, 0, KF_OWN },
	{ "token-file", T_STR, NULL, 0, KF_OWN },
	{ "quick", T_STR, NULL, 0, KF_OWN },
	{ "ingress", T_LIST_MAP, k_rule, 0, 0 },
	{ "originRequest", T_MAP, k_origin, 0, 0 },
	{ "warp-routing", T_MAP, k_warp, 0, 0 },
	{ "protocol", T_ENUM, e_protocol, 0, 0 },
	{ "edge-ip-version", T_ENUM, e_ipver, 0, 0 },
	{ "edge-bind-address", T_STR, NULL, 0, 0 },
	{ "region", T_STR, NULL, 0, 0 },
	{ "retries", T_UINT, NULL, 1000, 0 },
	{ "max-edge-addr-retries", T_UINT, NULL, 1000, 0 },
	{ "ha-connections", T_UINT, NULL, 64, 0 },
	{ "grace-period", T_DUR, NULL, 0, 0 },
	{ "rpc-timeout", T_DUR, NULL, 0, 0 },
	{ "write-stream-timeout", T_DUR, NULL, 0, 0 },
	{ "post-quantum", T_BOOL, NULL, 0, 0 },
	{ "quic-disable-pmtu-discovery", T_BOOL, NULL, 0, 0 },
	{ "management-diagnostics", T_BOOL, NULL, 0, 0 },
	/* A private edge, e.g. for testing (cloudflared's hidden flags). */
	{ "edge", T_LIST_STR, NULL, 0, 0 },
	{ "cacert", T_STR, NULL, 0, 0 },
	{ "quick-service", T_STR, NULL, 0, 0 },
	{ "loglevel", T_ENUM, e_loglevel, 0, 0 },
	{ "transport-loglevel", T_ENUM, e_loglevel, 0, 0 },
	{ "output", T_ENUM, e_output, 0, 0 },
	{ "logfile", T_STR, NULL, 0, 0 },
	{ "log-directory", T_STR, NULL, 0, 0 },
	{ "tag", T_LIST_STR, NULL, 0, 0 },
	{ "label", T_STR, NULL, 0, 0 },
	{ "metrics", T_STR, NULL, 0, KF_OWN },
	{ "no-autoupdate", T_BOOL, NULL, 0, KF_OWN },
	{ "user", T_STR, NULL, 0, KF_OWN },
	{ "group", T_STR, NULL, 0, KF_OWN },
	{ "cloudflared", T_STR, NULL, 0, KF_OWN },
	{ "health", T_MAP, k_health, 0, KF_OWN },
	{ NULL, 0, NULL, 0, 0 },
};

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
};

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
	char why[WHYLEN];
	int n = snprintf(why, sizeof why, "\"%.40s\" is not one of", v->str);
	for (int i = 0; e[i] && n < (int)sizeof why; i++)
		n += snprintf(why + n, sizeof why - n, "%s %s", i ? "," : "", *e[i] ? e[i] : "\"\"");
	return fail_here(w, v, why);
}

static int check_value(struct walk *w, struct ynode **slot, const struct key *k);

static int check_list(struct walk *w, struct ynode *v, const struct key *k)
{
	if (v->kind != YN_SEQ)
		return fail_here(w, v, "expected a list");
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

static int check_typed_scalar(struct walk *w, struct ynode **slot, const struct key *k)
{
	struct ynode *v = *slot;
	char why[WHYLEN];
	long long u;
	int64_t ns;
	int b;
	switch (k->type) {
	case T_STR:
		quote_if_needed(w, slot);       /* label: 2024 */
		return 0;
	case T_BOOL:
		return v->is_str || val_bool(v->str, &b) ? fail_here(w, v, "expected true or false") : 0;
	case T_UINT:
		if (v->is_str || val_uint(v->str, k->max, &u, why))
			return fail_here(w, v, v->is_str ? "expected a number, not a quoted string" : why);
		return 0;
	case T_DUR:
		if (val_duration(v->str, &ns, why))
			return fail_here(w, v, why);
		return ns <= 0 ? fail_here(w, v, "a duration must be positive") : 0;
	case T_ENUM:
		return check_enum(w, slot, k);
	default:
		return fail_here(w, v, "internal: unhandled type");
	}
}

static int check_value(struct walk *w, struct ynode **slot, const struct key *k)
{
	struct ynode *v = *slot;
	switch (k->type) {
	case T_MAP:
		if (v->kind != YN_MAP)
			return fail_here(w, v, "expected a mapping of keys to values");
		return schema_check_map(w, v, k->arg);
	case T_LIST_MAP:
	case T_LIST_STR:
	case T_LIST_UINT:
		return check_list(w, v, k);
	default:
		return check_scalar(w, v) ? -1 : check_typed_scalar(w, slot, k);
	}
}

int schema_check_map(struct walk *w, struct ynode *map, const struct key *set)
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
