/* cfargv (cfa_): see cfargv.h. The table is cloudflared's flags of
 * `tunnel` and `tunnel run` (cmd/cloudflared/tunnel/cmd.go,
 * cliutil/logger.go, flags/flags.go, 2023.7.3 to 2026.8.2): a flag
 * argoweb adopt does not know is refused, never guessed at, since whether
 * it takes a value decides how the rest of the line reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfargv.h"
#include "xalloc.h"

static const struct cfa_flag flags[] = {
	/* The tunnel's identity. */
	{ "token", NULL, { "TUNNEL_TOKEN" }, CFA_STR },
	{ "token-file", NULL, { "TUNNEL_TOKEN_FILE" }, CFA_STR },
	{ "credentials-file", "cred-file", { "TUNNEL_CRED_FILE" }, CFA_STR },
	{ "credentials-contents", NULL, { "TUNNEL_CRED_CONTENTS" }, CFA_STR },
	{ "origincert", NULL, { "TUNNEL_ORIGIN_CERT" }, CFA_STR },
	{ "config", NULL, { NULL }, CFA_STR },
	/* Settings argoweb's config has a key for. */
	{ "protocol", "p", { "TUNNEL_TRANSPORT_PROTOCOL" }, CFA_STR },
	{ "edge-ip-version", NULL, { "TUNNEL_EDGE_IP_VERSION" }, CFA_STR },
	{ "edge-bind-address", NULL, { "TUNNEL_EDGE_BIND_ADDRESS" }, CFA_STR },
	{ "region", NULL, { "TUNNEL_REGION" }, CFA_STR },
	{ "retries", NULL, { "TUNNEL_RETRIES" }, CFA_STR },
	{ "max-edge-addr-retries", NULL, { NULL }, CFA_STR },
	{ "ha-connections", NULL, { NULL }, CFA_STR },
	{ "grace-period", NULL, { "TUNNEL_GRACE_PERIOD" }, CFA_STR },
	{ "rpc-timeout", NULL, { NULL }, CFA_STR },
	{ "write-stream-timeout", NULL, { "TUNNEL_STREAM_WRITE_TIMEOUT" }, CFA_STR },
	{ "no-prechecks", NULL, { "TUNNEL_NO_PRECHECKS" }, CFA_BOOL },
	{ "quic-disable-pmtu-discovery", NULL, { NULL }, CFA_BOOL },
	{ "quic-connection-level-flow-control-limit", NULL, { NULL }, CFA_STR },
	{ "quic-stream-level-flow-control-limit", NULL, { NULL }, CFA_STR },
	{ "post-quantum", "pq", { "TUNNEL_POST_QUANTUM" }, CFA_BOOL },
	{ "management-diagnostics", NULL, { "TUNNEL_MANAGEMENT_DIAGNOSTICS" }, CFA_BOOL },
	{ "edge", NULL, { "TUNNEL_EDGE" }, CFA_LIST },
	{ "cacert", NULL, { "TUNNEL_CACERT" }, CFA_STR },
	{ "quick-service", NULL, { NULL }, CFA_STR },
	{ "loglevel", NULL, { "TUNNEL_LOGLEVEL" }, CFA_STR },
	{ "transport-loglevel", "proto-loglevel", { "TUNNEL_PROTO_LOGLEVEL", "TUNNEL_TRANSPORT_LOGLEVEL" },
	  CFA_STR },
	{ "output", NULL, { "TUNNEL_MANAGEMENT_OUTPUT", "TUNNEL_LOG_OUTPUT" }, CFA_STR },
	{ "tag", NULL, { "TUNNEL_TAG" }, CFA_LIST },
	{ "label", NULL, { NULL }, CFA_STR },
	/* What argoweb does itself, or not at all: known, so that the line
	 * reads right, and said in the plan. */
	{ "no-autoupdate", NULL, { "NO_AUTOUPDATE" }, CFA_BOOL },
	{ "autoupdate-freq", NULL, { NULL }, CFA_STR },
	{ "metrics", NULL, { "TUNNEL_METRICS" }, CFA_STR },
	{ "pidfile", NULL, { "TUNNEL_PIDFILE" }, CFA_STR },
	{ "logfile", NULL, { "TUNNEL_LOGFILE" }, CFA_STR },
	{ "log-directory", NULL, { "TUNNEL_LOGDIRECTORY" }, CFA_STR },
	{ "url", NULL, { "TUNNEL_URL" }, CFA_STR },
	{ "hello-world", NULL, { "TUNNEL_HELLO_WORLD" }, CFA_BOOL },
	{ "unix-socket", NULL, { "TUNNEL_UNIX_SOCKET" }, CFA_STR },
	{ "name", "n", { "TUNNEL_NAME" }, CFA_STR },
	{ "hostname", NULL, { "TUNNEL_HOSTNAME" }, CFA_STR },
	{ "lb-pool", NULL, { "TUNNEL_LB_POOL" }, CFA_STR },
	{ "features", "F", { NULL }, CFA_LIST },
	{ "proxy-dns", NULL, { "TUNNEL_DNS" }, CFA_BOOL },
	{ "icmpv4-src", NULL, { "TUNNEL_ICMPV4_SRC" }, CFA_STR },
	{ "icmpv6-src", NULL, { "TUNNEL_ICMPV6_SRC" }, CFA_STR },
	{ "dial-edge-timeout", NULL, { "DIAL_EDGE_TIMEOUT" }, CFA_STR },
	{ "metrics-update-freq", NULL, { "TUNNEL_METRICS_UPDATE_FREQ" }, CFA_STR },
	{ "trace-output", NULL, { "TUNNEL_TRACE_OUTPUT" }, CFA_STR },
};
#define NFLAGS (sizeof flags / sizeof *flags)

static const struct cfa_flag *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NFLAGS; i++) {
		const char *a = flags[i].alias;
		if ((strlen(flags[i].name) == len && !strncmp(flags[i].name, name, len)) ||
		    (a && strlen(a) == len && !strncmp(a, name, len)))
			return &flags[i];
	}
	return NULL;
}

int cfa_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

static struct cfa_value *slot(struct cfa *a, const struct cfa_flag *fl)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->val[i].flag == fl)
			return &a->val[i];
	if (a->n == CFA_MAX)
		return NULL;
	a->val[a->n].flag = fl;
	return &a->val[a->n++];
}

static void clear(struct cfa_value *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

/* The flag's value from where (a list's appended; anything else
 * replaced, as the last of repeated flags wins). */
static int set(struct cfa *a, const struct cfa_flag *fl, const char *val, size_t len, int env,
               const char *where, struct fault *f)
{
	struct cfa_value *v = slot(a, fl);
	if (!v)
		return fail(f, EINVAL, "%s: more settings than argoweb adopt reads", where);
	if (fl->kind != CFA_LIST || v->from_env != env)
		clear(v);
	if (v->n == CFA_MAX_VALUES)
		return fail(f, EINVAL, "%s: more than %d values", where, CFA_MAX_VALUES);
	v->v[v->n++] = xstrndup(val, len);
	v->from_env = env;
	snprintf(v->from, sizeof v->from, "%s", where);
	return 0;
}

/* The flags at one position, from argv[*i] to the first word that is no
 * flag; "--" ends them. */
static int parse_flags(struct cfa *a, char *const *argv, int argc, int *i, struct fault *f)
{
	for (; *i < argc; ++*i) {
		const char *w = argv[*i];
		if (!strcmp(w, "--")) {
			++*i;
			return 1;       /* what follows is arguments only */
		}
		if (w[0] != '-' || !w[1])
			return 0;
		const char *n = w + 1 + (w[1] == '-'), *eq = strchr(n, '=');
		size_t len = eq ? (size_t)(eq - n) : strlen(n);
		const struct cfa_flag *fl = find(n, len);
		char where[48];
		snprintf(where, sizeof where, "--%.*s", (int)(len < 40 ? len : 40), n);
		if (!fl)
			return fail(f, EINVAL, "%s: a flag of cloudflared's that argoweb adopt does not know",
			            where);
		const char *val = eq ? eq + 1 : fl->kind == CFA_BOOL ? "true" : NULL;
		if (!val && *i + 1 < argc)
			val = argv[++*i];
		if (!val)
			return fail(f, EINVAL, "%s: its value is missing", where);
		if (fl->kind == CFA_BOOL && cfa_bool(val) < 0)
			return fail(f, EINVAL, "%s=%s: not a boolean cloudflared takes", where, val);
		if (set(a, fl, val, strlen(val), 0, where, f))
			return -EINVAL;
	}
	return 0;
}

static int is(char *const *argv, int argc, int i, const char *word)
{
	return i < argc && !strcmp(argv[i], word);
}

int cfa_argv(struct cfa *a, char *const *argv, int argc, struct fault *f)
{
	int i = 1, rc;
	if (argc < 1)
		return fail(f, EINVAL, "no command");
	a->program = xstrdup(argv[0]);
	if ((rc = parse_flags(a, argv, argc, &i, f)) < 0)
		return -EINVAL;
	if (rc || !is(argv, argc, i, "tunnel"))
		return fail(f, EINVAL, "%s: not `cloudflared tunnel`: argoweb adopt takes over a tunnel "
		            "(tunnel run, or a quick tunnel's tunnel --url)", i < argc ? argv[i] : "nothing");
	a->has_tunnel = 1;
	i++;
	if ((rc = parse_flags(a, argv, argc, &i, f)) < 0)
		return -EINVAL;
	if (!rc && is(argv, argc, i, "run")) {
		a->has_run = 1;
		i++;
		if ((rc = parse_flags(a, argv, argc, &i, f)) < 0)
			return -EINVAL;
	} else if (i < argc) {
		return fail(f, EINVAL, "tunnel %s: argoweb adopt takes over tunnel run (or a quick tunnel)",
		            argv[i]);
	}
	if (a->has_run && i < argc)
		a->tunnel = xstrdup(argv[i++]);
	if (i < argc)
		return fail(f, EINVAL, "%s: tunnel run takes one tunnel NAME or UUID", argv[i]);
	return 0;
}

int cfa_flag_env(const char *name)
{
	for (size_t i = 0; i < NFLAGS; i++)
		for (int k = 0; k < 2; k++)
			if (flags[i].env[k] && !strcmp(flags[i].env[k], name))
				return 1;
	return 0;
}

/* A TUNNEL_* variable that no known flag reads. */
static int unknown_env(const char *name)
{
	return !strncmp(name, "TUNNEL_", 7) && !cfa_flag_env(name);
}

int cfa_env(struct cfa *a, const struct uf_vars *env, struct fault *f)
{
	for (size_t i = 0; i < env->n; i++)
		if (unknown_env(env->name[i]))
			return fail(f, EINVAL, "%s: a variable cloudflared reads that argoweb adopt does not know",
			            env->name[i]);
	for (size_t i = 0; i < NFLAGS; i++) {
		const struct cfa_value *had = cfa_get(a, flags[i].name);
		const char *val = NULL, *name = NULL;
		for (int k = 0; k < 2 && !val && flags[i].env[k]; k++) {
			name = flags[i].env[k];
			val = uf_get(env, name);
		}
		if (!val || (had && !had->from_env))
			continue;
		if (flags[i].kind == CFA_BOOL && cfa_bool(val) < 0)
			return fail(f, EINVAL, "%s=%s: not a boolean cloudflared takes", name, val);
		/* A list from the environment is comma-separated (urfave/cli). */
		for (const char *p = val; flags[i].kind == CFA_LIST || p == val;) {
			size_t len = flags[i].kind == CFA_LIST ? strcspn(p, ",") : strlen(p);
			if (set(a, &flags[i], p, len, 1, name, f))
				return -EINVAL;
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	return 0;
}

const struct cfa_value *cfa_get(const struct cfa *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->val[i].flag->name, name) && a->val[i].n)
			return &a->val[i];
	return NULL;
}

void cfa_free(struct cfa *a)
{
	for (size_t i = 0; i < a->n; i++)
		clear(&a->val[i]);
	free(a->program);
	free(a->tunnel);
	memset(a, 0, sizeof *a);
}
