/* unitfile (uf_): see unitfile.h. What systemd does is the rule: a
 * command line argoweb reads otherwise than systemd runs it would carry
 * the wrong token or flag over, so anything unsure is refused, with where. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unitfile.h"
#include "xalloc.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A variable's name as systemd's env_name_is_valid takes it. */
static int valid_name(const char *s, size_t n)
{
	if (!n || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int uf_set(struct uf_vars *v, const char *name, size_t nlen, const char *value, size_t vlen)
{
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->name[i]) == nlen && !memcmp(v->name[i], name, nlen)) {
			free(v->value[i]);
			v->value[i] = xstrndup(value, vlen);
			return 0;
		}
	if (v->n == UF_MAX_VARS)
		return -1;
	v->name[v->n] = xstrndup(name, nlen);
	v->value[v->n++] = xstrndup(value, vlen);
	return 0;
}

const char *uf_get(const struct uf_vars *v, const char *name)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (!strcmp(v->name[i], name))
			return v->value[i];
	return NULL;
}

void uf_vars_free(struct uf_vars *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->name[i]);
		free(v->value[i]);
	}
	v->n = 0;
}

/* A growing string. */
struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void putc1(struct buf *b, char c)
{
	put(b, &c, 1);
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? (tolower(c) - 'a' + 10) : -1;
}

/* One C escape after a backslash at *p (systemd's cunescape_one): its
 * bytes into b, *p past it. 0, or -1 (unknown, or a NUL). */
static int unescape(const char **p, struct buf *b)
{
	static const char from[] = "abfnrtv\\\"'s", to[] = "\a\b\f\n\r\t\v\\\"' ";
	const char *s = *p, *hit = *s ? strchr(from, *s) : NULL;
	unsigned v = 0;
	if (hit) {
		putc1(b, to[hit - from]);
		*p = s + 1;
		return 0;
	}
	if (*s == 'x' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
		v = (unsigned)(hexval(s[1]) * 16 + hexval(s[2]));
		*p = s + 3;
	} else if (s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
	           s[2] <= '7') {
		v = (unsigned)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
		*p = s + 3;
	} else {
		return -1;      /* \u, \U and the rest: not in a cloudflared unit */
	}
	if (!v)
		return -1;
	putc1(b, (char)v);
	return 0;
}

/* The next word of *p (systemd's extract_first_word with UNQUOTE and
 * CUNESCAPE): 1 and *out (malloc'ed), 0 at the end, -EINVAL with f. */
static int next_word(const char **p, char **out, struct fault *f)
{
	const char *s = *p;
	struct buf b = { 0 };
	char quote = 0;
	while (is_space(*s))
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	put(&b, "", 0);
	for (; *s && (quote || !is_space(*s)); s++) {
		if (*s == '\\') {
			s++;
			if (unescape(&s, &b)) {
				free(b.p);
				return fail(f, EINVAL, "an escape systemd reads otherwise than argoweb would");
			}
			s--;
		} else if (quote && *s == quote) {
			quote = 0;
		} else if (!quote && (*s == '"' || *s == '\'')) {
			quote = *s;
		} else {
			putc1(&b, *s);
		}
	}
	if (quote) {
		free(b.p);
		return fail(f, EINVAL, "a quote that is not closed");
	}
	*p = s;
	*out = b.p;
	return 1;
}

/* %% is %; any other specifier is refused (a cloudflared unit has none,
 * and what it would expand to depends on the unit's instance). */
static int specifiers(char *w, struct fault *f)
{
	char *o = w;
	for (char *s = w; *s; s++) {
		if (*s == '%' && s[1] == '%')
			s++;
		else if (*s == '%')
			return fail(f, EINVAL, "a specifier (%%x) argoweb adopt does not expand");
		*o++ = *s;
	}
	*o = 0;
	return 0;
}

/* Each word of line, unquoted and its specifiers undone, to fn. */
static int words(const char *line, int (*fn)(void *ctx, char *w), void *ctx, struct fault *f)
{
	char *w;
	int rc;
	while ((rc = next_word(&line, &w, f)) == 1) {
		if ((rc = specifiers(w, f))) {
			free(w);
			return rc;
		}
		if (fn(ctx, w))
			return -EINVAL; /* fn took w; the caller says why */
	}
	return rc;
}

static int env_word(void *ctx, char *w)
{
	struct uf_vars *v = ctx;
	char *eq = strchr(w, '=');
	int rc = !eq || !valid_name(w, (size_t)(eq - w)) ? -1
	       : uf_set(v, w, (size_t)(eq - w), eq + 1, strlen(eq + 1));
	free(w);
	return rc;
}

static int service_key(struct uf_service *s, const char *key, const char *val, unsigned line,
                       struct fault *f)
{
	if (!strcmp(key, "ExecStart")) {
		free(s->exec);
		s->exec = *val ? xstrdup(val) : NULL;
		s->exec_count = *val ? s->exec_count + 1 : 0;
		s->exec_line = line;
	} else if (!strcmp(key, "Environment")) {
		if (!*val)
			uf_vars_free(&s->env);
		else if (words(val, env_word, &s->env, f))
			return fail(f, EINVAL, "not NAME=VALUE assignments systemd takes");
	} else if (!strcmp(key, "EnvironmentFile")) {
		for (size_t i = 0; !*val && i < s->nenvfile; i++)
			free(s->envfile[i]);
		if (!*val)
			s->nenvfile = 0;
		else if (s->nenvfile == UF_MAX_FILES || strchr(val, '%'))
			return fail(f, EINVAL, "more environment files, or a specifier, than argoweb adopt reads");
		else
			s->envfile[s->nenvfile++] = xstrdup(val);
	} else if (!strcmp(key, "User") || !strcmp(key, "Type")) {
		char **slot = key[0] == 'U' ? &s->user : &s->type;
		free(*slot);
		*slot = xstrdup(val);
	}
	return 0;
}

/* The next logical line from *p: continuations joined (a trailing
 * backslash becomes a space; comment lines inside are skipped), trimmed.
 * NULL at the end. *line: where it started. */
static char *logical_line(const char **p, const char *end, unsigned *lineno, unsigned *line)
{
	struct buf b = { 0 };
	int more = 1;
	*line = *lineno + 1;
	if (*p >= end)
		return NULL;
	put(&b, "", 0);
	while (more && *p < end) {
		const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		*p = nl ? nl + 1 : end;
		++*lineno;
		while (s < e && is_space(*s))
			s++;
		while (e > s && is_space(e[-1]))
			e--;
		if (s < e && (*s == '#' || *s == ';')) {
			if (b.len)
				continue;       /* a comment inside a continuation */
			put(&b, s, (size_t)(e - s));
			break;                  /* a comment never continues */
		}
		more = e > s && e[-1] == '\\';
		put(&b, s, (size_t)(e - s - more));
		if (more)
			putc1(&b, ' ');
	}
	return b.p;
}

int uf_parse(const char *text, size_t len, struct uf_service *s, struct fault *f)
{
	const char *p = text, *end = text + len;
	struct fault key = { 0 };
	unsigned lineno = 0, line;
	int in_service = 0;
	char *l;
	if (memchr(text, 0, len))
		return fail(f, EINVAL, "a NUL byte: not a unit file");
	while ((l = logical_line(&p, end, &lineno, &line))) {
		char *eq = strchr(l, '=');
		if (l[0] == '[') {
			in_service = !strcmp(l, "[Service]");
		} else if (in_service && eq && l[0] != '#' && l[0] != ';') {
			char *k = l, *v = eq + 1;
			char *ke = eq;
			while (ke > k && is_space(ke[-1]))
				ke--;
			*ke = 0;
			while (is_space(*v))
				v++;
			if (service_key(s, k, v, line, &key)) {
				int rc = fault(f, line, 1, "%s=: %s", k, key.why);
				free(l);
				return rc;
			}
		}
		free(l);
	}
	return 0;
}

void uf_free(struct uf_service *s)
{
	free(s->exec);
	uf_vars_free(&s->env);
	for (size_t i = 0; i < s->nenvfile; i++)
		free(s->envfile[i]);
	free(s->user);
	free(s->type);
	memset(s, 0, sizeof *s);
}

/* ---- EnvironmentFile= ---------------------------------------------------- */

/* One value after '=' at *p to the line's end: quoted ('...' as is, "..."
 * with \ before " \ ` $ and a newline), or bare (\ takes the next byte;
 * trailing blanks dropped). */
static void env_value(const char **p, const char *end, struct buf *b)
{
	const char *s = *p;
	size_t keep = 0;
	char quote = 0;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (; s < end && (quote || *s != '\n'); s++) {
		if (quote == '\'' && *s == '\'') {
			quote = 0;
		} else if (quote == '"' && *s == '"') {
			quote = 0;
		} else if (!quote && (*s == '\'' || *s == '"')) {
			quote = *s;
		} else if (*s == '\\' && quote != '\'' && s + 1 < end) {
			s++;
			if (*s == '\n')
				continue;       /* a continuation */
			if (quote == '"' && !strchr("\"\\`$", *s))
				putc1(b, '\\');
			putc1(b, *s);
		} else {
			putc1(b, *s);
		}
		keep = quote || (*s != ' ' && *s != '\t') ? b->len : keep;
	}
	b->len = keep;
	b->p[keep] = 0;
	*p = s;
}

int uf_envfile(const char *text, size_t len, struct uf_vars *v, struct fault *f)
{
	const char *p = text, *end = text + len;
	unsigned line = 1;
	if (memchr(text, 0, len))
		return fail(f, EINVAL, "a NUL byte: not an environment file");
	while (p < end) {
		const char *start = p;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *key = p;
		while (p < end && *p != '=' && *p != '\n')
			p++;
		if (p < end && *p == '=' && *key != '#' && *key != ';') {
			const char *ke = p;
			while (ke > key && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			struct buf b = { 0 };
			put(&b, "", 0);
			p++;
			env_value(&p, end, &b);
			int bad = !valid_name(key, (size_t)(ke - key)) ||
			          uf_set(v, key, (size_t)(ke - key), b.p, b.len);
			free(b.p);
			if (bad)
				return fault(f, line, 1, "not a NAME=VALUE assignment systemd takes");
		} else {
			while (p < end && *p != '\n')
				p++;    /* a comment, or a line without '=' (systemd skips it) */
		}
		for (const char *c = start; c < p; c++)
			line += *c == '\n';   /* inside a quoted value or a continuation */
		if (p < end) {
			p++;
			line++;
		}
	}
	return 0;
}

/* ---- ExecStart= ------------------------------------------------------------ */

struct argv_out {
	char **argv;
	int argc;
	const struct uf_vars *env;
};

static int push(struct argv_out *o, char *w)
{
	if (o->argc == UF_MAX_ARGS) {
		free(w);
		return -1;
	}
	o->argv[o->argc++] = w;
	return 0;
}

/* ${NAME} anywhere, and $$, replaced (systemd's replace_env): an unset
 * variable is empty. */
static char *expand_braced(const char *w, const struct uf_vars *env)
{
	struct buf b = { 0 };
	put(&b, "", 0);
	for (const char *s = w; *s; s++) {
		const char *close = s[0] == '$' && s[1] == '{' ? strchr(s + 2, '}') : NULL;
		if (close && valid_name(s + 2, (size_t)(close - s - 2))) {
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)(close - s - 2), s + 2);
			const char *val = uf_get(env, name);
			put(&b, val ? val : "", val ? strlen(val) : 0);
			s = close;
		} else if (s[0] == '$' && s[1] == '$') {
			putc1(&b, '$');
			s++;
		} else {
			putc1(&b, *s);
		}
	}
	return b.p;
}

/* A word of its own that is $NAME becomes the value's words; any other
 * word gets its ${NAME} replaced. */
static int exec_word(void *ctx, char *w)
{
	struct argv_out *o = ctx;
	if (w[0] == '$' && valid_name(w + 1, strlen(w + 1))) {
		const char *val = uf_get(o->env, w + 1);
		struct fault unsaid = { 0 };    /* the caller's "too many words" says it */
		char *piece;
		int rc = 0;
		free(w);
		while (val && (rc = next_word(&val, &piece, &unsaid)) == 1)
			if (push(o, piece))
				return -1;
		return val && rc < 0 ? -1 : 0;
	}
	char *x = expand_braced(w, o->env);
	free(w);
	return push(o, x);
}

int uf_exec_argv(const char *exec, const struct uf_vars *env, char **argv, int *argc,
                 struct fault *f)
{
	const char *s = exec;
	struct fault word = { 0 };
	int named = 0;          /* '@': the second word is argv[0] */
	for (; *s && strchr("-@:+!", *s); s++)
		named |= *s == '@';
	struct argv_out o = { argv, 0, env };
	if (words(s, exec_word, &o, &word) || o.argc < 1 + named) {
		for (int i = 0; i < o.argc; i++)
			free(argv[i]);
		/* Never the line itself: it may hold the secret. */
		return fail(f, EINVAL, "ExecStart=: %s", word.why[0] ? word.why : "no command, or too many words");
	}
	if (named) {
		free(argv[1]);
		argv[1] = argv[0];      /* the program; its given name is dropped */
		memmove(argv, argv + 1, sizeof *argv * (size_t)(o.argc - 1));
		o.argc--;
	}
	*argc = o.argc;
	return 0;
}
