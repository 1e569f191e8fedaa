/* Unit tests for src/goregex.c: Go regexp.Compile acceptance in C.
 *
 * The table's verdicts and messages were produced by Go itself: Go 1.19's
 * regexp/syntax (Debian golang-go) with the Go 1.22 (?<name> change applied,
 * run through a throw-away program outside this tree; messages are Go's
 * ErrorCode and expression as goregex quotes them.  Entries that depend on
 * Go 1.22-1.24 specifics (Unicode 15 scripts) are checked separately below.
 * Build: make units (it links gounicode.c and the other modules). */
#include "../../src/goregex.c"

#include <stdlib.h>

#include "tap.h"

struct tcase {
	const char *pat;
	size_t len;
	const char *err;	/* NULL: valid */
};

#define V(p) { p, sizeof p - 1, NULL }
#define E(p, m) { p, sizeof p - 1, m }

static const struct tcase table[] = {
	/* Go's parse_test.go parseTests (valid) */
	V("a"),
	V("a."),
	V("a.b"),
	V("ab"),
	V("a.b.c"),
	V("abc"),
	V("a|^"),
	V("a|b"),
	V("(a)"),
	V("(a)|b"),
	V("a*"),
	V("a+"),
	V("a?"),
	V("a{2}"),
	V("a{2,3}"),
	V("a{2,}"),
	V("a*?"),
	V("a+?"),
	V("a??"),
	V("a{2}?"),
	V("a{2,3}?"),
	V("a{2,}?"),
	V("x{1001"),
	V("x{9876543210"),
	V("x{9876543210,"),
	V("x{2,1"),
	V("x{1,9876543210"),
	V(""),
	V("|"),
	V("|x|"),
	V("."),
	V("^"),
	V("$"),
	V("\\|"),
	V("\\("),
	V("\\)"),
	V("\\*"),
	V("\\+"),
	V("\\?"),
	V("{"),
	V("}"),
	V("\\."),
	V("\\^"),
	V("\\$"),
	V("\\\\"),
	V("[ace]"),
	V("[abc]"),
	V("[a-z]"),
	V("[a]"),
	V("\\-"),
	V("-"),
	V("\\_"),
	V("abc|def"),
	V("abc|def|ghi"),
	V("[[:lower:]]"),
	V("[^[:lower:]]"),
	V("[[:^lower:]]"),
	V("(?i)[[:lower:]]"),
	V("(?i)[a-z]"),
	V("(?i)[^[:lower:]]"),
	V("(?i)[[:^lower:]]"),
	V("\\d"),
	V("\\D"),
	V("\\s"),
	V("\\S"),
	V("\\w"),
	V("\\W"),
	V("(?i)\\w"),
	V("(?i)\\W"),
	V("[^\\\\]"),
	V("\\p{Braille}"),
	V("\\P{Braille}"),
	V("\\p{^Braille}"),
	V("\\P{^Braille}"),
	V("\\pZ"),
	V("[\\p{Braille}]"),
	V("[\\P{Braille}]"),
	V("[\\p{^Braille}]"),
	V("[\\P{^Braille}]"),
	V("[\\pZ]"),
	V("\\p{Lu}"),
	V("[\\p{Lu}]"),
	V("(?i)[\\p{Lu}]"),
	V("\\p{Canadian_Aboriginal}"),
	V("\\p{Any}"),
	V("\\p{^Any}"),
	V("[\\012-\\234]\\141"),
	V("[\\x{41}-\\x7a]\\x61"),
	V("a{,2}"),
	V("\\.\\^\\$\\\\"),
	V("[a-zABC]"),
	V("[^a]"),
	V("[\xce\xb1-\xce\xb5\xe2\x98\xba]"),
	V("a*{"),
	V("(?:ab)*"),
	V("(ab)*"),
	V("ab|cd"),
	V("a(b|c)d"),
	V("(?:a)"),
	V("(?:ab)(?:cd)"),
	V("(?:a+b+)(?:c+d+)"),
	V("(?:a+|b+)|(?:c+|d+)"),
	V("(?:a|b)|(?:c|d)"),
	V("a|."),
	V(".|a"),
	V("(?:[abc]|A|Z|hello|world)"),
	V("(?:[abc]|A|Z)"),
	V("\\Q+|*?{[\\E"),
	V("\\Q+\\E+"),
	V("\\Qab\\E+"),
	V("\\Q\\\\E"),
	V("\\Q\\\\\\E"),
	V("(?m)^"),
	V("(?m)$"),
	V("(?-m)^"),
	V("(?-m)$"),
	V("(?m)\\A"),
	V("(?m)\\z"),
	V("(?-m)\\A"),
	V("(?-m)\\z"),
	V("(?P<name>a)"),
	V("(?<name>a)"),
	V("[Aa]"),
	V("[\\x{100}\\x{101}]"),
	V("[\xce\x94\xce\xb4]"),
	V("abcde"),
	V("[Aa][Bb]cd"),
	V("abc|abd|aef|bcx|bcy"),
	V("ax+y|ax+z|ay+w"),
	V("(?:.)"),
	V("(?:x|(?:xa))"),
	V("(?:.|(?:.a))"),
	V("(?:A(?:A|a))"),
	V("(?:A|a)"),
	V("A|(?:A|a)"),
	V("(?s)."),
	V("(?-s)."),
	V("(?:(?:^).)"),
	V("(?-s)(?:(?:^).)"),
	V("[\\s\\S]a"),
	V("abc|abd"),
	V("a(?:b)c|abd"),
	V("abc|x|abd"),
	V("(?i)abc|ABD"),
	V("[ab]c|[ab]d"),
	V(".c|.d"),
	V("x{2}|x{2}[0-9]"),
	V("x{2}y|x{2}[0-9]y"),
	V("a.*?c|a.*?b"),
	V("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))"),
	V("((((((((((x{1}){2}){2}){2}){2}){2}){2}){2}){2}){2})"),
	V("(?:[a-z]{4}){0,250}"),
	/* parse_test.go onlyPerl (valid with Perl flags) */
	V("[a-b-c]"),
	V("\\Qabc\\E"),
	V("\\Q*+?{[\\E"),
	V("\\Q\\\\\\\\E"),
	V("\\Q\\\\\\\\\\E"),
	/* parse_test.go invalidRegexps */
	E("(",
	  "missing closing ): `(`"),
	E(")",
	  "unexpected ): `)`"),
	E("(a",
	  "missing closing ): `(a`"),
	E("a)",
	  "unexpected ): `a)`"),
	E("(a))",
	  "unexpected ): `(a))`"),
	E("(a|b|",
	  "missing closing ): `(a|b|`"),
	E("a|b|)",
	  "unexpected ): `a|b|)`"),
	E("(a|b|))",
	  "unexpected ): `(a|b|))`"),
	E("(a|b",
	  "missing closing ): `(a|b`"),
	E("a|b)",
	  "unexpected ): `a|b)`"),
	E("(a|b))",
	  "unexpected ): `(a|b))`"),
	E("[a-z",
	  "missing closing ]: `[a-z`"),
	E("([a-z)",
	  "missing closing ]: `[a-z)`"),
	E("[a-z)",
	  "missing closing ]: `[a-z)`"),
	E("([a-z]))",
	  "unexpected ): `([a-z]))`"),
	E("x{1001}",
	  "invalid repeat count: `{1001}`"),
	E("x{9876543210}",
	  "invalid repeat count: `{9876543210}`"),
	E("x{2,1}",
	  "invalid repeat count: `{2,1}`"),
	E("x{1,9876543210}",
	  "invalid repeat count: `{1,9876543210}`"),
	E("\xff",
	  "invalid UTF-8: `\\xff`"),
	E("[\xff]",
	  "invalid UTF-8: `\\xff]`"),
	E("[\\\xff]",
	  "invalid UTF-8: `\\xff]`"),
	E("\\\xff",
	  "invalid UTF-8: `\\xff`"),
	E("(?P<name>a",
	  "missing closing ): `(?P<name>a`"),
	E("(?P<name>",
	  "missing closing ): `(?P<name>`"),
	E("(?P<name",
	  "invalid named capture: `(?P<name`"),
	E("(?P<x y>a)",
	  "invalid named capture: `(?P<x y>`"),
	E("(?P<>a)",
	  "invalid named capture: `(?P<>`"),
	E("(?<name>a",
	  "missing closing ): `(?<name>a`"),
	E("(?<name>",
	  "missing closing ): `(?<name>`"),
	E("(?<name",
	  "invalid named capture: `(?<name`"),
	E("(?<x y>a)",
	  "invalid named capture: `(?<x y>`"),
	E("(?<>a)",
	  "invalid named capture: `(?<>`"),
	E("[a-Z]",
	  "invalid character class range: `a-Z`"),
	E("(?i)[a-Z]",
	  "invalid character class range: `a-Z`"),
	E("\\Q\\E*",
	  "missing argument to repetition operator: `*`"),
	E("a{100000}",
	  "invalid repeat count: `{100000}`"),
	E("a{100000,}",
	  "invalid repeat count: `{100000,}`"),
	E("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})",
	  "invalid repeat count: `{2}`"),
	E("(?:[a-z]{4}){0,251}",
	  "invalid repeat count: `{0,251}`"),
	/* parse_test.go onlyPOSIX (invalid with Perl flags) */
	E("a++",
	  "invalid nested repetition operator: `++`"),
	E("a**",
	  "invalid nested repetition operator: `**`"),
	E("a?*",
	  "invalid nested repetition operator: `?*`"),
	E("a+*",
	  "invalid nested repetition operator: `+*`"),
	E("a{1}*",
	  "invalid nested repetition operator: `{1}*`"),
	E(".{1}{2}.{3}",
	  "invalid nested repetition operator: `{1}{2}`"),
	/* PCRE/Perl features RE2 lacks */
	E("(?=x)",
	  "invalid or unsupported Perl syntax: `(?=`"),
	E("(?!x)",
	  "invalid or unsupported Perl syntax: `(?!`"),
	E("(?<=x)y",
	  "invalid named capture: `(?<=x)y`"),
	E("(?<!x)y",
	  "invalid named capture: `(?<!x)y`"),
	E("(?>x)",
	  "invalid or unsupported Perl syntax: `(?>`"),
	E("(?|a|b)",
	  "invalid or unsupported Perl syntax: `(?|`"),
	E("(?#c)",
	  "invalid or unsupported Perl syntax: `(?#`"),
	E("a*+",
	  "invalid nested repetition operator: `*+`"),
	E("a?+",
	  "invalid nested repetition operator: `?+`"),
	E("a{2}+",
	  "invalid nested repetition operator: `{2}+`"),
	E("\\1",
	  "invalid escape sequence: `\\1`"),
	E("(a)\\1",
	  "invalid escape sequence: `\\1`"),
	E("\\k<n>",
	  "invalid escape sequence: `\\k`"),
	E("\\g1",
	  "invalid escape sequence: `\\g`"),
	E("(?R)",
	  "invalid or unsupported Perl syntax: `(?R`"),
	E("(?1)",
	  "invalid or unsupported Perl syntax: `(?1`"),
	E("\\K",
	  "invalid escape sequence: `\\K`"),
	E("\\Z",
	  "invalid escape sequence: `\\Z`"),
	E("\\G",
	  "invalid escape sequence: `\\G`"),
	E("\\h",
	  "invalid escape sequence: `\\h`"),
	E("\\R",
	  "invalid escape sequence: `\\R`"),
	E("\\X",
	  "invalid escape sequence: `\\X`"),
	E("\\N",
	  "invalid escape sequence: `\\N`"),
	E("\\e",
	  "invalid escape sequence: `\\e`"),
	E("\\cA",
	  "invalid escape sequence: `\\c`"),
	E("\\u0041",
	  "invalid escape sequence: `\\u`"),
	E("\\U",
	  "invalid escape sequence: `\\U`"),
	E("(?'n'a)",
	  "invalid or unsupported Perl syntax: `(?'`"),
	E("(?P=n)",
	  "invalid or unsupported Perl syntax: `(?P`"),
	E("(?P>n)",
	  "invalid or unsupported Perl syntax: `(?P`"),
	E("(?x)a",
	  "invalid or unsupported Perl syntax: `(?x`"),
	E("(?a)",
	  "invalid or unsupported Perl syntax: `(?a`"),
	E("[[:<:]]",
	  "invalid character class range: `[:<:]`"),
	E("\\C",
	  "invalid escape sequence: `\\C`"),
	E("\\8",
	  "invalid escape sequence: `\\8`"),
	E("\\9",
	  "invalid escape sequence: `\\9`"),
	E("\\18",
	  "invalid escape sequence: `\\1`"),
	E("[\\b]",
	  "invalid escape sequence: `\\b`"),
	E("[\\Q]",
	  "invalid escape sequence: `\\Q`"),
	E("[\\A]",
	  "invalid escape sequence: `\\A`"),
	E("\\\xc3\xa9",
	  "invalid escape sequence: `\\\xc3\xa9`"),
	/* flag groups */
	V("(?i)abc"),
	V("(?im)^a$"),
	V("(?i-s:a.)"),
	V("(?-i)a"),
	V("(?i)"),
	V("(?)"),
	V("(?:)"),
	E("(?i-)a",
	  "invalid or unsupported Perl syntax: `(?i-)`"),
	E("(?-)a",
	  "invalid or unsupported Perl syntax: `(?-)`"),
	V("(?i-i)a"),
	E("(?--i)a",
	  "invalid or unsupported Perl syntax: `(?--`"),
	E("(?i-m-s)a",
	  "invalid or unsupported Perl syntax: `(?i-m-`"),
	V("(?imsU:a)"),
	V("(?U)a*"),
	E("(?i",
	  "invalid or unsupported Perl syntax: `(?i`"),
	E("(?i:a",
	  "missing closing ): `(?i:a`"),
	E("(?:a",
	  "missing closing ): `(?:a`"),
	V("a(?i)*"),
	E("(?i)*",
	  "missing argument to repetition operator: `*`"),
	E("a|(?i)*",
	  "missing argument to repetition operator: `*`"),
	E("((?i)*)",
	  "missing argument to repetition operator: `*`"),
	V("(?i:\\pL)"),
	/* named groups */
	V("(?P<name>a)(?P<name>b)"),
	V("(?P<a1_>x)"),
	V("(?P<1>x)"),
	E("(?P<\xc3\xa9>x)",
	  "invalid named capture: `(?P<\xc3\xa9>`"),
	E("(?P<n-m>x)",
	  "invalid named capture: `(?P<n-m>`"),
	V("(?<n>x)(?<n>y)"),
	E("(?P<",
	  "invalid or unsupported Perl syntax: `(?P`"),
	E("(?<",
	  "invalid or unsupported Perl syntax: `(?<`"),
	E("(?<a",
	  "invalid named capture: `(?<a`"),
	E("(?P<a>",
	  "missing closing ): `(?P<a>`"),
	V("(?P<a>)"),
	V("(?<a>)"),
	E("(?P<a\xff>x)",
	  "invalid UTF-8: `\\xff`"),
	/* repetition */
	V("\\d+"),
	V("a{,5}"),
	V("a{ 2}"),
	V("a{2 }"),
	V("a{-1}"),
	V("x{0}"),
	V("x{0,0}"),
	V("x{1000}"),
	V("x{1000,}"),
	V("x{0,1000}"),
	E("x{1001,}",
	  "invalid repeat count: `{1001,}`"),
	V("x{01}"),
	V("x{00}"),
	V("x{0001}"),
	E("*",
	  "missing argument to repetition operator: `*`"),
	E("+a",
	  "missing argument to repetition operator: `+`"),
	E("?",
	  "missing argument to repetition operator: `?`"),
	E("{1}",
	  "missing argument to repetition operator: `{1}`"),
	E("{1,2}",
	  "missing argument to repetition operator: `{1,2}`"),
	E("a|*",
	  "missing argument to repetition operator: `*`"),
	E("(*)",
	  "missing argument to repetition operator: `*`"),
	E("(+a)",
	  "missing argument to repetition operator: `+`"),
	V("^*"),
	V("$+"),
	V("\\b+"),
	V("\\A?"),
	E("a{2}{3}",
	  "invalid nested repetition operator: `{2}{3}`"),
	E("a*?*",
	  "invalid nested repetition operator: `*?*`"),
	E("a**b",
	  "invalid nested repetition operator: `**`"),
	V("a{1000}"),
	V("(a{2}){500}"),
	E("(a{2}){501}",
	  "invalid repeat count: `{501}`"),
	V("((a{10}){10}){10}"),
	E("((a{10}){10}){11}",
	  "invalid repeat count: `{11}`"),
	V("(?:a{0}){1000}"),
	V("((a{1000}){0}){1000}"),
	V("(a{500}){1,}"),
	V("((a{500}){1,}){2}"),
	V("(a*){1000}"),
	E("(a+){1000}{2}",
	  "invalid nested repetition operator: `{1000}{2}`"),
	E("x{2}?{3}",
	  "invalid nested repetition operator: `{2}?{3}`"),
	/* escapes and \p names (Go 1.22-1.24 tables) */
	V("\\x41"),
	V("\\x{41}"),
	V("\\x{10FFFF}"),
	V("\\x{0}"),
	V("\\x{000000041}"),
	E("\\x4",
	  "invalid escape sequence: `\\x4`"),
	E("\\xg1",
	  "invalid escape sequence: `\\xg1`"),
	E("\\x{}",
	  "invalid escape sequence: `\\x{}`"),
	E("\\x{110000}",
	  "invalid escape sequence: `\\x{110000`"),
	E("\\x{41",
	  "invalid escape sequence: `\\x{41`"),
	V("\\x{D800}"),
	E("\\x",
	  "invalid escape sequence: `\\x`"),
	E("\\x{",
	  "invalid escape sequence: `\\x{`"),
	V("\\0"),
	V("\\01"),
	V("\\012"),
	V("\\0123"),
	E("\\7",
	  "invalid escape sequence: `\\7`"),
	V("\\10"),
	V("\\377"),
	V("\\400"),
	V("\\a\\f\\t\\n\\r\\v"),
	V("\\!\\\"\\#\\%\\&\\'\\,\\/\\:\\;\\<\\=\\>\\@\\`\\~"),
	V("\\ "),
	E("\\",
	  "trailing backslash at end of expression: ``"),
	E("a\\",
	  "trailing backslash at end of expression: ``"),
	V("\\A\\z\\b\\B"),
	V("\\pL"),
	V("\\pN"),
	V("\\PL"),
	V("\\p{Greek}"),
	E("\\p{greek}",
	  "invalid character class range: `\\p{greek}`"),
	V("\\p{Latin}"),
	V("\\p{Han}"),
	V("\\p{Cyrillic}"),
	V("\\p{L}"),
	V("\\p{Zs}"),
	E("\\p{LC}",
	  "invalid character class range: `\\p{LC}`"),
	E("\\p{Cn}",
	  "invalid character class range: `\\p{Cn}`"),
	E("\\p{Letter}",
	  "invalid character class range: `\\p{Letter}`"),
	E("\\p{Uppercase_Letter}",
	  "invalid character class range: `\\p{Uppercase_Letter}`"),
	E("\\p{ascii}",
	  "invalid character class range: `\\p{ascii}`"),
	E("\\p{Assigned}",
	  "invalid character class range: `\\p{Assigned}`"),
	E("\\pX",
	  "invalid character class range: `\\pX`"),
	E("\\p{}",
	  "invalid character class range: `\\p{}`"),
	E("\\p{^}",
	  "invalid character class range: `\\p{^}`"),
	E("\\p",
	  "invalid character class range: `\\p`"),
	E("\\P",
	  "invalid character class range: `\\P`"),
	V("\\P{^Greek}"),
	E("\\p{Greek",
	  "invalid character class range: `\\p{Greek`"),
	V("\\p{Greek}}"),
	E("\\p^L",
	  "invalid character class range: `\\p^`"),
	E("\\p\xc3\xa9",
	  "invalid character class range: `\\p\xc3\xa9`"),
	/* character classes */
	E("[]",
	  "missing closing ]: `[]`"),
	V("[]a]"),
	V("[^]a]"),
	E("[^]",
	  "missing closing ]: `[^]`"),
	V("[a-]"),
	V("[-a]"),
	E("[a-\\d]",
	  "invalid escape sequence: `\\d`"),
	V("[\\d-z]"),
	E("[z-a]",
	  "invalid character class range: `z-a`"),
	V("[[:alpha:]]"),
	E("[[:foo:]]",
	  "invalid character class range: `[:foo:]`"),
	E("[[:alpha:]",
	  "missing closing ]: `[[:alpha:]`"),
	V("[[:^space:]]"),
	V("[\\p{Greek}]"),
	E("[\\p{Foo}]",
	  "invalid character class range: `\\p{Foo}`"),
	V("[a\\]]"),
	V("[\\[]"),
	V("[\\x00-\\x{10FFFF}]"),
	V("[^\\x00-\\x{10FFFF}]"),
	V("[:alpha:]"),
	V("[[:word:]]"),
	E("[[:WORD:]]",
	  "invalid character class range: `[:WORD:]`"),
	V("[[:alpha:]-z]"),
	E("[a-[:alpha:]]",
	  "invalid character class range: `a-[`"),
	E("[[:a]b:]",
	  "invalid character class range: `[:a]b:]`"),
	E("[[::]]",
	  "invalid character class range: `[::]`"),
	V("[[:]]"),
	E("[a-",
	  "missing closing ]: `[a-`"),
	E("[a-\\",
	  "trailing backslash at end of expression: ``"),
	E("[\\",
	  "trailing backslash at end of expression: ``"),
	E("[\xc3\xa9-a]",
	  "invalid character class range: `\xc3\xa9-a`"),
	V("[\\n-\\r]"),
	V("[^\\n]"),
	V("[\\d\\D]"),
	V("[\\pL-z]"),
	/* UTF-8 */
	V("\xc3\xa9"),
	E("\xc3",
	  "invalid UTF-8: `\\xc3`"),
	E("\xed\xa0\x80",
	  "invalid UTF-8: `\\xed\\xa0\\x80`"),
	E("\xc0\xaf",
	  "invalid UTF-8: `\\xc0\\xaf`"),
	E("\xf4\x90\x80\x80",
	  "invalid UTF-8: `\\xf4\\x90\\x80\\x80`"),
	V("\xef\xbf\xbd"),
	E("ab\xff" "cd",
	  "invalid UTF-8: `\\xffcd`"),
	E("\\Q\xff\\E",
	  "invalid UTF-8: `\\xff`"),
	E("\\p{\xff}",
	  "invalid UTF-8: `\\xff`"),
	E("(?i\xff)",
	  "invalid UTF-8: `\\xff)`"),
	E("\\x\xff",
	  "invalid UTF-8: `\\xff`"),
	E("[a-\xff]",
	  "invalid UTF-8: `\\xff]`"),
	V("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
	V("(?i)\xe6\x97\xa5\xe6\x9c\xac"),
	/* cloudflared-style ingress paths */
	V("^/api/"),
	V("\\.php$"),
	V("^/(?:static|assets)/.*\\.(?:css|js)$"),
	V("^/v[0-9]+/users/[0-9a-f-]{36}$"),
	V("(?i)^/admin"),
	V("/blog/.*"),
	V("^/$"),
	V(".*"),
	V("^/ws(/.*)?$"),
	V("^/[^/]+/?$"),
	V("^/files/.+\\.(jpg|png|gif)$"),
	V("^/api/v1/(users|groups)/\\d+$"),
	V("(?i)\\.(?:env|git)(?:/|$)"),
	V("^/health(?:z)?$"),
	V("^/(?P<tenant>[a-z]+)/"),
	V("^/\\.well-known/acme-challenge/"),
	V("/api/*"),
	E("^/static/(.*\\.js$",
	  "missing closing ): `^/static/(.*\\.js$`"),
	E("^/api/(?=v2)",
	  "invalid or unsupported Perl syntax: `(?=`"),
	E("^/[a-z]++/$",
	  "invalid nested repetition operator: `++`"),
	E("/user/(\\d+)/\\1",
	  "invalid escape sequence: `\\1`"),
};

/* The pattern, quoted for a TAP line. */
static const char *show(const char *pat, size_t len)
{
	static char buf[160];
	struct out o = { buf, sizeof buf, 0, false };

	buf[0] = '\0';
	put_expr(&o, (const unsigned char *)pat, len);
	return buf;
}

static void check(const char *pat, size_t len, const char *want)
{
	char err[256];
	int rc = goregex_check(pat, len, err, sizeof err);

	if (!want) {
		OK(rc == 0 && err[0] == '\0', "valid: %s", show(pat, len));
		if (rc)
			printf("#   got \"%s\"\n", err);
		return;
	}
	OK(rc == -1 && strcmp(err, want) == 0, "invalid: %s", show(pat, len));
	if (rc != -1 || strcmp(err, want))
		printf("#   got %d \"%s\", want \"%s\"\n", rc, err, want);
}

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof table / sizeof *table; i++)
		check(table[i].pat, table[i].len, table[i].err);
}

/* Names that depend on the Unicode version of Go 1.21-1.24 (15.0.0); the
 * table itself is tested in test_gounicode.c. */
static void test_unicode_names(void)
{
	static const char *const added15[] = {
		"\\p{Cypro_Minoan}", "\\p{Old_Uyghur}", "\\p{Tangsa}",
		"\\p{Toto}", "\\p{Vithkuqi}", "\\p{Kawi}", "\\p{Nag_Mundari}",
	};
	size_t i;

	for (i = 0; i < sizeof added15 / sizeof *added15; i++)
		check(added15[i], strlen(added15[i]), NULL);
	/* Unicode 16 scripts are unknown to Go 1.22-1.24 */
	check("\\p{Garay}", 9, "invalid character class range: `\\p{Garay}`");
	check("[\\P{^Todhri}]", 13,
	      "invalid character class range: `\\P{^Todhri}`");
}

/* Repeat s n times into a fresh buffer (freed by the caller). */
static char *rep(const char *pre, const char *s, size_t n, const char *post,
		 size_t *len)
{
	size_t a = strlen(pre), b = strlen(s), c = strlen(post), i;
	char *p = malloc(a + b * n + c + 1);

	if (!p)
		abort();
	memcpy(p, pre, a);
	for (i = 0; i < n; i++)
		memcpy(p + a + b * i, s, b);
	memcpy(p + a + b * n, post, c + 1);
	*len = a + b * n + c;
	return p;
}

/* Go's limits; verdicts checked against Go, the cases of parse_test.go
 * first.  Only the message code is compared: the quote is the pattern.
 * Those needing more than GOREGEX_MAX_LEN bytes meet the length cap first;
 * Go's own verdict is kept in their names. */
static void limit(const char *what, char *pat, size_t len, const char *code)
{
	char err[256];
	int rc = goregex_check(pat, len, err, sizeof err);

	if (!code) {
		OK(rc == 0, "%s: valid", what);
		if (rc)
			printf("#   got \"%s\"\n", err);
	} else {
		OK(rc == -1 && strncmp(err, code, strlen(code)) == 0 &&
		   err[strlen(code)] == ':', "%s: %s", what, code);
		if (rc != -1 || strncmp(err, code, strlen(code)))
			printf("#   got %d \"%s\"\n", rc, err);
	}
	free(pat);
}

static char *nest(const char *open, const char *close, size_t n, size_t *len)
{
	size_t a = strlen(open), b = strlen(close), i;
	char *p = malloc((a + b) * n + 1);

	if (!p)
		abort();
	for (i = 0; i < n; i++)
		memcpy(p + a * i, open, a);
	for (i = 0; i < n; i++)
		memcpy(p + a * n + b * i, close, b);
	p[(a + b) * n] = '\0';
	*len = (a + b) * n;
	return p;
}

static void test_limits(void)
{
	size_t len;
	char *p;

	p = nest("(", ")", 999, &len);
	limit("999 nested captures (Go: valid)", p, len, E_LONG);
	p = nest("(", ")", 1000, &len);
	limit("1000 nested captures (Go: too deep)", p, len, E_LONG);
	p = nest("(?:", ")*", 999, &len);
	limit("999 nested stars (Go: valid)", p, len, E_LONG);
	p = nest("(?:", ")*", 1000, &len);
	limit("1000 nested stars (Go: too deep)", p, len, E_LONG);
	p = nest("a(", ")", 499, &len);
	limit("499 nested a(...) (Go: valid)", p, len, E_LONG);
	p = nest("a(", ")", 500, &len);
	limit("500 nested a(...) (concat + capture each) (Go: too deep)", p, len, E_LONG);
	p = nest("a(?:(", ")*)", 333, &len);
	limit("333 nested a(?:(...)*) (Go: valid)", p, len, E_LONG);
	p = nest("a(?:(", ")*)", 334, &len);
	limit("334 nested a(?:(...)*) (Go: too deep)", p, len, E_LONG);
	p = nest("(?:a", ")", 1000, &len);
	limit("(?:a(?:a...)) is one literal string (Go: valid)", p, len, E_LONG);
	p = nest("(?:a|", ")", 1000, &len);
	limit("(?:a|(?:a|...)) flattens (Go: valid)", p, len, E_LONG);
	p = rep("(", "|", 12345, ")", &len);
	limit("wide alternation (Go: valid)", p, len, E_LONG);
	p = rep("(", "(xx?)", 1000, "){1000}", &len);
	limit("(xx?)x1000 repeated 1000 times (Go: too large)", p, len, E_LONG);
	p = rep("", "(xx?){1000}", 1000, "", &len);
	limit("(xx?){1000} x1000 (Go: too large)", p, len, E_LONG);
	/* Go counts a literal string at the size it had when first measured:
	 * each of these costs 2 * 1000, not 11 * 1000 */
	p = rep("", "(?:abcdefghij\\d){1000}", 1600, "", &len);
	limit("stale literal sizes, under the limit (Go: valid)", p, len, E_LONG);
	p = rep("", "(?:abcdefghij\\d){1000}", 1700, "", &len);
	limit("stale literal sizes, over the limit (Go: too large)", p, len, E_LONG);
	p = rep("", "(?:abcdefghij){1000}", 336, "", &len);
	limit("whole literal strings count in full (Go: too large)", p, len, E_LONG);
	/* Go only measures once nodes x repeat counts reach its maxSize */
	p = rep("x{2}", "abcdefghij\\d", 310000, "", &len);
	limit("3.7 MB without big repeats is not measured (Go: valid)", p, len, E_LONG);
	p = rep("", ".", 4000000, "", &len);
	limit("4 MB of dots (Go: too large)", p, len, E_LONG);
	p = rep("", "()", 2000000, "", &len);
	limit("2M empty captures (Go: too large)", p, len, E_LONG);
	p = rep("(?:", "a|", 500000, "b)", &len);
	limit("500k single-character branches (Go: valid)", p, len, E_LONG);
	p = rep("[", "[:", 500000, "]", &len);
	limit("[[:[:... stays linear (Go: class range)", p, len, E_LONG);
	p = rep("[", "[:a", 500000, "]", &len);
	limit("[[:a[:a... stays linear (Go: valid)", p, len, E_LONG);

	/* deviations documented in goregex.c before the cap */
	p = rep("", "\\pL", 27000, "", &len);
	limit("27000 \\pL (Go: too large, its rune budget; the checker said valid)", p, len, E_LONG);
	p = nest("(?:", ")", 1001, &len);
	limit("1001 nested (?:) (Go: valid; the checker said too deep)", p, len, E_LONG);
}

/* Go's limits within the cap.  Its size check runs before its repeat-count
 * check, so a nested repeat over 1000 that also compiles to more than
 * 3355443 instructions is "too large"; Go 1.19.8 (Debian 12) refuses each
 * of these the same way (wording its size error "internal error"). */
static void test_limits_under_cap(void)
{
	size_t len;
	char *p;

	check("((ab){1000}){1000}", 18,
	      "expression too large: `((ab){1000}){1000}`");
	check("((a){1000}){1000}", 17, "invalid repeat count: `{1000}`");
	check("(?:(?:abcdefghij\\d){1000}){1000}", 32,
	      "expression too large: `(?:(?:abcdefghij\\d){1000}){1000}`");
	/* measured from the start, the literal keeps its one-rune size */
	check("x{1000}y{1000}(?:(?:abcdefghij\\d){1000}){1000}", 46,
	      "invalid repeat count: `{1000}`");
	/* 4 levels in 5 bytes is the deepest a byte goes: height 816 */
	p = nest("(|x", ")*", 204, &len);
	limit("deepest nesting under the cap", p, len, NULL);
	/* 1000 x 1690 instructions, the most found under the cap */
	p = rep("(?:", "()*", 338, "){1000}", &len);
	limit("largest size under the cap", p, len, NULL);
	/* our group stack, not Go's limit: Go says "missing closing )" */
	p = rep("", "(", 1001, "", &len);
	limit("1001 open groups (Go: missing closing ))", p, len, E_DEEP);
}

/* GOREGEX_MAX_LEN: checked before anything else. */
static void test_cap(void)
{
	static const char msg[] = "pattern longer than 1024 bytes: write a shorter path; "
		"no path needs more, since cloudflared matches paths as an unanchored "
		"regular expression";
	static char pat[GOREGEX_MAX_LEN + 1];
	char small[12];

	IS_INT(GOREGEX_MAX_LEN, 1024, "the cap is 1024 bytes");
	memset(pat, 'a', sizeof pat);
	check(pat, GOREGEX_MAX_LEN, NULL);
	check(pat, GOREGEX_MAX_LEN + 1, msg);
	pat[0] = '(';
	check(pat, GOREGEX_MAX_LEN, "missing closing ): `(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...`");
	check(pat, GOREGEX_MAX_LEN + 1, msg);
	pat[0] = '\xff';
	check(pat, GOREGEX_MAX_LEN + 1, msg);
	IS_INT(goregex_check(NULL, GOREGEX_MAX_LEN + 1, small, sizeof small), -1,
	       "NULL, too long: -1");
	IS_INT(goregex_check(pat, GOREGEX_MAX_LEN + 1, small, sizeof small), -1,
	       "too long, short buffer: -1");
	IS_STR(small, "pattern lon", "too long, short buffer: the code, cut");
	IS_INT(goregex_check(pat, GOREGEX_MAX_LEN + 1, NULL, 0), -1, "too long, no buffer: -1");
}

static void test_nul_bytes(void)
{
	check("a\0b", 3, NULL);
	check("\\\0", 2, NULL);			/* escaped punctuation */
	check("[\0-a]", 5, NULL);
	check("[a-\0]", 5, "invalid character class range: `a-\\x00`");
	check("(?P<a\0>x)", 9, "invalid named capture: `(?P<a\\x00>`");
	check("\\p{\0}", 5, "invalid character class range: `\\p{\\x00}`");
	check("(?\0)", 4, "invalid or unsupported Perl syntax: `(?\\x00`");
	check("\0*", 2, NULL);
	check("\0**", 3, "invalid nested repetition operator: `**`");
}

static void test_err_buffer(void)
{
	char err[64], small[12], one[1] = { 'x' }, none[4] = "abc";
	const char *longpat =
		"(0123456789012345678901234567890123456789012345678901234567890123456789";
	int rc;

	IS_INT(goregex_check("(", 1, NULL, 0), -1, "NULL err: still -1");
	IS_INT(goregex_check("(", 1, none, 0), -1, "errlen 0: -1");
	IS_STR(none, "abc", "errlen 0: err untouched");
	IS_INT(goregex_check("(", 1, one, 1), -1, "errlen 1: -1");
	IS_INT(one[0], 0, "errlen 1: empty string");
	rc = goregex_check("(abc", 4, small, sizeof small);
	IS_INT(rc, -1, "short buffer: -1");
	IS_STR(small, "missing clo", "short buffer: the code, cut");
	rc = goregex_check("(abc", 4, err, 25);
	IS_STR(err, "missing closing )", "one byte short: only the code");
	rc = goregex_check("(abc", 4, err, 26);
	IS_STR(err, "missing closing ): `(abc`", "exactly enough room");
	rc = goregex_check(longpat, strlen(longpat), err, sizeof err);
	IS_STR(err, "missing closing )", "long message, short buffer: code");
	{
		static char big[256];

		rc = goregex_check(longpat, strlen(longpat), big, sizeof big);
		IS_STR(big, "missing closing ): `(01234567890123456789012345678"
		       "9012345678901234567890123456789012...`",
		       "long expressions are cut at 64 bytes");
	}
	strcpy(err, "junk");
	IS_INT(goregex_check("a", 1, err, sizeof err), 0, "valid");
	IS_STR(err, "", "valid clears err");
	IS_INT(goregex_check(NULL, 0, err, sizeof err), 0, "NULL, 0: empty");
	IS_INT(goregex_check(NULL, 1, err, sizeof err), -1, "NULL, 1: -1");
	check("a\x1b\x07", 3, NULL);
	check("a\x1b\x07(", 4, "missing closing ): `a\\x1b\\x07(`");
	check("\xc2\x85(", 3, "missing closing ): `\\xc2\\x85(`");
	check("\xe2\x80\xae(", 4,		/* U+202E RIGHT-TO-LEFT OVERRIDE */
	      "missing closing ): `\\xe2\\x80\\xae(`");
	check("\xc3\xa9(", 3, "missing closing ): `\xc3\xa9(`");
}

int main(void)
{
	test_table();
	test_unicode_names();
	test_limits();
	test_limits_under_cap();
	test_cap();
	test_nul_bytes();
	test_err_buffer();
	return tap_done();
}
