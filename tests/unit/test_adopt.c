/* adopt.c: an old cloudflared unit, made in a scratch directory in each of
 * the shapes users have (cloudflared service install's of 2023.7.3, token
 * in ExecStart=, and of 2026.8.2, a token file; a config and credentials
 * file with extra flags; a token in an EnvironmentFile=; cloudflared's
 * default places), read and planned: the config argoweb would write, the
 * credential, what is left to argoweb, what holds the secret where others
 * may read it; and what cannot be carried over, refused with why. */
#include "../../src/adopt.c"
#include "../../src/adoptsay.h"

#include <sys/xattr.h>

#include "aclblob.h"
#include "tap.h"
#include "scratch.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
#define SECRET "YWRvcHQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2Q="
#define TOKEN "eyJhIjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJ0IjoiNmZmNDJhZTItNzY1ZC00YWRmLTgx" \
              "MTItMzFjNTVjMTU1MWVmIiwicyI6IllXUnZjSFF0ZEdWemRDMXpaV055WlhRdE1ERXlNelExTmpjNE9XRmlZMlE9In0="
#define CREDS "{\"AccountTag\":\"0123456789abcdef0123456789abcdef\",\"TunnelSecret\":\"" SECRET \
              "\",\"TunnelID\":\"" UUID "\"}\n"

static void put_file(const char *rel, const char *text, mode_t mode)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", at(rel));
	for (char *s = strchr(dir + strlen(base) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(dir, 0755);
		*s = '/';
	}
	FILE *f = fopen(at(rel), "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	must(chmod(at(rel), mode), "chmod");
}

/* Read the unit files (relative to the scratch directory; "%s" in them
 * is the scratch directory) and plan: the fault's why, or "". */
static const char *plan(struct adopt *ad, const char *const *units, size_t n, const char *why_prefix)
{
	static struct fault f;
	const char *paths[8];
	char buf[8][PATH_MAX];
	memset(&f, 0, sizeof f);
	adopt_free(ad);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf[i], sizeof buf[i], "%s", at(units[i]));
		paths[i] = buf[i];
	}
	snprintf(ad->name, sizeof ad->name, "cloudflared");
	ad->owner = geteuid();
	char home[PATH_MAX];
	snprintf(home, sizeof home, "%s", at("root"));
	if (adopt_read_files(ad, "cloudflared.service", paths, n, home, &f) || adopt_plan(ad, &f)) {
		const char *w = f.why;
		size_t pl = why_prefix ? strlen(why_prefix) : 0;
		return pl && !strncmp(w, why_prefix, pl) ? w + pl : w;
	}
	return "";
}

static int has(const char *text, const char *needle)
{
	return text && strstr(text, needle) != NULL;
}

/* A unit file's text with the scratch directory for every %s. */
static const char *in_scratch(const char *fmt)
{
	static char out[8192];
	char *o = out;
	for (const char *s = fmt; *s && o < out + sizeof out - PATH_MAX; s++) {
		if (s[0] == '%' && s[1] == 's') {
			o += snprintf(o, PATH_MAX, "%s", base);
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

static struct adopt ad;

static void token_in_execstart(void)
{
	put_file("u1/cloudflared.service",
	         "[Unit]\nDescription=cloudflared\nAfter=network.target\n\n[Service]\nTimeoutStartSec=0\n"
	         "Type=notify\nExecStart=/usr/bin/cloudflared --no-autoupdate tunnel run --token " TOKEN "\n"
	         "Restart=on-failure\nRestartSec=5s\n\n[Install]\nWantedBy=multi-user.target\n", 0644);
	put_file("u1/cloudflared.service.d/edge.conf",
	         "[Service]\nEnvironment=TUNNEL_EDGE=127.0.1.1:7844,127.0.1.2:7844 TUNNEL_CACERT=/etc/cf-edge/ca.pem\n"
	         "Environment=TUNNEL_GRACE_PERIOD=5s\n", 0644);
	const char *const u[] = { "u1/cloudflared.service", "u1/cloudflared.service.d/edge.conf" };
	IS_STR(plan(&ad, u, 2, NULL), "", "service install's unit of 2023.7.3: planned");
	IS_INT(ad.sec.kind, SEC_TOKEN, "... a token");
	OK(ad.sec.len == strlen(TOKEN) && !memcmp(ad.sec.buf, TOKEN, ad.sec.len), "... the token of ExecStart=");
	IS_STR(ad.cred_path, "/etc/argoweb/cloudflared.token", "... into /etc/argoweb/NAME.token");
	OK(has(ad.secret_from, "--token in ") && has(ad.secret_from, "u1/cloudflared.service"),
	   "... said to come from ExecStart= of the unit (%s)", ad.secret_from);
	OK(ad.f[0].holds_secret && ad.f[0].exposed, "... the unit file holds it, readable by all: moved");
	OK(!ad.f[1].holds_secret, "... the drop-in does not");
	IS_STR(ad.yaml, "grace-period: \"5s\"\nedge:\n- \"127.0.1.1:7844\"\n- \"127.0.1.2:7844\"\n"
	       "cacert: \"/etc/cf-edge/ca.pem\"\ntoken-file: \"/etc/argoweb/cloudflared.token\"\n",
	       "... the config: the drop-in's settings, the token file");
	OK(!has(ad.yaml, TOKEN) && !has(ad.notes, TOKEN), "... no secret in the config or the notes");
	OK(has(ad.notes, "left to argoweb: no-autoupdate (--no-autoupdate): argoweb pins no-autoupdate: true"),
	   "... --no-autoupdate left to argoweb, said");
	OK(has(ad.notes, "carried over: edge (TUNNEL_EDGE)"), "... TUNNEL_EDGE carried over, said");
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	adopt_print(&ad, m);
	fclose(m);
	OK(!has(out, TOKEN), "the printed plan holds no secret");
	OK(has(out, "runs: /usr/bin/cloudflared --no-autoupdate tunnel run --token <the secret>"),
	   "... the command line with the secret hidden");
	OK(has(out, "moves (it holds the secret, readable by others): ") &&
	   has(out, "u1/cloudflared.service -> /etc/argoweb/adopted/cloudflared/"), "... the unit file to be moved");
	free(out);
}

static void token_file(void)
{
	put_file("etc/cloudflared/token", TOKEN, 0600);
	put_file("u2/cloudflared.service",
	         in_scratch("[Service]\nExecStart=/usr/bin/cloudflared --no-autoupdate tunnel run --token-file %s/etc/cloudflared/token\n"),
	         0644);
	const char *const u[] = { "u2/cloudflared.service" };
	IS_STR(plan(&ad, u, 1, NULL), "", "service install's unit of 2026.8.2 (a token file): planned");
	OK(ad.sec.kind == SEC_TOKEN && ad.sec.len == strlen(TOKEN) && !memcmp(ad.sec.buf, TOKEN, ad.sec.len),
	   "... the token read from its file");
	OK(!ad.f[0].holds_secret, "... the unit does not hold it");
	OK(ad.nf == 2 && ad.f[1].holds_secret && !ad.f[1].exposed, "... the token file does, root's alone: left");
}

static void config_and_flags(void)
{
	put_file("root/.cloudflared/" UUID ".json", CREDS, 0400);
	put_file("etc/cloudflared/config.yml",
	         in_scratch("tunnel: " UUID "\ncredentials-file: %s/root/.cloudflared/" UUID ".json\n"
	                    "protocol: quic\nmetrics: 0.0.0.0:2000\n"
	                    "ingress:\n  - hostname: www.example.com\n    service: http://localhost:8080\n"
	                    "    originRequest: {connectTimeout: 10s}\n  - service: http_status:404\n"),
	         0644);
	put_file("u3/cloudflared.service",
	         in_scratch("[Service]\nExecStart=/usr/local/bin/cloudflared --no-autoupdate --pidfile /run/cf.pid "
	                    "tunnel --config %s/etc/cloudflared/config.yml --protocol http2 "
	                    "--loglevel warn run\n"),
	         0644);
	const char *const u[] = { "u3/cloudflared.service" };
	IS_STR(plan(&ad, u, 1, NULL), "", "a config-based unit with extra flags: planned");
	IS_INT(ad.sec.kind, SEC_JSON, "... tunnel credentials");
	OK(!memcmp(ad.sec.buf, CREDS, strlen(CREDS) - 1), "... read from credentials-file");
	IS_STR(ad.cred_path, "/etc/argoweb/cloudflared.json", "... into /etc/argoweb/NAME.json");
	IS_STR(ad.old_metrics, "0.0.0.0:2000", "... the old metrics address noted");
	IS_STR(ad.yaml,
	       "ingress:\n- hostname: www.example.com\n  service: http://localhost:8080\n"
	       "  originRequest:\n    connectTimeout: 10s\n- service: http_status:404\n"
	       "protocol: \"http2\"\nloglevel: \"warn\"\ntunnel: \"" UUID "\"\n"
	       "credentials-file: \"/etc/argoweb/cloudflared.json\"\ncloudflared: \"/usr/local/bin/cloudflared\"\n",
	       "... the config's rules as written, the command line over the config, the program");
	OK(has(ad.notes, "left to argoweb: metrics (") && has(ad.notes, "left to argoweb: pidfile (--pidfile)"),
	   "... metrics and pidfile left to argoweb, said");
	int exposed = 0;
	for (size_t i = 0; i < ad.nf; i++)
		exposed |= ad.f[i].exposed;
	OK(!exposed, "... the credentials file is root's alone: nothing to move");
}

static void envfile_and_defaults(void)
{
	put_file("etc/default/cloudflared", "# cloudflared\nTUNNEL_TOKEN=" TOKEN "\n", 0644);
	put_file("u4/cloudflared.service",
	         in_scratch("[Service]\nEnvironmentFile=-%s/etc/default/nothing\n"
	                    "EnvironmentFile=%s/etc/default/cloudflared\nExecStart=/usr/bin/cloudflared tunnel run\n"),
	         0644);
	const char *const u[] = { "u4/cloudflared.service" };
	IS_STR(plan(&ad, u, 1, NULL), "", "a token in an EnvironmentFile= (and a missing optional one): planned");
	OK(ad.sec.kind == SEC_TOKEN && has(ad.secret_from, "TUNNEL_TOKEN in ") &&
	   has(ad.secret_from, "etc/default/cloudflared"), "... from TUNNEL_TOKEN of the file (%s)", ad.secret_from);
	OK(ad.f[1].role == AF_ENVFILE && ad.f[1].exposed, "... which anyone may read: moved");
	OK(!ad.f[0].holds_secret, "... not the unit");
	/* No credential named: TUNNEL.json in cloudflared's default places
	 * (the home's ~/.cloudflared first). */
	put_file("u5/cloudflared.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run " UUID "\n", 0644);
	const char *const u5[] = { "u5/cloudflared.service" };
	OK(has(plan(&ad, u5, 1, NULL), "a locally-managed tunnel needs ingress: rules"),
	   "tunnel run UUID, no config anywhere: refused, argoweb needs its rules");
	put_file("root/.cloudflared/config.yaml", "ingress:\n  - service: http_status:404\n", 0600);
	IS_STR(plan(&ad, u5, 1, NULL), "", "... with ~/.cloudflared/config.yaml: planned from cloudflared's default places");
	OK(ad.sec.kind == SEC_JSON && has(ad.secret_from, "root/.cloudflared/" UUID ".json"),
	   "... ~/.cloudflared/UUID.json (%s)", ad.secret_from);
	OK(ad.config_file >= 0 && has(ad.f[ad.config_file].path, "root/.cloudflared/config.yaml"),
	   "... and the config found where cloudflared looks first");
}

static void refused(void)
{
	put_file("u6/a.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel --url http://localhost:8080 run x\n",
	         0644);
	const char *const u6[] = { "u6/a.service" };
	OK(has(plan(&ad, u6, 1, NULL), "url (--url): cannot be carried over: single-origin mode"),
	   "single-origin --url with run: refused, with why");
	put_file("u6/b.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel --hostname x.example.com run\n",
	         0644);
	const char *const u7[] = { "u6/b.service" };
	OK(has(plan(&ad, u7, 1, NULL), "hostname (--hostname): cannot be carried over"), "--hostname: refused");
	put_file("u6/c.service", "[Service]\nEnvironment=TUNNEL_DNS_PORT=53\nExecStart=/usr/bin/cloudflared tunnel run\n",
	         0644);
	const char *const u8[] = { "u6/c.service" };
	OK(has(plan(&ad, u8, 1, NULL), "TUNNEL_DNS_PORT: a variable cloudflared reads that argoweb adopt does not know"),
	   "an unknown variable: refused");
	put_file("u6/d.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run --token e30=\n", 0644);
	const char *const u9[] = { "u6/d.service" };
	OK(has(plan(&ad, u9, 1, NULL), "the credential is not one cloudflared runs with"),
	   "a token that is no token: refused (%s)", plan(&ad, u9, 1, NULL));
	put_file("u6/e.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run\n", 0644);
	const char *const u10[] = { "u6/e.service" };
	OK(has(plan(&ad, u10, 1, NULL), "no credential"), "no credential at all: refused");
	put_file("etc/cf2/config.yml", "tunnel: " UUID "\ncredentials-file: /nonexistent.json\nprotocl: quic\n", 0644);
	put_file("u6/f.service",
	         in_scratch("[Service]\nExecStart=/usr/bin/cloudflared tunnel --config %s/etc/cf2/config.yml run --token " TOKEN "\n"),
	         0644);
	const char *const u11[] = { "u6/f.service" };
	OK(has(plan(&ad, u11, 1, NULL), "the config it would write, /etc/argoweb/cloudflared.yaml:") &&
	   has(plan(&ad, u11, 1, NULL), "protocl"),
	   "a typo cloudflared ignores: refused by argoweb's check, with the line (%s)", plan(&ad, u11, 1, NULL));
	put_file("u6/g.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run --token " TOKEN "\nExecStart=/bin/true\n",
	         0644);
	const char *const u12[] = { "u6/g.service" };
	OK(has(plan(&ad, u12, 1, NULL), "2 ExecStart= lines"), "two ExecStart= lines: refused");
}

/* The secret said nowhere: the plan's command line in every spelling of a
 * secret flag, an error about a line that holds it; a unit or drop-in that
 * holds it counts as exposed at any mode (systemctl show gives it to
 * all); a relative path refused, since cloudflared's directory is not
 * adopt's. */
static void secret_kept(void)
{
	static const char *const forms[] = { "-token " TOKEN, "--token=" TOKEN, "-token=" TOKEN,
	                                     "--token " TOKEN };
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		char unit[1024];
		snprintf(unit, sizeof unit, "[Service]\nExecStart=/usr/bin/cloudflared tunnel run %s\n", forms[i]);
		put_file("u7/a.service", unit, 0644);
		const char *const u[] = { "u7/a.service" };
		IS_STR(plan(&ad, u, 1, NULL), "", "the token as %.8s...: planned", forms[i]);
		char *out = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&out, &len);
		adopt_print(&ad, m);
		fclose(m);
		OK(!has(out, TOKEN) && !has(out, "eyJhIjoi") && has(out, "<the secret>"),
		   "... the printed plan hides it (%.8s...)", forms[i]);
		free(out);
	}
	/* A value shorter than the base64 scrub's 40: hidden by its flag alone. */
	put_file("u7/s.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run -token shortsecret --token=shortsecret2\n", 0644);
	const char *const us[] = { "u7/s.service" };
	plan(&ad, us, 1, NULL);
	{
		char *out = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&out, &len);
		adopt_print(&ad, m);
		fclose(m);
		OK(out && !has(out, "shortsecret"), "a short token after -token and in --token=: hidden by the flag");
		free(out);
	}
	put_file("u7/b.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run --token " TOKEN " \"x\n", 0644);
	const char *const ub[] = { "u7/b.service" };
	const char *why = plan(&ad, ub, 1, NULL);
	OK(has(why, "a quote that is not closed") && !has(why, "eyJhIjoi"),
	   "an ExecStart= it cannot read: said without the line (%s)", why);
	char msgline[512] = "tunnel run x " TOKEN ": no; tunnel " UUID;
	adopt_scrub(msgline);
	OK(!has(msgline, "eyJhIjoi") && has(msgline, UUID), "adopt_scrub: a token gone, a UUID kept (%s)", msgline);
	put_file("u7/c.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run --token-file token\n", 0644);
	const char *const uc[] = { "u7/c.service" };
	OK(has(plan(&ad, uc, 1, NULL), "--token-file token: not a full path"), "a relative token file: refused (%s)",
	   plan(&ad, uc, 1, NULL));
	put_file("u7/d.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run --cred-file ~/x.json\n", 0644);
	const char *const ud[] = { "u7/d.service" };
	OK(has(plan(&ad, ud, 1, NULL), "not a full path"), "~ in a credentials file (cloudflared does not expand it): refused");
	put_file("u7/e.service", "[Service]\nExecStart=/usr/bin/cloudflared tunnel run\n", 0600);
	put_file("u7/e.service.d/token.conf", "[Service]\nEnvironment=TUNNEL_TOKEN=" TOKEN "\n", 0600);
	const char *const ue[] = { "u7/e.service", "u7/e.service.d/token.conf" };
	IS_STR(plan(&ad, ue, 2, NULL), "", "a token in a 0600 drop-in: planned");
	/* Only root's 0600 file shows the rule: another owner is exposed anyway. */
	if (geteuid() == 0)
		OK(ad.f[1].holds_secret && ad.f[1].exposed, "... root's 0600 drop-in is exposed all the same (systemctl show)");
	else
		OK(1, "... root's 0600 drop-in # SKIP not root: the file is not root's");
	put_file("u7/f.env", "TUNNEL_TOKEN=" TOKEN "\n", 0600);
	put_file("u7/f.service", in_scratch("[Service]\nEnvironmentFile=%s/u7/f.env\nExecStart=/usr/bin/cloudflared tunnel run\n"), 0644);
	const char *const uf[] = { "u7/f.service" };
	put_file("u7/f.env", "TUNNEL_TOKEN=" TOKEN "\nHTTPS_PROXY=http://proxy:3128\n", 0600);
	IS_STR(plan(&ad, uf, 1, NULL), "", "a token in a 0600 EnvironmentFile=: planned");
	OK(has(ad.notes, "not carried over: HTTPS_PROXY (in ") && has(ad.notes, "systemctl edit"),
	   "... a variable cloudflared's runtime reads, not carried over: said (%s)", ad.notes);
	if (geteuid() == 0) {
		OK(ad.f[1].holds_secret && !ad.f[1].exposed, "... root's 0600 environment file is not exposed: left");
		/* The same file, 0600 still, with an ACL that lets uid 4242 read it. */
		unsigned char x[64];
		const struct ace acl[] = { { PACL_USER_OBJ, 6, NOID }, { PACL_USER, 4, 4242 },
		                           { PACL_GROUP_OBJ, 0, NOID }, { PACL_MASK, 4, NOID },
		                           { PACL_OTHER, 0, NOID } };
		size_t xl = acl_blob(x, acl, sizeof acl / sizeof *acl);
		if (setxattr(at("u7/f.env"), PACL_XATTR, x, xl, 0) == 0) {
			IS_STR(plan(&ad, uf, 1, NULL), "", "... with an ACL granting uid 4242 read: planned");
			OK(ad.f[1].holds_secret && ad.f[1].exposed, "... exposed: its ACL lets another user read it");
		} else {
			OK(1, "... an ACL # SKIP this file system takes none: %s", strerror(errno));
		}
		/* User=bob's unit names bob's config, a link bob made to a file
		 * of root's: adopt, as root, does not follow it. */
		mkdir(at("bobhome"), 0755);
		mkdir(at("bobhome/.cloudflared"), 0700);
		must(chown(at("bobhome/.cloudflared"), 4242, 4242), "chown");
		put_file("rootonly.yml", "tunnel: " UUID "\nprotocol: quic\n", 0600);
		must(symlink(at("rootonly.yml"), at("bobhome/.cloudflared/config.yml")), "symlink");
		must(lchown(at("bobhome/.cloudflared/config.yml"), 4242, 4242), "lchown");
		put_file("u7/g.service", in_scratch("[Service]\nUser=bob\nExecStart=/usr/bin/cloudflared tunnel --config "
		                                    "%s/bobhome/.cloudflared/config.yml run --token " TOKEN "\n"), 0644);
		struct fault f = { 0 };
		const char *paths[] = { at("u7/g.service") };
		adopt_free(&ad);
		snprintf(ad.name, sizeof ad.name, "g");
		ad.owner = 4242;
		OK(adopt_read_files(&ad, "g.service", paths, 1, at("bobhome"), &f) &&
		   has(f.why, "config.yml is owned by uid 4242, not by root") && !has(f.why, "quic") && !ad.base.root,
		   "a config bob links to a file of root's: refused (a link that is not root's), not read (%s)", f.why);
	} else {
		OK(1, "... root's 0600 environment file # SKIP not root: the file is not root's");
	}
}

int main(void)
{
	if (scratch_open("adopt")) {
		OK(1, "adopt # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	token_in_execstart();
	token_file();
	config_and_flags();
	envfile_and_defaults();
	refused();
	secret_kept();
	adopt_free(&ad);
	scratch_close();
	return tap_done();
}
