/* json.c: strict JSON as Go's encoding/json reads it, and the keys it would
 * fill a struct's fields from. */
#include "../../src/json.c"
#include "tap.h"
#include "why.h"

static int parses(const char *s)
{
	struct json_object o;
	int rc = json_parse_object(s, strlen(s), &o);
	json_free(&o);
	return rc == 0;
}

static void test_valid(void)
{
	static const char *ok[] = {
		"{}", " { } ", "{\"a\":\"b\"}", "{\"a\":1,\"b\":-0.5e+3,\"c\":true,\"d\":false,\"e\":null}",
		"{\"a\":[1,[2,{\"x\":[]}],\"s\"]}", "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}",
		"\n\t{\"a\" : \"b\" ,\r\n \"c\":{}}\n", "{\"a\":0}", "{\"a\":1E9}",
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		OK(parses(ok[i]), "valid #%zu", i);
}

static void test_invalid(void)
{
	static const char *bad[] = {
		"", "[]", "\"a\"", "{", "{\"a\":\"b\",}", "{\"a\":\"b\" # c\n}", "{'a':'b'}",
		"{a:\"b\"}", "{\"a\":b}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}",
		"{\"a\":\"x\ny\"}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"b\"} x",
		"{\"a\":\"b\"}{}", "{\"a\" \"b\"}", "{\"a\":[1,]}", "{\"a\":tru}", "{\"a\":nul}",
		"{\"a\":\"unterminated}", "{\"a\":+1}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		OK(!parses(bad[i]), "invalid #%zu", i);
}

static void test_depth(void)
{
	char deep[300];
	size_t n = 0;
	n += (size_t)sprintf(deep, "{\"a\":");
	for (int i = 0; i < 70; i++)
		deep[n++] = '[';
	for (int i = 0; i < 70; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = 0;
	OK(!parses(deep), "nesting deeper than 64 is refused");
	n = (size_t)sprintf(deep, "{\"a\":");
	for (int i = 0; i < 60; i++)
		deep[n++] = '[';
	for (int i = 0; i < 60; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = 0;
	OK(parses(deep), "nesting of 61 is fine");
}

static void test_values(void)
{
	struct json_object o;
	const char *s = "{\"Key\":\"first\",\"n\":5,\"key\":\"last\",\"u\":\"\\ud83d\\ude00\","
	                "\"lone\":\"\\ud800x\",\"nul\":\"a\\u0000b\",\"k\\u0000x\":\"cut\","
	                "\"Key\":\"again\"}";
	IS_INT(json_parse_object(s, strlen(s), &o), 0, "parse");
	const struct json_member *m = json_get(&o, "Key");
	IS_STR(m ? m->str : NULL, "again", "exact, the last one wins (as Go)");
	m = json_get(&o, "key");
	IS_STR(m ? m->str : NULL, "last", "exact: \"key\" is not \"Key\"");
	OK(json_get(&o, "KEY") == NULL, "no case-insensitive match");
	m = json_get(&o, "n");
	OK(m && m->str == NULL, "a number is kept as not-a-string");
	m = json_get(&o, "u");
	IS_STR(m ? m->str : NULL, "\xf0\x9f\x98\x80", "a surrogate pair becomes one UTF-8 rune");
	m = json_get(&o, "lone");
	IS_STR(m ? m->str : NULL, "\xef\xbf\xbdx", "a lone surrogate becomes U+FFFD, as in Go");
	m = json_get(&o, "nul");
	OK(m && m->len == 3 && !memcmp(m->str, "a\0b", 3), "\\u0000 is kept, length counted");
	OK(json_get(&o, "k") == NULL, "a key with \\u0000 is not its prefix");
	IS_INT(o.m[6].klen, 3, "a key's length counts its \\u0000");
	OK(json_get(&o, "missing") == NULL, "absent key");
	json_free(&o);
	IS_INT(o.n, 0, "json_free empties the object");
}

static void test_many_members(void)
{
	char buf[4096];
	size_t n = (size_t)sprintf(buf, "{");
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(buf + n, "%s\"k%d\":\"v%d\"", i ? "," : "", i, i);
	sprintf(buf + n, "}");
	struct json_object o;
	IS_INT(json_parse_object(buf, strlen(buf), &o), 0, "40 members parse");
	IS_INT(o.n, JSON_MAX_MEMBERS, "the first 32 are kept");
	OK(o.truncated, "40 members: truncated is set");
	json_free(&o);
	sprintf(buf + n, ",}");
	IS_INT(json_parse_object(buf, strlen(buf), &o), -1, "members past the kept ones are still validated");
}

/* json_check_keys on s with wanted; its reason, or "" when it passes. */
static const char *check(const char *s, const char *const *wanted)
{
	struct json_object o;
	if (json_parse_object(s, strlen(s), &o))
		return "(not JSON)";
	int rc = json_check_keys(&o, wanted, WHY);
	json_free(&o);
	if (!rc)
		return "";
	return rc == -EBADMSG ? W.why : "(not -EBADMSG)";
}

static const char *const cred[] = { "AccountTag", "TunnelSecret", "TunnelID", "Endpoint", NULL };

static void test_check_keys(void)
{
	static const char *const key[] = { "Key", NULL };
	IS_STR(check("{\"AccountTag\":\"a\",\"TunnelSecret\":\"s\",\"TunnelID\":\"i\","
	             "\"Endpoint\":\"\"}", cred), "", "each wanted key once, exactly spelled");
	IS_STR(check("{}", cred), "", "none at all (missing is the caller's to say)");
	IS_STR(check("{\"tunnelname\":1,\"TUNNELNAME\":2,\"TunnelIDs\":3,\"TunnelI\":4,"
	             "\"Tunnel ID\":5,\"x\":{\"tunnelid\":6,\"TunnelID\":7}}", cred), "",
	       "other keys, any spelling, and nested members are not the fields");
	/* Runes that look like the letters but are not in their fold orbits:
	 * dotted and dotless I, Cyrillic dze, full-width S; Go reads none of
	 * them as the field. */
	IS_STR(check("{\"Tunnel\\u0130D\":1,\"Tunnel\\u0131D\":2,\"Tunnel\\u0455ecret\":3,"
	             "\"Tunnel\\uff33ecret\":4}", cred), "",
	       "look-alikes that do not fold are other keys");
	IS_STR(check("{\"Tunnel\xffID\":1,\"TunnelID\xc3\":2}", cred), "",
	       "bytes that are not UTF-8 fold to nothing");

	static const struct { const char *json, *why; } bad[] = {
		{ "{\"tunnelsecret\":\"s\"}", "the key \"tunnelsecret\" is not spelled \"TunnelSecret\": "
		  "cloudflared would read it too; write TunnelSecret exactly once" },
		{ "{\"TunnelID\":\"i\",\"TUNNELID\":\"j\"}", "the key \"TUNNELID\" is not spelled "
		  "\"TunnelID\": cloudflared would read it too; write TunnelID exactly once" },
		{ "{\"accountTag\":\"a\",\"AccountTag\":\"b\"}", "the key \"accountTag\" is not spelled "
		  "\"AccountTag\": cloudflared would read it too; write AccountTag exactly once" },
		{ "{\"endpoint\":\"\"}", "the key \"endpoint\" is not spelled \"Endpoint\": "
		  "cloudflared would read it too; write Endpoint exactly once" },
		/* U+017F LATIN SMALL LETTER LONG S folds to s, escaped or raw. */
		{ "{\"Tunnel\\u017fecret\":\"s\"}", "the key \"Tunnel\\u017fecret\" is not spelled "
		  "\"TunnelSecret\": cloudflared would read it too; write TunnelSecret exactly once" },
		{ "{\"TUNNEL\xc5\xbf" "ECRET\":\"s\"}", "the key \"TUNNEL\\u017fECRET\" is not spelled "
		  "\"TunnelSecret\": cloudflared would read it too; write TunnelSecret exactly once" },
		{ "{\"TunnelSecret\":\"s\",\"TunnelSecret\":\"t\"}",
		  "TunnelSecret appears twice: cloudflared uses the last; keep one" },
		{ "{\"TunnelID\":\"i\",\"x\":1,\"TunnelID\":\"i\"}",
		  "TunnelID appears twice: cloudflared uses the last; keep one" },
		{ "{\"TunnelID\\u0000x\":\"i\"}", "the key \"TunnelID\\u0000x\" holds a NUL "
		  "(\\u0000), which argoweb cannot read as cloudflared does: remove it" },
		{ "{\"TunnelID\":\"i\",\"other\\u0000\":1}", "the key \"other\\u0000\" holds a NUL "
		  "(\\u0000), which argoweb cannot read as cloudflared does: remove it" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		IS_STR(check(bad[i].json, cred), bad[i].why, "refused #%zu", i);

	/* U+212A KELVIN SIGN folds to k. */
	IS_STR(check("{\"\\u212aey\":1}", key), "the key \"\\u212aey\" is not spelled \"Key\": "
	       "cloudflared would read it too; write Key exactly once", "Kelvin sign refused");
	IS_STR(check("{\"kEY\":1}", key), "the key \"kEY\" is not spelled \"Key\": "
	       "cloudflared would read it too; write Key exactly once", "ASCII case refused");
	IS_STR(check("{\"Key\":1}", key), "", "Key itself passes");
}

/* The member limit: 32 pass, the 33rd refuses the object. */
static void test_check_limit(void)
{
	char buf[4096];
	size_t n = (size_t)sprintf(buf, "{\"TunnelID\":\"i\"");
	for (int i = 1; i < JSON_MAX_MEMBERS; i++)
		n += (size_t)sprintf(buf + n, ",\"k%d\":%d", i, i);
	sprintf(buf + n, "}");
	IS_STR(check(buf, cred), "", "32 members pass");
	/* A 33rd: what argoweb did not keep, cloudflared would read. */
	sprintf(buf + n, ",\"tunnelid\":\"j\"}");
	IS_STR(check(buf, cred), "more than 32 members in the JSON object (argoweb reads at "
	       "most 32): keep only the credential's own", "33 members refused, the limit said");
}

/* Keys are shown as JSON would spell them, never raw. */
static void test_show_key(void)
{
	static const struct { const char *key; size_t len; const char *want; } v[] = {
		{ "plain", 5, "plain" },
		{ "q\"b\\", 4, "q\\\"b\\\\" },
		{ "a\0b", 3, "a\\u0000b" },
		{ "\t\x1b\x7f", 3, "\\u0009\\u001b\\u007f" },
		{ "\xc5\xbf\xe2\x84\xaa", 5, "\\u017f\\u212a" },
		{ "\xf0\x9f\x98\x80", 4, "\\ud83d\\ude00" },
		{ "\xff\xc3(", 3, "\\xff\\xc3(" },
		{ "\xe2\x80\xae", 3, "\\u202e" },     /* RIGHT-TO-LEFT OVERRIDE */
	};
	char out[96];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		struct json_member m = { .key = (char *)v[i].key, .klen = v[i].len };
		show_key(&m, out, sizeof out);
		IS_STR(out, v[i].want, "show_key #%zu", i);
	}
	char longkey[200];
	memset(longkey, 'a', sizeof longkey);
	struct json_member m = { .key = longkey, .klen = sizeof longkey };
	show_key(&m, out, sizeof out);
	OK(strlen(out) < sizeof out && !strcmp(out + strlen(out) - 3, "...") &&
	   strspn(out, "a") == strlen(out) - 3, "a long key is cut short with ...");
	memset(longkey, 0, sizeof longkey);
	show_key(&m, out, sizeof out);
	OK(strlen(out) < sizeof out && !strcmp(out + strlen(out) - 3, "..."),
	   "a long key of escapes fits too");
}

int main(void)
{
	test_valid();
	test_invalid();
	test_depth();
	test_values();
	test_many_members();
	test_check_keys();
	test_check_limit();
	test_show_key();
	return tap_done();
}
