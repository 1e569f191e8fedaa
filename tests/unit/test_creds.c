/* Unit tests for creds.c: base64 as Go's StdEncoding, the credentials JSON
 * and the token, the loader's file checks, and that no message quotes a
 * byte of the secret and every buffer that held it is wiped. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/msg.h"

/* Track every buffer creds.c allocates and check, when creds.c frees it,
 * that it was wiped first (no use after free: checked inside free). */
static void *track_malloc(size_t n);
static void track_free(void *p);
#define xmalloc(n) track_malloc(n)
#define free(p) track_free(p)
/* The open and its walk as creds.c sees them: the real ones, unless a test
 * makes the walk fail as a parent removed during it makes it fail. */
#include <stdio.h>

#include "../../src/msg.h"
#include "../../src/safefile.h"
static int parents_fail;
static int open_stub(const char *path, uid_t owner, const struct sdcred *sd, struct fault *f)
{
	if (!parents_fail)
		return sf_open_secret(path, owner, sd, f);
	return fail(f, parents_fail, "%.200s: No such file or directory", path);
}
#define sf_open_secret open_stub
#include "../../src/creds.c"
#undef sf_open_secret
#undef xmalloc
#undef free

#include "tap.h"

static struct trk { unsigned char *p; size_t n; int freed, clean; } trk[256];
static size_t ntrk, nfreed_dirty, nfreed_tracked;

static void track_add(void *p, size_t n)
{
	if (ntrk < sizeof trk / sizeof *trk)
		trk[ntrk++] = (struct trk){ p, n, 0, 0 };
}

static void *track_malloc(size_t n)
{
	void *p = xmalloc(n);
	track_add(p, n);
	return p;
}

static void track_free(void *p)
{
	for (size_t i = 0; p && i < ntrk; i++)
		if (trk[i].p == p && !trk[i].freed) {
			int clean = 1;
			for (size_t j = 0; j < trk[i].n; j++)
				clean &= trk[i].p[j] == 0;
			trk[i].freed = 1;
			nfreed_tracked++;
			if (!clean)
				nfreed_dirty++;
			/* Drop the slot so a later allocation at p is new. */
			trk[i] = trk[--ntrk];
			break;
		}
	free(p);
}

#include "capture.h"

/* A base64 encoder independent of the decoder under test. */
static char *b64enc(const char *in, char *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) |
		                  (i + 2 < n ? s[i + 2] : 0);
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	out[o] = 0;
	return out;
}

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"
#define OTHER "11111111-2222-3333-4444-555555555555"
#define ACCT "0123456789abcdef0123456789abcdef"
#define SECRET "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="  /* "secretsecret...12" */
#define PATH "/etc/argoweb/t.json"
#define J(acct, sec, id) "{\"AccountTag\":\"" acct "\",\"TunnelSecret\":\"" sec "\",\"TunnelID\":\"" id "\"}"

static void test_b64(void)
{
	static const struct { const char *in, *out; long n; } v[] = {
		/* RFC 4648, section 10 */
		{ "Zg==", "f", 1 }, { "Zm8=", "fo", 2 }, { "Zm9v", "foo", 3 },
		{ "Zm9vYg==", "foob", 4 }, { "Zm9vYmE=", "fooba", 5 }, { "Zm9vYmFy", "foobar", 6 },
		{ "AAAA", "\0\0\0", 3 }, { "/+8=", "\xff\xef", 2 }, { "////", "\xff\xff\xff", 3 },
		{ "QR==", "A", 1 },    /* non-zero pad bits: Go's StdEncoding (not Strict) takes it */
		{ "YWJjZA==", "abcd", 4 },
	};
	unsigned char out[64];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		memset(out, 0xaa, sizeof out);
		long n = b64_decode(v[i].in, strlen(v[i].in), out);
		OK(n == v[i].n && memcmp(out, v[i].out, (size_t)v[i].n) == 0 && out[n] == 0xaa,
		   "b64 \"%s\" decodes to %ld bytes, no more written", v[i].in, v[i].n);
	}
	static const char *const bad[] = {
		"",          /* empty: no secret */
		"Zg", "Zg=", "Zm9vY", /* unpadded or length not a multiple of 4 */
		"Z===", "====", "Zg=a", "Zg==Zg==", "=Zg=", "Z=g=", "Zm9v====",
		"Zm9-", "Zm9_",      /* URL alphabet */
		"Zm9v\n", "Zm 9", "Zm9\t", "Zm9\xc3",
		"Zm9v Zm9v", "Zm8=\0\0\0\0",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		size_t len = strlen(bad[i]);
		if (i == sizeof bad / sizeof *bad - 1)
			len = 8;
		char shown[64];
		size_t k = 0;
		for (size_t j = 0; j < len && k + 5 < sizeof shown; j++)
			k += (size_t)snprintf(shown + k, sizeof shown - k,
			                      bad[i][j] > 0x20 && bad[i][j] < 0x7f ? "%c" : "\\x%02x",
			                      (unsigned char)bad[i][j]);
		shown[k] = 0;
		IS_INT(b64_decode(bad[i], len, out), -1, "b64 refuses \"%s\"", shown);
	}
	/* Round trip against the independent encoder, every length mod 3. */
	char enc[128];
	const char *msgs[] = { "a", "ab", "abc", "abcd", "hello, world", ACCT };
	for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
		b64enc(msgs[i], enc);
		long n = b64_decode(enc, strlen(enc), out);
		OK(n == (long)strlen(msgs[i]) && !memcmp(out, msgs[i], (size_t)n),
		   "b64 round trip of \"%s\"", msgs[i]);
	}
}

/* Parse content as kind with tunnel; returns rc, the message in *err. */
static int parse(const char *content, enum secret_kind kind, const char *tunnel,
                 struct secret *s, const char **err)
{
	memset(s, 0, sizeof *s);
	size_t n = strlen(content);
	s->cap = n + 1;
	s->buf = malloc(s->cap);
	memcpy(s->buf, content, n + 1);
	s->len = n;
	track_add(s->buf, s->cap);
	snprintf(s->path, sizeof s->path, "%s", PATH);
	struct fault f = { 0 };
	static char e[sizeof f.why + 64];
	cap_start();
	int rc = creds_parse(s, kind, tunnel, &f);
	const char *printed = cap_end();
	/* It prints nothing itself; the step above prints the fault, so. */
	if (*printed)
		snprintf(e, sizeof e, "creds_parse printed: %s", printed);
	else if (rc)
		snprintf(e, sizeof e, "argoweb: %s\n", f.why);
	else
		e[0] = 0;
	if (err)
		*err = e;
	return rc;
}

/* Mask each JSON key in c (a string followed by a colon): keys are names,
 * not secrets, and the messages about them quote them. */
static void mask_keys(char *c)
{
	for (char *p = c; (p = strchr(p, '"'));) {
		char *q = p + 1;
		while (*q && *q != '"')
			q += *q == '\\' && q[1] ? 2 : 1;
		if (!*q)
			break;
		if (q[1 + strspn(q + 1, " \t\r\n")] == ':')
			memset(p, '"', (size_t)(q - p));
		p = q + 1;
	}
}

static int leaks_secret(const char *err, const char *content)
{
	if (strstr(err, "c2VjcmV0") || strstr(err, "secretsecret") || strstr(err, "MTI="))
		return 1;
	/* Nor any 12-byte run of the content itself (covers bad secrets and
	 * tokens), once what is not secret is masked: keys, field names, the
	 * account tag and the tunnel IDs. */
	static const char *const public[] = { "AccountTag", "TunnelSecret", "TunnelID", ACCT,
	                                      UUID, OTHER, NULL };
	size_t n = strlen(content);
	char *c = strdup(content);
	mask_keys(c);
	for (int i = 0; public[i]; i++)
		for (char *p = c; (p = strstr(p, public[i]));)
			memset(p, '"', strlen(public[i]));
	int leak = 0;
	for (size_t i = 0; !leak && i + 12 <= n; i++) {
		char w[13];
		memcpy(w, c + i, 12);
		w[12] = 0;
		if (!strpbrk(w, "\":") && strstr(err, w))
			leak = 1;
	}
	free(c);
	return leak;
}

static void good(const char *name, const char *content, enum secret_kind kind,
                 const char *tunnel, enum secret_kind want_kind, const char *want_id)
{
	struct secret s;
	const char *err;
	int rc = parse(content, kind, tunnel, &s, &err);
	OK(rc == 0 && !*err, "%s: accepted", name);
	if (rc)
		printf("#   %s", err);
	IS_INT(s.kind, want_kind, "%s: kind", name);
	IS_STR(s.tunnel_id, want_id, "%s: tunnel id", name);
	creds_wipe(&s);
	OK(s.buf == NULL && s.len == 0 && s.cap == 0 && s.kind == SEC_ANY && !s.tunnel_id[0],
	   "%s: wiped", name);
}

static void bad(const char *name, const char *content, enum secret_kind kind,
                const char *tunnel, const char *want)
{
	struct secret s;
	const char *err;
	char line[1024];
	int rc = parse(content, kind, tunnel, &s, &err);
	snprintf(line, sizeof line, "argoweb: " PATH ": %s\n", want);
	OK(rc == -EBADMSG && !strcmp(err, line), "%s: refused", name);
	if (rc != -EBADMSG || strcmp(err, line))
		printf("#   rc %d, got: %s#   want: %s", rc, err, line);
	OK(!leaks_secret(err, content), "%s: message quotes no secret", name);
	creds_wipe(&s);
}

static void test_json(void)
{
	/* The leak check itself finds what it should. */
	OK(leaks_secret("x: TunnelSecret is c2VjcmV0", J(ACCT, SECRET, UUID)), "leak check: secret");
	OK(leaks_secret("x: got zzzzyyyyxxxx!", "{\"s\":\"zzzzyyyyxxxx!\"}"), "leak check: content");
	OK(!leaks_secret("x: TunnelSecret is not base64", J(ACCT, "zzzzyyyyxxxx", UUID)),
	   "leak check: field names are not secrets");

	good("JSON", J(ACCT, SECRET, UUID), SEC_JSON, UUID, SEC_JSON, UUID);
	good("JSON, auto-detected", J(ACCT, SECRET, UUID), SEC_ANY, NULL, SEC_JSON, UUID);
	good("JSON with white space and newline", "\n  " J(ACCT, SECRET, UUID) " \n\n", SEC_JSON,
	     NULL, SEC_JSON, UUID);
	good("JSON, pretty-printed", "{\n  \"AccountTag\": \"" ACCT "\",\n  \"TunnelSecret\": \""
	     SECRET "\",\n  \"TunnelID\": \"" UUID "\",\n  \"Endpoint\": \"\"\n}\n", SEC_JSON,
	     NULL, SEC_JSON, UUID);
	/* Go's encoding/json would read these keys too: only the exact one
	 * is allowed, once (json_check_keys). */
	bad("JSON, a key in another case",
	    "{\"accounttag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET "\",\"TunnelID\":\"" UUID "\"}",
	    SEC_JSON, NULL, "the key \"accounttag\" is not spelled \"AccountTag\": cloudflared "
	    "would read it too; write AccountTag exactly once");
	good("JSON, tunnel: a name (no match needed)", J(ACCT, SECRET, UUID), SEC_JSON, "web",
	     SEC_JSON, UUID);
	good("JSON, tunnel: in upper case", J(ACCT, SECRET, UUID), SEC_JSON,
	     "6FF42AE2-765D-4ADF-8112-31C55C1551EF", SEC_JSON, UUID);
	good("JSON, escaped slash", J(ACCT, "c2Vj\\/mV0", UUID), SEC_JSON, NULL, SEC_JSON, UUID);

	const char *not_cred = "not a tunnel credentials file: expected a JSON object with "
	                       "AccountTag, TunnelSecret and TunnelID";
	bad("truncated JSON", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"c2VjcmV0c2Vj",
	    SEC_JSON, NULL, not_cred);
	bad("YAML, not JSON", "{AccountTag: " ACCT ", TunnelSecret: " SECRET ", TunnelID: " UUID "}",
	    SEC_JSON, NULL, not_cred);
	bad("single-quoted keys", "{'AccountTag':'" ACCT "','TunnelSecret':'" SECRET "','TunnelID':'"
	    UUID "'}", SEC_JSON, NULL, not_cred);
	bad("a JSON list", "[1, 2]", SEC_JSON, NULL, not_cred);
	bad("not JSON at all", "AccountTag=" ACCT, SEC_JSON, NULL, not_cred);
	bad("a token as JSON", "eyJhIjoiMDEyMzQ1Njc4OWFiY2RlZiJ9", SEC_JSON, NULL, not_cred);
	bad("two JSON documents", J(ACCT, SECRET, UUID) "\n---\n{}", SEC_JSON, NULL, not_cred);
	/* Go's encoding/json keeps the last of duplicate keys: one that
	 * argoweb checked might not be the one cloudflared uses. */
	bad("duplicate keys", "{\"AccountTag\":\"" ACCT "\",\"AccountTag\":\"x\",\"TunnelSecret\":\""
	    SECRET "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL,
	    "AccountTag appears twice: cloudflared uses the last; keep one");
	bad("duplicate keys, both good", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\",\"TunnelID\":\"" OTHER "\"}", SEC_JSON, NULL,
	    "TunnelID appears twice: cloudflared uses the last; keep one");
	bad("duplicate keys: a bad last one", "{\"TunnelSecret\":\"" SECRET "\",\"AccountTag\":\"" ACCT
	    "\",\"tunnelsecret\":\"!!!\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL,
	    "the key \"tunnelsecret\" is not spelled \"TunnelSecret\": cloudflared would read it "
	    "too; write TunnelSecret exactly once");
	/* Go folds U+017F LONG S to s: this is its TunnelSecret, and the
	 * one argoweb would have checked is overwritten. */
	bad("a key with a long s", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\",\"Tunnel\\u017fecret\":\"c2VjcmV0\"}", SEC_JSON, NULL,
	    "the key \"Tunnel\\u017fecret\" is not spelled \"TunnelSecret\": cloudflared would read "
	    "it too; write TunnelSecret exactly once");
	bad("a key with a raw long s", "{\"AccountTag\":\"" ACCT "\",\"Tunnel\xc5\xbf" "ecret\":\""
	    SECRET "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL,
	    "the key \"Tunnel\\u017fecret\" is not spelled \"TunnelSecret\": cloudflared would read "
	    "it too; write TunnelSecret exactly once");
	/* Go sees "TunnelID\u0000x" as another key, so no TunnelID at all;
	 * a C string would see TunnelID. */
	bad("a key holding a NUL", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\\u0000x\":\"" UUID "\"}", SEC_JSON, NULL,
	    "the key \"TunnelID\\u0000x\" holds a NUL (\\u0000), which argoweb cannot read as "
	    "cloudflared does: remove it");
	bad("Endpoint in another case", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\",\"endpoint\":\"\"}", SEC_JSON, NULL,
	    "the key \"endpoint\" is not spelled \"Endpoint\": cloudflared would read it too; "
	    "write Endpoint exactly once");
	good("other keys in any case", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	     "\",\"TunnelID\":\"" UUID "\",\"TunnelName\":\"web\",\"tunnelname\":\"web\","
	     "\"Tunnel\\u0131D\":\"" OTHER "\"}", SEC_JSON, NULL, SEC_JSON, UUID);
	/* Reads invalid UTF-8 as U+FFFD, as Go does. */
	bad("invalid UTF-8", "{\"AccountTag\":\"\xff\"}", SEC_JSON, NULL, "TunnelSecret is missing");
	bad("trailing comma", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\",}", SEC_JSON, NULL, not_cred);
	bad("a comment", "{\"AccountTag\":\"" ACCT "\", # x\n\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL, not_cred);
	bad("trailing content", J(ACCT, SECRET, UUID) " x", SEC_JSON, NULL, not_cred);
	bad("a raw line break in a string", "{\"AccountTag\":\"a\nb\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL, not_cred);
	bad("missing AccountTag", "{\"TunnelSecret\":\"" SECRET "\",\"TunnelID\":\"" UUID "\"}",
	    SEC_JSON, NULL, "AccountTag is missing or not a string");
	bad("AccountTag a number", "{\"AccountTag\":12,\"TunnelSecret\":\"" SECRET "\",\"TunnelID\":\""
	    UUID "\"}", SEC_JSON, NULL, "AccountTag is missing or not a string");
	bad("TunnelID with a NUL and more after it", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\""
	    SECRET "\",\"TunnelID\":\"" UUID "\\u0000x\"}", SEC_JSON, NULL, "TunnelID is not a UUID");
	bad("AccountTag of a NUL", "{\"AccountTag\":\"\\u0000\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL, "AccountTag is missing or not a string");
	bad("AccountTag empty", J("", SECRET, UUID), SEC_JSON, NULL,
	    "AccountTag is missing or not a string");
	bad("AccountTag an object", "{\"AccountTag\":{},\"TunnelSecret\":\"" SECRET "\",\"TunnelID\":\""
	    UUID "\"}", SEC_JSON, NULL, "AccountTag is missing or not a string");
	bad("missing TunnelSecret", "{\"AccountTag\":\"" ACCT "\",\"TunnelID\":\"" UUID "\"}",
	    SEC_JSON, NULL, "TunnelSecret is missing");
	bad("TunnelSecret not base64", J(ACCT, "c2VjcmV0c2VjcmV0!!!", UUID), SEC_JSON, NULL,
	    "TunnelSecret is not base64");
	bad("TunnelSecret unpadded", J(ACCT, "c2VjcmV0c2VjcmV0MTI", UUID), SEC_JSON, NULL,
	    "TunnelSecret is not base64");
	bad("TunnelSecret empty", J(ACCT, "", UUID), SEC_JSON, NULL, "TunnelSecret is not base64");
	bad("TunnelSecret a list", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":[\"" SECRET
	    "\"],\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL, "TunnelSecret is not base64");
	bad("TunnelSecret with a newline escape", J(ACCT, "c2VjcmV0\\nc2VjcmV0", UUID), SEC_JSON,
	    NULL, "TunnelSecret is not base64");
	bad("missing TunnelID", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET "\"}",
	    SEC_JSON, NULL, "TunnelID is missing");
	bad("TunnelID not a UUID", J(ACCT, SECRET, "not-a-uuid"), SEC_JSON, NULL,
	    "TunnelID is not a UUID");
	bad("TunnelID a number", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":1}", SEC_JSON, NULL, "TunnelID is not a UUID");
	bad("TunnelID does not match tunnel:", J(ACCT, SECRET, OTHER), SEC_JSON, UUID,
	    "TunnelID is " OTHER " but the config says tunnel: " UUID
	    " (use this tunnel's credentials, or fix tunnel:)");
	bad("JSON where a token is expected", J(ACCT, SECRET, UUID), SEC_TOKEN, NULL,
	    "this is a credentials JSON, not a token: use credentials-file:");
	/* creds.c:100-122: JSON is read with the YAML parser, which also
	 * takes YAML-only syntax that Go's encoding/json (cloudflared's
	 * reader of TUNNEL_CRED_CONTENTS and of the token) refuses. */
	bad("trailing comma", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\",}", SEC_JSON, NULL, not_cred);
	bad("YAML comment", "{\"AccountTag\":\"" ACCT "\", # note\n\"TunnelSecret\":\"" SECRET
	    "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL, not_cred);
	bad("YAML-only escape", J("\\x41" ACCT, SECRET, UUID), SEC_JSON, NULL, not_cred);
	bad("plain scalar in another field", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\""
	    SECRET "\",\"TunnelID\":\"" UUID "\",\"Endpoint\":abc}", SEC_JSON, NULL, not_cred);
	bad("raw line break in a string", J(ACCT "\n x", SECRET, UUID), SEC_JSON, NULL, not_cred);
	bad("two TunnelSecret keys differing in case", "{\"AccountTag\":\"" ACCT "\",\"TunnelSecret\":\""
	    SECRET "\",\"TUNNELSECRET\":\"" SECRET "\",\"TunnelID\":\"" UUID "\"}", SEC_JSON, NULL,
	    "the key \"TUNNELSECRET\" is not spelled \"TunnelSecret\": cloudflared would read it "
	    "too; write TunnelSecret exactly once");
	/* Past the member limit: argoweb keeps 32, Go reads the 33rd too. */
	char many[2048];
	size_t n = (size_t)snprintf(many, sizeof many, "{\"AccountTag\":\"" ACCT "\","
	                            "\"TunnelSecret\":\"" SECRET "\",\"TunnelID\":\"" UUID "\"");
	for (int i = 3; i < JSON_MAX_MEMBERS; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, ",\"x%d\":%d", i, i);
	snprintf(many + n, sizeof many - n, "}");
	good("JSON with 32 members", many, SEC_JSON, NULL, SEC_JSON, UUID);
	snprintf(many + n, sizeof many - n, ",\"TunnelID\":\"" OTHER "\"}");
	bad("JSON with 33 members", many, SEC_JSON, NULL, "more than 32 members in the JSON "
	    "object (argoweb reads at most 32): keep only the credential's own");
	bad("empty", "", SEC_JSON, NULL, "empty credential file");
	bad("only white space", " \n\t\r\n", SEC_ANY, NULL, "empty credential file");
}

static void test_token(void)
{
	char json[512], tok[1024], name[64];
	snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\"}", ACCT, UUID, SECRET);
	b64enc(json, tok);
	good("token", tok, SEC_TOKEN, NULL, SEC_TOKEN, UUID);
	good("token, auto-detected", tok, SEC_ANY, NULL, SEC_TOKEN, UUID);
	strcat(tok, "\n");
	good("token with a final newline", tok, SEC_TOKEN, NULL, SEC_TOKEN, UUID);
	/* A tunnel: beside a token (one from $CREDENTIALS_DIRECTORY) must be
	 * the token's own tunnel; a name cannot be checked, so is refused. */
	good("token with its own tunnel: beside it", tok, SEC_ANY, UUID, SEC_TOKEN, UUID);
	bad("token with another tunnel: beside it", tok, SEC_ANY, OTHER,
	    "the token's tunnel ID (t) is " UUID " but the config says tunnel: " OTHER
	    " (use this tunnel's credentials, or fix tunnel:)");
	bad("token with a tunnel name beside it", tok, SEC_ANY, "my-tunnel",
	    "a token holds its tunnel's ID, which the config's tunnel: my-tunnel cannot be "
	    "checked against: write the ID there, or remove tunnel:");
	snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\",\"e\":\"x\"}", ACCT,
	         UUID, SECRET);
	good("token with an extra field", b64enc(json, tok), SEC_TOKEN, NULL, SEC_TOKEN, UUID);

	static const struct { const char *json, *why; } cases[] = {
		{ "{}", "token field a (account tag) is missing or empty" },
		{ "{\"a\":\"\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\"}",
		  "token field a (account tag) is missing or empty" },
		{ "{\"a\":5,\"t\":\"" UUID "\",\"s\":\"" SECRET "\"}",
		  "token field a (account tag) is missing or empty" },
		{ "{\"a\":\"" ACCT "\",\"s\":\"" SECRET "\"}",
		  "token field t (tunnel ID) is missing or not a UUID" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"nope\",\"s\":\"" SECRET "\"}",
		  "token field t (tunnel ID) is missing or not a UUID" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\"}",
		  "token field s (tunnel secret) is missing or not base64" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"c2VjcmV0c2VjcmV0***\"}",
		  "token field s (tunnel secret) is missing or not base64" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":c2VjcmV0c2VjcmV0}",
		  "not a tunnel token: does not decode to a JSON object" },
		{ "hello world", "not a tunnel token: does not decode to a JSON object" },
		{ "[\"a\"]", "not a tunnel token: does not decode to a JSON object" },
		{ "{a: " ACCT "}", "not a tunnel token: does not decode to a JSON object" },
		{ "{\"a\":\"\xff\"}", "token field t (tunnel ID) is missing or not a UUID" },
		/* Go keeps what follows a NUL in a value; C would stop there. */
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\\u0000x\",\"s\":\"" SECRET "\"}",
		  "token field t (tunnel ID) is missing or not a UUID" },
		{ "{\"a\":\"\\u0000\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\"}",
		  "token field a (account tag) is missing or empty" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(name, sizeof name, "token case %zu", i);
		bad(name, b64enc(cases[i].json, tok), SEC_TOKEN, NULL, cases[i].why);
	}
	/* Go's encoding/json (cloudflared's ParseToken) would read "A", "S",
	 * U+017F for "s", a second "t": each is refused, as in the JSON. */
	static const struct { const char *json, *why; } keys[] = {
		{ "{\"A\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\"}",
		  "in the token: the key \"A\" is not spelled \"a\": cloudflared would read it too; "
		  "write a exactly once" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\",\"S\":\"c2VjcmV0\"}",
		  "in the token: the key \"S\" is not spelled \"s\": cloudflared would read it too; "
		  "write s exactly once" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\",\"\\u017f\":\"c2VjcmV0\"}",
		  "in the token: the key \"\\u017f\" is not spelled \"s\": cloudflared would read it "
		  "too; write s exactly once" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\",\"t\":\"" OTHER "\"}",
		  "in the token: t appears twice: cloudflared uses the last; keep one" },
		{ "{\"a\":\"" ACCT "\",\"t\\u0000\":\"" UUID "\",\"s\":\"" SECRET "\"}",
		  "in the token: the key \"t\\u0000\" holds a NUL (\\u0000), which argoweb cannot "
		  "read as cloudflared does: remove it" },
		{ "{\"a\":\"" ACCT "\",\"t\":\"" UUID "\",\"s\":\"" SECRET "\",\"E\":\"x\"}",
		  "in the token: the key \"E\" is not spelled \"e\": cloudflared would read it too; "
		  "write e exactly once" },
	};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		snprintf(name, sizeof name, "token key case %zu", i);
		bad(name, b64enc(keys[i].json, tok), SEC_TOKEN, NULL, keys[i].why);
	}
	snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\",\"T2\":1,\"x\":{\"S\":2}}",
	         ACCT, UUID, SECRET);
	good("token with other keys", b64enc(json, tok), SEC_TOKEN, NULL, SEC_TOKEN, UUID);
	/* Past the member limit: argoweb keeps 32, Go reads the 33rd. */
	size_t n = (size_t)snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\"",
	                            ACCT, UUID, SECRET);
	for (int i = 3; i < JSON_MAX_MEMBERS; i++)
		n += (size_t)snprintf(json + n, sizeof json - n, ",\"%d\":0", i);
	snprintf(json + n, sizeof json - n, "}");
	good("token with 32 members", b64enc(json, tok), SEC_TOKEN, NULL, SEC_TOKEN, UUID);
	snprintf(json + n, sizeof json - n, ",\"t\":\"%s\"}", OTHER);
	bad("token with 33 members", b64enc(json, tok), SEC_TOKEN, NULL, "in the token: more "
	    "than 32 members in the JSON object (argoweb reads at most 32): keep only the "
	    "credential's own");
	bad("token e30= ({})", "e30=", SEC_TOKEN, NULL, "token field a (account tag) is missing or empty");
	bad("token not base64", "not*base64", SEC_TOKEN, NULL,
	    "not a tunnel token: not base64 (copy the token from the dashboard's install command)");
	bad("token unpadded", "e30", SEC_TOKEN, NULL,
	    "not a tunnel token: not base64 (copy the token from the dashboard's install command)");
	snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\"}", ACCT, UUID, SECRET);
	b64enc(json, tok);
	char split[1100];
	snprintf(split, sizeof split, "%.20s\n%s", tok, tok + 20);
	bad("token with a line break inside", split, SEC_TOKEN, NULL,
	    "white space or a line break inside the token (the file must hold the token on one line)");
	snprintf(split, sizeof split, "%.20s %s", tok, tok + 20);
	bad("token with a space inside", split, SEC_ANY, NULL,
	    "white space or a line break inside the token (the file must hold the token on one line)");
	/* Leading white space is not trimmed for a token. */
	snprintf(split, sizeof split, "  %s", tok);
	bad("token with leading spaces", split, SEC_TOKEN, NULL,
	    "white space or a line break inside the token (the file must hold the token on one line)");
	bad("empty token", "\n", SEC_TOKEN, NULL, "empty credential file");

	/* Large: over 64 KiB is refused before decoding. */
	size_t big = CREDS_MAX + 4;
	char *huge = malloc(big + 1);
	memset(huge, 'A', big);
	huge[big] = 0;
	bad("token over 64 KiB", huge, SEC_TOKEN, NULL, "token too long");
	free(huge);
}

/* creds_load: locating and reading the file (content is covered above). */
static char dir[128];

static void put(const char *name, const char *content, size_t len, mode_t mode)
{
	char p[300];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fwrite(content, 1, len, f);
	fclose(f);
	chmod(p, mode);
}

/* How a config names its tunnel: the file of a credential of one kind, a
 * quick tunnel, or neither (systemd's copy). */
enum how { ID_CREDDIR, ID_CREDFILE, ID_TOKENFILE, ID_QUICK };

static int load(enum how id, const char *file, size_t nrules, struct secret *s,
                const char **err)
{
	char p[300];
	static const char *const key[] = { NULL, "credentials-file", "token-file", NULL };
	struct config c = { .path = "/etc/argoweb/web.yaml", .name = "web", .cred_key = key[id],
	                    .quick_url = id == ID_QUICK ? "http://localhost:8080" : NULL,
	                    .nrules = nrules };
	if (file) {
		snprintf(p, sizeof p, "%s/%s", dir, file);
		c.cred_path = p;
	}
	cap_start();
	int rc = creds_load(&c, getuid(), getgid(), s);
	*err = cap_end();
	return rc;
}

static void test_load(void)
{
	/* Not under /tmp: the parent-directory check refuses it, rightly. */
	const char *home = getenv("HOME");
	if (getuid() == 0 || !home)
		snprintf(dir, sizeof dir, "/run/argoweb-test-creds.XXXXXX");
	else
		snprintf(dir, sizeof dir, "%s/.cache/argoweb-test-creds.XXXXXX", home);
	if (!mkdtemp(dir)) {
		OK(1, "creds_load # SKIP cannot make a temporary directory");
		return;
	}
	struct secret s;
	const char *err;
	char want[512];

	put("cred.json", J(ACCT, SECRET, UUID) "\n", strlen(J(ACCT, SECRET, UUID)) + 1, 0600);
	IS_INT(load(ID_CREDFILE, "cred.json", 2, &s, &err), 0, "load: credentials JSON");
	IS_INT(s.kind, SEC_JSON, "load: kind JSON");
	IS_INT(s.len, strlen(J(ACCT, SECRET, UUID)), "load: trailing newline trimmed");
	IS_INT(s.cap, CREDS_MAX + 2, "load: cap covers the whole buffer");
	IS_STR(s.tunnel_id, UUID, "load: tunnel id");
	creds_wipe(&s);

	IS_INT(load(ID_CREDFILE, "cred.json", 0, &s, &err), EX_CONFIG, "load: JSON without ingress");
	IS_STR(err, "argoweb: /etc/argoweb/web.yaml: a locally-managed tunnel (credentials JSON) "
	       "needs ingress: rules\n", "load: JSON without ingress message");
	creds_wipe(&s);

	IS_INT(load(ID_QUICK, NULL, 0, &s, &err), 0, "load: quick tunnel has no credential");
	OK(s.kind == SEC_ANY && s.buf == NULL, "load: quick leaves the secret empty");

	IS_INT(load(ID_CREDFILE, "absent.json", 1, &s, &err), EX_NOINPUT, "load: missing file");
	snprintf(want, sizeof want, "argoweb: %s/absent.json: cannot open the credential: "
	         "No such file or directory\n", dir);
	IS_STR(err, want, "load: missing file message");
	creds_wipe(&s);

	/* The walk's own code reaches the exit status: a parent gone while it
	 * walked is 66 (missing), not 77. */
	parents_fail = ENOENT;
	IS_INT(load(ID_CREDFILE, "cred.json", 2, &s, &err), EX_NOINPUT,
	       "load: a missing parent directory exits 66 (EX_NOINPUT)");
	parents_fail = EPERM;
	IS_INT(load(ID_CREDFILE, "cred.json", 2, &s, &err), EX_NOPERM,
	       "load: a parent refused exits 77 (EX_NOPERM)");
	parents_fail = 0;
	creds_wipe(&s);

	char sub[300];
	snprintf(sub, sizeof sub, "%s/adir", dir);
	mkdir(sub, 0700);
	IS_INT(load(ID_CREDFILE, "adir", 1, &s, &err), EX_NOPERM, "load: a directory");
	OK(strstr(err, "/adir is a directory, not a credential file") != NULL, "load: directory message");
	creds_wipe(&s);

	char lnk[300], tgt[300];
	snprintf(lnk, sizeof lnk, "%s/link.json", dir);
	snprintf(tgt, sizeof tgt, "%s/cred.json", dir);
	IS_INT(symlink(tgt, lnk), 0, "made a symlink");
	IS_INT(load(ID_CREDFILE, "link.json", 1, &s, &err), EX_NOPERM, "load: symlink refused (O_NOFOLLOW)");
	OK(strstr(err, "/link.json is a symbolic link: name the file itself") != NULL,
	   "load: symlink message");
	creds_wipe(&s);

	char *big = malloc(CREDS_MAX + 1);
	memset(big, 'A', CREDS_MAX + 1);
	put("big", big, CREDS_MAX + 1, 0600);
	IS_INT(load(ID_TOKENFILE, "big", 0, &s, &err), EX_DATAERR, "load: over 64 KiB");
	OK(strstr(err, "larger than 64 KiB: not a credential") != NULL, "load: size message");
	creds_wipe(&s);
	put("max", big, CREDS_MAX, 0600);
	IS_INT(load(ID_TOKENFILE, "max", 0, &s, &err), EX_DATAERR, "load: exactly 64 KiB is read");
	OK(strstr(err, "not a tunnel token: does not decode to a JSON object") != NULL,
	   "load: 64 KiB reaches the content check");
	creds_wipe(&s);
	free(big);

	put("nul", "e30=\0\n", 6, 0600);
	IS_INT(load(ID_TOKENFILE, "nul", 0, &s, &err), EX_DATAERR, "load: NUL byte");
	OK(strstr(err, "NUL byte in the credential") != NULL, "load: NUL message");
	creds_wipe(&s);

	char tok[512], json[256];
	snprintf(json, sizeof json, "{\"a\":\"%s\",\"t\":\"%s\",\"s\":\"%s\"}", ACCT, UUID, SECRET);
	b64enc(json, tok);
	put("argoweb", tok, strlen(tok), 0600);
	unsetenv("CREDENTIALS_DIRECTORY");
	IS_INT(load(ID_CREDDIR, NULL, 1, &s, &err), EX_CONFIG, "load: no credential anywhere");
	OK(strstr(err, "no credential: set credentials-file: or token-file:") != NULL,
	   "load: no credential message");
	creds_wipe(&s);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	IS_INT(load(ID_CREDDIR, NULL, 1, &s, &err), 0, "load: $CREDENTIALS_DIRECTORY/argoweb");
	IS_INT(s.kind, SEC_TOKEN, "load: told a token by its content");
	snprintf(want, sizeof want, "%s/argoweb", dir);
	IS_STR(s.path, want, "load: path recorded");
	creds_wipe(&s);
	IS_INT(load(ID_CREDFILE, "argoweb", 1, &s, &err), EX_DATAERR,
	       "load: credentials-file holding a token");
	OK(strstr(err, "not a tunnel credentials file") && !leaks_secret(err, tok),
	   "load: token as JSON message, no secret");
	creds_wipe(&s);
	unsetenv("CREDENTIALS_DIRECTORY");

	const char *names[] = { "cred.json", "big", "max", "nul", "argoweb", "link.json" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char p[300];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	msg_quiet = 1;
	test_b64();
	test_json();
	test_token();
	test_load();
	/* Every secret-holding buffer creds.c freed (temporary decodes, the
	 * decoded token, the content itself) was wiped first. */
	OK(nfreed_tracked >= 40, "wipe checks ran (%zu buffers)", nfreed_tracked);
	IS_INT(nfreed_dirty, 0, "no buffer freed without being wiped");
	return tap_done();
}
