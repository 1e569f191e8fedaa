/* goregex: accept exactly the patterns Go's regexp.Compile accepts.
 *
 * Reference: Go's src/regexp/syntax/parse.go (and parse_test.go), parsing
 * with syntax.Perl = ClassNL|OneLine|PerlX|UnicodeGroups, as regexp.Compile
 * does. This is an independent C re-implementation of its acceptance rules;
 * Go's code is not copied. The target is Go 1.22 to 1.24, the toolchains
 * cloudflared releases are built with.
 *
 * Replicated:
 *  - literals, `.`, `^`, `$`, `\A \z \b \B`, `|`, `( )`, `(?: )`, flag groups
 *    `(?imsU)`, `(?i-s:re)` (a `-` needs a flag after it; `(?)` is accepted
 *    as Go does), named groups `(?P<name>re)` and `(?<name>re)` (Go 1.22)
 *    with names [A-Za-z0-9_]+, duplicates accepted as Go accepts them;
 *  - `* + ? {n} {n,} {n,m}` with the non-greedy `?` suffix, counts up to
 *    1000, `{` that does not form a repeat (`{,2}`, `{01}`, `x{2`) is a
 *    literal, stacked operators (`a**`, `a+?+`, `a{2}*`) are errors, an
 *    operator with nothing to repeat is an error;
 *  - nested counted repeats that multiply to more than 1000 (Go's
 *    repeatIsValid, with its rounding): "invalid repeat count";
 *  - Go's size limit, 128 MB / 40 = 3355443 instructions: "expression too
 *    large", measured on gotree.c's model of Go's tree. Go measures a repeat
 *    before it checks its counts, so under the cap this is what a repeat
 *    that breaks the rule above gets when it is big enough:
 *    `((ab){1000}){1000}`, but `((a){1000}){1000}` is an invalid count;
 *  - escapes: `\d \D \s \S \w \W`, `\pL \PL \p{Greek} \p{^Greek}` (the names
 *    of Go 1.21-1.24, see gounicode.c), `\Q...\E`, octal `\0`, `\012`,
 *    `\123` (a lone `\1`..`\9` is a backreference: error), `\x41`,
 *    `\x{10FFFF}`, `\a \f \t \n \r \v`, ASCII punctuation; `\C` and unknown
 *    letter, digit or non-ASCII escapes are errors;
 *  - classes: `[...]`, `[^...]`, ranges (lo <= hi), a leading `]`,
 *    `[:alpha:]`/`[:^alpha:]`, `\d`/`\pL` inside, `\b` inside is an error;
 *  - invalid UTF-8 anywhere Go reads it (surrogates, overlongs, > U+10FFFF);
 *  - `(?=` `(?!` `(?P=` `(?>` are "invalid or unsupported Perl syntax";
 *    since Go 1.22 `(?<=x)` and `(?<!x)` fail as named groups, "invalid
 *    named capture"; possessive `a++` is a nested repetition.
 *
 * Not replicated:
 *  - a pattern over GOREGEX_MAX_LEN (1024) bytes is refused, whatever Go
 *    says: no path needs one, as cloudflared matches paths unanchored. Under
 *    it Go's other limits are out of reach and not modelled: its tree height
 *    of 1000, "expression nests too deeply" (a byte adds at most 4/5 of a
 *    level, `(|x(...)*)`, so it takes some 1250 bytes), and its rune budget
 *    (some 26000 `\pL`);
 *  - more than 1000 groups open at once are "expression nests too deeply",
 *    to keep our stack fixed; Go reads on (`(` x 1001 is "missing closing )");
 *  - Go factors alternations (`abc|abd` -> `ab[cd]`) and the model does
 *    not, so for a repeat that breaks the count rule it may say "too large"
 *    where Go says "invalid repeat count" (`((?:abc|abd){1000}){1000}`);
 *    likewise Go's reuse of freed nodes, which shifts when it starts to
 *    measure, is not followed. Either way the pattern is refused;
 *  - the Go 1.25 additions to `\p{...}` (case-insensitive names, `\p{Letter}`,
 *    `LC`, `Cn`, `ASCII`, `Assigned`) are rejected, as Go 1.22-1.24 reject
 *    them; likewise scripts added after Unicode 15.0. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "goregex.h"
#include "gotree.h"
#include "gounicode.h"

/* Go's ErrorCode strings. */
#define E_RANGE "invalid character class range"
#define E_ESCAPE "invalid escape sequence"
#define E_NAMED "invalid named capture"
#define E_PERL "invalid or unsupported Perl syntax"
#define E_NESTED "invalid nested repetition operator"
#define E_COUNT "invalid repeat count"
#define E_UTF8 "invalid UTF-8"
#define E_BRACKET "missing closing ]"
#define E_PAREN "missing closing )"
#define E_ARG "missing argument to repetition operator"
#define E_BACKSLASH "trailing backslash at end of expression"
#define E_UNEXPECTED "unexpected )"
#define E_DEEP "expression nests too deeply"
#define E_LARGE "expression too large"
#define STR_(x) #x
#define STR(x) STR_(x)
#define E_LONG "pattern longer than " STR(GOREGEX_MAX_LEN) " bytes"
#define E_LONG_WHY "write a shorter path; no path needs more, since " \
	"cloudflared matches paths as an unanchored regular expression"

enum {
	MAX_REPEAT = 1000,		/* Go's maxRepeat */
	EXPR_SHOW = 64,			/* pattern bytes quoted in messages */
};
#define NONE SIZE_MAX

struct parser {
	const unsigned char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool fold;		/* (?i) in force */
	size_t prev_rep;	/* start of the previous token if it was a
				 * repetition operator, else NONE */
	size_t cb_from, cb_at;	/* cache of the last ":]" search */
	struct gotree tree;	/* Go's tree, for its size and count checks */
};

/* ---- error messages ---------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

/* Append n bytes, or nothing once they no longer fit: the message then ends
 * cleanly instead of in the middle of an escape or a UTF-8 sequence. */
static void put(struct out *o, const void *b, size_t n)
{
	if (o->full || o->len + n >= o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, b, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/* Runes that could reorder or break a log line (bidi controls, line and
 * paragraph separators, BOM) are shown escaped like control bytes. */
static bool unsafe_rune(uint32_t r)
{
	return r < 0xa0 || r == 0x200e || r == 0x200f ||
	       (r >= 0x2028 && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
	       r == 0xfeff;
}

/* Quote a piece of the pattern for a log line: printable ASCII and valid
 * UTF-8 as they are, anything else as \xNN per byte. */
static void put_expr(struct out *o, const unsigned char *s, size_t n)
{
	size_t shown = n > EXPR_SHOW ? EXPR_SHOW : n, i = 0;

	while (i < shown) {
		uint32_t r;
		size_t k = gounicode_decode(s + i, n - i, &r);

		if (k == 1 && r >= 0x20 && r < 0x7f) {
			put(o, s + i, 1);
		} else if (k > 1 && !unsafe_rune(r)) {
			put(o, s + i, k);
		} else {
			static const char hex[] = "0123456789abcdef";
			char e[4] = { '\\', 'x', hex[s[i] >> 4], hex[s[i] & 15] };

			put(o, e, sizeof e);
			k = 1;
		}
		i += k;
	}
	if (i < n)
		put(o, "...", 3);
}

/* "code: `expr`" (or "code: text" when text is given), or only as much of
 * the code as fits. */
static int report(char *err, size_t errlen, const char *code, const char *text,
		  const unsigned char *expr, size_t n)
{
	struct out o = { err, errlen, 0, false };
	size_t k = strlen(code);

	if (!err || !errlen)
		return -1;
	err[0] = '\0';
	put(&o, code, k);
	if (text) {
		put(&o, ": ", 2);
		put(&o, text, strlen(text));
	} else {
		put(&o, ": `", 3);
		put_expr(&o, expr, n);
		put(&o, "`", 1);
	}
	if (o.full) {
		k = k < errlen - 1 ? k : errlen - 1;
		memcpy(err, code, k);
		err[k] = '\0';
	}
	return -1;
}

static int fail(struct parser *p, const char *code, size_t from, size_t to)
{
	return report(p->err, p->errlen, code, NULL, p->s + from, to - from);
}

static int fail_whole(struct parser *p, const char *code)
{
	return fail(p, code, 0, p->len);
}

/* ---- characters -------------------------------------------------------- */

/* Read the rune at *t, failing with Go's "invalid UTF-8" quoting from the
 * bad byte to `end` (the end of the string Go was decoding). */
static int next_rune(struct parser *p, size_t *t, size_t end, uint32_t *r)
{
	size_t k = gounicode_decode(p->s + *t, end - *t, r);

	if (!k)
		return fail(p, E_UTF8, *t, end);
	*t += k;
	return 0;
}

/* Go's checkUTF8 over s[from, to). */
static int check_utf8(struct parser *p, size_t from, size_t to)
{
	uint32_t r;

	while (from < to)
		if (next_rune(p, &from, to, &r))
			return -1;
	return 0;
}

static bool is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(uint32_t c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int unhex(uint32_t c)
{
	if (is_digit(c))
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* ---- the tree (gotree.c) ----------------------------------------------- */

/* The tree's errors other than a repeat's quote the whole pattern, as Go's. */
static int tree(struct parser *p, int rc)
{
	static const char *const code[] = {
		[GT_LARGE] = E_LARGE, [GT_DEEP] = E_DEEP,
		[GT_UNEXPECTED] = E_UNEXPECTED, [GT_OPEN] = E_PAREN,
	};

	return rc == GT_OK ? 0 : fail_whole(p, code[rc]);
}

static int add_leaf(struct parser *p, enum gt_kind kind, bool fold)
{
	return tree(p, gotree_leaf(&p->tree, kind, fold));
}

/* ---- groups ------------------------------------------------------------ */

static int open_group(struct parser *p, bool capture)
{
	return tree(p, gotree_open(&p->tree, capture, p->fold));
}

static int parse_close(struct parser *p)
{
	if (tree(p, gotree_close(&p->tree, &p->fold)))
		return -1;
	p->pos++;
	return 0;
}

static bool valid_group_name(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '_' && !is_alnum(s[i]))
			return false;
	return n > 0;
}

/* (?P<name> and (?<name>; the name runs to the first '>' anywhere after. */
static int parse_named(struct parser *p, size_t name_at)
{
	size_t at = p->pos, end;
	const unsigned char *gt = memchr(p->s + at, '>', p->len - at);

	if (!gt) {
		if (check_utf8(p, at, p->len))
			return -1;
		return fail(p, E_NAMED, at, p->len);
	}
	end = (size_t)(gt - p->s);
	if (check_utf8(p, name_at, end))
		return -1;
	if (!valid_group_name(p->s + name_at, end - name_at))
		return fail(p, E_NAMED, at, end + 1);
	if (open_group(p, true))
		return -1;
	p->pos = end + 1;
	return 0;
}

/* "(?" at p->pos: a named group, a flag change (?i-s) or a group (?i-s:.
 * Only the i flag matters to the model (literal merging); m, s, U are
 * accepted and otherwise ignored. */
static int parse_perl_group(struct parser *p)
{
	const unsigned char *s = p->s;
	size_t at = p->pos, rem = p->len - at, t = at + 2;
	bool fold = p->fold, neg = false, saw = false;
	uint32_t c;

	if (rem > 4 && s[at + 2] == 'P' && s[at + 3] == '<')
		return parse_named(p, at + 4);
	if (rem > 3 && s[at + 2] == '<')
		return parse_named(p, at + 3);
	while (t < p->len) {
		if (next_rune(p, &t, p->len, &c))
			return -1;
		if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
			if (c == 'i')
				fold = !neg;
			saw = true;
		} else if (c == '-' && !neg) {
			neg = true;
			saw = false;
		} else if ((c == ':' || c == ')') && (!neg || saw)) {
			if (c == ':' && open_group(p, false))
				return -1;
			p->fold = fold;	/* after open_group saved the old one */
			p->pos = t;
			return 0;
		} else {
			break;
		}
	}
	return fail(p, E_PERL, at, t);
}

/* ---- repetition -------------------------------------------------------- */

/* Apply a repetition operator spanning [at, after) to the pending item. */
static int apply_repeat(struct parser *p, int op, int min, int max,
			size_t at, size_t after)
{
	int rc;

	if (after < p->len && p->s[after] == '?')
		after++;	/* non-greedy */
	if (p->prev_rep != NONE)
		return fail(p, E_NESTED, p->prev_rep, after);
	rc = gotree_repeat(&p->tree, op, min, max);
	if (rc == GT_NOARG || rc == GT_COUNT)
		return fail(p, rc == GT_NOARG ? E_ARG : E_COUNT, at, after);
	if (tree(p, rc))
		return -1;
	p->pos = after;
	return 0;
}

/* Go's parseInt: decimal, no leading zero, -1 when too big. */
static bool parse_int(struct parser *p, size_t *t, long *out)
{
	size_t i = *t;
	long n = 0;

	if (i >= p->len || !is_digit(p->s[i]))
		return false;
	if (p->s[i] == '0' && i + 1 < p->len && is_digit(p->s[i + 1]))
		return false;
	for (; i < p->len && is_digit(p->s[i]); i++)
		if (n >= 0)
			n = n >= 100000000 ? -1 : n * 10 + (p->s[i] - '0');
	*t = i;
	*out = n;
	return true;
}

/* '{' at p->pos: {n}, {n,} or {n,m}; anything else makes '{' a literal. */
static int parse_brace(struct parser *p, size_t *rep)
{
	size_t at = p->pos, t = at + 1;
	long min, max;

	if (!parse_int(p, &t, &min) || t >= p->len)
		goto literal;
	if (p->s[t] != ',') {
		max = min;
	} else if (++t >= p->len) {
		goto literal;
	} else if (p->s[t] == '}') {
		max = -1;
	} else if (!parse_int(p, &t, &max)) {
		goto literal;
	} else if (max < 0) {
		min = -1;	/* max too big */
	}
	if (t >= p->len || p->s[t] != '}')
		goto literal;
	t++;
	if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT ||
	    (max >= 0 && min > max))
		return fail(p, E_COUNT, at, t);
	*rep = at;
	return apply_repeat(p, '{', (int)min, (int)max, at, t);
literal:
	p->pos = at + 1;
	return add_leaf(p, GT_LIT, p->fold);
}

/* ---- escapes ----------------------------------------------------------- */

/* C escapes.  No \b: Go keeps it for word boundaries, even in classes. */
static int c_escape(uint32_t c)
{
	switch (c) {
	case 'a': return '\a';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	default: return -1;
	}
}

/* \x41 or \x{10FFFF}; at is the backslash, *i just after the x. */
static int parse_hex(struct parser *p, size_t at, size_t *i, uint32_t *r)
{
	size_t len = p->len;
	uint32_t c, v = 0;
	int k, x, y = -1;

	if (*i >= len)
		return fail(p, E_ESCAPE, at, *i);
	if (next_rune(p, i, len, &c))
		return -1;
	if (c != '{') {
		/* two digits; Go reads the second rune even after a bad first */
		x = unhex(c);
		if (*i < len) {
			if (next_rune(p, i, len, &c))
				return -1;
			y = unhex(c);
		}
		if (x < 0 || y < 0)
			return fail(p, E_ESCAPE, at, *i);
		*r = (uint32_t)(x * 16 + y);
		return 0;
	}
	for (k = 0;; k++) {	/* one or more digits, value <= U+10FFFF */
		if (*i >= len)
			return fail(p, E_ESCAPE, at, *i);
		if (next_rune(p, i, len, &c))
			return -1;
		if (c == '}')
			break;
		if (unhex(c) < 0 || (v = v * 16 + (uint32_t)unhex(c)) > 0x10ffff)
			return fail(p, E_ESCAPE, at, *i);
	}
	if (k == 0)
		return fail(p, E_ESCAPE, at, *i);
	*r = v;
	return 0;
}

/* Go's parseEscape: *t at a backslash; the rune in *r. */
static int parse_escape(struct parser *p, size_t *t, uint32_t *r)
{
	size_t at = *t, i = at + 1, len = p->len;
	uint32_t c, v;
	int k;

	if (i >= len)
		return fail(p, E_BACKSLASH, len, len);
	if (next_rune(p, &i, len, &c))
		return -1;
	if (c < 0x80 && !is_alnum(c)) {
		*r = c;		/* escaped punctuation is itself */
	} else if (c >= '0' && c <= '7') {
		/* \1-\7 alone are backreferences; \0 and \1x are octal */
		if (c != '0' && (i >= len || p->s[i] < '0' || p->s[i] > '7'))
			return fail(p, E_ESCAPE, at, i);
		for (v = c - '0', k = 1; k < 3 && i < len &&
		     p->s[i] >= '0' && p->s[i] <= '7'; k++)
			v = v * 8 + (uint32_t)(p->s[i++] - '0');
		*r = v;
	} else if (c == 'x') {
		if (parse_hex(p, at, &i, r))
			return -1;
	} else if (c_escape(c) >= 0) {
		*r = (uint32_t)c_escape(c);
	} else {
		return fail(p, E_ESCAPE, at, i);
	}
	*t = i;
	return 0;
}

static bool perl_class(unsigned char c)
{
	return c && strchr("dDsSwW", c);
}

/* Go's parseUnicodeClass; at is a backslash followed by p or P. */
static int parse_unicode_class(struct parser *p, size_t at, size_t *t_out)
{
	size_t t = at + 2, name, end;
	const unsigned char *rb;
	uint32_t c = 0;

	if (t < p->len && next_rune(p, &t, p->len, &c))
		return -1;
	if (c != '{') {
		name = at + 2;	/* one-letter name (empty at the end) */
		end = t;
	} else {
		/* the name runs to the first '}' anywhere after */
		rb = memchr(p->s + at, '}', p->len - at);
		if (!rb) {
			if (check_utf8(p, at, p->len))
				return -1;
			return fail(p, E_RANGE, at, p->len);
		}
		name = at + 3;
		end = (size_t)(rb - p->s);
		if (check_utf8(p, name, end))
			return -1;
		t = end + 1;
	}
	if (name < end && p->s[name] == '^')
		name++;		/* \p{^Greek} is \P{Greek} */
	if (!gounicode_is_class(p->s + name, end - name))
		return fail(p, E_RANGE, at, t);
	*t_out = t;
	return 0;
}

/* Main-loop backslash: assertions, \Q...\E, classes, then plain escapes. */
static int parse_backslash(struct parser *p)
{
	size_t at = p->pos, t;
	uint32_t r;

	if (at + 1 < p->len) {
		switch (p->s[at + 1]) {
		case 'A': case 'b': case 'B': case 'z':
			p->pos += 2;
			return add_leaf(p, GT_OTHER, false);
		case 'C':	/* any byte: not supported by Go */
			return fail(p, E_ESCAPE, at, at + 2);
		case 'Q': {
			size_t end = at + 2;

			while (end + 1 < p->len &&
			       !(p->s[end] == '\\' && p->s[end + 1] == 'E'))
				end++;
			if (end + 1 >= p->len)
				end = p->len;	/* no \E: literal to the end */
			for (t = at + 2; t < end;)
				if (next_rune(p, &t, end, &r) ||
				    add_leaf(p, GT_LIT, p->fold))
					return -1;
			p->pos = end < p->len ? end + 2 : end;
			return 0;
		}
		case 'p': case 'P':
			if (parse_unicode_class(p, at, &t))
				return -1;
			p->pos = t;
			return add_leaf(p, GT_CLASS, false);
		}
		if (perl_class(p->s[at + 1])) {
			p->pos += 2;
			return add_leaf(p, GT_CLASS, false);
		}
	}
	t = at;
	if (parse_escape(p, &t, &r))
		return -1;
	p->pos = t;
	return add_leaf(p, GT_LIT, p->fold);
}

/* ---- character classes ------------------------------------------------- */

/* "[:" at *t: an ASCII class like [:alpha:] or [:^alpha:] if a ":]" follows
 * anywhere (1), else no class (0, the '[' is a plain character).  The
 * search result is cached so that "[[:[:[:..." stays linear. */
static int posix_class(struct parser *p, size_t *t)
{
	static const char *const names[] = {
		"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
		"lower", "print", "punct", "space", "upper", "word", "xdigit",
	};
	size_t from = *t + 2, i, j = from, n;
	const unsigned char *name = p->s + from;

	if (p->cb_from != NONE && from >= p->cb_from &&
	    (p->cb_at == NONE || from <= p->cb_at)) {
		j = p->cb_at;
	} else {
		while (j + 1 < p->len && !(p->s[j] == ':' && p->s[j + 1] == ']'))
			j++;
		if (j + 1 >= p->len)
			j = NONE;
		p->cb_from = from;
		p->cb_at = j;
	}
	if (j == NONE)
		return 0;
	n = j - from;
	if (n && name[0] == '^')
		name++, n--;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == n && memcmp(name, names[i], n) == 0) {
			*t = j + 2;
			return 1;
		}
	return fail(p, E_RANGE, from - 2, j + 2);
}

static int class_char(struct parser *p, size_t *t, uint32_t *r, size_t at)
{
	if (*t >= p->len)
		return fail(p, E_BRACKET, at, p->len);
	if (p->s[*t] == '\\')
		return parse_escape(p, t, r);
	return next_rune(p, t, p->len, r);
}

/* '[' at p->pos (Go's parseClass).  Go may turn a class of one or two
 * single runes into a literal (see gotree_class), so they are kept. */
static int parse_class(struct parser *p)
{
	size_t at = p->pos, t = at + 1, len = p->len, rng;
	bool neg = false, first = true;
	int n = 0, rc;		/* single runes seen (3: too many to care) */
	uint32_t lo, hi, one[2] = { 0, 0 };

	if (t < len && p->s[t] == '^')
		neg = true, t++;
	while (t >= len || p->s[t] != ']' || first) {
		first = false;	/* a leading ']' is a literal */
		if (len - t > 2 && p->s[t] == '[' && p->s[t + 1] == ':') {
			if ((rc = posix_class(p, &t)) < 0)
				return -1;
			if (rc > 0) {
				n = 3;
				continue;
			}
		}
		if (len - t >= 2 && p->s[t] == '\\' &&
		    (p->s[t + 1] == 'p' || p->s[t + 1] == 'P')) {
			if (parse_unicode_class(p, t, &t))
				return -1;
			n = 3;
			continue;
		}
		if (len - t >= 2 && p->s[t] == '\\' && perl_class(p->s[t + 1])) {
			t += 2;
			n = 3;
			continue;
		}
		rng = t;
		if (class_char(p, &t, &lo, at))
			return -1;
		hi = lo;
		if (len - t >= 2 && p->s[t] == '-' && p->s[t + 1] != ']') {
			t++;	/* [a-] is 'a' and '-' */
			if (class_char(p, &t, &hi, at))
				return -1;
			if (hi < lo)
				return fail(p, E_RANGE, rng, t);
		}
		if (n < 2 && lo == hi)
			one[n] = lo;
		n = n < 2 && lo == hi ? n + 1 : 3;
	}
	p->pos = t + 1;
	return tree(p, gotree_class(&p->tree, p->fold, neg ? 3 : n, one));
}

/* ---- main loop --------------------------------------------------------- */

static int parse_literal(struct parser *p)
{
	uint32_t r;

	if (next_rune(p, &p->pos, p->len, &r))
		return -1;
	return add_leaf(p, GT_LIT, p->fold);
}

static int parse_token(struct parser *p, size_t *rep)
{
	switch (p->s[p->pos]) {
	case '(':
		if (p->pos + 1 < p->len && p->s[p->pos + 1] == '?')
			return parse_perl_group(p);
		p->pos++;
		return open_group(p, true);
	case ')':
		return parse_close(p);
	case '|':
		p->pos++;
		return tree(p, gotree_bar(&p->tree));
	case '^': case '$':
		p->pos++;
		return add_leaf(p, GT_OTHER, false);
	case '.':
		p->pos++;
		return add_leaf(p, GT_CLASS, false);
	case '[':
		return parse_class(p);
	case '*': case '+': case '?':
		*rep = p->pos;
		return apply_repeat(p, p->s[p->pos], 0, 0, p->pos, p->pos + 1);
	case '{':
		return parse_brace(p, rep);
	case '\\':
		return parse_backslash(p);
	default:
		return parse_literal(p);
	}
}

int goregex_check(const char *pat, size_t len, char *err, size_t errlen)
{
	struct parser p;

	/* before anything else: no work, and no quoting, for what no path needs */
	if (len > GOREGEX_MAX_LEN)
		return report(err, errlen, E_LONG, E_LONG_WHY, NULL, 0);
	memset(&p, 0, offsetof(struct parser, tree));
	p.s = (const unsigned char *)(pat ? pat : "");	/* no NULL + 0 */
	p.len = len;
	p.err = err;
	p.errlen = errlen;
	p.prev_rep = p.cb_from = p.cb_at = NONE;
	gotree_init(&p.tree);
	if (err && errlen)
		err[0] = '\0';
	if (!pat && len)
		return fail(&p, "NULL pattern", 0, 0);
	while (p.pos < p.len) {
		size_t rep = NONE;

		if (parse_token(&p, &rep))
			return -1;
		p.prev_rep = rep;	/* any other token ends a repeat run */
	}
	return tree(&p, gotree_end(&p.tree));
}
