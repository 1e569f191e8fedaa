/* cfargv.c: cloudflared's command line and environment as cloudflared
 * reads them (urfave/cli v2): flags at each position, -x and --x, =v or
 * the next word, aliases, booleans, the last of repeated flags, lists
 * (repeated, or comma-separated from the environment), the command line
 * over the environment; and what is refused: another command, an unknown
 * flag, a missing value, a second NAME, an unknown TUNNEL_* variable. */
#include "../../src/cfargv.c"

#include "tap.h"

/* The words of line (split at spaces), read; "error: why" or the settings
 * as name=value|..., then +tunnel=NAME. */
static void parse_is(const char *line, const struct uf_vars *env, const char *want, const char *label)
{
	char buf[1024], *argv[64], got[2048] = "";
	int argc = 0;
	struct cfa a = { 0 };
	struct fault f = { 0 };
	snprintf(buf, sizeof buf, "%s", line);
	for (char *s = buf, *t; argc < 64 && (t = strtok_r(s, " ", &s));)
		argv[argc++] = t;
	if (cfa_argv(&a, argv, argc, &f) || (env && cfa_env(&a, env, &f))) {
		snprintf(got, sizeof got, "error: %s", f.why);
	} else {
		for (size_t i = 0; i < a.n; i++) {
			const struct cfa_value *v = &a.val[i];
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s=", i ? "|" : "", v->flag->name);
			for (size_t k = 0; k < v->n; k++)
				snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k ? "," : "", v->v[k]);
			if (v->from_env)
				snprintf(got + strlen(got), sizeof got - strlen(got), "(%s)", v->from);
		}
		if (a.tunnel)
			snprintf(got + strlen(got), sizeof got - strlen(got), "+tunnel=%s", a.tunnel);
	}
	IS_STR(got, want, "%s", label);
	cfa_free(&a);
}

int main(void)
{
	parse_is("/usr/bin/cloudflared --no-autoupdate tunnel run --token eyJhIjoi", NULL,
	         "no-autoupdate=true|token=eyJhIjoi", "service install's line (2023.7.3)");
	parse_is("/usr/bin/cloudflared --no-autoupdate tunnel run --token-file /etc/cloudflared/token", NULL,
	         "no-autoupdate=true|token-file=/etc/cloudflared/token", "service install's line (2026.8.2)");
	parse_is("/usr/bin/cloudflared --no-autoupdate --config /etc/cloudflared/config.yml tunnel run", NULL,
	         "no-autoupdate=true|config=/etc/cloudflared/config.yml", "a config-based install");
	parse_is("cloudflared tunnel --protocol=http2 -loglevel debug --edge-ip-version 4 run web", NULL,
	         "protocol=http2|loglevel=debug|edge-ip-version=4+tunnel=web",
	         "tunnel flags in three spellings, then a NAME");
	parse_is("cloudflared tunnel run -p quic --cred-file /root/.cloudflared/x.json --pq 6ff42ae2", NULL,
	         "protocol=quic|credentials-file=/root/.cloudflared/x.json|post-quantum=true+tunnel=6ff42ae2",
	         "aliases: -p, --cred-file, --pq");
	parse_is("cloudflared tunnel --edge a:1 --edge b:2 --tag k=v run", NULL, "edge=a:1,b:2|tag=k=v",
	         "a repeated list flag");
	parse_is("cloudflared tunnel --loglevel info --loglevel warn run", NULL, "loglevel=warn",
	         "the last of a repeated flag");
	parse_is("cloudflared tunnel --post-quantum=false run", NULL, "post-quantum=false", "a boolean =false");
	parse_is("cloudflared tunnel --post-quantum=maybe run", NULL,
	         "error: --post-quantum=maybe: not a boolean cloudflared takes", "a bad boolean");
	parse_is("cloudflared tunnel run -- --token", NULL, "+tunnel=--token", "-- ends the flags");
	parse_is("cloudflared tunnel --url http://localhost:8080", NULL, "url=http://localhost:8080",
	         "a quick tunnel: tunnel --url, no run");
	parse_is("cloudflared access tcp --hostname x", NULL,
	         "error: access: not `cloudflared tunnel`: argoweb adopt takes over a tunnel (tunnel run, or a "
	         "quick tunnel's tunnel --url)", "another command is refused");
	parse_is("cloudflared --bogus tunnel run", NULL,
	         "error: --bogus: a flag of cloudflared's that argoweb adopt does not know", "an unknown flag");
	parse_is("cloudflared tunnel run --token", NULL, "error: --token: its value is missing",
	         "a value missing at the end");
	parse_is("cloudflared tunnel run web --token x", NULL,
	         "error: --token: tunnel run takes one tunnel NAME or UUID",
	         "a flag after NAME is not a flag (cloudflared refuses it too)");
	parse_is("cloudflared tunnel list", NULL,
	         "error: tunnel list: argoweb adopt takes over tunnel run (or a quick tunnel)", "tunnel list");

	struct uf_vars env = { 0 };
	uf_set(&env, "TUNNEL_TOKEN", 12, "eyJenv", 6);
	uf_set(&env, "TUNNEL_EDGE", 11, "127.0.0.1:7844,127.0.0.2:7844", 29);
	uf_set(&env, "TUNNEL_TRANSPORT_PROTOCOL", 25, "http2", 5);
	uf_set(&env, "HOME", 4, "/root", 5);
	parse_is("cloudflared tunnel --protocol quic run", &env,
	         "protocol=quic|token=eyJenv(TUNNEL_TOKEN)|edge=127.0.0.1:7844,127.0.0.2:7844(TUNNEL_EDGE)",
	         "the environment: the command line wins; a list splits at commas; HOME is not cloudflared's");
	uf_set(&env, "TUNNEL_DNS_PORT", 15, "53", 2);
	parse_is("cloudflared tunnel run", &env,
	         "error: TUNNEL_DNS_PORT: a variable cloudflared reads that argoweb adopt does not know",
	         "an unknown TUNNEL_ variable is refused");
	uf_vars_free(&env);
	uf_set(&env, "TUNNEL_TRANSPORT_LOGLEVEL", 25, "warn", 4);
	uf_set(&env, "TUNNEL_PROTO_LOGLEVEL", 21, "debug", 5);
	parse_is("cloudflared tunnel run", &env, "transport-loglevel=debug(TUNNEL_PROTO_LOGLEVEL)",
	         "of a flag's two variables, the first (urfave/cli's order)");
	uf_vars_free(&env);
	IS_INT(cfa_bool("True"), 1, "ParseBool: True");
	IS_INT(cfa_bool("0"), 0, "ParseBool: 0");
	IS_INT(cfa_bool("yes"), -1, "ParseBool: yes is not one");
	return tap_done();
}
