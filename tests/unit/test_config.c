/* config.c: finding and reading the file (cfg_load's exit codes and
 * messages), and what the rest of argoweb reads from a valid config, its
 * defaults filled in. The rules between keys: test_schema.c. */
#include <sys/stat.h>

#include "../../src/config.c"
#include "tap.h"
#include "capture.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
#define GOOD "tunnel: " UUID "\ncredentials-file: /etc/argoweb/x.json\n" \
             "ingress:\n  - service: http_status:404\n"

static char dir[128];

static int load(const char *arg, struct config *c, const char **err)
{
	cap_start();
	int rc = cfg_load(c, arg);
	*err = cap_end();
	msg_quiet = 1;
	return rc;
}

static void put(const char *name, const char *text, mode_t mode)
{
	char p[300];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static void test_load(void)
{
	struct config c;
	const char *err;
	char p[300], want[512];
	IS_INT(load("no-such-instance-xyz", &c, &err), EX_NOINPUT, "a bare name that is not there: 66");
	IS_STR(err, "argoweb: /etc/argoweb/no-such-instance-xyz.yaml: cannot open: No such file or directory\n",
	       "... named as /etc/argoweb/NAME.yaml");
	cfg_free(&c);
	/* A path longer than a fault's text is printed whole, with its reason. */
	char longp[1200];
	int n = snprintf(longp, sizeof longp, "/no-such-dir");
	while (n < 1000)
		n += snprintf(longp + n, sizeof longp - (size_t)n, "/%s", "abcdefghijklmnopqrstuvwxyz");
	snprintf(longp + n, sizeof longp - (size_t)n, "/web.yaml");
	IS_INT(load(longp, &c, &err), EX_NOINPUT, "a 1 KB path that is not there: 66");
	snprintf(want, sizeof want, "/web.yaml: cannot open: No such file or directory\n");
	OK(strlen(err) > 1000 && !strcmp(err + strlen(err) - strlen(want), want),
	   "... the whole path, then why");
	cfg_free(&c);
	IS_INT(load("web$1", &c, &err), EX_USAGE, "a bad instance name: 64");
	cfg_free(&c);
	IS_INT(load("-web", &c, &err), EX_USAGE, "a name starting with '-': 64");
	cfg_free(&c);

	const char *home = getenv("HOME");
	snprintf(dir, sizeof dir, "%s/argoweb-test-config.XXXXXX",
	         getuid() == 0 || !home ? "/run" : home);
	if (!mkdtemp(dir)) {
		OK(1, "config files # SKIP cannot make a directory");
		return;
	}
	put("web.yaml", GOOD, 0644);
	snprintf(p, sizeof p, "%s/web.yaml", dir);
	IS_INT(load(p, &c, &err), 0, "a valid config by path");
	IS_STR(c.name, "web", "instance name: the file's base name");
	IS_STR(c.path, p, "path kept");
	cfg_free(&c);
	snprintf(p, sizeof p, "%s/sub.yml", dir);
	mkdir(p, 0755);
	IS_INT(load(p, &c, &err), EX_CONFIG, "a directory: 78");
	snprintf(want, sizeof want, "argoweb: %s: not a regular file\n", p);
	IS_STR(err, want, "... not a regular file");
	cfg_free(&c);
	rmdir(p);
	put("bad.yaml", "tunnel: [\n", 0644);
	snprintf(p, sizeof p, "%s/bad.yaml", dir);
	IS_INT(load(p, &c, &err), EX_CONFIG, "a YAML error: 78");
	OK(!strncmp(err, "argoweb: ", 9) && strstr(err, "/bad.yaml:2:1: YAML syntax"), "... with FILE:LINE:COL");
	cfg_free(&c);
	if (getuid() != 0) {
		put("secret.yaml", GOOD, 0000);
		snprintf(p, sizeof p, "%s/secret.yaml", dir);
		IS_INT(load(p, &c, &err), EX_NOPERM, "unreadable: 77");
		cfg_free(&c);
	} else {
		OK(1, "unreadable config # SKIP root reads anything");
	}
	char rm[300];
	const char *names[] = { "web.yaml", "bad.yaml", "secret.yaml", NULL };
	for (int i = 0; names[i]; i++) {
		snprintf(rm, sizeof rm, "%s/%s", dir, names[i]);
		unlink(rm);
	}
	rmdir(dir);
}

static int parse(const char *yaml, struct config *c)
{
	struct fault f = { 0 };
	memset(c, 0, sizeof *c);
	c->name = xstrdup("web");
	c->path = xstrdup("/etc/argoweb/web.yaml");
	return cfg_parse(c, yaml, strlen(yaml), &f);
}

static void test_extract(void)
{
	struct config c;
	IS_INT(parse(GOOD, &c), 0, "parsed");
	IS_STR(c.user, "argoweb", "user: default argoweb");
	OK(c.group == NULL, "group: none (the user's own)");
	IS_STR(c.cloudflared, "/usr/bin/cloudflared", "cloudflared: default /usr/bin/cloudflared");
	OK(c.cacert == NULL, "cacert: none");
	IS_INT(c.interval_ns, 5000000000LL, "health.interval: default 5s");
	IS_INT(c.unhealthy_ns, 60000000000LL, "health.unhealthy-after: default 60s");
	IS_STR(c.metrics.text, "127.218.189.146:20241",
	       "metrics: the instance's own address, from its name (it must never change)");
	IS_INT(c.metrics.port, 20241, "... on port 20241");
	IS_INT(c.nrules, 1, "one rule");
	IS_STR(c.cred_key, "credentials-file", "a credentials file");
	IS_STR(c.cred_path, "/etc/argoweb/x.json", "its path");
	cfg_free(&c);
	IS_INT(parse(GOOD "user: svc\ngroup: svcg\ncloudflared: /opt/cf\ncacert: /etc/ca.pem\n"
	             "metrics: localhost:1234\nhealth: {interval: 2s, unhealthy-after: 10s}\n", &c), 0,
	       "parsed with every own key");
	OK(!strcmp(c.user, "svc") && !strcmp(c.group, "svcg") && !strcmp(c.cloudflared, "/opt/cf") &&
	   !strcmp(c.cacert, "/etc/ca.pem"), "user, group, cloudflared, cacert as given");
	OK(c.interval_ns == 2000000000LL && c.unhealthy_ns == 10000000000LL, "health as given");
	OK(!strcmp(c.metrics.text, "localhost:1234") && c.metrics.port == 1234, "metrics as given");
	cfg_free(&c);
	char a[32], b[32];
	default_metrics("web", a, sizeof a);
	default_metrics("api", b, sizeof b);
	OK(strcmp(a, b) != 0, "two instances, two addresses (%s, %s)", a, b);

	/* The hand-over connector: an address of its own, whatever the
	 * config's metrics: says; the expected count as the tunnel's. */
	IS_INT(parse(GOOD "metrics: 127.0.0.9:20241\nha-connections: 2\n", &c), 0,
	       "parsed, metrics and ha-connections given");
	char main_addr[sizeof c.metrics.text];
	snprintf(main_addr, sizeof main_addr, "%s", c.metrics.text);
	IS_INT(c.expected_conns, 2, "expected connections: ha-connections");
	cfg_handover(&c);
	char want[32];
	char hname[300];
	snprintf(hname, sizeof hname, "%s.handover", c.name);
	default_metrics(hname, want, sizeof want);
	IS_STR(c.metrics.text, want, "hand-over: the address derived from NAME.handover");
	OK(strcmp(c.metrics.text, main_addr) != 0 && c.handover == 1,
	   "hand-over: not the tunnel's (%s), flagged", main_addr);
	IS_INT(c.expected_conns, 2, "hand-over: the same expected count");
	cfg_free(&c);
}

int main(void)
{
	msg_quiet = 1;
	test_load();
	test_extract();
	return tap_done();
}
