/* ytree: one YAML document as a tree, with every hostile-input bound in one
 * place (depth, scalar size, alias expansion, duplicate keys, encoding), so
 * the schema code above it can walk the tree without worrying. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fnv.h"
#include "gounicode.h"
#include "msg.h"
#include "ytree.h"

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_MAP "tag:yaml.org,2002:map"
#define TAG_SEQ "tag:yaml.org,2002:seq"

struct anchor {
	char *name;
	struct ynode *node;
};

struct builder {
	struct ytree *t;
	struct fault *f;
	struct ynode *stack[YT_MAX_DEPTH];
	int depth;
	struct anchor *anchors;   /* open-addressing hash table */
	size_t nanchors, capanchors;
	int docs;
};

/* YAML's printable set, beyond what UTF-8 decoding already excludes: no C0
 * control but tab and line breaks, no DEL, no C1 but NEL, no U+FFFE/FFFF. */
static int printable(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] >= 0x20 ? s[0] != 0x7f : s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
	if (n == 2 && s[0] == 0xc2)
		return s[1] >= 0xa0 || s[1] == 0x85;
	return !(n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe);
}

/* libyaml reports bad encoding and control characters without a usable
 * position; check first so the message carries a line and column like
 * every other error. Lines end at LF, CRLF or a lone CR, as in YAML. */
static int check_encoding(const struct builder *b, const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	unsigned line = 1, col = 1;
	size_t i = len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3) ? 3 : 0;     /* BOM */
	for (; i < len; col++) {
		if (s[i] == 0)
			return fault(b->f, line, col, "NUL byte in the file (is it UTF-16 or binary?)");
		uint32_t r;
		size_t n = gounicode_decode(s + i, len - i, &r);
		if (n == 0)
			return fault(b->f, line, col, "invalid UTF-8 (save the file as UTF-8)");
		if (!printable(s + i, n))
			return fault(b->f, line, col, "control character in the file (not allowed in YAML)");
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))) {
			line++;
			col = 0;
		}
		i += n;
	}
	return 0;
}

static struct ynode *tree_node(struct ytree *t, enum yn_kind kind, unsigned line, unsigned col)
{
	if (t->nall == t->capall) {
		t->capall = t->capall ? t->capall * 2 : 64;
		t->all = xrealloc(t->all, t->capall * sizeof *t->all);
	}
	struct ynode *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->line = line;
	n->col = col;
	n->weight = 1;
	t->all[t->nall++] = n;
	return n;
}

static struct ynode *new_node(struct builder *b, enum yn_kind kind, const yaml_mark_t *m)
{
	return tree_node(b->t, kind, (unsigned)m->line + 1, (unsigned)m->column + 1);
}

struct ynode *ytree_quoted_copy(struct ytree *t, const struct ynode *n)
{
	struct ynode *c = tree_node(t, YN_SCALAR, n->line, n->col);
	c->str = xstrndup(n->str, n->len);
	c->len = n->len;
	c->style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	c->is_str = 1;
	c->closed = 1;
	return c;
}

static struct anchor *anchor_slot(struct builder *b, const char *name)
{
	size_t mask = b->capanchors - 1;
	for (size_t i = fnv1a(name, strlen(name)) & mask;; i = (i + 1) & mask)
		if (!b->anchors[i].name || strcmp(b->anchors[i].name, name) == 0)
			return &b->anchors[i];
}

static void anchor_grow(struct builder *b)
{
	struct anchor *old = b->anchors;
	size_t oldcap = b->capanchors;
	b->capanchors = oldcap ? oldcap * 2 : 16;
	b->anchors = xcalloc(b->capanchors, sizeof *b->anchors);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].name)
			*anchor_slot(b, old[i].name) = old[i];
	free(old);
}

/* A later anchor of the same name replaces the earlier one, as in YAML. */
static void anchor_set(struct builder *b, const char *name, struct ynode *n)
{
	if (2 * (b->nanchors + 1) > b->capanchors)
		anchor_grow(b);
	struct anchor *a = anchor_slot(b, name);
	if (!a->name) {
		a->name = xstrdup(name);
		b->nanchors++;
	}
	a->node = n;
}

static struct ynode *anchor_get(struct builder *b, const char *name)
{
	if (!b->capanchors)
		return NULL;
	struct anchor *a = anchor_slot(b, name);
	return a->name ? a->node : NULL;
}

static void add_kid(struct ynode *parent, struct ynode *kid)
{
	/* Grow by doubling: a sequence of 100 000 rules must stay linear. */
	if ((parent->n & (parent->n - 1)) == 0)
		parent->kid = xrealloc(parent->kid,
		                       (parent->n ? parent->n * 2 : 1) * sizeof *parent->kid);
	parent->kid[parent->n++] = kid;
}

/* Attach a finished (or aliased) node to the open collection, or make it the
 * document root. Weights add up here, which bounds alias bombs as they are
 * built rather than when they are walked. */
static int attach(struct builder *b, struct ynode *n, const yaml_mark_t *m)
{
	if (b->depth == 0) {
		b->t->root = n;
		return 0;
	}
	struct ynode *p = b->stack[b->depth - 1];
	if (p->kind == YN_MAP && p->n % 2 == 0 && n->kind != YN_SCALAR)
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "a mapping key must be a plain string");
	add_kid(p, n);
	for (int i = 0; i < b->depth; i++) {
		b->stack[i]->weight += n->weight;
		if (b->stack[i]->weight > YT_MAX_WEIGHT)
			return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
			             "document too large once aliases are expanded (alias bomb?)");
	}
	return 0;
}

static int tag_ok(struct builder *b, const yaml_char_t *tag, const char *allowed,
                  const yaml_mark_t *m)
{
	if (!tag || strcmp((const char *)tag, allowed) == 0)
		return 0;
	return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
	             "tag %s is not supported here (remove it)", (const char *)tag);
}

static int on_scalar(struct builder *b, const yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	if (tag_ok(b, e->data.scalar.tag, TAG_STR, m))
		return -EINVAL;
	if (e->data.scalar.length > YT_MAX_SCALAR)
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "value longer than 64 KiB");
	if (memchr(e->data.scalar.value, 0, e->data.scalar.length))
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "NUL character in a value (from an escape sequence)");
	struct ynode *n = new_node(b, YN_SCALAR, m);
	n->str = xstrndup((const char *)e->data.scalar.value, e->data.scalar.length);
	n->len = e->data.scalar.length;
	n->style = e->data.scalar.style;
	n->is_str = e->data.scalar.tag != NULL || !e->data.scalar.plain_implicit;
	n->closed = 1;
	if (e->data.scalar.anchor)
		anchor_set(b, (const char *)e->data.scalar.anchor, n);
	return attach(b, n, m);
}

static int on_alias(struct builder *b, const yaml_event_t *e)
{
	const yaml_mark_t *m = &e->start_mark;
	struct ynode *n = anchor_get(b, (const char *)e->data.alias.anchor);
	if (!n) {
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "alias *%s names no anchor defined before it",
		             (const char *)e->data.alias.anchor);
	}
	if (!n->closed)
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "alias refers to a collection that contains it (recursive alias)");
	return attach(b, n, m);
}

static int on_start(struct builder *b, const yaml_event_t *e, enum yn_kind kind)
{
	const yaml_mark_t *m = &e->start_mark;
	const yaml_char_t *tag = kind == YN_MAP ? e->data.mapping_start.tag
	                                        : e->data.sequence_start.tag;
	const yaml_char_t *anchor = kind == YN_MAP ? e->data.mapping_start.anchor
	                                           : e->data.sequence_start.anchor;
	if (tag_ok(b, tag, kind == YN_MAP ? TAG_MAP : TAG_SEQ, m))
		return -EINVAL;
	if (b->depth == YT_MAX_DEPTH)
		return fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		             "nested too deeply (more than 64 levels)");
	struct ynode *n = new_node(b, kind, m);
	if (anchor)
		anchor_set(b, (const char *)anchor, n);
	if (attach(b, n, m))
		return -EINVAL;
	b->stack[b->depth++] = n;
	return 0;
}

static int is_merge_key(const struct ynode *k)
{
	return !k->is_str && strcmp(k->str, "<<") == 0;
}

/* A set of keys, hashed: duplicate checks and merges of a mapping of n
 * keys cost n, not n squared. */
struct keyset {
	const struct ynode **slot;
	size_t cap;
};

/* Adds k unless present; returns the key already there, or NULL. */
static const struct ynode *keyset_add(struct keyset *ks, const struct ynode *k)
{
	size_t mask = ks->cap - 1;
	for (size_t i = fnv1a(k->str, k->len) & mask;; i = (i + 1) & mask) {
		const struct ynode *o = ks->slot[i];
		if (!o) {
			ks->slot[i] = k;
			return NULL;
		}
		if (o->len == k->len && !memcmp(o->str, k->str, k->len))
			return o;
	}
}

static void keyset_init(struct keyset *ks, size_t keys)
{
	ks->cap = 16;
	while (ks->cap < 2 * keys + 2)
		ks->cap *= 2;
	ks->slot = xcalloc(ks->cap, sizeof *ks->slot);
}

static int check_duplicates(struct builder *b, struct ynode *map)
{
	struct keyset ks;
	int rc = 0;
	keyset_init(&ks, map->n / 2);
	for (size_t i = 0; i < map->n && !rc; i += 2) {
		const struct ynode *y = map->kid[i], *x;
		if (!is_merge_key(y) && (x = keyset_add(&ks, y))) {
			rc = fault(b->f, y->line, y->col, "duplicate key \"%s\" (first at line %u)",
			           y->str, x->line);
		}
	}
	free(ks.slot);
	return rc;
}

static int merge_from(struct builder *b, struct ynode *dst, const struct ynode *src,
                      struct keyset *ks, size_t *w)
{
	if (src->kind != YN_MAP)
		return fault(b->f, src->line, src->col, "<< merges a mapping or a list of mappings");
	for (size_t i = 0; i < src->n; i += 2) {
		if (keyset_add(ks, src->kid[i]))
			continue;
		add_kid(dst, src->kid[i]);
		add_kid(dst, src->kid[i + 1]);
		*w += src->kid[i]->weight + src->kid[i + 1]->weight;
		if (*w > YT_MAX_WEIGHT)
			return fault(b->f, src->line, src->col, "document too large once merges are expanded");
	}
	return 0;
}

static size_t merge_candidates(struct ynode *const *old, size_t oldn)
{
	size_t total = oldn / 2;
	for (size_t i = 0; i < oldn; i += 2) {
		const struct ynode *v = old[i + 1];
		if (!is_merge_key(old[i]))
			continue;
		if (v->kind == YN_MAP)
			total += v->n / 2;
		for (size_t j = 0; v->kind == YN_SEQ && j < v->n; j++)
			total += v->kid[j]->n / 2;
	}
	return total;
}

/* YAML merge keys (<<), as cloudflared's yaml.v3 reads them: explicit keys
 * win, then earlier merged mappings over later ones. */
static int apply_merges(struct builder *b, struct ynode *map)
{
	struct ynode **old = map->kid;
	size_t oldn = map->n, w = 0;
	struct keyset ks;
	keyset_init(&ks, merge_candidates(old, oldn));
	map->kid = NULL;
	map->n = 0;
	for (size_t i = 0; i < oldn; i += 2)
		if (!is_merge_key(old[i])) {
			keyset_add(&ks, old[i]);
			add_kid(map, old[i]);
			add_kid(map, old[i + 1]);
		}
	int rc = 0;
	for (size_t i = 0; i < oldn && !rc; i += 2) {
		if (!is_merge_key(old[i]))
			continue;
		const struct ynode *v = old[i + 1];
		if (v->kind == YN_SEQ)
			for (size_t j = 0; j < v->n && !rc; j++)
				rc = merge_from(b, map, v->kid[j], &ks, &w);
		else
			rc = merge_from(b, map, v, &ks, &w);
	}
	free(ks.slot);
	free(old);
	map->weight += w;
	return rc;
}

static int on_end(struct builder *b)
{
	struct ynode *n = b->stack[--b->depth];
	n->closed = 1;
	if (n->kind != YN_MAP)
		return 0;
	if (check_duplicates(b, n))
		return -EINVAL;
	for (size_t i = 0; i < n->n; i += 2)
		if (is_merge_key(n->kid[i]))
			return apply_merges(b, n);
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1)
			return fault(b->f, (unsigned)e->start_mark.line + 1,
			             (unsigned)e->start_mark.column + 1,
			             "a second YAML document (one config per file; remove the extra ---)");
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, e);
	case YAML_ALIAS_EVENT:
		return on_alias(b, e);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, e, YN_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, e, YN_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(b);
	default:
		return 0;
	}
}

static int parser_error(const struct builder *b, const yaml_parser_t *p)
{
	const yaml_mark_t *m = &p->problem_mark;
	if (p->context)
		fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		      "YAML syntax: %s %s", p->problem ? p->problem : "error", p->context);
	else
		fault(b->f, (unsigned)m->line + 1, (unsigned)m->column + 1,
		      "YAML syntax: %s", p->problem ? p->problem : "error");
	return -EINVAL;
}

static void free_anchors(struct builder *b)
{
	for (size_t i = 0; i < b->capanchors; i++)
		free(b->anchors[i].name);
	free(b->anchors);
}

int ytree_parse(struct ytree *t, const char *buf, size_t len, struct fault *f)
{
	struct builder b = { .t = t, .f = f };
	memset(t, 0, sizeof *t);
	int rc = check_encoding(&b, buf, len);
	yaml_parser_t p;
	if (!rc && !yaml_parser_initialize(&p))
		return fail(f, ENOMEM, "cannot initialise the YAML parser");
	if (!rc) {
		yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
		for (int end = 0; !end && !rc;) {
			yaml_event_t e;
			if (!yaml_parser_parse(&p, &e)) {
				rc = parser_error(&b, &p);
				break;
			}
			end = e.type == YAML_STREAM_END_EVENT;
			rc = on_event(&b, &e);
			yaml_event_delete(&e);
		}
		yaml_parser_delete(&p);
	}
	free_anchors(&b);
	if (rc)
		ytree_free(t);
	return rc;
}

void ytree_free(struct ytree *t)
{
	for (size_t i = 0; i < t->nall; i++) {
		/* Credentials are parsed with this too: leave no copy behind. */
		if (t->all[i]->str)
			explicit_bzero(t->all[i]->str, t->all[i]->len);
		free(t->all[i]->str);
		free(t->all[i]->kid);
		free(t->all[i]);
	}
	free(t->all);
	memset(t, 0, sizeof *t);
}

void ytree_adopt(struct ytree *t, struct ytree *src)
{
	for (size_t i = 0; i < src->nall; i++) {
		if (t->nall == t->capall) {
			t->capall = t->capall ? t->capall * 2 : 64;
			t->all = xrealloc(t->all, t->capall * sizeof *t->all);
		}
		t->all[t->nall++] = src->all[i];
	}
	free(src->all);
	memset(src, 0, sizeof *src);
}

void ymap_append(struct ynode *map, struct ynode *key, struct ynode *value)
{
	add_kid(map, key);
	add_kid(map, value);
}

struct ynode *ymap_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i < map->n; i += 2)
		if (map->kid[i]->len == klen && memcmp(map->kid[i]->str, key, klen) == 0)
			return map->kid[i + 1];
	return NULL;
}
