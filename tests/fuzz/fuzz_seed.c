/* libFuzzer target: cloudflared's /config as the monitor reads it (the
 * service user's connector may say anything), turned into the kept rules
 * (seed.c). What it keeps must read back: it parses, and put into a token
 * config it is taken or refused whole, never half; and the version the
 * conversion and seed_served read is the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/config.h"
#include "../../src/msg.h"
#include "../../src/render.h"
#include "../../src/seed.h"
#include "../../src/ytree.h"

#define TOKEN_CFG "token-file: /etc/argoweb/t.token\nprotocol: http2\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long version = -2, served = -2;
	int waiting;
	char *yaml = NULL;
	size_t ylen;
	struct fault f = { 0 };
	msg_quiet = 1;
	int rc = seed_from_config((const char *)data, size, &version, &yaml, &ylen, &f);
	if (seed_served((const char *)data, size, &served, &waiting) == 0 && rc == 0 && served != version)
		abort();        /* two readings of one version */
	if (!yaml)
		return 0;
	if (rc || version < 0 || strlen(yaml) != ylen)
		abort();
	struct ytree seed = { 0 };
	memset(&f, 0, sizeof f);
	if (ytree_parse(&seed, yaml, ylen, &f))
		abort();        /* what we wrote does not read back */
	struct config c = { 0 };
	if (cfg_load_buffer(&c, "t.yaml", TOKEN_CFG, strlen(TOKEN_CFG)))
		abort();
	rc = cfg_graft_ingress(&c, &seed, &f);
	/* Taken whole, or the config as it was. */
	if ((rc == 0) != (c.nrules > 0))
		abort();
	char *out;
	size_t len;
	if (render_config(&c, NULL, &out, &len) == 0)
		free(out);
	ytree_free(&seed);
	cfg_free(&c);
	free(yaml);
	return 0;
}
