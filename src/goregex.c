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
 *  - the model follows neither Go's factoring of alternations (`abc|abd`
 *    -> `ab[cd]`) nor its reuse of freed nodes (which moves the point where
 *    Go starts measuring), so for a repeat that breaks the count rule it may
 *    say "too large" where Go says "invalid repeat count", as for
 *    `((?:abc|abd){1000}){1000}`, or in principle the other way round.
 *    Against Go 1.19.8 on 570,000 generated patterns under the cap, 185 of
 *    the 11,288 it called too large were invalid counts for Go, and nothing
 *    else differed but the group stack above. Either way it is an error;
 *  - the Go 1.25 additions to `\p{...}` (case-insensitive names, `\p{Letter}`,
 *    `LC`, `Cn`, `ASCII`, `Assigned`) are rejected, as Go 1.22-1.24 reject
 *    them; likewise scripts added after Unicode 15.0. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "goregex.h"
#include "goscan.h"
#include "gotree.h"
#include "gounicode.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define E_LONG "pattern longer than " STR(GOREGEX_MAX_LEN) " bytes"
#define E_LONG_WHY "write a shorter path; no path needs more, since " \
	"cloudflared matches paths as an unanchored regular expression"

#define EXPR_SHOW 64            /* pattern bytes quoted in a message */
#define NONE SIZE_MAX

struct parser {
	struct goscan sc;       /* the pattern, and the error once there is one */
	size_t pos;
	bool fold;              /* (?i) in force */
	size_t prev_rep;        /* where the previous token started if it was a
	                         * repetition operator, else NONE */
	struct gotree tree;
};

/* ---- messages ---------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

/* Once a piece no longer fits, nothing more is added: the message ends
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

/* Runes that could reorder or break a log line: bidi controls, line and
 * paragraph separators, the BOM. */
static bool unsafe_rune(uint32_t r)
{
	return r < 0xa0 || r == 0x200e || r == 0x200f || (r >= 0x2028 && r <= 0x202e) ||
	       (r >= 0x2066 && r <= 0x2069) || r == 0xfeff;
}

/* A piece of the pattern for a log line: printable ASCII and valid UTF-8 as
 * they are, anything else as \xNN per byte. */
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
	if (!err || !errlen)
		return -1;
	struct out o = { err, errlen, 0, false };
	size_t k = strlen(code);
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
	return goscan_fail(&p->sc, code, from, to);
}

/* The tree's errors other than a repeat's quote the whole pattern, as Go's. */
static int tree(struct parser *p, int rc)
{
	static const char *const code[] = {
		[GT_LARGE] = E_LARGE, [GT_DEEP] = E_DEEP, [GT_UNEXPECTED] = E_UNEXPECTED,
		[GT_OPEN] = E_PAREN,
	};
	return rc == GT_OK ? 0 : fail(p, code[rc], 0, p->sc.len);
}

static int add_leaf(struct parser *p, enum gt_kind kind)
{
	return tree(p, gotree_leaf(&p->tree, kind, kind == GT_LIT && p->fold));
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

/* "(?" at p->pos: a named group, flags (?i-s) or a group (?i-s:. Only i
 * matters here (literal merging); m, s and U are read and left. */
static int parse_perl_group(struct parser *p)
{
	const unsigned char *s = p->sc.s;
	size_t at = p->pos, rem = p->sc.len - at, t = at + 2, name = 0;
	if (rem > 4 && s[at + 2] == 'P' && s[at + 3] == '<')
		name = at + 4;
	else if (rem > 3 && s[at + 2] == '<')
		name = at + 3;
	if (name) {
		if (goscan_group_name(&p->sc, at, name, &t) || open_group(p, true))
			return -1;
		p->pos = t;
		return 0;
	}
	bool fold = p->fold, neg = false, saw = false;
	while (t < p->sc.len) {
		uint32_t c;
		if (goscan_rune(&p->sc, &t, p->sc.len, &c))
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
			p->fold = fold;         /* after the group saved the old one */
			p->pos = t;
			return 0;
		} else {
			break;
		}
	}
	return fail(p, E_PERL, at, t);
}

/* ---- repetition -------------------------------------------------------- */

/* A repetition operator over [at, after) for the item before it. */
static int apply_repeat(struct parser *p, int op, int min, int max, size_t at, size_t after)
{
	if (after < p->sc.len && p->sc.s[after] == '?')
		after++;        /* non-greedy */
	if (p->prev_rep != NONE)
		return fail(p, E_NESTED, p->prev_rep, after);
	int rc = gotree_repeat(&p->tree, op, min, max);
	if (rc == GT_NOARG || rc == GT_COUNT)
		return fail(p, rc == GT_NOARG ? E_ARG : E_COUNT, at, after);
	if (tree(p, rc))
		return -1;
	p->pos = after;
	return 0;
}

/* '{' at p->pos: {n}, {n,} or {n,m}; anything else makes '{' a literal. */
static int parse_brace(struct parser *p, size_t *rep)
{
	size_t at = p->pos, end;
	int min, max, rc = goscan_repeat(&p->sc, at, &min, &max, &end);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		p->pos++;
		return add_leaf(p, GT_LIT);
	}
	*rep = at;
	return apply_repeat(p, '{', min, max, at, end);
}

/* ---- atoms ------------------------------------------------------------- */

/* \Q...\E: literal runes up to \E or the end. */
static int parse_quoted(struct parser *p)
{
	const unsigned char *s = p->sc.s;
	size_t len = p->sc.len, end = p->pos + 2;
	while (end + 1 < len && !(s[end] == '\\' && s[end + 1] == 'E'))
		end++;
	if (end + 1 >= len)
		end = len;
	for (size_t t = p->pos + 2; t < end;) {
		uint32_t r;
		if (goscan_rune(&p->sc, &t, end, &r) || add_leaf(p, GT_LIT))
			return -1;
	}
	p->pos = end < len ? end + 2 : end;
	return 0;
}

/* A backslash outside a class: assertions, \Q...\E, classes, escapes. */
static int parse_backslash(struct parser *p)
{
	size_t at = p->pos, t = at;
	unsigned char c = at + 1 < p->sc.len ? p->sc.s[at + 1] : 0;
	if (c == 'A' || c == 'b' || c == 'B' || c == 'z') {
		p->pos += 2;
		return add_leaf(p, GT_OTHER);
	}
	if (c == 'C')   /* any byte: Go has no such thing */
		return fail(p, E_ESCAPE, at, at + 2);
	if (c == 'Q')
		return parse_quoted(p);
	if (c == 'p' || c == 'P')
		return goscan_unicode_class(&p->sc, at, &p->pos) ? -1 : add_leaf(p, GT_CLASS);
	if (goscan_perl_class(c)) {
		p->pos += 2;
		return add_leaf(p, GT_CLASS);
	}
	uint32_t r;
	if (goscan_escape(&p->sc, &t, &r))
		return -1;
	p->pos = t;
	return add_leaf(p, GT_LIT);
}

/* '[': Go may turn a class of one or two single runes into a literal. */
static int parse_class(struct parser *p)
{
	int n;
	uint32_t one[2] = { 0, 0 };
	if (goscan_class(&p->sc, p->pos, &p->pos, &n, one))
		return -1;
	return tree(p, gotree_class(&p->tree, p->fold, n, one));
}

static int parse_token(struct parser *p, size_t *rep)
{
	unsigned char c = p->sc.s[p->pos];
	switch (c) {
	case '(':
		if (p->pos + 1 < p->sc.len && p->sc.s[p->pos + 1] == '?')
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
		return add_leaf(p, GT_OTHER);
	case '.':
		p->pos++;
		return add_leaf(p, GT_CLASS);
	case '[':
		return parse_class(p);
	case '*': case '+': case '?':
		*rep = p->pos;
		return apply_repeat(p, c, 0, 0, p->pos, p->pos + 1);
	case '{':
		return parse_brace(p, rep);
	case '\\':
		return parse_backslash(p);
	}
	uint32_t r;
	if (goscan_rune(&p->sc, &p->pos, p->sc.len, &r))
		return -1;
	return add_leaf(p, GT_LIT);
}

static int parse(struct parser *p)
{
	while (p->pos < p->sc.len) {
		size_t rep = NONE;
		if (parse_token(p, &rep))
			return -1;
		p->prev_rep = rep;      /* any other token ends a run of repeats */
	}
	return tree(p, gotree_end(&p->tree));
}

int goregex_check(const char *pat, size_t len, char *err, size_t errlen)
{
	/* before anything else: no work, and no quoting, for what no path needs */
	if (len > GOREGEX_MAX_LEN)
		return report(err, errlen, E_LONG, E_LONG_WHY, NULL, 0);
	if (!pat && len)
		return report(err, errlen, "NULL pattern", NULL, NULL, 0);
	if (err && errlen)
		err[0] = '\0';
	struct parser p;        /* not zeroed whole: the tree's stack is 40 KiB */
	p.sc = (struct goscan){ (const unsigned char *)(pat ? pat : ""), len, NULL, 0, 0 };
	p.pos = 0;
	p.fold = false;
	p.prev_rep = NONE;
	gotree_init(&p.tree);
	if (parse(&p) == 0)
		return 0;
	return report(err, errlen, p.sc.code, NULL, p.sc.s + p.sc.from, p.sc.to - p.sc.from);
}
