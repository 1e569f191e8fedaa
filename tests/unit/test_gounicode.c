/* gounicode.c: UTF-8 and \p names as Go 1.22-1.24's regexp has them. */
#include "../../src/gounicode.c"
#include "tap.h"

static void decodes(const char *s, size_t n, size_t want_len, uint32_t want, const char *what)
{
	uint32_t r = 0xdeadbeef;
	size_t k = gounicode_decode((const unsigned char *)s, n, &r);
	IS_INT(k, want_len, "%s: length", what);
	if (want_len)
		IS_INT(r, want, "%s: rune", what);
}

static void test_decode(void)
{
	decodes("a", 1, 1, 'a', "ASCII");
	decodes("\0", 1, 1, 0, "NUL");
	decodes("\x7f", 1, 1, 0x7f, "U+007F");
	decodes("\xc2\x80", 2, 2, 0x80, "U+0080");
	decodes("\xdf\xbf", 2, 2, 0x7ff, "U+07FF");
	decodes("\xe0\xa0\x80", 3, 3, 0x800, "U+0800");
	decodes("\xef\xbf\xbd", 3, 3, 0xfffd, "U+FFFD itself");
	decodes("\xef\xbf\xbf", 3, 3, 0xffff, "U+FFFF");
	decodes("\xf0\x90\x80\x80", 4, 4, 0x10000, "U+10000");
	decodes("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff, "U+10FFFF");
	decodes("\xc3\xa9xyz", 5, 2, 0xe9, "stops after one rune");
	decodes("", 0, 0, 0, "empty");
	decodes("\x80", 1, 0, 0, "lone continuation byte");
	decodes("\xc0\xaf", 2, 0, 0, "overlong C0");
	decodes("\xc1\xbf", 2, 0, 0, "overlong C1");
	decodes("\xe0\x80\xaf", 3, 0, 0, "overlong 3-byte");
	decodes("\xf0\x80\x80\xaf", 4, 0, 0, "overlong 4-byte");
	decodes("\xed\xa0\x80", 3, 0, 0, "surrogate U+D800");
	decodes("\xed\xbf\xbf", 3, 0, 0, "surrogate U+DFFF");
	decodes("\xf4\x90\x80\x80", 4, 0, 0, "U+110000");
	decodes("\xf5\x80\x80\x80", 4, 0, 0, "lead byte F5");
	decodes("\xff", 1, 0, 0, "byte FF");
	decodes("\xe6\x97", 2, 0, 0, "cut 3-byte sequence");
	decodes("\xe6\x97\xa5", 2, 0, 0, "n shorter than the sequence");
	decodes("\xc3(", 2, 0, 0, "bad continuation");
}

static int is_class(const char *s, size_t n)
{
	return gounicode_is_class((const unsigned char *)s, n);
}

static void test_class_names(void)
{
	static const char *const known[] = {
		"Any", "L", "Lu", "Zs", "C", "Greek", "Latin", "Han", "Canadian_Aboriginal", "Adlam",
		"Zanabazar_Square", "Braille", "SignWriting",
		/* new in Unicode 14 and 15, so in Go 1.21 on */
		"Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi", "Kawi", "Nag_Mundari",
	};
	static const char *const unknown[] = {
		"", "greek", "GREEK", "any", "Gree", "Greeks", "^Greek", "LC", "Cn", "Letter",
		"Uppercase_Letter", "ASCII", "Assigned", "l", "Garay", "Todhri", "Zz", "Latin ",
	};
	size_t n = sizeof class_names / sizeof *class_names;
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		OK(is_class(known[i], strlen(known[i])), "\\p{%s} is known", known[i]);
	for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++)
		OK(!is_class(unknown[i], strlen(unknown[i])), "\\p{%s} is not", unknown[i]);
	OK(!is_class("L\0", 2), "a NUL is part of the name");
	OK(!is_class("\0L", 2), "a leading NUL too");
	OK(is_class("Greek}", 5), "only the n bytes given count");
	int sorted = 1;
	for (size_t i = 1; i < n; i++)
		sorted = sorted && strcmp(class_names[i - 1], class_names[i]) < 0;
	OK(sorted, "the names are sorted for the binary search");
	IS_INT(n, 200, "Any + 36 categories + 163 scripts");
	int all = 1;
	for (size_t i = 0; i < n; i++)
		all = all && is_class(class_names[i], strlen(class_names[i]));
	OK(all, "every name in the table is found");
}

int main(void)
{
	test_decode();
	test_class_names();
	return tap_done();
}
