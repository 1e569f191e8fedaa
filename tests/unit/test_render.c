/* Unit tests for render.c: cloudflared's config.yml from a parsed and
 * validated config, compared byte for byte. */
#include <unistd.h>

#include "../../src/render.c"

#include "tap.h"
#include "capture.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
/* cfg_load_buffer names the instance "argoweb": FNV-1a of it picks this. */
#define DEFAULT_METRICS "127.246.205.31:20241"

/* Load yaml, render it with tunnel_id; returns the text (caller frees) or
 * NULL after a failed test line. */
static char *render(const char *name, const char *yaml, const char *tunnel_id)
{
	struct config c = { 0 };
	char *out = NULL;
	size_t len = 0;
	int rc = cfg_load_buffer(&c, "t.yaml", yaml, strlen(yaml));
	if (rc) {
		OK(0, "%s: config loads (rc %d)", name, rc);
		cfg_free(&c);
		return NULL;
	}
	rc = render_config(&c, tunnel_id, &out, &len);
	OK(rc == 0 && out && strlen(out) == len, "%s: renders, length right", name);
	cfg_free(&c);
	return rc ? NULL : out;
}

static void renders(const char *name, const char *yaml, const char *tunnel_id, const char *want)
{
	char *out = render(name, yaml, tunnel_id);
	IS_STR(out, want, "%s: exact output", name);
	/* A rendering is a config argoweb accepts as it is, and rendering it
	 * again changes nothing. */
	if (out && tunnel_id) {
		char *again = render(name, out, tunnel_id);
		IS_STR(again, out, "%s: re-renders to itself", name);
		free(again);
	}
	free(out);
}

static void test_full(void)
{
	renders("aliases, merges, own keys",
	        "user: svc\n"
	        "group: svc\n"
	        "cloudflared: /usr/bin/cloudflared\n"
	        "health: {interval: 10s}\n"
	        "tunnel: web\n"
	        "credentials-file: /etc/argoweb/web.json\n"
	        "x-svc: &svc http://localhost:8080\n"
	        "x-or: &or {connectTimeout: 5s, noTLSVerify: true}\n"
	        "protocol: quic\n"
	        "ingress:\n"
	        "  - hostname: a.example.com\n"
	        "    service: *svc\n"
	        "    originRequest: *or\n"
	        "  - hostname: \"b.example.com\"\n"
	        "    path: '^/api/'\n"
	        "    service: *svc\n"
	        "    originRequest:\n"
	        "      <<: *or\n"
	        "      noTLSVerify: false\n"
	        "  - service: http_status:404\n"
	        "metrics: localhost:2000\n"
	        "no-autoupdate: true\n"
	        "edge-ip-version: 4\n"
	        "label: !!str 123\n"
	        "tag: [a, \"b c\", 'd: e', 5]\n"
	        "retries: 5\n",
	        UUID,
	        /* tunnel first and quoted; user, group, cloudflared, health,
	         * credentials-file, x-* gone; aliases and the merge expanded
	         * (explicit noTLSVerify wins); quoting kept; numbers where
	         * cloudflared wants strings quoted; management-diagnostics
	         * off, then no-autoupdate and metrics, last. */
	        "tunnel: \"" UUID "\"\n"
	        "protocol: quic\n"
	        "ingress:\n"
	        "- hostname: a.example.com\n"
	        "  service: http://localhost:8080\n"
	        "  originRequest:\n"
	        "    connectTimeout: 5s\n"
	        "    noTLSVerify: true\n"
	        "- hostname: \"b.example.com\"\n"
	        "  path: '^/api/'\n"
	        "  service: http://localhost:8080\n"
	        "  originRequest:\n"
	        "    noTLSVerify: false\n"
	        "    connectTimeout: 5s\n"
	        "- service: http_status:404\n"
	        "edge-ip-version: \"4\"\n"
	        "label: \"123\"\n"
	        "tag:\n"
	        "- a\n"
	        "- \"b c\"\n"
	        "- 'd: e'\n"
	        "- \"5\"\n"
	        "retries: 5\n"
	        "management-diagnostics: false\n"
	        "no-autoupdate: true\n"
	        "metrics: \"localhost:2000\"\n");
}

static void test_json(void)
{
	renders("JSON config: keys plain, values keep their quotes",
	        "{\"tunnel\": \"" UUID "\", \"credentials-file\": \"/c.json\",\n"
	        " \"ingress\": [{\"hostname\": \"www.example.com\", \"service\": \"http://localhost:8000\"},\n"
	        "             {\"service\": \"http_status:404\"}],\n"
	        " \"retries\": 3, \"post-quantum\": false, \"originRequest\": {\"noTLSVerify\": true}}",
	        UUID,
	        "tunnel: \"" UUID "\"\n"
	        "ingress:\n"
	        "- hostname: \"www.example.com\"\n"
	        "  service: \"http://localhost:8000\"\n"
	        "- service: \"http_status:404\"\n"
	        "retries: 3\n"
	        "post-quantum: false\n"
	        "originRequest:\n"
	        "  noTLSVerify: true\n"
	        "management-diagnostics: false\n"
	        "no-autoupdate: true\n"
	        "metrics: \"" DEFAULT_METRICS "\"\n");
}

static void test_styles(void)
{
	/* A quick tunnel: no tunnel:, the quick: URL is argv's, not the file's. */
	renders("quick tunnel, scalar styles",
	        "quick: http://localhost:8080\n"
	        "label: \"a\\nb: c\"\n"
	        "logfile: |\n  line1\n  line2\n"
	        "log-directory: >-\n  folded\n  text\n"
	        "region: \"\"\n"
	        "tag: [\"#x\", \"  sp  \", caf\xc3\xa9, \"tab\\there\", 'it''s', ~x, \"null\", 'true']\n",
	        NULL,
	        "label: \"a\\nb: c\"\n"
	        "logfile: |\n  line1\n  line2\n"
	        "log-directory: >-\n  folded text\n"
	        "region: \"\"\n"
	        "tag:\n"
	        "- \"#x\"\n"
	        "- \"  sp  \"\n"
	        "- caf\xc3\xa9\n"
	        "- \"tab\\there\"\n"
	        "- 'it''s'\n"
	        "- ~x\n"
	        "- \"null\"\n"
	        "- 'true'\n"
	        "management-diagnostics: false\n"
	        "no-autoupdate: true\n"
	        "metrics: \"" DEFAULT_METRICS "\"\n");
	renders("token config: nothing but the pins",
	        "token-file: /etc/argoweb/web.token\n", NULL,
	        "management-diagnostics: false\n"
	        "no-autoupdate: true\n"
	        "metrics: \"" DEFAULT_METRICS "\"\n");
	/* Plain values that yaml.v3 would read as numbers or booleans, where
	 * cloudflared wants strings, are quoted; real numbers and booleans
	 * are not. */
	renders("numbers and booleans by type",
	        "token-file: /t\n"
	        "label: 0x1F\n"
	        "region: \"us\"\n"
	        "output: json\n"
	        "retries: 0\n"
	        "ha-connections: 4\n"
	        "post-quantum: TRUE\n"
	        "grace-period: 1m30s\n"
	        "originRequest: {httpHostHeader: 8080, originServerName: 1.5, caPool: .inf,"
	        " proxyAddress: 1_000, keepAliveConnections: 10, proxyType: \"\"}\n"
	        "warp-routing: {enabled: false, maxActiveFlows: 1000}\n",
	        NULL,
	        "label: \"0x1F\"\n"
	        "region: \"us\"\n"
	        "output: json\n"
	        "retries: 0\n"
	        "ha-connections: 4\n"
	        "post-quantum: TRUE\n"
	        "grace-period: 1m30s\n"
	        "originRequest:\n"
	        "  httpHostHeader: \"8080\"\n"
	        "  originServerName: \"1.5\"\n"
	        "  caPool: \".inf\"\n"
	        "  proxyAddress: \"1_000\"\n"
	        "  keepAliveConnections: 10\n"
	        "  proxyType: \"\"\n"
	        "warp-routing:\n"
	        "  enabled: false\n"
	        "  maxActiveFlows: 1000\n"
	        "management-diagnostics: false\n"
	        "no-autoupdate: true\n"
	        "metrics: \"" DEFAULT_METRICS "\"\n");
	/* schema.c:258-259 (and 203-204 for enums) set the style on the node
	 * itself, which every alias of it shares: the count is then rendered
	 * "5", a string cloudflared refuses for retries, and argoweb refuses
	 * its own rendering ("expected a number, not a quoted string"). */
	renders("alias shared by a count and a string",
	        "tunnel: web\ncredentials-file: /c.json\ningress: [{service: hello_world}]\n"
	        "retries: &n 5\nlabel: *n\n", UUID,
	        "tunnel: \"" UUID "\"\ningress:\n- service: hello_world\nretries: 5\nlabel: \"5\"\n"
	        "management-diagnostics: false\nno-autoupdate: true\nmetrics: \"" DEFAULT_METRICS "\"\n");
	/* The tunnel_id given wins over the config's tunnel: name. */
	char *out = render("tunnel name replaced", "tunnel: web\ncredentials-file: /c.json\n"
	                   "ingress: [{service: hello_world}]\n", UUID);
	OK(out && !strstr(out, "web") && !strstr(out, "/c.json") &&
	   !strncmp(out, "tunnel: \"" UUID "\"\n", 46), "tunnel: name replaced, no credential path");
	free(out);
	out = render("no tunnel id", "tunnel: web\ncredentials-file: /c.json\n"
	             "ingress: [{service: hello_world}]\n", NULL);
	IS_STR(out, "ingress:\n- service: hello_world\nmanagement-diagnostics: false\nno-autoupdate: true\nmetrics: \""
	       DEFAULT_METRICS "\"\n", "no tunnel id: no tunnel: key");
	free(out);
}

/* management-diagnostics: false is added only when the config is silent;
 * what the config says stays, where it says it, once. */
static void test_diagnostics(void)
{
	const char *head = "tunnel: web\ncredentials-file: /c.json\ningress: [{service: hello_world}]\n";
	const char *want_head = "tunnel: \"" UUID "\"\ningress:\n- service: hello_world\n";
	const char *tail = "no-autoupdate: true\nmetrics: \"" DEFAULT_METRICS "\"\n";
	static const struct { const char *name, *in, *out; } cases[] = {
		{ "diagnostics: silent config gets false", "retries: 3\n",
		  "retries: 3\nmanagement-diagnostics: false\n" },
		{ "diagnostics: explicit true kept in place", "management-diagnostics: true\nretries: 3\n",
		  "management-diagnostics: true\nretries: 3\n" },
		{ "diagnostics: explicit false kept in place", "management-diagnostics: false\nretries: 3\n",
		  "management-diagnostics: false\nretries: 3\n" },
		{ "diagnostics: spelling kept", "management-diagnostics: True\n",
		  "management-diagnostics: True\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char in[512], out[512];
		snprintf(in, sizeof in, "%s%s", head, cases[i].in);
		snprintf(out, sizeof out, "%s%s%s", want_head, cases[i].out, tail);
		renders(cases[i].name, in, UUID, out);
	}
	/* Through a merge key, the config's value is still the config's. */
	renders("diagnostics: set through a merge",
	        "x-base: &b {management-diagnostics: true}\n"
	        "<<: *b\ntunnel: web\ncredentials-file: /c.json\ningress: [{service: hello_world}]\n",
	        UUID, "tunnel: \"" UUID "\"\ningress:\n- service: hello_world\n"
	        "management-diagnostics: true\nno-autoupdate: true\nmetrics: \"" DEFAULT_METRICS "\"\n");
}

/* A tree the emitter cannot write (invalid UTF-8 slipped into a node):
 * the error is reported, nothing is returned, nothing leaks. */
static void test_emitter_error(void)
{
	struct config c = { 0 };
	const char *yaml = "token-file: /t\nlabel: abc\n";
	IS_INT(cfg_load_buffer(&c, "t.yaml", yaml, strlen(yaml)), 0, "config for the error case");
	struct ynode *label = ymap_get(c.tree.root, "label");
	label->str[1] = (char)0xff;
	char *out = (char *)"untouched";
	size_t len = 12345;
	cap_start();
	int rc = render_config(&c, NULL, &out, &len);
	const char *err = cap_end();
	msg_quiet = 1;
	IS_INT(rc, EX_SOFTWARE, "emitter failure: EX_SOFTWARE");
	OK(!strcmp(out, "untouched") && len == 12345, "emitter failure: outputs untouched");
	OK(!strncmp(err, "argoweb: t.yaml: cannot render cloudflared's config: ", 53),
	   "emitter failure reported");
	cfg_free(&c);
}

int main(void)
{
	msg_quiet = 1;
	test_full();
	test_json();
	test_styles();
	test_diagnostics();
	test_emitter_error();
	return tap_done();
}
