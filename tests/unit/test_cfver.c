/* cfver.c: the release cloudflared says it is, and what each release does
 * with the keys argoweb knows: refused, or said and left out of the
 * rendering, for 2023.7.3 (the oldest supported), releases in between,
 * 2026.8.2 (the newest), and a release argoweb could not ask. The real
 * binaries' verdicts on the renderings are tests/system/090's. */
#include "../../src/cfver.c"

#include <unistd.h>

#include "../../src/render.h"
#include "capture.h"
#include "tap.h"
#include "scratch.h"

/* Does text hold want? Shows text when not. */
static void has(const char *text, const char *want, const char *name)
{
	OK(strstr(text, want) != NULL, "%s", name);
	if (!strstr(text, want))
		printf("#   want: %s\n#   in:   %s\n", want, text);
}

static struct cfver ver(const char *text)
{
	struct cfver v;
	char line[128];
	snprintf(line, sizeof line, "cloudflared version %s (built 2026-08-20)", text);
	if (cfver_parse(line, &v))
		memset(&v, 0, sizeof v);
	return v;
}

static void test_parse(void)
{
	struct cfver v;
	IS_INT(cfver_parse("cloudflared version 2023.7.3 (built 2023-07-27)", &v), 0, "parse: 2023.7.3");
	IS_STR(v.text, "2023.7.3", "parse: ... its text");
	IS_INT(v.y * 10000 + v.m * 100 + v.p, 20230703, "parse: ... its numbers");
	IS_INT(cfver_parse("cloudflared version 2026.8.2 (built 2026-08-20)", &v), 0, "parse: 2026.8.2");
	IS_INT(cfver_parse("cloudflared version 2025.4.0-12-gabcdef (built 2025-04-01)", &v), 0,
	       "parse: a build from git describes its release");
	IS_STR(v.text, "2025.4.0", "parse: ... as the release it follows");
	IS_INT(cfver_parse("cloudflared version DEV (built unknown)", &v), -1, "parse: DEV is no release");
	IS_INT(v.known, 0, "parse: ... and stays unknown");
	IS_INT(cfver_parse("Incorrect Usage: flag provided but not defined: -version", &v), -1,
	       "parse: not a version line");
	IS_INT(cfver_parse("cloudflared version 2024.13.1", &v), -1, "parse: no 13th month");
	IS_INT(cfver_parse("", &v), -1, "parse: nothing");
}

static void test_order(void)
{
	struct cfver a = ver("2023.7.3"), b = ver("2023.10.0"), c = ver("2026.8.2"), u = { 0 };
	OK(cfver_at_least(&b, 2023, 10, 0) && !cfver_at_least(&a, 2023, 10, 0),
	   "order: 2023.10.0 is at least 2023.10.0; 2023.7.3 is not (months compare as numbers)");
	OK(cfver_at_least(&c, 2024, 6, 1) && !cfver_at_least(&b, 2024, 6, 1), "order: across years");
	OK(cfver_at_least(&c, 2026, 8, 2) && !cfver_at_least(&c, 2026, 8, 3), "order: patch level");
	OK(cfver_at_least(&u, 2099, 1, 0), "order: an unknown release counts as the newest");
}

/* Load yaml, apply release v's rules, render: the exit code, the
 * rendering (caller frees; NULL when refused) and what was printed. */
static int apply(const char *yaml, const char *release, int endpoint, char **out, char *err, size_t n)
{
	struct config c = { 0 };
	struct cfver v = release ? ver(release) : (struct cfver){ 0 };
	size_t len;
	*out = NULL;
	if (cfg_load_buffer(&c, "t.yaml", yaml, strlen(yaml))) {
		cfg_free(&c);
		snprintf(err, n, "(does not load)");
		return -1;
	}
	cap_start();
	int rc = cfver_apply(&c, &v, endpoint);
	snprintf(err, n, "%s", cap_end());
	if (!rc && render_config(&c, NULL, out, &len))
		rc = -2;
	cfg_free(&c);
	return rc;
}

#define BASE "tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ncredentials-file: /etc/argoweb/w.json\n" \
	"ingress:\n  - hostname: a.example.com\n    service: http://localhost:8080\n" \
	"    originRequest: {matchSNItoHost: true, access: {required: true, teamName: t, audTag: [x], environment: fed}}\n" \
	"  - service: http_status:404\n"

static void test_ignored(void)
{
	char err[16384], *out;
	const char *y = BASE "warp-routing: {enabled: false, maxActiveFlows: 10}\nno-prechecks: true\n"
	                "rpc-timeout: 10s\nwrite-stream-timeout: 1s\nquic-stream-level-flow-control-limit: 1000\n"
	                "originRequest: {matchSNItoHost: true}\n";
	IS_INT(apply(y, "2023.7.3", 0, &out, err, sizeof err), 0, "2023.7.3: nothing refused");
	OK(out && !strstr(out, "matchSNItoHost") && !strstr(out, "no-prechecks") && !strstr(out, "rpc-timeout") &&
	   !strstr(out, "write-stream-timeout") && !strstr(out, "quic-stream") && !strstr(out, "environment") &&
	   !strstr(out, "maxActiveFlows"), "2023.7.3: the keys it does not know are left out");
	OK(out && strstr(out, "enabled: false") && strstr(out, "required: true"),
	   "2023.7.3: warp-routing.enabled (still honoured) and access stay");
	has(err, "argoweb: warning: t.yaml:6:21: originRequest.matchSNItoHost: cloudflared 2023.7.3 ignores it: "
	    "new in cloudflared 2024.4.0 (b5be8a6f); left out of cloudflared's config",
	    "2023.7.3: a warning names the file, line, column, key and the release that brought it");
	OK(strstr(err, "originRequest.access.environment: cloudflared 2023.7.3 ignores it: new in cloudflared 2025.9.0") &&
	   strstr(err, "no-prechecks: cloudflared 2023.7.3 ignores it: new in cloudflared 2026.5.0"),
	   "2023.7.3: ... one for each");
	free(out);

	IS_INT(apply(y, "2024.6.0", 0, &out, err, sizeof err), 0, "2024.6.0: nothing refused");
	OK(out && strstr(out, "matchSNItoHost") && strstr(out, "rpc-timeout") && !strstr(out, "quic-stream") &&
	   !strstr(out, "enabled:") && strstr(out, "write-stream-timeout"),
	   "2024.6.0: has matchSNItoHost and rpc-timeout, not yet the QUIC limits; warp-routing.enabled is gone");
	OK(strstr(err, "warp-routing.enabled: cloudflared 2024.6.0 ignores it: cloudflared 2023.10.0 and later "
	           "ignore it (fc0ecf41, TUN-7776): WARP routing is always on") != NULL,
	   "2024.6.0: enabled: false is said not to protect");
	free(out);

	IS_INT(apply(y, "2026.8.2", 0, &out, err, sizeof err), 0, "2026.8.2: nothing refused");
	OK(out && strstr(out, "no-prechecks: true") && strstr(out, "environment: fed") && strstr(out, "maxActiveFlows: 10") &&
	   strstr(out, "quic-stream-level-flow-control-limit: 1000") && !strstr(out, "enabled"),
	   "2026.8.2: every new key rendered; only warp-routing.enabled left out");
	OK(strstr(err, "warp-routing.enabled") && !strstr(err, "no-prechecks"), "2026.8.2: one warning");
	free(out);

	IS_INT(apply(y, NULL, 0, &out, err, sizeof err), 0, "unknown release: nothing refused");
	OK(out && strstr(out, "enabled: false") && strstr(out, "no-prechecks") && !err[0],
	   "unknown release: rendered as written, nothing said (no release's rule applies)");
	free(out);

	IS_INT(apply(BASE "output: json\n", NULL, 0, &out, err, sizeof err), 0, "output: not refused");
	OK(out && !strstr(out, "output") && strstr(err, "output: cloudflared any release ignores it"),
	   "output: left out whatever the release: cloudflared never reads it from the file");
	free(out);
}

static void test_refused(void)
{
	char err[16384], *out;
	const char *y = BASE "region: us\n";
	IS_INT(apply(y, "2026.8.2", 1, &out, err, sizeof err), EX_CONFIG,
	       "region: with a credential that names its endpoint, 2026.8.2: refused (78)");
	has(err, "argoweb: t.yaml:8:1: region: cloudflared 2026.8.2 would not start: cloudflared 2025.2.1 and later "
	    "stop at once with \"region provided with a token that has an endpoint\"",
	    "region: ... saying why, at its line");
	IS_INT(apply(y, "2025.2.0", 1, &out, err, sizeof err), 0, "region: 2025.2.0 takes it");
	free(out);
	IS_INT(apply(y, "2026.8.2", 0, &out, err, sizeof err), 0, "region: without an endpoint, taken");
	free(out);
	IS_INT(apply(BASE "region: \"\"\n", "2026.8.2", 1, &out, err, sizeof err), 0,
	       "region: an empty one is never applied: taken");
	free(out);

	y = BASE "protocol: http2\npost-quantum: true\n";
	IS_INT(apply(y, "2023.7.3", 0, &out, err, sizeof err), EX_CONFIG, "post-quantum over http2, 2023.7.3: refused");
	OK(strstr(err, "post-quantum is only supported with the quic transport") != NULL, "post-quantum: ... saying why");
	IS_INT(apply(y, "2026.5.0", 0, &out, err, sizeof err), 0, "post-quantum over http2, 2026.5.0: taken");
	free(out);
	IS_INT(apply(BASE "protocol: quic\npost-quantum: true\n", "2023.7.3", 0, &out, err, sizeof err), 0,
	       "post-quantum over quic, 2023.7.3: taken");
	free(out);
}

/* The binary asked, as argoweb asks it: tests/fake-cloudflared answers as
 * the real one does. As root the child is the service user (65534): the
 * fake is copied where that user may run it (the clone may be in a 0700
 * home). */
static void test_read(void)
{
	char *src = realpath("build/tests/fake-cloudflared", NULL);
	struct cfver v;
	struct fault f = { 0 };
	struct ids ids = { .uid = 65534, .gid = 65534 };
	if (!src || scratch_open("cfver")) {
		OK(1, "read # SKIP no fake-cloudflared or scratch directory (make fake)");
		free(src);
		return;
	}
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chmod 0755 '%s' '%s'", src, at("cloudflared"), base,
	         at("cloudflared"));
	free(src);
	must(system(cmd), "copy the fake");
	IS_INT(cfver_read(at("cloudflared"), &ids, &v, &f), 0, "read: the fake's --version (%s)", f.why);
	IS_STR(v.text, "2026.8.2", "read: ... says 2026.8.2, as the newest release");
	IS_INT(cfver_read("/bin/false", &ids, &v, &f), -EINVAL, "read: a binary that is not cloudflared: refused");
	has(f.why, "/bin/false --version said \"false (GNU coreutils)", "read: ... saying what it said");
	has(f.why, "not \"cloudflared version YEAR.MONTH.PATCH\"", "read: ... and what it should have");
	scratch_close();
}

int main(void)
{
	test_parse();
	test_order();
	test_ignored();
	test_refused();
	test_read();
	return tap_done();
}
