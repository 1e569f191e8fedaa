/* goscan: escapes, classes, counts and names as Go's regexp/syntax reads
 * them (parseEscape, parseClass, parseRepeat, parseUnicodeClass...). */
#include <string.h>

#include "goscan.h"
#include "gounicode.h"

#define MAX_REPEAT 1000         /* Go's maxRepeat */

int goscan_fail(struct goscan *g, const char *code, size_t from, size_t to)
{
	g->code = code;
	g->from = from;
	g->to = to;
	return -1;
}

/* Go's "invalid UTF-8" quotes from the bad byte to the end of the string
 * it was decoding. */
int goscan_rune(struct goscan *g, size_t *t, size_t end, uint32_t *r)
{
	size_t k = gounicode_decode(g->s + *t, end - *t, r);
	if (!k)
		return goscan_fail(g, E_UTF8, *t, end);
	*t += k;
	return 0;
}

int goscan_utf8(struct goscan *g, size_t from, size_t to)
{
	uint32_t r;
	while (from < to)
		if (goscan_rune(g, &from, to, &r))
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
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? (int)(c - 'a' + 10) : -1;
}

/* No \b: Go keeps it for word boundaries, even in classes. */
static int c_escape(uint32_t c)
{
	static const char from[] = "afnrtv", to[] = "\a\f\n\r\t\v";
	const char *f = c && c < 0x80 ? strchr(from, (int)c) : NULL;
	return f ? to[f - from] : -1;
}

/* \x41 or \x{10FFFF}; at is the backslash, *i just after the x. */
static int hex_escape(struct goscan *g, size_t at, size_t *i, uint32_t *r)
{
	uint32_t c, v = 0;
	if (*i >= g->len)
		return goscan_fail(g, E_ESCAPE, at, *i);
	if (goscan_rune(g, i, g->len, &c))
		return -1;
	if (c != '{') {
		/* two digits; Go reads the second rune even after a bad first */
		int x = unhex(c), y = -1;
		if (*i < g->len) {
			if (goscan_rune(g, i, g->len, &c))
				return -1;
			y = unhex(c);
		}
		if (x < 0 || y < 0)
			return goscan_fail(g, E_ESCAPE, at, *i);
		*r = (uint32_t)(x * 16 + y);
		return 0;
	}
	for (int k = 0;; k++) {         /* one or more digits, value <= U+10FFFF */
		if (*i >= g->len)
			return goscan_fail(g, E_ESCAPE, at, *i);
		if (goscan_rune(g, i, g->len, &c))
			return -1;
		if (c == '}' && k > 0)
			break;
		if (c == '}' || unhex(c) < 0 || (v = v * 16 + (uint32_t)unhex(c)) > 0x10ffff)
			return goscan_fail(g, E_ESCAPE, at, *i);
	}
	*r = v;
	return 0;
}

int goscan_escape(struct goscan *g, size_t *t, uint32_t *r)
{
	size_t at = *t, i = at + 1, len = g->len;
	uint32_t c;
	if (i >= len)
		return goscan_fail(g, E_BACKSLASH, len, len);
	if (goscan_rune(g, &i, len, &c))
		return -1;
	if (c < 0x80 && !is_alnum(c)) {
		*r = c;         /* escaped punctuation is itself */
	} else if (c >= '0' && c <= '7') {
		/* \1-\7 alone are backreferences; \0 and \1x are octal */
		if (c != '0' && (i >= len || g->s[i] < '0' || g->s[i] > '7'))
			return goscan_fail(g, E_ESCAPE, at, i);
		uint32_t v = c - '0';
		for (int k = 1; k < 3 && i < len && g->s[i] >= '0' && g->s[i] <= '7'; k++)
			v = v * 8 + (uint32_t)(g->s[i++] - '0');
		*r = v;
	} else if (c == 'x') {
		if (hex_escape(g, at, &i, r))
			return -1;
	} else if (c_escape(c) >= 0) {
		*r = (uint32_t)c_escape(c);
	} else {
		return goscan_fail(g, E_ESCAPE, at, i);
	}
	*t = i;
	return 0;
}

bool goscan_perl_class(unsigned char c)
{
	return c && strchr("dDsSwW", c);
}

int goscan_unicode_class(struct goscan *g, size_t at, size_t *end)
{
	size_t t = at + 2, name = at + 2, stop;
	uint32_t c = 0;
	if (t < g->len && goscan_rune(g, &t, g->len, &c))
		return -1;
	if (c != '{') {
		stop = t;       /* a one-letter name (empty at the end) */
	} else {
		/* the name runs to the first '}' anywhere after */
		const unsigned char *rb = memchr(g->s + at, '}', g->len - at);
		if (!rb)
			return goscan_utf8(g, at, g->len) ? -1 : goscan_fail(g, E_RANGE, at, g->len);
		name = at + 3;
		stop = (size_t)(rb - g->s);
		if (goscan_utf8(g, name, stop))
			return -1;
		t = stop + 1;
	}
	if (name < stop && g->s[name] == '^')
		name++;         /* \p{^Greek} is \P{Greek} */
	if (!gounicode_is_class(g->s + name, stop - name))
		return goscan_fail(g, E_RANGE, at, t);
	*end = t;
	return 0;
}

/* "[:" at *t: an ASCII class like [:alpha:] or [:^alpha:] if a ":]" follows
 * anywhere (1), else none (0: the '[' is a plain character). */
static int posix_class(struct goscan *g, size_t *t)
{
	static const char *const names[] = {
		"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
		"punct", "space", "upper", "word", "xdigit",
	};
	size_t from = *t + 2, j = from;
	while (j + 1 < g->len && !(g->s[j] == ':' && g->s[j + 1] == ']'))
		j++;
	if (j + 1 >= g->len)
		return 0;
	const unsigned char *name = g->s + from;
	size_t n = j - from;
	if (n && name[0] == '^')
		name++, n--;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strlen(names[i]) == n && memcmp(name, names[i], n) == 0) {
			*t = j + 2;
			return 1;
		}
	return goscan_fail(g, E_RANGE, from - 2, j + 2);
}

/* A class item other than a rune or a range at *t: 1 if read, 0 if none is
 * there, -1 on error. */
static int class_set(struct goscan *g, size_t *t)
{
	size_t rem = g->len - *t;
	const unsigned char *s = g->s + *t;
	if (rem > 2 && s[0] == '[' && s[1] == ':') {
		int rc = posix_class(g, t);
		if (rc)
			return rc;
	}
	if (rem >= 2 && s[0] == '\\' && (s[1] == 'p' || s[1] == 'P'))
		return goscan_unicode_class(g, *t, t) ? -1 : 1;
	if (rem >= 2 && s[0] == '\\' && goscan_perl_class(s[1])) {
		*t += 2;
		return 1;
	}
	return 0;
}

static int class_char(struct goscan *g, size_t *t, uint32_t *r, size_t at)
{
	if (*t >= g->len)
		return goscan_fail(g, E_BRACKET, at, g->len);
	if (g->s[*t] == '\\')
		return goscan_escape(g, t, r);
	return goscan_rune(g, t, g->len, r);
}

int goscan_class(struct goscan *g, size_t at, size_t *end, int *n, uint32_t one[2])
{
	size_t t = at + 1, len = g->len;
	bool neg = t < len && g->s[t] == '^', first = true;
	*n = 0;
	t += neg;
	while (t >= len || g->s[t] != ']' || first) {
		first = false;  /* a leading ']' is a literal */
		int rc = class_set(g, &t);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			*n = 3;
			continue;
		}
		size_t rng = t;
		uint32_t lo, hi;
		if (class_char(g, &t, &lo, at))
			return -1;
		hi = lo;
		if (len - t >= 2 && g->s[t] == '-' && g->s[t + 1] != ']') {
			t++;    /* [a-] is 'a' and '-' */
			if (class_char(g, &t, &hi, at))
				return -1;
			if (hi < lo)
				return goscan_fail(g, E_RANGE, rng, t);
		}
		if (*n < 2 && lo == hi)
			one[*n] = lo;
		*n = *n < 2 && lo == hi ? *n + 1 : 3;
	}
	if (neg)
		*n = 3;
	*end = t + 1;
	return 0;
}

/* Go's parseInt: decimal, no leading zero, -1 when too big. */
static bool parse_int(struct goscan *g, size_t *t, long *out)
{
	size_t i = *t;
	if (i >= g->len || !is_digit(g->s[i]))
		return false;
	if (g->s[i] == '0' && i + 1 < g->len && is_digit(g->s[i + 1]))
		return false;
	long n = 0;
	for (; i < g->len && is_digit(g->s[i]); i++)
		if (n >= 0)
			n = n >= 100000000 ? -1 : n * 10 + (g->s[i] - '0');
	*t = i;
	*out = n;
	return true;
}

int goscan_repeat(struct goscan *g, size_t at, int *min, int *max, size_t *end)
{
	size_t t = at + 1;
	long lo, hi;
	if (!parse_int(g, &t, &lo) || t >= g->len)
		return 0;
	if (g->s[t] != ',')
		hi = lo;
	else if (++t >= g->len)
		return 0;
	else if (g->s[t] == '}')
		hi = -1;
	else if (!parse_int(g, &t, &hi))
		return 0;
	else if (hi < 0)
		lo = -1;        /* max too big */
	if (t >= g->len || g->s[t] != '}')
		return 0;
	t++;
	if (lo < 0 || lo > MAX_REPEAT || hi > MAX_REPEAT || (hi >= 0 && lo > hi))
		return goscan_fail(g, E_COUNT, at, t);
	*min = (int)lo;
	*max = (int)hi;
	*end = t;
	return 1;
}

int goscan_group_name(struct goscan *g, size_t at, size_t name_at, size_t *end)
{
	const unsigned char *gt = memchr(g->s + at, '>', g->len - at);
	if (!gt)
		return goscan_utf8(g, at, g->len) ? -1 : goscan_fail(g, E_NAMED, at, g->len);
	size_t stop = (size_t)(gt - g->s);
	if (goscan_utf8(g, name_at, stop))
		return -1;
	bool ok = stop > name_at;
	for (size_t i = name_at; i < stop; i++)
		ok = ok && (g->s[i] == '_' || is_alnum(g->s[i]));
	if (!ok)
		return goscan_fail(g, E_NAMED, at, stop + 1);
	*end = stop + 1;
	return 0;
}
