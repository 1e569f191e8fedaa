/* libFuzzer target: the whole config path on arbitrary bytes. Parse and
 * validate; when valid, render cloudflared's config and check that the
 * rendering is itself a valid config that renders to the same bytes (the
 * property tests/system/020 checks on the golden corpus). Any crash, leak,
 * sanitizer report or abort() is a finding. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/config.h"
#include "../../src/creds.h"
#include "../../src/msg.h"
#include "../../src/render.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
/* Re-parse only renderings this small: an accepted alias-heavy config can
 * expand to millions of nodes, which is allowed but slow to do twice. */
#define ROUNDTRIP_MAX (256u * 1024)

/* What main() passes: a JSON credential's TunnelID for a named tunnel (or
 * a $CREDENTIALS_DIRECTORY one), nothing for a token or quick tunnel. */
static const char *tunnel_id(const struct config *c)
{
	const struct cred_kind *k = cred_kind_named(c->cred_key);
	return !c->quick_url && (!k || k->kind == SEC_JSON) ? UUID : NULL;
}

/* argoweb's own keys never reach cloudflared as written: at the top level
 * only the pinned no-autoupdate and metrics (last) and the tunnel we pass
 * (first) appear. */
static void check_own_keys(const char *out, const char *tid)
{
	static const char *const own[] = { "credentials-file:", "token-file:", "quick:", "user:",
	                                   "group:", "cloudflared:", "health:", "x-", NULL };
	int nauto = 0, nmetrics = 0, ntunnel = 0;
	for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		for (int i = 0; own[i]; i++)
			if (!strncmp(l, own[i], strlen(own[i]))) {
				fprintf(stderr, "own key rendered: %.40s\n", l);
				abort();
			}
		nauto += !strncmp(l, "no-autoupdate:", 14);
		nmetrics += !strncmp(l, "metrics:", 8);
		ntunnel += !strncmp(l, "tunnel:", 7);
	}
	if (nauto != 1 || nmetrics != 1 || ntunnel != (tid ? 1 : 0) ||
	    (tid && strncmp(out, "tunnel: \"" UUID "\"\n", 46))) {
		fprintf(stderr, "pinned keys wrong in:\n%s\n", out);
		abort();
	}
}

static void roundtrip(const char *first, size_t len, const char *tid)
{
	struct config c;
	struct fault f = { 0 };
	memset(&c, 0, sizeof c);
	if (cfg_parse(&c, first, len, &f) != 0) {
		fprintf(stderr, "rendering is not a valid config (%u:%u: %s):\n%s\n", f.line, f.col, f.why, first);
		abort();
	}
	char *second = NULL;
	size_t len2 = 0;
	if (render_config(&c, tid, &second, &len2) != 0) {
		fprintf(stderr, "rendering does not render again:\n%s\n", first);
		abort();
	}
	if (len2 != len || memcmp(first, second, len) != 0) {
		fprintf(stderr, "re-rendering differs:\n--- first\n%s\n--- second\n%s\n", first, second);
		abort();
	}
	free(second);
	cfg_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msg_quiet = 1;      /* render_config prints on failure, which aborts anyway */
	if (size > ARGOWEB_MAX_CONFIG)
		return 0;
	struct config c;
	struct fault f = { 0 };
	memset(&c, 0, sizeof c);
	if (cfg_parse(&c, (const char *)data, size, &f) == 0) {
		const char *tid = tunnel_id(&c);
		char *out = NULL;
		size_t len = 0;
		if (render_config(&c, tid, &out, &len) != 0) {
			fprintf(stderr, "a valid config failed to render\n");
			abort();
		}
		check_own_keys(out, tid);
		if (strlen(out) != len || memcmp(out + len - 1, "\n", 1) != 0) {
			fprintf(stderr, "rendering length or ending wrong\n");
			abort();
		}
		/* A quick tunnel's rendering names no identity (the origin
		 * goes in --url): not a config on its own, as 020 says. */
		if (len <= ROUNDTRIP_MAX && !c.quick_url)
			roundtrip(out, len, tid);
		free(out);
	}
	cfg_free(&c);
	return 0;
}
