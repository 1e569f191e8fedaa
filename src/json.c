/* json: a strict recursive-descent reader for credential files. YAML's
 * parser would accept comments, trailing commas, single quotes and more
 * that Go's encoding/json (cloudflared's reader) refuses; a credential that
 * passes here must pass there. Depth is bounded; nothing is printed. */
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "gounicode.h"
#include "json.h"
#include "msg.h"

#define JSON_MAX_DEPTH 64

struct cur {
	const unsigned char *p, *end;
	int depth;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hex4(struct cur *c, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, c->p++) {
		if (c->p >= c->end)
			return -1;
		unsigned d = *c->p;
		d = d >= '0' && d <= '9' ? d - '0' : (d | 32) >= 'a' && (d | 32) <= 'f' ? (d | 32) - 'a' + 10 : 99;
		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(unsigned cp, char *out)
{
	/* The bytes after the first: 0 to 3, six bits each, lowest last. */
	size_t more = cp < 0x80 ? 0 : cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
	static const unsigned char lead[] = { 0x00, 0xc0, 0xe0, 0xf0 };
	out[0] = (char)(lead[more] | cp >> (6 * more));
	for (size_t i = 1; i <= more; i++)
		out[i] = (char)(0x80 | (cp >> (6 * (more - i)) & 0x3f));
	return more + 1;
}

/* \uXXXX, with a surrogate pair joined; a lone surrogate becomes U+FFFD
 * as in Go. */
static int unicode_escape(struct cur *c, char *out, size_t *o)
{
	unsigned cp, lo;
	if (hex4(c, &cp))
		return -1;
	if (cp >= 0xd800 && cp < 0xdc00 && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u') {
		struct cur save = *c;
		c->p += 2;
		if (!hex4(c, &lo) && lo >= 0xdc00 && lo < 0xe000)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else
			*c = save;
	}
	if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;
	*o += put_utf8(cp, out + *o);
	return 0;
}

static int escape(struct cur *c, char *out, size_t *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (c->p >= c->end)
		return -1;
	unsigned char e = *c->p++;
	if (e == 'u')
		return unicode_escape(c, out, o);
	const char *k = memchr(from, e, sizeof from - 1);
	if (!k)
		return -1;
	out[(*o)++] = to[k - from];
	return 0;
}

/* A string at c->p (the opening quote). When out is not NULL it receives
 * the unescaped bytes (room: the raw length + 1 suffices). */
static int string(struct cur *c, char *out, size_t *olen)
{
	size_t o = 0;
	char scratch[4];
	if (c->p >= c->end || *c->p++ != '"')
		return -1;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = *c->p;
		if (ch < 0x20)
			return -1;      /* raw control characters are not JSON */
		if (ch == '\\') {
			c->p++;
			size_t tmp = 0;
			if (escape(c, out ? out : scratch, out ? &o : &tmp))
				return -1;
			continue;
		}
		if (out)
			out[o] = (char)ch;
		o++;
		c->p++;
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
	if (out)
		out[o] = 0;
	if (olen)
		*olen = o;
	return 0;
}

static char *string_dup(struct cur *c, size_t *len)
{
	const unsigned char *start = c->p;
	struct cur probe = *c;
	if (string(&probe, NULL, NULL))
		return NULL;
	/* Unescaping never makes a string longer than its source. */
	char *s = xmalloc((size_t)(probe.p - start) + 1);
	if (string(c, s, len)) {
		free(s);
		return NULL;
	}
	return s;
}

static int value(struct cur *c);

static int literal(struct cur *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
		return -1;
	c->p += n;
	return 0;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct cur *c)
{
	const unsigned char *p = c->p, *e = c->end;
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && *p >= '1' && *p <= '9')
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	else
		return -1;
	if (p < e && *p == '.') {
		if (++p >= e || *p < '0' || *p > '9')
			return -1;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return -1;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	c->p = p;
	return 0;
}

/* A member's value that was a whole number (no fraction, no exponent,
 * within a long long) is kept as such: /ready's readyConnections. */
static void integer(const unsigned char *p, const unsigned char *end, struct json_member *m)
{
	int neg = p < end && *p == '-';
	long long v = 0;
	for (p += neg; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (LLONG_MAX - (*p - '0')) / 10)
			return;
		v = v * 10 + (*p - '0');
	}
	m->num = neg ? -v : v;
	m->is_num = 1;
}

/* [ v, v ] or { "k": v, ... } with no trailing comma; members into o when
 * it is not NULL (the top level). */
static int container(struct cur *c, struct json_object *o)
{
	int obj = *c->p == '{';
	unsigned char close = obj ? '}' : ']';
	if (++c->depth > JSON_MAX_DEPTH)
		return -1;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		struct json_member *m = o && o->n < JSON_MAX_MEMBERS ? &o->m[o->n] : NULL;
		if (o && !m)
			o->truncated = 1;
		skip_ws(c);
		if (obj) {
			size_t klen;
			char *key = m ? string_dup(c, &klen) : NULL;
			if (m ? !key : string(c, NULL, NULL))
				return -1;
			if (m) {
				m->key = key;
				m->klen = klen;
				o->n++;
			}
			skip_ws(c);
			if (c->p >= c->end || *c->p++ != ':')
				return -1;
			skip_ws(c);
		}
		const unsigned char *vstart = c->p;
		if (m && c->p < c->end && *c->p == '"') {
			if (!(m->str = string_dup(c, &m->len)))
				return -1;
		} else if (value(c)) {
			return -1;
		} else if (m) {
			integer(vstart, c->p, m);
		}
		skip_ws(c);
		if (c->p >= c->end)
			return -1;
		if (*c->p == close) {
			c->p++;
			c->depth--;
			return 0;
		}
		if (*c->p++ != ',')
			return -1;
	}
}

static int value(struct cur *c)
{
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '{':
	case '[':
		return container(c, NULL);
	case '"':
		return string(c, NULL, NULL);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c);
	}
}

int json_parse_object(const char *buf, size_t len, struct json_object *o)
{
	struct cur c = { (const unsigned char *)buf, (const unsigned char *)buf + len, 0 };
	memset(o, 0, sizeof *o);
	skip_ws(&c);
	int rc = c.p < c.end && *c.p == '{' ? container(&c, o) : -1;
	skip_ws(&c);
	if (!rc && c.p != c.end)
		rc = -1;        /* trailing content */
	if (rc)
		json_free(o);
	return rc;
}

static int is_exactly(const struct json_member *m, const char *key)
{
	return m->klen == strlen(key) && !memcmp(m->key, key, m->klen);
}

const struct json_member *json_get(const struct json_object *o, const char *key)
{
	const struct json_member *found = NULL;
	for (size_t i = 0; i < o->n; i++)
		if (is_exactly(&o->m[i], key))
			found = &o->m[i];
	return found;
}

/* A rune as encoding/json's foldName sees it, as far as an ASCII name
 * can tell: the only runes outside ASCII whose simple case folding orbit
 * holds an ASCII letter are U+017F LONG S (S, s) and U+212A KELVIN SIGN
 * (K, k); every other one matches no ASCII byte and is left as it is. */
static uint32_t fold(uint32_t r)
{
	if (r >= 'a' && r <= 'z')
		return r - ('a' - 'A');
	return r == 0x17f ? 'S' : r == 0x212a ? 'K' : r;
}

/* Whether m's key folds to name (ASCII), as Go compares them. Bytes that
 * are not UTF-8 are U+FFFD to Go, which folds to no ASCII letter. */
static int folds_to(const struct json_member *m, const char *name)
{
	const unsigned char *k = (const unsigned char *)m->key, *end = k + m->klen;
	for (; *name; name++) {
		uint32_t r;
		size_t n = gounicode_decode(k, (size_t)(end - k), &r);
		if (!n || fold(r) != fold((unsigned char)*name))
			return 0;
		k += n;
	}
	return k == end;
}

/* m's key for a message, as JSON would spell it (it comes from the file,
 * so nothing in it reaches the terminal raw): printable ASCII as is, other
 * runes as \uXXXX, bytes that are not UTF-8 as \xNN; cut short with
 * "..." when it does not fit n. */
static void show_key(const struct json_member *m, char *out, size_t n)
{
	const unsigned char *k = (const unsigned char *)m->key, *end = k + m->klen;
	size_t o = 0;
	while (k < end && o + 16 < n) {
		uint32_t r;
		size_t len = gounicode_decode(k, (size_t)(end - k), &r);
		if (!len)
			o += (size_t)snprintf(out + o, n - o, "\\x%02x", *k);
		else if (r == '"' || r == '\\')
			o += (size_t)snprintf(out + o, n - o, "\\%c", (char)r);
		else if (r >= 0x20 && r < 0x7f)
			out[o++] = (char)r;
		else if (r < 0x10000)
			o += (size_t)snprintf(out + o, n - o, "\\u%04x", (unsigned)r);
		else
			o += (size_t)snprintf(out + o, n - o, "\\u%04x\\u%04x",
			                      (unsigned)(0xd800 + ((r - 0x10000) >> 10)),
			                      (unsigned)(0xdc00 + ((r - 0x10000) & 0x3ff)));
		k += len ? len : 1;
	}
	snprintf(out + o, n - o, "%s", k < end ? "..." : "");
}

int json_check_keys(const struct json_object *o, const char *const *wanted, struct fault *f)
{
	char shown[96];
	if (o->truncated) {
		return fail(f, EBADMSG, "more than %d members in the JSON object (argoweb reads "
		            "at most %d): keep only the credential's own", JSON_MAX_MEMBERS,
		            JSON_MAX_MEMBERS);
	}
	for (size_t i = 0; i < o->n; i++) {
		const struct json_member *m = &o->m[i];
		/* Go keeps "TunnelID\u0000x" whole, a C string would not. */
		if (memchr(m->key, 0, m->klen)) {
			show_key(m, shown, sizeof shown);
			return fail(f, EBADMSG, "the key \"%s\" holds a NUL (\\u0000), which argoweb "
			            "cannot read as cloudflared does: remove it", shown);
		}
		for (const char *const *w = wanted; *w; w++) {
			if (!folds_to(m, *w))
				continue;
			if (!is_exactly(m, *w)) {
				show_key(m, shown, sizeof shown);
				return fail(f, EBADMSG, "the key \"%s\" is not spelled \"%s\": "
				            "cloudflared would read it too; write %s exactly once", shown,
				            *w, *w);
			}
			for (size_t j = 0; j < i; j++)
				if (is_exactly(&o->m[j], *w))
					return fail(f, EBADMSG, "%s appears twice: cloudflared uses "
					            "the last; keep one", *w);
		}
	}
	return 0;
}

void json_free(struct json_object *o)
{
	for (size_t i = 0; i < o->n; i++) {
		if (o->m[i].key)
			explicit_bzero(o->m[i].key, strlen(o->m[i].key));
		if (o->m[i].str)
			explicit_bzero(o->m[i].str, o->m[i].len);
		free(o->m[i].key);
		free(o->m[i].str);
	}
	memset(o, 0, sizeof *o);
}
