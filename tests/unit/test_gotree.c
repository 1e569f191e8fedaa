/* gotree.c: Go's tree, reduced to its size and repeat-count numbers. The
 * sizes are Go's calcSize; whole patterns are tested in test_goregex.c. */
#include "../../src/gotree.c"
#include "tap.h"

static struct gotree t;

/* n literal runes, as the parser adds them */
static void lits(int n, bool fold)
{
	for (int i = 0; i < n; i++)
		gotree_leaf(&t, GT_LIT, fold);
}

static void test_sizes(void)
{
	gotree_init(&t);
	lits(3, false);
	OK(t.cat.kind == GT_LIT && t.cat.n == 2 && t.last.n == 1,
	   "abc: the last rune apart, for a repeat to take");
	lits(2, true);
	OK(t.cat.kind == GT_CAT && (t.cat.tail & T_KIND) == T_FOLD, "(?i) starts another string");
	IS_INT(gotree_repeat(&t, '{', 0, 1000), GT_OK, "e{0,1000}");
	IS_INT(t.last.size, 1000 + 1000, "{0,1000} costs 1000 copies and 1000 choices");
	IS_INT(t.last.need, 1000, "its need is 1000");
	IS_INT(gotree_bar(&t), GT_OK, "|");
	IS_INT(t.alt.size, 3 + 1 + 2000, "abc(?i)de{0,1000}: 3 + 1 + 2000");
	gotree_init(&t);
	gotree_leaf(&t, GT_CLASS, false);
	IS_INT(gotree_repeat(&t, '*', 0, 0), GT_OK, "\\d*");
	IS_INT(t.last.size, 3, "a star costs 2");
	gotree_init(&t);
	IS_INT(gotree_open(&t, true, false), GT_OK, "(");
	lits(1, false);
	IS_INT(gotree_bar(&t), GT_OK, "|");
	lits(1, false);
	IS_INT(gotree_bar(&t), GT_OK, "|");
	lits(2, false);
	bool fold = true;
	IS_INT(gotree_close(&t, &fold), GT_OK, ")");
	OK(!fold, "')' brings back the flags outside");
	/* a|b merge into one class (1), "cd" is 2, one '|' left: 4, capture 2 */
	IS_INT(t.last.size, 6, "(a|b|cd) costs 6");
	IS_INT(gotree_end(&t), GT_OK, "end");
}

static void test_classes(void)
{
	const uint32_t a[2] = { 'a', 0 }, aA[2] = { 'a', 'A' }, k[2] = { 'k', 0 };
	gotree_init(&t);
	gotree_class(&t, false, 1, a);
	IS_INT(t.last.kind, GT_LIT, "[a] is a literal");
	gotree_class(&t, false, 2, aA);
	IS_INT(t.last.kind, GT_LIT, "[aA] is a literal");
	IS_INT(t.last.tail & T_KIND, T_FOLD, "a case-folded one");
	gotree_class(&t, true, 1, k);
	IS_INT(t.last.kind, GT_CLASS, "(?i)[k] stays a class (K, KELVIN SIGN)");
	gotree_class(&t, false, 3, a);
	IS_INT(t.last.kind, GT_CLASS, "any other class is a class");
}

static void test_counts(void)
{
	gotree_init(&t);
	lits(1, false);
	gotree_repeat(&t, '{', 2, 2);
	IS_INT(gotree_repeat(&t, '{', 501, 501), GT_COUNT, "(a{2}){501}: 1002 copies");
	gotree_init(&t);
	lits(1, false);
	gotree_repeat(&t, '{', 0, 0);
	IS_INT(gotree_repeat(&t, '{', 1000, 1000), GT_OK, "{0} hides its operand");
	gotree_init(&t);
	IS_INT(gotree_repeat(&t, '*', 0, 0), GT_NOARG, "nothing to repeat");
	gotree_init(&t);
	gotree_open(&t, false, false);
	IS_INT(gotree_repeat(&t, '+', 0, 0), GT_NOARG, "nothing to repeat after '('");
}

/* ((ab){1000}){1000} and ((a){1000}){1000}: Go measures the outer repeat
 * (4,002,000 and 3,002,000 instructions) before it checks the counts. */
static int nested(int runes)
{
	gotree_init(&t);
	gotree_open(&t, true, false);
	gotree_open(&t, true, false);
	lits(runes, false);
	bool fold;
	gotree_close(&t, &fold);
	gotree_repeat(&t, '{', 1000, 1000);
	gotree_close(&t, &fold);
	return gotree_repeat(&t, '{', 1000, 1000);
}

static void test_limits(void)
{
	IS_INT(nested(2), GT_LARGE, "((ab){1000}){1000} is too large");
	IS_INT(nested(1), GT_COUNT, "((a){1000}){1000} is an invalid count");
	/* measuring from the start, Go caches "a" at one rune: (?:abcdefghij\d)
	 * then costs 2, and the outer repeat 2,000,000 */
	gotree_init(&t);
	lits(1, false);
	gotree_repeat(&t, '{', 1000, 1000);
	lits(1, false);
	gotree_repeat(&t, '{', 1000, 1000);
	OK(t.tracking, "x{1000}y{1000}: Go measures from here on");
	gotree_open(&t, false, false);
	gotree_open(&t, false, false);
	lits(10, false);
	gotree_leaf(&t, GT_CLASS, false);
	bool fold;
	gotree_close(&t, &fold);
	gotree_repeat(&t, '{', 1000, 1000);
	IS_INT(t.last.size, 2000, "stale literal size: 2 x 1000");
	gotree_close(&t, &fold);
	IS_INT(gotree_repeat(&t, '{', 1000, 1000), GT_COUNT, "so 2,000,000: an invalid count");
	gotree_init(&t);
	for (int i = 0; i < GOTREE_MAX_DEPTH; i++)
		gotree_open(&t, true, false);
	IS_INT(gotree_open(&t, true, false), GT_DEEP, "1001 open groups");
	IS_INT(gotree_end(&t), GT_OPEN, "groups left open");
	gotree_init(&t);
	IS_INT(gotree_close(&t, &fold), GT_UNEXPECTED, "')' with none open");
}

int main(void)
{
	test_sizes();
	test_classes();
	test_counts();
	test_limits();
	return tap_done();
}
