/* goregex.c - accept exactly the patterns Go's regexp.Compile accepts.
 *
 * Reference: Go's src/regexp/syntax/parse.go (and parse_test.go), parsing
 * with syntax.Perl = ClassNL|OneLine|PerlX|UnicodeGroups, as regexp.Compile
 * does.  This is an independent C re-implementation of its *acceptance*
 * rules; Go's code is not copied.  The target is Go 1.22 to 1.24, the
 * toolchains cloudflared releases are built with.
 *
 * Replicated:
 *  - literals, `.`, `^`, `$`, `\A \z \b \B`, `|`, `( )`, `(?: )`, flag groups
 *    `(?imsU)`, `(?i-s:re)` (a `-` needs a flag after it; `(?)` is accepted
 *    as Go does), named groups `(?P<name>re)` and `(?<name>re)` (Go 1.22)
 *    with names [A-Za-z0-9_]+.  Go accepts duplicate group names (see
 *    Regexp.SubexpIndex), so they are accepted here too;
 *  - `* + ? {n} {n,} {n,m}` with the non-greedy `?` suffix, counts up to
 *    1000, `{` that does not form a repeat (`{,2}`, `{01}`, `x{2`) is a
 *    literal, stacked operators (`a**`, `a+?+`, `a{2}*`) are errors, an
 *    operator with nothing to repeat is an error;
 *  - nested counted repeats: Go's repeatIsValid rejects a `{n,m}` whose
 *    nested repeat counts multiply to more than 1000 (with Go's rounding):
 *    "invalid repeat count" (not "expression too large");
 *  - escapes: `\d \D \s \S \w \W`, `\pL \PL \p{Greek} \p{^Greek}` (names:
 *    Any, the 36 general categories and the 163 scripts of Unicode 15.0,
 *    which is what Go 1.21 to 1.24 know; exact and case-sensitive),
 *    `\Q...\E`, octal `\0`, `\012`, `\123` (a lone `\1`..`\9` is a
 *    backreference: error), `\x41`, `\x{10FFFF}`, `\a \f \t \n \r \v`,
 *    ASCII punctuation, `\C` and unknown letter/digit/non-ASCII escapes are
 *    errors;
 *  - classes: `[...]`, `[^...]`, ranges (checked lo <= hi), leading `]`,
 *    `[:alpha:]`/`[:^alpha:]` ASCII classes, `\d`/`\pL` inside, `\b` inside
 *    is an error, missing `]`;
 *  - invalid UTF-8 anywhere it is read (surrogates, overlongs, > U+10FFFF);
 *  - lookarounds and the like: `(?=` `(?!` `(?P=` `(?>` are "invalid or
 *    unsupported Perl syntax"; since Go 1.22 `(?<=x)` and `(?<!x)` parse as
 *    named-group attempts and fail with "invalid named capture"; possessive
 *    `a++` is a nested repetition;
 *  - Go's limits: tree height over 1000 "expression nests too deeply" and
 *    compiled size over 128 MB / 40 = 3355443 instructions "expression too
 *    large", computed on a model of Go's parse tree (struct item below)
 *    that follows Go's literal merging, flattening and one-character
 *    alternation merging, and also two quirks of Go's size accounting: it
 *    starts measuring only once (nodes allocated) x (product of the counted
 *    repeats pushed) reaches 3355443, and its size cache is not updated when
 *    runes are merged into a literal string (calc_size_quirk below), so
 *    `(?:abcdefghij\d){1000}` costs 2000 in Go, not 11000.
 *
 * Not replicated (every case needs a pattern no person writes):
 *  - a pattern over GOREGEX_MAX_LEN (1024) bytes is refused, whatever Go
 *    would say: a path never needs one;
 *  - Go's rune budget (maxRunes, 32M runes of class data; `\pL` costs about
 *    1300): reaching it takes some 26000 `\pL` or a literal of about 11 MB;
 *  - Go's node count for the size gate is approximated (node reuse in Go's
 *    free list is not followed); it matters only for patterns over 1 MB;
 *  - Go factors alternations (`abc|abd` -> `ab[cd]`, `a|ab` -> `a(?:|b)`)
 *    and, recycling nodes with stale cached sizes while doing so, often
 *    undercounts their size.  The model does not factor: for big
 *    alternations whose branches share a prefix its size is larger than
 *    Go's, so it may say "too large" where Go accepts (fuzzing: only for
 *    patterns of about 20 KB with hundreds of `{n,1000}`, never the other
 *    way round), and its height may be a level off Go's for such
 *    alternations nested about 1000 deep;
 *  - under (?i) a one-character class of a non-ASCII letter (`(?i)[\x{e9}]`) is
 *    modelled as a class, not a case-folded literal (height differs by one
 *    at most, in a corner of a corner);
 *  - non-capturing groups nested more than 1000 deep are rejected
 *    ("expression nests too deeply") to keep the group stack bounded; Go
 *    accepts them because they add no tree node;
 *  - the Go 1.25 additions to `\p{...}` (case-insensitive names, aliases
 *    like `\p{Letter}`, `LC`, `Cn`, `ASCII`, `Assigned`) are rejected, as
 *    Go 1.22-1.24 reject them; likewise scripts added after Unicode 15.0. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "goregex.h"
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
	MAX_HEIGHT = 1000,		/* Go's maxHeight */
	MAX_SIZE = (128 << 20) / 40,	/* Go's maxSize, in instructions */
	MAX_DEPTH = 1000,		/* our group stack (see above) */
	SIZE_CAP = 1 << 30,		/* saturation: far above MAX_SIZE... */
	N_CAP = 1 << 24,		/* ...even after subtracting N_CAP */
	EXPR_SHOW = 64,			/* pattern bytes quoted in messages */
};
#define NONE SIZE_MAX

/* What Go's limit checks need to know about a parsed sub-expression: the
 * node Go would build for it (its kind), the height and compiled size of
 * that subtree (Go's calcHeight/calcSize), and "need", the smallest budget
 * with which Go's repeatIsValid(sub, budget) passes.  A concatenation or
 * alternation under construction is also kept as an item, so that the
 * parser needs O(1) state per open group and no tree. */
enum kind { K_NONE, K_EMPTY, K_LIT, K_CLASS, K_CAT, K_ALT, K_REP, K_OTHER };
enum branch { B_OTHER, B_CLASS, B_EMPTY };

/* tail bits of K_LIT and K_CAT: the (trailing) literal string, which Go
 * extends when more literal runes follow with the same case-fold flag. */
#define T_PLAIN 1	/* a literal without (?i) */
#define T_FOLD 2	/* a literal under (?i) */
#define T_KIND 3
#define T_FROZEN 4	/* Go has cached its size: runes merged into it later
			 * are not counted (see calc_size_quirk) */

struct item {
	int32_t size;	/* calcSize as Go computes it, saturated at SIZE_CAP */
	int32_t n;	/* K_CAT, K_ALT: number of children (after flattening);
			 * K_LIT: number of runes; K_REP: the count Go's size
			 * gate multiplies by */
	int16_t h;	/* calcHeight; never above MAX_HEIGHT + 1 */
	int16_t need;	/* 1..MAX_REPEAT + 1 */
	uint8_t kind;	/* enum kind; K_REP is a counted repeat {n,m} */
	uint8_t tail;	/* K_LIT, K_CAT: T_* bits of the trailing literal, 0
			 * if none; K_ALT: enum branch of the last branch (Go
			 * merges adjacent one-character branches) */
};

struct frame {			/* parent state saved at '(' */
	struct item cat, alt;
	bool fold, capture;
};

struct parser {
	const unsigned char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	struct item cat;	/* committed part of the current concatenation */
	struct item last;	/* operand for a following repetition operator */
	struct item alt;	/* finished branches; K_NONE before any '|' */
	bool pending;		/* last holds an item (not yet in cat) */
	bool fold;		/* (?i) in force */
	bool tracking;		/* Go measures sizes (its p.size != nil) */
	int64_t repeats;	/* Go's p.repeats: product of counts pushed */
	int64_t nodes;		/* about Go's p.numRegexp: nodes allocated */
	size_t prev_rep;	/* start of the previous token if it was a
				 * repetition operator, else NONE */
	size_t cb_from, cb_at;	/* cache of the last ":]" search */
	int depth;
	struct frame stack[MAX_DEPTH];
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

/* ---- the tree model ---------------------------------------------------- */

static struct item leaf(enum kind kind, bool fold)
{
	struct item x = { 1, 1, 1, 1, (uint8_t)kind, 0 };

	if (kind == K_LIT)
		x.tail = fold ? T_FOLD : T_PLAIN;
	return x;
}

static int32_t sat(int64_t v, int64_t cap)
{
	return (int32_t)(v > cap ? cap : v);
}

static int16_t max16(int16_t a, int16_t b)
{
	return a > b ? a : b;
}

/* Append x to the concatenation c, as Go's literal merging (maybeConcat)
 * and collapse (a concatenation inside one is flattened) shape it. */
static void cat_add(struct item *c, const struct item *x)
{
	int16_t ch, xh;
	int32_t n;

	if (c->kind == K_NONE) {
		*c = *x;
		return;
	}
	if (x->kind == K_LIT && (c->kind == K_LIT || c->kind == K_CAT) &&
	    (c->tail & T_KIND) == (x->tail & T_KIND)) {
		/* x's runes join the trailing literal string */
		if (!(c->tail & T_FROZEN))
			c->size = sat((int64_t)c->size + x->n, SIZE_CAP);
		if (c->kind == K_LIT)
			c->n = sat((int64_t)c->n + x->n, N_CAP);
		return;
	}
	c->size = sat((int64_t)c->size + x->size, SIZE_CAP);
	c->need = max16(c->need, x->need);
	ch = c->kind == K_CAT ? c->h - 1 : c->h;
	xh = x->kind == K_CAT ? x->h - 1 : x->h;
	n = (c->kind == K_CAT ? c->n : 1) + (x->kind == K_CAT ? x->n : 1);
	c->kind = K_CAT;
	c->h = (int16_t)(1 + max16(ch, xh));
	c->n = sat(n, N_CAP);
	c->tail = (x->kind == K_LIT || x->kind == K_CAT) ? x->tail : 0;
}

static enum branch branch_of(const struct item *x)
{
	if (x->kind == K_ALT)
		return (enum branch)x->tail;
	if (x->kind == K_CLASS || (x->kind == K_LIT && x->n == 1))
		return B_CLASS;
	return x->kind == K_EMPTY ? B_EMPTY : B_OTHER;
}

/* Add branch b to the alternation a.  Go merges neighbouring one-character
 * branches into one class and runs of empty branches into one, and
 * flattens an alternation inside an alternation.  calcSize of an
 * alternation is the sum of its branches plus one per '|'. */
static void alt_add(struct item *a, const struct item *b)
{
	enum branch prev = branch_of(a), cur = branch_of(b);
	int64_t sum;
	int32_t n;
	int16_t ah, bh;

	if (a->kind == K_NONE) {
		*a = *b;
		return;
	}
	if (b->kind != K_ALT && cur == prev && cur != B_OTHER) {
		if (a->kind != K_ALT)
			*a = leaf(cur == B_CLASS ? K_CLASS : K_EMPTY, false);
		return;
	}
	ah = a->kind == K_ALT ? a->h - 1 : a->h;
	bh = b->kind == K_ALT ? b->h - 1 : b->h;
	n = a->kind == K_ALT ? a->n : 1;
	sum = a->kind == K_ALT ? a->size - (a->n - 1) : a->size;
	sum += b->kind == K_ALT ? b->size - (b->n - 1) : b->size;
	n = sat((int64_t)n + (b->kind == K_ALT ? b->n : 1), N_CAP);
	a->kind = K_ALT;
	a->h = (int16_t)(1 + max16(ah, bh));
	a->need = max16(a->need, b->need);
	a->n = n;
	a->size = sat(sum + n - 1, SIZE_CAP);
	a->tail = (uint8_t)cur;
}

/* The node for sub followed by '*', '+', '?' or (op '{') {min,max}, max -1
 * meaning unbounded.  need: Go's repeatIsValid divides its budget by each
 * count m (max, or min when unbounded) on the way down and fails if m
 * exceeds it; a budget B passes iff B >= m * need(sub); {0} hides its
 * operand entirely. */
static struct item repeat_item(const struct item *sub, int op, int min,
			       int max)
{
	struct item x = { 0, 1, (int16_t)(sub->h + 1), sub->need, K_OTHER, 0 };
	int64_t s = sub->size, size, m = max < 0 ? min : max;

	if (op == '{') {
		x.kind = K_REP;
		x.n = m > 1 ? (int32_t)m : 1;
	}

	if (op == '*')
		size = 2 + s;
	else if (op == '+' || op == '?')
		size = 1 + s;
	else if (max < 0)
		size = min == 0 ? 2 + s : 1 + min * s;
	else
		size = max * s + (max - min);
	if (op == '{' && max == 0)
		x.need = 1;
	else if (op == '{' && m > 0)
		x.need = (int16_t)(m * sub->need > MAX_REPEAT ?
				   MAX_REPEAT + 1 : m * sub->need);
	x.size = sat(size < 1 ? 1 : size, SIZE_CAP);
	return x;
}

/* calc_size_quirk: Go caches the size of each node it measures and does
 * not update the cache when later runes are merged into a literal string,
 * so a string measured at one rune keeps counting as 1.  Go only starts
 * measuring (and caching) once nodes allocated x product of the counted
 * repeats pushed so far reaches MAX_SIZE; then it measures everything on
 * its stack, which freezes the literal strings still open. */
static void freeze(struct item *x)
{
	if (x->kind == K_LIT || x->kind == K_CAT)
		x->tail |= x->tail ? T_FROZEN : 0;
}

static void start_tracking(struct parser *p)
{
	int i;

	p->tracking = true;
	if (p->pending)
		freeze(&p->last);
	freeze(&p->cat);
	for (i = 0; i < p->depth; i++)
		freeze(&p->stack[i].cat);
}

/* Go's checkLimits, run each time it pushes a node. */
static int check_limits(struct parser *p, const struct item *x)
{
	if (!p->tracking) {
		if (x->kind == K_REP)
			p->repeats = x->n > MAX_SIZE / p->repeats ?
				MAX_SIZE : p->repeats * x->n;
		if (p->nodes >= MAX_SIZE / p->repeats)
			start_tracking(p);
	}
	if (p->tracking && x->size > MAX_SIZE)
		return fail_whole(p, E_LARGE);
	if (x->h > MAX_HEIGHT)
		return fail_whole(p, E_DEEP);
	return 0;
}

/* Go's push(): a pushed literal string is measured afresh (and cached). */
static int push(struct parser *p, struct item *x)
{
	if (x->kind == K_LIT) {
		x->size = x->n;
		x->tail = (uint8_t)((x->tail & T_KIND) |
				    (p->tracking ? T_FROZEN : 0));
	}
	return check_limits(p, x);
}

static int add_item(struct parser *p, struct item x)
{
	if (p->pending)
		cat_add(&p->cat, &p->last);
	p->last = x;
	p->pending = true;
	return push(p, &p->last);
}

/* A new node: a literal rune that Go will merge into the literal before
 * it reuses a node; anything else allocates one. */
static int add_leaf(struct parser *p, enum kind kind, bool fold)
{
	struct item x = leaf(kind, fold);

	if (kind != K_LIT || !p->pending || p->last.kind != K_LIT ||
	    ((p->last.tail ^ x.tail) & T_KIND))
		p->nodes++;
	return add_item(p, x);
}

/* Go's concat(): the current concatenation as one node. */
static int end_concat(struct parser *p, struct item *out)
{
	if (p->pending)
		cat_add(&p->cat, &p->last);
	p->pending = false;
	if (p->cat.kind == K_NONE || p->cat.kind == K_CAT)
		p->nodes++;
	*out = p->cat.kind == K_NONE ? leaf(K_EMPTY, false) : p->cat;
	p->cat = (struct item){ 0 };
	return push(p, out);
}

/* Go's concat() + alternate() at ')' and at the end of the pattern. */
static int end_group_body(struct parser *p, struct item *out)
{
	if (end_concat(p, out))
		return -1;
	if (p->alt.kind != K_NONE) {
		alt_add(&p->alt, out);
		*out = p->alt;
		p->alt = (struct item){ 0 };
		p->nodes++;
	}
	return push(p, out);	/* pushed again, even if a single branch */
}

/* ---- groups ------------------------------------------------------------ */

static int open_group(struct parser *p, bool capture)
{
	struct frame *f;

	if (p->depth == MAX_DEPTH)
		return fail_whole(p, E_DEEP);
	if (p->pending)
		cat_add(&p->cat, &p->last);
	p->pending = false;
	p->nodes++;
	f = &p->stack[p->depth++];
	f->cat = p->cat;
	f->alt = p->alt;
	f->fold = p->fold;
	f->capture = capture;
	p->cat = p->alt = (struct item){ 0 };
	return 0;
}

static int parse_close(struct parser *p)
{
	struct item body;
	struct frame *f;

	if (end_group_body(p, &body))
		return -1;
	if (p->depth == 0)
		return fail_whole(p, E_UNEXPECTED);
	f = &p->stack[--p->depth];
	p->cat = f->cat;
	p->alt = f->alt;
	p->fold = f->fold;	/* flags set inside end with the group */
	if (f->capture) {
		body.size = sat((int64_t)body.size + 2, SIZE_CAP);
		body.h++;
		body.n = 1;
		body.kind = K_OTHER;
		body.tail = 0;
	}
	p->pos++;
	return add_item(p, body);
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
	if (after < p->len && p->s[after] == '?')
		after++;	/* non-greedy */
	if (p->prev_rep != NONE)
		return fail(p, E_NESTED, p->prev_rep, after);
	if (!p->pending)
		return fail(p, E_ARG, at, after);
	p->last = repeat_item(&p->last, op, min, max);
	p->nodes++;
	if (check_limits(p, &p->last))
		return -1;
	if (op == '{' && (min >= 2 || max >= 2) && p->last.need > MAX_REPEAT)
		return fail(p, E_COUNT, at, after);
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
	return add_leaf(p, K_LIT, p->fold);
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
			return add_leaf(p, K_OTHER, false);
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
				    add_leaf(p, K_LIT, p->fold))
					return -1;
			p->pos = end < p->len ? end + 2 : end;
			return 0;
		}
		case 'p': case 'P':
			if (parse_unicode_class(p, at, &t))
				return -1;
			p->pos = t;
			return add_leaf(p, K_CLASS, false);
		}
		if (perl_class(p->s[at + 1])) {
			p->pos += 2;
			return add_leaf(p, K_CLASS, false);
		}
	}
	t = at;
	if (parse_escape(p, &t, &r))
		return -1;
	p->pos = t;
	return add_leaf(p, K_LIT, p->fold);
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

/* Go turns a class of one rune into a literal, and [Aa] (or (?i)[a]) into
 * a case-folded one; this matters to the model only through literal
 * merging.  Non-ASCII runes under (?i) would need Unicode folding tables
 * and stay classes; k and s fold to three runes (K, KELVIN SIGN; S, LONG
 * S), so Go keeps them as classes as well. */
static struct item class_item(bool fold, int n, const uint32_t r[2])
{
	uint32_t a = r[0] | 0x20;
	bool ascii = r[0] < 0x80 && (n == 1 || r[1] < 0x80);
	bool alpha = ascii && a >= 'a' && a <= 'z';
	bool pair = alpha && a != 'k' && a != 's';	/* folds to one rune */

	if (n == 2 && r[0] == r[1])
		n = 1;
	if (n == 1 && !fold)
		return leaf(K_LIT, false);
	if (n == 1 && ascii && (pair || !alpha))
		return leaf(K_LIT, pair);
	if (n == 2 && pair && r[0] != r[1] && a == (r[1] | 0x20))
		return leaf(K_LIT, true);
	return leaf(K_CLASS, false);
}

/* '[' at p->pos (Go's parseClass). */
static int parse_class(struct parser *p)
{
	size_t at = p->pos, t = at + 1, len = p->len, rng;
	bool neg = false, first = true;
	int n = 0, rc;		/* single runes seen (3: too many to care) */
	uint32_t lo, hi, one[2] = { 0, 0 };
	struct item x;

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
	x = neg ? leaf(K_CLASS, false) : class_item(p->fold, n, one);
	return add_leaf(p, (enum kind)x.kind, x.tail == T_FOLD);
}

/* ---- main loop --------------------------------------------------------- */

static int parse_literal(struct parser *p)
{
	uint32_t r;

	if (next_rune(p, &p->pos, p->len, &r))
		return -1;
	return add_leaf(p, K_LIT, p->fold);
}

static int parse_token(struct parser *p, size_t *rep)
{
	struct item branch;

	switch (p->s[p->pos]) {
	case '(':
		if (p->pos + 1 < p->len && p->s[p->pos + 1] == '?')
			return parse_perl_group(p);
		p->pos++;
		return open_group(p, true);
	case ')':
		return parse_close(p);
	case '|':
		if (end_concat(p, &branch))
			return -1;
		if (p->alt.kind == K_NONE)
			p->nodes++;	/* Go's opVerticalBar */
		alt_add(&p->alt, &branch);
		p->pos++;
		return 0;
	case '^': case '$':
		p->pos++;
		return add_leaf(p, K_OTHER, false);
	case '.':
		p->pos++;
		return add_leaf(p, K_CLASS, false);
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
	struct item top;

	/* before anything else: no work, and no quoting, for what no path needs */
	if (len > GOREGEX_MAX_LEN)
		return report(err, errlen, E_LONG, E_LONG_WHY, NULL, 0);
	memset(&p, 0, offsetof(struct parser, stack));
	p.s = (const unsigned char *)(pat ? pat : "");	/* no NULL + 0 */
	p.len = len;
	p.err = err;
	p.errlen = errlen;
	p.prev_rep = p.cb_from = p.cb_at = NONE;
	p.repeats = 1;
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
	if (end_group_body(&p, &top))
		return -1;
	if (p.depth)
		return fail_whole(&p, E_PAREN);
	return 0;
}
