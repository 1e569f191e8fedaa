/* seed.c: cloudflared's /config (as 2023.7.3 and 2026.8.2 print it, from
 * runs against cf-edge -remote-managed: tests/unit/data) turned back into
 * argoweb's ingress rules, which a token config then takes as its own;
 * what /config cannot give back (ipRules) keeps nothing; the kept file
 * read back through safefile's walk, and refused when others could write it. */
#define _GNU_SOURCE
#include "../../src/seed.c"

#include <sys/stat.h>

#include "../../src/render.h"
#include "capture.h"
#include "tap.h"
#include "scratch.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	static char buf[3][1 << 16];
	static int i;
	char *b = buf[i++ % 3];
	*len = f ? fread(b, 1, sizeof buf[0] - 1, f) : 0;
	b[*len] = 0;
	if (f)
		fclose(f);
	return b;
}

/* The fixture with its ipRules (shown by cloudflared as [{}]) taken out. */
static char *without_iprules(char *b)
{
	char *p = strstr(b, "\"ipRules\":[{}]");
	if (p)
		memcpy(p, "\"ipRules\":null", 14);
	return b;
}

static void test_from_config(void)
{
	static const char *const fixtures[] = { "tests/unit/data/config-2023.7.3.json",
	                                        "tests/unit/data/config-2026.8.2.json" };
	size_t glen;
	const char *golden = slurp("tests/unit/data/seed.golden", &glen);
	OK(glen > 0, "the golden seed is there");
	for (size_t i = 0; i < 2; i++) {
		size_t len, ylen;
		long long v = 99;
		char *y = NULL, *body = slurp(fixtures[i], &len);
		struct fault f = { 0 };
		OK(len > 0, "%s: read", fixtures[i]);
		IS_INT(seed_from_config(body, len, &v, &y, &ylen, &f), -EINVAL, "%s: ipRules shown as {}: nothing kept", fixtures[i]);
		OK(strstr(f.why, "rule 0 has ipRules, which cloudflared's /config does not show") != NULL,
		   "... saying why (%s)", f.why);
		memset(&f, 0, sizeof f);
		without_iprules(body);
		IS_INT(seed_from_config(body, strlen(body), &v, &y, &ylen, &f), 0, "%s: without them: kept (%s)", fixtures[i], f.why);
		IS_INT(v, 0, "... version 0");
		IS_STR(y, golden, "... the rules as a config writes them (seconds as durations, unset settings left out)");
		IS_INT((long long)ylen, (long long)strlen(golden), "... its length");
		int waiting = -1;
		IS_INT(seed_served(body, strlen(body), &v, &waiting), 0, "served: read");
		OK(v == 0 && waiting == 0, "served: version 0, rules to serve");
		free(y);
	}
	/* Before any push: cloudflared's stand-in, one rule answering 503. */
	const char *none = "{\"version\":-1,\"config\":{\"ingress\":[{\"hostname\":\"\",\"path\":null,"
	                   "\"service\":\"http_status:503\",\"Handlers\":null}],\"warp-routing\":{}}}";
	long long v;
	char *y = (char *)1;
	size_t ylen;
	struct fault f = { 0 };
	IS_INT(seed_from_config(none, strlen(none), &v, &y, &ylen, &f), 0, "no push yet: nothing to keep, no error");
	OK(v == -1 && y == NULL, "... version -1, no YAML");
	int waiting = 0;
	IS_INT(seed_served(none, strlen(none), &v, &waiting), 0, "served before a push: read");
	IS_INT(waiting, 1, "... nothing but the 503 stand-in: waiting");
	IS_INT(seed_from_config("{\"config\":{}}", 13, &v, &y, &ylen, &f), -EINVAL, "no version: not /config");
	IS_INT(seed_from_config("[1,2", 4, &v, &y, &ylen, &f), -EINVAL, "not JSON at all");
	const char *nosvc = "{\"version\":3,\"config\":{\"ingress\":[{\"hostname\":\"a.example.com\"}]}}";
	memset(&f, 0, sizeof f);
	IS_INT(seed_from_config(nosvc, strlen(nosvc), &v, &y, &ylen, &f), -EINVAL, "a rule with no service: nothing kept");
}

#define TOKEN_CFG "token-file: /etc/argoweb/t.token\nprotocol: http2\n"

/* The kept rules become the config's own, checked as its own are. */
static void test_graft(void)
{
	struct config c = { 0 };
	struct ytree seed = { 0 };
	struct fault f = { 0 };
	size_t glen;
	const char *golden = slurp("tests/unit/data/seed.golden", &glen);
	IS_INT(cfg_load_buffer(&c, "t.yaml", TOKEN_CFG, strlen(TOKEN_CFG)), 0, "graft: a token config, no ingress");
	IS_INT(ytree_parse(&seed, golden, glen, &f), 0, "graft: the kept YAML parses");
	IS_INT(cfg_graft_ingress(&c, &seed, &f), 0, "graft: taken (%s)", f.why);
	IS_INT((long long)c.nrules, 3, "graft: 3 rules now");
	char *out;
	size_t len;
	IS_INT(render_config(&c, NULL, &out, &len), 0, "graft: renders");
	OK(strstr(out, "ingress:\n- hostname: \"app.example.com\"\n  path: \"^/api/\"\n") != NULL &&
	   !strstr(out, "version:"), "graft: cloudflared gets the rules, not the seed's version");
	free(out);
	cfg_free(&c);
	/* A kept rule argoweb would refuse in a config: refused here too. */
	memset(&c, 0, sizeof c);
	memset(&f, 0, sizeof f);
	const char *bad = "version: 2\ningress:\n- service: \"htps://x\"\n";
	cfg_load_buffer(&c, "t.yaml", TOKEN_CFG, strlen(TOKEN_CFG));
	ytree_parse(&seed, bad, strlen(bad), &f);
	IS_INT(cfg_graft_ingress(&c, &seed, &f), -EINVAL, "graft: a bad kept rule: refused");
	OK(strstr(f.why, "unknown scheme \"htps\"") != NULL, "... as a config's would be (%s)", f.why);
	IS_INT((long long)c.nrules, 0, "... the config as it was");
	IS_INT(render_config(&c, NULL, &out, &len), 0, "... and renders as it was");
	OK(!strstr(out, "ingress"), "... without the rules");
	free(out);
	cfg_free(&c);
}

/* Stored and applied, as the monitor and the next start do. */
static void test_store_apply(void)
{
	struct config c = { 0 };
	struct fault f = { 0 };
	size_t glen;
	const char *golden = slurp("tests/unit/data/seed.golden", &glen);
	if (scratch_open("seed")) {
		OK(0, "scratch directory: %s", strerror(errno));
		return;
	}
	chmod(base, 0700);
	setenv("STATE_DIRECTORY", base, 1);
	c.name = xstrdup("web");
	IS_INT(seed_store("web", getuid(), golden, glen, &f), 0, "store: written (%s)", f.why);
	struct stat st;
	OK(!stat(at("web.remote.yaml"), &st) && (st.st_mode & 07777) == 0600, "store: 0600");
	IS_INT(cfg_load_buffer(&c, "web.yaml", TOKEN_CFG, strlen(TOKEN_CFG)), 0, "apply: a token config");
	cap_start();
	IS_INT(seed_apply(&c, getuid()), 0, "apply: 0");
	const char *said = cap_end();
	OK(c.seed_version == 0 && c.nrules == 3 && !said[0], "apply: version 0, 3 rules, nothing said (%s)", said);
	cfg_free(&c);
	/* Others could have written it: not used, and said. */
	chmod(at("web.remote.yaml"), 0620);
	memset(&c, 0, sizeof c);
	c.name = xstrdup("web");
	cfg_load_buffer(&c, "web.yaml", TOKEN_CFG, strlen(TOKEN_CFG));
	cap_start();
	seed_apply(&c, getuid());
	said = cap_end();
	OK(c.seed_version == -1 && c.nrules == 0, "apply: a group-writable seed: not used");
	OK(strstr(said, "warning: the kept remote configuration is not used:") && strstr(said, "writable by its group"),
	   "... said (%.*s)", (int)strcspn(said, "\n"), said);
	cfg_free(&c);
	/* None kept: the first start ever; nothing said. */
	unlink(at("web.remote.yaml"));
	memset(&c, 0, sizeof c);
	c.name = xstrdup("web");
	cfg_load_buffer(&c, "web.yaml", TOKEN_CFG, strlen(TOKEN_CFG));
	cap_start();
	seed_apply(&c, getuid());
	said = cap_end();
	OK(c.seed_version == -1 && !said[0], "apply: nothing kept yet: nothing done, nothing said");
	cfg_free(&c);
	unsetenv("STATE_DIRECTORY");
	scratch_close();
}

int main(void)
{
	test_from_config();
	test_graft();
	test_store_apply();
	return tap_done();
}
