/* goscan.c: the lexical part of Go's regexp syntax. Whole patterns are
 * tested in test_goregex.c; these pin each piece's result and error span. */
#include "../../src/goscan.c"
#include "tap.h"

static struct goscan scan(const char *s)
{
	return (struct goscan){ (const unsigned char *)s, strlen(s), NULL, 0, 0 };
}

static void escape_ok(const char *s, uint32_t want, size_t want_end)
{
	struct goscan g = scan(s);
	size_t t = 0;
	uint32_t r = 0;
	int rc = goscan_escape(&g, &t, &r);
	OK(rc == 0 && r == want && t == want_end, "escape %s is U+%04X, %zu bytes", s,
	   (unsigned)want, want_end);
}

static void fails(struct goscan *g, int rc, const char *code, size_t from, size_t to,
                  const char *what)
{
	OK(rc == -1 && g->code && strcmp(g->code, code) == 0 && g->from == from && g->to == to,
	   "%s: %s [%zu, %zu)", what, code, from, to);
}

static void test_escapes(void)
{
	escape_ok("\\x41", 0x41, 4);
	escape_ok("\\x{10FFFF}", 0x10ffff, 10);
	escape_ok("\\x{0000041}", 0x41, 11);
	escape_ok("\\012", 10, 4);
	escape_ok("\\0123", 10, 4);
	escape_ok("\\0", 0, 2);
	escape_ok("\\a", 7, 2);
	escape_ok("\\v", 11, 2);
	escape_ok("\\.", '.', 2);
	struct goscan g = scan("\\x{110000}");
	size_t t = 0;
	uint32_t r;
	fails(&g, goscan_escape(&g, &t, &r), E_ESCAPE, 0, 9, "\\x{110000}");
	g = scan("\\1");
	t = 0;
	fails(&g, goscan_escape(&g, &t, &r), E_ESCAPE, 0, 2, "backreference \\1");
	g = scan("\\");
	t = 0;
	fails(&g, goscan_escape(&g, &t, &r), E_BACKSLASH, 1, 1, "trailing backslash");
	g = scan("\\b");
	t = 0;
	fails(&g, goscan_escape(&g, &t, &r), E_ESCAPE, 0, 2, "\\b is no escape");
	g = scan("\\\xc2\xa0");
	t = 0;
	fails(&g, goscan_escape(&g, &t, &r), E_ESCAPE, 0, 3, "a non-ASCII escape");
	g = scan("\\x\xff");
	t = 0;
	fails(&g, goscan_escape(&g, &t, &r), E_UTF8, 2, 3, "\\x and invalid UTF-8");
}

static void class_is(const char *s, int want_n, uint32_t r0, size_t want_end)
{
	struct goscan g = scan(s);
	size_t end = 0;
	int n = -1;
	uint32_t one[2] = { 0, 0 };
	int rc = goscan_class(&g, 0, &end, &n, one);
	OK(rc == 0 && n == want_n && (n > 2 || one[0] == r0) && end == want_end,
	   "class %s: %d single runes, ends at %zu", s, want_n, want_end);
}

static void test_classes(void)
{
	class_is("[a]", 1, 'a', 3);
	class_is("[aA]x", 2, 'a', 4);
	class_is("[]a]", 2, ']', 4);
	class_is("[a-a]", 1, 'a', 5);
	class_is("[a-c]", 3, 0, 5);
	class_is("[abc]", 3, 0, 5);
	class_is("[^a]", 3, 0, 4);
	class_is("[\\d]", 3, 0, 4);
	class_is("[[:alpha:]]", 3, 0, 11);
	class_is("[\\pL]", 3, 0, 5);
	class_is("[[:]", 2, '[', 4);
	struct goscan g = scan("[z-a]");
	size_t end;
	int n;
	uint32_t one[2] = { 0, 0 };
	fails(&g, goscan_class(&g, 0, &end, &n, one), E_RANGE, 1, 4, "[z-a]");
	g = scan("x[abc");
	fails(&g, goscan_class(&g, 1, &end, &n, one), E_BRACKET, 1, 5, "[abc");
	g = scan("[[:foo:]]");
	fails(&g, goscan_class(&g, 0, &end, &n, one), E_RANGE, 1, 8, "[[:foo:]]");
	g = scan("\\p{Greek}x");
	OK(goscan_unicode_class(&g, 0, &end) == 0 && end == 9, "\\p{Greek} ends at 9");
	g = scan("\\pLx");
	OK(goscan_unicode_class(&g, 0, &end) == 0 && end == 3, "\\pL ends at 3");
	g = scan("\\p{Greek");
	fails(&g, goscan_unicode_class(&g, 0, &end), E_RANGE, 0, 8, "\\p{Greek");
	OK(goscan_perl_class('d') && goscan_perl_class('W') && !goscan_perl_class('b') &&
	   !goscan_perl_class(0), "perl classes are dDsSwW");
}

static void repeat_is(const char *s, int want_rc, int want_min, int want_max, size_t want_end)
{
	struct goscan g = scan(s);
	int min = -2, max = -2;
	size_t end = 0;
	int rc = goscan_repeat(&g, 0, &min, &max, &end);
	OK(rc == want_rc && (rc != 1 || (min == want_min && max == want_max && end == want_end)),
	   "repeat %s: %d {%d,%d}", s, want_rc, want_min, want_max);
}

static void test_repeats(void)
{
	repeat_is("{2}", 1, 2, 2, 3);
	repeat_is("{2,}", 1, 2, -1, 4);
	repeat_is("{2,5}x", 1, 2, 5, 5);
	repeat_is("{0,1000}", 1, 0, 1000, 8);
	repeat_is("{,2}", 0, 0, 0, 0);
	repeat_is("{01}", 0, 0, 0, 0);
	repeat_is("{2", 0, 0, 0, 0);
	repeat_is("{2,", 0, 0, 0, 0);
	repeat_is("{ 2}", 0, 0, 0, 0);
	repeat_is("{1001}", -1, 0, 0, 0);
	repeat_is("{2,1}", -1, 0, 0, 0);
	repeat_is("{9876543210}", -1, 0, 0, 0);
	repeat_is("{1,9876543210}", -1, 0, 0, 0);
	struct goscan g = scan("{3,2}");
	int min, max;
	size_t end;
	fails(&g, goscan_repeat(&g, 0, &min, &max, &end), E_COUNT, 0, 5, "{3,2}");
}

static void test_names(void)
{
	struct goscan g = scan("(?P<name_1>x)");
	size_t end = 0;
	OK(goscan_group_name(&g, 0, 4, &end) == 0 && end == 11, "(?P<name_1> ends at 11");
	g = scan("(?P<a-b>x)");
	fails(&g, goscan_group_name(&g, 0, 4, &end), E_NAMED, 0, 8, "(?P<a-b>");
	g = scan("(?P<>x)");
	fails(&g, goscan_group_name(&g, 0, 4, &end), E_NAMED, 0, 5, "(?P<>");
	g = scan("(?<abc");
	fails(&g, goscan_group_name(&g, 0, 3, &end), E_NAMED, 0, 6, "(?<abc");
	g = scan("(?<a\xff>");
	fails(&g, goscan_group_name(&g, 0, 3, &end), E_UTF8, 4, 5, "(?<a\\xff>");
}

static void test_runes(void)
{
	struct goscan g = scan("\xc3\xa9z\xff");
	size_t t = 0;
	uint32_t r;
	OK(goscan_rune(&g, &t, g.len, &r) == 0 && r == 0xe9 && t == 2, "U+00E9 is two bytes");
	OK(goscan_utf8(&g, 0, 3) == 0, "valid UTF-8 up to the bad byte");
	fails(&g, goscan_utf8(&g, 0, 4), E_UTF8, 3, 4, "Go quotes from the bad byte");
}

int main(void)
{
	test_escapes();
	test_classes();
	test_repeats();
	test_names();
	test_runes();
	return tap_done();
}
