/* gotree: Go's parse tree, reduced to what its size and repeat-count checks
 * need (see gotree.h).
 *
 * It follows what shapes Go's tree: literal runes merge into one string
 * (only under the same (?i) flag), a concatenation or alternation inside one
 * is flattened, neighbouring one-character branches merge into one class,
 * and [a], [Aa] or (?i)[a] become literals. It also follows two quirks of
 * Go's size accounting. Go measures only once (nodes allocated) x (product
 * of the counted repeats pushed) reaches its limit; and it caches each size
 * it measures, so a literal string measured at one rune that then grows
 * still counts as one: `(?:abcdefghij\d){1000}` costs 2000 once measuring
 * has begun, 11000 if it begins later. Both matter under 1 KiB: Go checks
 * the size of a repeat before its counts, so `((ab){1000}){1000}` is "too
 * large" and `((a){1000}){1000}` an invalid repeat count.
 *
 * Sizes are plain int64: under goregex's length cap a valid tree stays below
 * 2 million instructions, and the first repeat past the limits ends the
 * parse, so nothing comes near overflow. */
#include <stddef.h>
#include <string.h>

#include "gotree.h"

enum {
	MAX_REPEAT = 1000,              /* Go's maxRepeat */
	MAX_SIZE = (128 << 20) / 40,    /* Go's maxSize, in instructions */
};

/* tail bits of GT_LIT and GT_CAT: the trailing literal string */
#define T_PLAIN 1       /* without (?i) */
#define T_FOLD 2        /* under (?i) */
#define T_KIND 3
#define T_FROZEN 4      /* Go has cached its size: runes merged later are not counted */

/* what Go's alternation merging sees in a branch */
enum branch { B_OTHER, B_CLASS, B_EMPTY };

static struct gt_item leaf(enum gt_kind kind, bool fold)
{
	struct gt_item x = { 1, 1, 1, (uint8_t)kind, 0 };
	if (kind == GT_LIT)
		x.tail = fold ? T_FOLD : T_PLAIN;
	return x;
}

static int16_t max16(int16_t a, int16_t b)
{
	return a > b ? a : b;
}

/* Go's maybeConcat and collapse: x joins the concatenation c. */
static void cat_add(struct gt_item *c, const struct gt_item *x)
{
	if (c->kind == GT_NONE) {
		*c = *x;
		return;
	}
	if (x->kind == GT_LIT && (c->kind == GT_LIT || c->kind == GT_CAT) &&
	    (c->tail & T_KIND) == (x->tail & T_KIND)) {
		if (!(c->tail & T_FROZEN))
			c->size += x->n;
		if (c->kind == GT_LIT)
			c->n += x->n;
		return;
	}
	c->size += x->size;
	c->need = max16(c->need, x->need);
	c->kind = GT_CAT;
	c->tail = x->kind == GT_LIT || x->kind == GT_CAT ? x->tail : 0;
}

static enum branch branch_of(const struct gt_item *x)
{
	if (x->kind == GT_ALT)
		return (enum branch)x->tail;
	if (x->kind == GT_CLASS || (x->kind == GT_LIT && x->n == 1))
		return B_CLASS;
	return x->kind == GT_EMPTY ? B_EMPTY : B_OTHER;
}

/* Go's alternate: branch b joins a. calcSize of an alternation is the sum
 * of its branches plus one per '|'. */
static void alt_add(struct gt_item *a, const struct gt_item *b)
{
	enum branch prev = branch_of(a), cur = branch_of(b);
	if (a->kind == GT_NONE) {
		*a = *b;
		return;
	}
	if (b->kind != GT_ALT && cur == prev && cur != B_OTHER) {
		if (a->kind != GT_ALT)
			*a = leaf(cur == B_CLASS ? GT_CLASS : GT_EMPTY, false);
		return;
	}
	int64_t sum = a->kind == GT_ALT ? a->size - (a->n - 1) : a->size;
	sum += b->kind == GT_ALT ? b->size - (b->n - 1) : b->size;
	a->n = (a->kind == GT_ALT ? a->n : 1) + (b->kind == GT_ALT ? b->n : 1);
	a->kind = GT_ALT;
	a->need = max16(a->need, b->need);
	a->size = sum + a->n - 1;
	a->tail = (uint8_t)cur;
}

/* need: repeatIsValid divides its budget by each count m (max, or min when
 * unbounded) on the way down and fails if m exceeds it, so a budget B
 * passes iff B >= m * need(sub); {0} hides its operand entirely. */
static struct gt_item repeat_item(const struct gt_item *sub, int op, int min, int max)
{
	struct gt_item x = { 0, 1, sub->need, GT_OTHER, 0 };
	int64_t s = sub->size, m = max < 0 ? min : max, size;
	if (op == '{') {
		x.kind = GT_REP;
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
		x.need = (int16_t)(m * sub->need > MAX_REPEAT ? MAX_REPEAT + 1 : m * sub->need);
	x.size = size < 1 ? 1 : size;
	return x;
}

/* Go's first measurement caches the literal strings still open. */
static void freeze(struct gt_item *x)
{
	if ((x->kind == GT_LIT || x->kind == GT_CAT) && x->tail)
		x->tail |= T_FROZEN;
}

static void start_tracking(struct gotree *t)
{
	t->tracking = true;
	if (t->pending)
		freeze(&t->last);
	freeze(&t->cat);
	for (int i = 0; i < t->depth; i++)
		freeze(&t->stack[i].cat);
}

/* Go's push and checkSize: a pushed literal is measured afresh. */
static int push(struct gotree *t, struct gt_item *x)
{
	if (x->kind == GT_LIT)
		x->size = x->n, x->tail = (uint8_t)((x->tail & T_KIND) | (t->tracking ? T_FROZEN : 0));
	if (!t->tracking) {
		if (x->kind == GT_REP)
			t->repeats = x->n > MAX_SIZE / t->repeats ? MAX_SIZE : t->repeats * x->n;
		if (t->nodes >= MAX_SIZE / t->repeats)
			start_tracking(t);
	}
	return t->tracking && x->size > MAX_SIZE ? GT_LARGE : GT_OK;
}

static int add_item(struct gotree *t, struct gt_item x)
{
	if (t->pending)
		cat_add(&t->cat, &t->last);
	t->last = x;
	t->pending = true;
	return push(t, &t->last);
}

void gotree_init(struct gotree *t)
{
	memset(t, 0, offsetof(struct gotree, stack));
	t->repeats = 1;
}

/* A literal rune that Go merges into the literal before it allocates no
 * node; anything else does. */
int gotree_leaf(struct gotree *t, enum gt_kind kind, bool fold)
{
	struct gt_item x = leaf(kind, fold);
	if (kind != GT_LIT || !t->pending || t->last.kind != GT_LIT ||
	    ((t->last.tail ^ x.tail) & T_KIND))
		t->nodes++;
	return add_item(t, x);
}

/* Go turns a class of one rune into a literal, and [Aa] (or (?i)[a]) into a
 * case-folded one. Non-ASCII runes under (?i) would need Unicode folding
 * and stay classes; k and s fold to three runes (K, KELVIN SIGN; S, LONG
 * S), so Go keeps them as classes as well. */
int gotree_class(struct gotree *t, bool fold, int n, const uint32_t r[2])
{
	uint32_t a = r[0] | 0x20;
	bool ascii = r[0] < 0x80 && (n == 1 || r[1] < 0x80);
	bool alpha = ascii && a >= 'a' && a <= 'z';
	bool pair = alpha && a != 'k' && a != 's';     /* folds to one other rune */
	if (n == 2 && r[0] == r[1])
		n = 1;
	if (n == 1 && !fold)
		return gotree_leaf(t, GT_LIT, false);
	if (n == 1 && ascii && (pair || !alpha))
		return gotree_leaf(t, GT_LIT, pair);
	if (n == 2 && pair && a == (r[1] | 0x20))
		return gotree_leaf(t, GT_LIT, true);
	return gotree_leaf(t, GT_CLASS, false);
}

int gotree_repeat(struct gotree *t, int op, int min, int max)
{
	if (!t->pending)
		return GT_NOARG;
	t->last = repeat_item(&t->last, op, min, max);
	t->nodes++;
	if (push(t, &t->last))
		return GT_LARGE;
	if (op == '{' && (min >= 2 || max >= 2) && t->last.need > MAX_REPEAT)
		return GT_COUNT;
	return GT_OK;
}

/* Go's concat: the current concatenation as one node. */
static int end_concat(struct gotree *t, struct gt_item *out)
{
	if (t->pending)
		cat_add(&t->cat, &t->last);
	t->pending = false;
	if (t->cat.kind == GT_NONE || t->cat.kind == GT_CAT)
		t->nodes++;
	*out = t->cat.kind == GT_NONE ? leaf(GT_EMPTY, false) : t->cat;
	t->cat = (struct gt_item){ 0 };
	return push(t, out);
}

int gotree_bar(struct gotree *t)
{
	struct gt_item branch;
	if (end_concat(t, &branch))
		return GT_LARGE;
	if (t->alt.kind == GT_NONE)
		t->nodes++;     /* Go's opVerticalBar */
	alt_add(&t->alt, &branch);
	return GT_OK;
}

/* Go's concat and alternate, at ')' and at the end. */
static int end_group_body(struct gotree *t, struct gt_item *out)
{
	if (end_concat(t, out))
		return GT_LARGE;
	if (t->alt.kind != GT_NONE) {
		alt_add(&t->alt, out);
		*out = t->alt;
		t->alt = (struct gt_item){ 0 };
		t->nodes++;
	}
	return push(t, out);    /* pushed again, even if a single branch */
}

/* Go needs no stack here (a (?: adds no node), but 1000 levels is far more
 * than a path uses and keeps ours fixed. */
int gotree_open(struct gotree *t, bool capture, bool fold)
{
	if (t->depth == GOTREE_MAX_DEPTH)
		return GT_DEEP;
	if (t->pending)
		cat_add(&t->cat, &t->last);
	t->pending = false;
	t->nodes++;
	t->stack[t->depth++] = (struct gt_frame){ t->cat, t->alt, fold, capture };
	t->cat = t->alt = (struct gt_item){ 0 };
	return GT_OK;
}

int gotree_close(struct gotree *t, bool *fold)
{
	struct gt_item body;
	if (end_group_body(t, &body))
		return GT_LARGE;
	if (t->depth == 0)
		return GT_UNEXPECTED;
	struct gt_frame *f = &t->stack[--t->depth];
	t->cat = f->cat;
	t->alt = f->alt;
	*fold = f->fold;
	if (f->capture) {
		body.size += 2;
		body.kind = GT_OTHER;
		body.tail = 0;
	}
	return add_item(t, body);
}

int gotree_end(struct gotree *t)
{
	struct gt_item top;
	if (end_group_body(t, &top))
		return GT_LARGE;
	return t->depth ? GT_OPEN : GT_OK;
}
