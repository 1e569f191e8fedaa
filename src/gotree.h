/* gotree: the parse tree Go's regexp parser builds, followed as goregex.c
 * reads a pattern, for the two of Go's checks that depend on it: the
 * compiled size ("expression too large") and the nested repeat counts
 * ("invalid repeat count"). No tree is stored: each open group keeps the
 * numbers of its concatenation and alternation so far, so the state is O(1)
 * per group and the work linear. */
#ifndef ARGOWEB_GOTREE_H
#define ARGOWEB_GOTREE_H
#include <stdbool.h>
#include <stdint.h>

#define GOTREE_MAX_DEPTH 1000   /* open groups; one more is GT_DEEP */

/* The nodes goregex.c adds: a literal rune, a class (., \d, [a-z], \pL),
 * anything else (^, $, \b, \A...). The rest are built here. */
enum gt_kind { GT_NONE, GT_EMPTY, GT_LIT, GT_CLASS, GT_CAT, GT_ALT, GT_REP, GT_OTHER };

/* What goes wrong, in Go's terms; goregex.c words the message. */
enum gt_error { GT_OK, GT_LARGE, GT_COUNT, GT_NOARG, GT_DEEP, GT_UNEXPECTED, GT_OPEN };

/* A sub-expression as Go's checks see it. */
struct gt_item {
	int64_t size;           /* calcSize as Go computes it, stale caches included */
	int32_t n;              /* GT_LIT: runes; GT_ALT: branches; GT_REP: the count
	                         * Go's size gate multiplies by */
	int16_t need;           /* the least budget Go's repeatIsValid passes */
	uint8_t kind;           /* enum gt_kind */
	uint8_t tail;           /* GT_LIT, GT_CAT: how the trailing literal string
	                         * merges (T_* in gotree.c); GT_ALT: its last branch */
};

struct gt_frame {               /* the parent's state, saved at '(' */
	struct gt_item cat, alt;
	bool fold, capture;
};

struct gotree {
	struct gt_item cat;     /* committed part of the current concatenation */
	struct gt_item last;    /* operand for a following repetition operator */
	struct gt_item alt;     /* finished branches; GT_NONE before any '|' */
	bool pending;           /* last holds an item (not yet in cat) */
	bool tracking;          /* Go measures sizes (its p.size != nil) */
	int64_t repeats;        /* Go's p.repeats: product of the counts pushed */
	int64_t nodes;          /* Go's p.numRegexp: nodes allocated */
	int depth;
	struct gt_frame stack[GOTREE_MAX_DEPTH];
};

/* Each returns GT_OK or an enum gt_error. fold is (?i) in force: Go merges
 * literal runes into one string only under the same flag. */
void gotree_init(struct gotree *t);
int gotree_leaf(struct gotree *t, enum gt_kind kind, bool fold);
/* A [class] holding n single runes r[0..n-1] and nothing else (n > 2: any
 * other class, negated ones included), which Go may turn into a literal. */
int gotree_class(struct gotree *t, bool fold, int n, const uint32_t r[2]);
/* op '*', '+', '?', or '{' with min and max (-1: unbounded). */
int gotree_repeat(struct gotree *t, int op, int min, int max);
int gotree_bar(struct gotree *t);
int gotree_open(struct gotree *t, bool capture, bool fold);
/* *fold: the (?i) state outside the group, which ')' brings back. */
int gotree_close(struct gotree *t, bool *fold);
int gotree_end(struct gotree *t);

#endif
