/* Unit tests for schema.c (key tables, typed walk) and, through
 * cfg_load_buffer, config.c's cross-key rules: what is accepted, what it
 * yields, and the exact FILE:LINE:COL message of each refusal. More cases
 * run as system tests from tests/configs/. */
#include <unistd.h>

#include "../../src/schema.c"

#include "config.h"
#include "tap.h"
#include "capture.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
#define ID "tunnel: " UUID "\ncredentials-file: /etc/argoweb/x.json\n"   /* lines 1-2 */
#define CATCH "ingress:\n  - service: http_status:404\n"

/* Load yaml into c; the message printed goes to *err. */
static int load(struct config *c, const char *yaml, const char **err)
{
	memset(c, 0, sizeof *c);
	cap_start();
	int rc = cfg_load_buffer(c, "t.yaml", yaml, strlen(yaml));
	const char *e = cap_end();
	msg_quiet = 1;
	if (err)
		*err = e;
	return rc;
}

static void rejects(const char *name, const char *yaml, const char *want)
{
	struct config c;
	const char *err;
	char line[1024];
	int rc = load(&c, yaml, &err);
	snprintf(line, sizeof line, "argoweb: t.yaml:%s\n", want);
	OK(rc == EX_CONFIG && !strcmp(err, line), "%s: refused at %.*s", name,
	   (int)strcspn(want, " "), want);
	if (rc != EX_CONFIG || strcmp(err, line))
		printf("#   rc %d, got: %s#   want: %s", rc, err, line);
	cfg_free(&c);
}

static void accepts(const char *name, const char *yaml)
{
	struct config c;
	const char *err;
	int rc = load(&c, yaml, &err);
	OK(rc == 0 && !*err, "%s: accepted", name);
	if (rc || *err)
		printf("#   rc %d: %s", rc, err);
	cfg_free(&c);
}

static void test_tables(void)
{
	OK(schema_find(k_top, "ingress") && schema_find(k_top, "ingress")->type == T_LIST_MAP,
	   "ingress is a list of maps");
	OK(schema_find(k_top, "ingress")->arg == k_rule, "ingress items are rules");
	OK(schema_find(k_rule, "originRequest")->arg == k_origin, "rule originRequest");
	OK(schema_find(k_top, "health")->arg == k_health, "health map");
	OK(schema_find(k_top, "Ingress") == NULL, "lookup is case-sensitive");
	OK(schema_find(k_top, "") == NULL, "empty key unknown");
	static const char *const own[] = { "tunnel", "credentials-file", "token-file", "quick",
	                                   "metrics", "no-autoupdate", "user", "group",
	                                   "cloudflared", "health", NULL };
	for (int i = 0; own[i]; i++)
		OK(schema_find(k_top, own[i]) && (schema_find(k_top, own[i])->flags & KF_OWN),
		   "%s is argoweb's own (not rendered as written)", own[i]);
	OK(!(schema_find(k_top, "ingress")->flags & KF_OWN), "ingress is rendered");
	IS_INT(schema_find(k_top, "retries")->max, 1000, "retries at most 1000");
	IS_INT(schema_find(k_top, "ha-connections")->max, 64, "ha-connections at most 64");
	IS_INT(schema_is_extension("x-defaults"), 1, "x-defaults is an extension");
	IS_INT(schema_is_extension("x-"), 0, "x- alone is not");
	IS_INT(schema_is_extension("x"), 0, "x is not");
	IS_INT(schema_is_extension("X-a"), 0, "X-a is not (case-sensitive)");
	IS_STR(nearest(k_top, "tunel"), "tunnel", "nearest to tunel");
	IS_STR(nearest(k_origin, "conectTimeout"), "connectTimeout", "nearest to conectTimeout");
	IS_STR(nearest(k_origin, "NoTlsVerify"), "noTLSVerify", "nearest ignores case");
	OK(nearest(k_top, "zzzzzz") == NULL, "no suggestion for an unrelated key");
	OK(nearest(k_top, "ab") == NULL || val_edit_distance("ab", nearest(k_top, "ab")) <= 2,
	   "short keys: suggestion only within 2 edits");
}

static void test_accepts(void)
{
	struct config c;
	const char *err;
	IS_INT(load(&c, ID CATCH, &err), 0, "minimal config");
	IS_STR(c.cred_key, "credentials-file", "identity: credentials-file");
	IS_STR(c.tunnel, UUID, "tunnel");
	IS_STR(c.cred_path, "/etc/argoweb/x.json", "credential path");
	IS_INT(c.nrules, 1, "one rule");
	IS_STR(c.user, "argoweb", "default user");
	OK(c.group == NULL, "no default group");
	IS_STR(c.cloudflared, "/usr/bin/cloudflared", "default cloudflared");
	IS_STR(c.metrics.text, "127.246.205.31:20241", "default metrics from the instance name");
	IS_INT(c.interval_ns, 5000000000LL, "default interval 5s");
	IS_INT(c.unhealthy_ns, 60000000000LL, "default unhealthy-after 60s");
	IS_STR(c.path, "t.yaml", "path kept");
	IS_STR(c.name, "argoweb", "default instance name");
	cfg_free(&c);

	IS_INT(load(&c, "token-file: /etc/argoweb/t.token\nuser: web\ngroup: www\n"
	                "cloudflared: /opt/cf\nmetrics: \"[::1]:2000\"\n"
	                "health: {interval: 10s, unhealthy-after: 2m}\n", &err), 0, "token config");
	IS_STR(c.cred_key, "token-file", "identity: token-file");
	IS_STR(c.cred_path, "/etc/argoweb/t.token", "token path");
	OK(c.tunnel == NULL, "no tunnel");
	IS_INT(c.nrules, 0, "no rules needed with a token");
	IS_STR(c.user, "web", "user");
	IS_STR(c.group, "www", "group");
	IS_STR(c.cloudflared, "/opt/cf", "cloudflared");
	IS_STR(c.metrics.text, "[::1]:2000", "metrics");
	IS_INT(c.interval_ns, 10000000000LL, "interval");
	IS_INT(c.unhealthy_ns, 120000000000LL, "unhealthy-after");
	cfg_free(&c);

	IS_INT(load(&c, "quick: http://localhost:8080\n", &err), 0, "quick config");
	OK(c.quick_url && !c.cred_key, "identity: quick");
	IS_STR(c.quick_url, "http://localhost:8080", "quick URL");
	OK(c.cred_path == NULL, "quick: no credential");
	cfg_free(&c);

	IS_INT(load(&c, "ingress: [{hostname: a.example.com, service: 'http://localhost:1'},"
	                " {hostname: '*', service: hello_world}]\n", &err), 0,
	       "no identity: $CREDENTIALS_DIRECTORY later");
	OK(!c.quick_url && !c.cred_key, "identity: none yet");
	IS_INT(c.nrules, 2, "two rules");
	cfg_free(&c);

	accepts("x- extension keys hold anchors", "x-a: &a {b: [1, {c: d}]}\nx-b: *a\n" ID CATCH);
	accepts("edge-ip-version 4", ID CATCH "edge-ip-version: 4\n");
	accepts("quoted duration", ID CATCH "grace-period: \"30s\"\n");
	accepts("grace-period 3m exactly", ID CATCH "grace-period: 3m\n");
	accepts("empty proxyType", ID CATCH "originRequest: {proxyType: \"\"}\n");
	accepts("region us", ID CATCH "region: us\n");
	accepts("empty region", ID CATCH "region: \"\"\n");
	accepts("no-autoupdate: true", ID CATCH "no-autoupdate: True\n");
	accepts("edge-bind-address IPv6", ID CATCH "edge-bind-address: \"::1\"\n");
	accepts("ipRules", ID CATCH "originRequest:\n  ipRules:\n    - {prefix: 10.0.0.0/8, ports: [80, 443], allow: true}\n");
	accepts("access with team", ID CATCH "originRequest: {access: {required: true, teamName: t, audTag: [x]}}\n");
	accepts("access not required", ID CATCH "originRequest: {access: {required: false, audTag: [x]}}\n");
	accepts("path on the catch-all is fine when empty", ID
	        "ingress: [{hostname: a.b, service: 'http://localhost:1'}, {path: '', service: bastion}]\n");
	accepts("hostname * is a catch-all", ID "ingress: [{hostname: '*', service: socks-proxy}]\n");
	accepts("valid path regexp", ID "ingress:\n  - path: ^/api/(v[0-9]+)?$\n    service: http://localhost:1\n"
	        "  - service: http_status:404\n");
	accepts("health bounds", ID CATCH "health: {interval: 1h, unhealthy-after: 2h}\n");
	accepts("retries max", ID CATCH "retries: 1000\n");
	accepts("tunnel name", "tunnel: web\ncredentials-file: /c.json\n" CATCH);
}

static void test_schema_rejects(void)
{
	rejects("unknown top key", ID "tunel2: x\n" CATCH,
	        "3:1: tunel2: unknown key (did you mean `tunnel`?)");
	rejects("unknown key far from any", ID "zzzzzzzz: x\n" CATCH,
	        "3:1: zzzzzzzz: unknown key (see argoweb.yaml(5) for the keys)");
	rejects("unknown origin key", ID CATCH "originRequest: {conectTimeout: 5s}\n",
	        "5:17: originRequest.conectTimeout: unknown key (did you mean `connectTimeout`?)");
	rejects("unknown rule key", ID "ingress:\n  - service: http_status:404\n    hostnam: a\n",
	        "5:5: ingress[0].hostnam: unknown key (did you mean `hostname`?)");
	rejects("unknown access key", ID CATCH "originRequest: {access: {teamname: t}}\n",
	        "5:26: originRequest.access.teamname: unknown key (did you mean `teamName`?)");
	rejects("x- alone", ID CATCH "x-: 1\n", "5:1: x-: unknown key (see argoweb.yaml(5) for the keys)");
	rejects("long unknown key cut to 64", ID CATCH
	        "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1\n",
	        "5:1: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: unknown key "
	        "(see argoweb.yaml(5) for the keys)");
	rejects("inline token", "token: abc\n",
	        "1:1: token: secrets are never written in the config: put the token in a 0600 file and set token-file:");
	rejects("inline credentials", "credentials-contents: '{}'\n",
	        "1:1: credentials-contents: secrets are never written in the config: put the JSON in a 0600 file and set credentials-file:");
	rejects("url", ID "url: http://localhost\n",
	        "3:1: url: single-origin mode is not supported: use ingress: (or quick: for a quick tunnel)");
	rejects("pidfile", ID CATCH "pidfile: /run/x.pid\n", "5:1: pidfile: systemd tracks the process; remove pidfile");
	rejects("refused names only at the top", ID "ingress:\n  - service: http_status:404\n    token: x\n",
	        "5:5: ingress[0].token: unknown key (see argoweb.yaml(5) for the keys)");
	rejects("bool yes", ID CATCH "originRequest: {noTLSVerify: yes}\n",
	        "5:30: originRequest.noTLSVerify: expected true or false");
	rejects("quoted bool", ID CATCH "post-quantum: \"true\"\n", "5:15: post-quantum: expected true or false");
	rejects("quoted count", ID CATCH "retries: \"5\"\n", "5:10: retries: expected a number, not a quoted string");
	rejects("count too large", ID CATCH "retries: 1001\n", "5:10: retries: 1001 is too large (at most 1000)");
	rejects("negative count", ID CATCH "retries: -1\n", "5:10: retries: expected a whole number from 0 to 1000");
	rejects("octal-looking count", ID CATCH "ha-connections: 010\n",
	        "5:17: ha-connections: expected a whole number from 0 to 64");
	rejects("port list item", ID CATCH "originRequest:\n  ipRules: [{prefix: 10.0.0.0/8, ports: [80, 70000]}]\n",
	        "6:46: originRequest.ipRules[0].ports[1]: 70000 is too large (at most 65535)");
	rejects("duration without unit", ID CATCH "grace-period: 30\n",
	        "5:15: grace-period: expected a duration such as 30s, 1m30s or 500ms (units ns, us, ms, s, m, h; at most 2562047h)");
	rejects("zero duration", ID CATCH "originRequest: {tlsTimeout: 0s}\n",
	        "5:29: originRequest.tlsTimeout: a duration must be positive");
	rejects("negative duration", ID CATCH "rpc-timeout: -5s\n", "5:14: rpc-timeout: a duration must be positive");
	rejects("enum", ID CATCH "protocol: udp\n", "5:11: protocol: \"udp\" is not one of auto, quic, http2");
	rejects("enum with an empty member", ID CATCH "originRequest: {proxyType: http}\n",
	        "5:28: originRequest.proxyType: \"http\" is not one of \"\", socks");
	rejects("enum is case-sensitive", ID CATCH "loglevel: INFO\n",
	        "5:11: loglevel: \"INFO\" is not one of debug, info, warn, error, fatal");
	rejects("edge-ip-version 5", ID CATCH "edge-ip-version: 5\n",
	        "5:18: edge-ip-version: \"5\" is not one of auto, 4, 6");
	rejects("empty value", ID CATCH "loglevel:\n", "5:10: loglevel: empty value (give a value or remove the key)");
	rejects("null value", ID CATCH "label: ~\n", "5:8: label: empty value (give a value or remove the key)");
	rejects("map for a scalar", ID CATCH "label: {a: b}\n", "5:8: label: expected a single value, found a mapping");
	rejects("list for a scalar", ID CATCH "label: [a]\n", "5:8: label: expected a single value, found a list");
	rejects("scalar for a list", ID CATCH "tag: a\n", "5:6: tag: expected a list");
	rejects("map for a list", ID "ingress: {service: hello_world}\n", "3:10: ingress: expected a list");
	rejects("scalar for a map", ID CATCH "originRequest: yes\n",
	        "5:16: originRequest: expected a mapping of keys to values");
	rejects("empty map value", ID CATCH "warp-routing:\n",
	        "5:14: warp-routing: expected a mapping of keys to values");
	rejects("list item not a map", ID "ingress:\n  - hello_world\n",
	        "4:5: ingress[0]: expected a mapping of keys to values");
	rejects("list item of a string list", ID CATCH "tag: [a, [b]]\n", "5:10: tag[1]: expected a single value, found a list");
}

static void test_config_rejects(void)
{
	rejects("empty file", "", "1:1: empty config: expected at least tunnel:, credentials-file: and ingress: (see argoweb.yaml(5))");
	rejects("comments only", "# nothing\n", "1:1: empty config: expected at least tunnel:, credentials-file: and ingress: (see argoweb.yaml(5))");
	rejects("top-level list", "- a\n", "1:1: config: expected a mapping of keys to values at the top");
	rejects("top-level scalar", "hello\n", "1:1: config: expected a mapping of keys to values at the top");
	/* At the second identity key, where the conflict is. */
	rejects("two identities", ID "token-file: /t\n" CATCH,
	        "3:13: token-file: choose one of credentials-file, token-file and quick");
	rejects("quick and credentials", "quick: http://localhost:1\ncredentials-file: /c\n",
	        "2:19: credentials-file: choose one of credentials-file, token-file and quick");
	rejects("tunnel with token", "tunnel: " UUID "\ntoken-file: /t\n",
	        "1:9: tunnel: a token names its tunnel itself: remove tunnel:");
	rejects("tunnel with quick", "tunnel: web\nquick: http://localhost:1\n",
	        "1:9: tunnel: a quick tunnel has no name: remove tunnel:");
	rejects("relative credentials", "tunnel: web\ncredentials-file: web.json\n" CATCH,
	        "2:19: credentials-file: must be an absolute path (e.g. /etc/argoweb/NAME.json)");
	rejects("relative token", "token-file: t\n",
	        "1:13: token-file: must be an absolute path (e.g. /etc/argoweb/NAME.json)");
	rejects("quick not a URL", "quick: hello_world\n",
	        "1:8: quick: expected the local origin's URL, e.g. http://localhost:8080");
	rejects("quick with a path", "quick: http://localhost:1/x\n",
	        "1:8: quick: expected the local origin's URL, e.g. http://localhost:8080");
	rejects("quick with ingress", "quick: http://localhost:1\n" CATCH,
	        "3:3: ingress: a quick tunnel has one origin, its quick: URL; remove ingress: or use a named tunnel");
	rejects("credentials without ingress", ID,
	        "1:1: ingress: a locally-managed tunnel needs ingress: rules ending with a catch-all such as - service: http_status:404");
	rejects("empty ingress", ID "ingress: []\n", "3:10: ingress: no rules (end with - service: http_status:404)");
	rejects("rule without service", ID "ingress:\n  - hostname: a.example.com\n",
	        "4:5: ingress[0]: service: is required (e.g. service: http://localhost:8080)");
	rejects("bad hostname", ID "ingress:\n  - hostname: a.*.com\n    service: hello_world\n",
	        "4:15: ingress[0]: a wildcard is allowed only as a leading \"*.\" (e.g. *.example.com); "
	        "cloudflared never matches any other use");
	rejects("hostname with port", ID "ingress:\n  - hostname: a.com:443\n    service: hello_world\n",
	        "4:15: ingress[0]: a hostname cannot contain a port or a scheme (write www.example.com)");
	rejects("bad service", ID "ingress:\n  - service: http://localhost:80/app\n",
	        "4:14: ingress[0]: a service URL has no path: cloudflared forwards the visitor's path "
	        "unchanged (remove everything after the port)");
	rejects("bad path regexp", ID "ingress:\n  - path: (?=x)\n    service: hello_world\n",
	        "4:11: ingress[0]: invalid or unsupported Perl syntax: `(?=`");
	rejects("last not a catch-all", ID "ingress:\n  - hostname: a.example.com\n    service: hello_world\n",
	        "4:5: ingress[0]: the last rule must match everything: add a final rule with no hostname "
	        "or path, e.g. - service: http_status:404");
	rejects("path-only last", ID "ingress:\n  - path: ^/x\n    service: hello_world\n",
	        "4:5: ingress[0]: the last rule must match everything: add a final rule with no hostname "
	        "or path, e.g. - service: http_status:404");
	rejects("catch-all early", ID "ingress:\n  - service: hello_world\n  - service: bastion\n",
	        "4:5: ingress[0]: only the last rule may match every hostname and path; the rules after "
	        "it would never be used");
	rejects("second rule's error", ID "ingress:\n  - hostname: a.example.com\n    service: hello_world\n"
	        "  - service: http_status:42\n",
	        "6:14: ingress[1]: http_status: takes a status code from 100 to 999 (e.g. http_status:404)");
	rejects("access without team", ID "ingress:\n  - service: hello_world\n"
	        "    originRequest: {access: {required: true, audTag: [x]}}\n",
	        "5:29: ingress[0]: access.teamName is required when access.audTag is set");
	rejects("ipRules bad prefix", ID CATCH "originRequest: {ipRules: [{prefix: 10.0.0.0/33}]}\n",
	        "5:36: originRequest: ipRules[].prefix must be an address prefix such as 10.0.0.0/8");
	rejects("ipRules without prefix", ID CATCH "originRequest: {ipRules: [{allow: true}]}\n",
	        "5:27: originRequest: ipRules[].prefix must be an address prefix such as 10.0.0.0/8");
	rejects("metrics public", ID CATCH "metrics: 0.0.0.0:2000\n",
	        "5:10: metrics: must be a loopback address such as 127.0.0.1:20241 (the metrics server "
	        "exposes debugging endpoints)");
	rejects("metrics without port", ID CATCH "metrics: localhost\n",
	        "5:10: metrics: expected HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:20241)");
	rejects("grace-period too long", ID CATCH "grace-period: 3m1s\n",
	        "5:15: grace-period: at most 3m (cloudflared's limit)");
	rejects("no-autoupdate false", ID CATCH "no-autoupdate: false\n",
	        "5:16: no-autoupdate: argoweb always runs with no-autoupdate: true (update cloudflared "
	        "with your package manager)");
	rejects("edge-bind-address not an IP", ID CATCH "edge-bind-address: eth0\n",
	        "5:20: edge-bind-address: expected an IP address of this host");
	rejects("region eu", ID CATCH "region: eu\n", "5:9: region: expected \"us\" or an empty string (global)");
	rejects("user root", ID CATCH "user: root\n",
	        "5:7: user: cloudflared never runs as root: name a service user (the packages create argoweb)");
	rejects("user 0", ID CATCH "user: \"0\"\n",
	        "5:7: user: cloudflared never runs as root: name a service user (the packages create argoweb)");
	rejects("group root", ID CATCH "group: root\n",
	        "5:8: group: the root group is refused: name the service user's group");
	rejects("cloudflared relative", ID CATCH "cloudflared: cloudflared\n",
	        "5:14: cloudflared: must be an absolute path (e.g. /usr/bin/cloudflared)");
	rejects("interval too short", ID CATCH "health: {interval: 500ms}\n",
	        "5:20: health.interval: must be from 1s to 1h");
	rejects("interval too long", ID CATCH "health: {interval: 61m, unhealthy-after: 2h}\n",
	        "5:20: health.interval: must be from 1s to 1h");
	rejects("unhealthy-after not longer", ID CATCH "health: {interval: 10s, unhealthy-after: 10s}\n",
	        "5:42: health.unhealthy-after: must be longer than health.interval");
	rejects("interval over default unhealthy-after", ID CATCH "health: {interval: 2m}\n",
	        "5:9: health.unhealthy-after: must be longer than health.interval");
	/* ytree errors come through cfg_load_buffer unchanged. */
	rejects("duplicate key", ID CATCH "tunnel: x\n", "5:1: duplicate key \"tunnel\" (first at line 1)");
	rejects("bad tag", "tunnel: !secret x\n", "1:9: tag !secret is not supported here (remove it)");
}

/* cfg_load_buffer marks a plain value that is not a string to yaml.v3 to
 * be rendered quoted; strings and typed values keep their style. */
static void test_styles(void)
{
	struct config c;
	IS_INT(load(&c, "token-file: /t\nedge-ip-version: 6\nprotocol: quic\nlabel: 2024\nlogfile: /l\n"
	                "tag: [1, a]\nretries: 3\n", NULL), 0, "styles config");
	struct ynode *r = c.tree.root;
	IS_INT(ymap_get(r, "edge-ip-version")->style, YAML_DOUBLE_QUOTED_SCALAR_STYLE, "enum 6 quoted");
	IS_INT(ymap_get(r, "protocol")->style, YAML_PLAIN_SCALAR_STYLE, "enum quic plain");
	IS_INT(ymap_get(r, "label")->style, YAML_DOUBLE_QUOTED_SCALAR_STYLE, "string 2024 quoted");
	IS_INT(ymap_get(r, "logfile")->style, YAML_PLAIN_SCALAR_STYLE, "string /l plain");
	IS_INT(ymap_get(r, "tag")->kid[0]->style, YAML_DOUBLE_QUOTED_SCALAR_STYLE, "list item 1 quoted");
	IS_INT(ymap_get(r, "tag")->kid[1]->style, YAML_PLAIN_SCALAR_STYLE, "list item a plain");
	IS_INT(ymap_get(r, "retries")->style, YAML_PLAIN_SCALAR_STYLE, "count stays plain");
	cfg_free(&c);
}

int main(void)
{
	msg_quiet = 1;
	test_tables();
	test_accepts();
	test_schema_rejects();
	test_config_rejects();
	test_styles();
	return tap_done();
}
