/* json.c: strict JSON as Go's encoding/json reads it. */
#include "../../src/json.c"
#include "tap.h"

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
	                "\"lone\":\"\\ud800x\",\"nul\":\"a\\u0000b\"}";
	IS_INT(json_parse_object(s, strlen(s), &o), 0, "parse");
	const struct json_member *m = json_get(&o, "KEY");
	IS_STR(m ? m->str : NULL, "last", "case-insensitive, the last one wins (as Go)");
	m = json_get(&o, "n");
	OK(m && m->str == NULL, "a number is kept as not-a-string");
	m = json_get(&o, "u");
	IS_STR(m ? m->str : NULL, "\xf0\x9f\x98\x80", "a surrogate pair becomes one UTF-8 rune");
	m = json_get(&o, "lone");
	IS_STR(m ? m->str : NULL, "\xef\xbf\xbdx", "a lone surrogate becomes U+FFFD, as in Go");
	m = json_get(&o, "nul");
	OK(m && m->len == 3 && !memcmp(m->str, "a\0b", 3), "\\u0000 is kept, length counted");
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
	json_free(&o);
	sprintf(buf + n, ",}");
	IS_INT(json_parse_object(buf, strlen(buf), &o), -1, "members past the kept ones are still validated");
}

int main(void)
{
	test_valid();
	test_invalid();
	test_depth();
	test_values();
	test_many_members();
	return tap_done();
}
