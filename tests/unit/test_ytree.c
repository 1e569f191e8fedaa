/* Unit tests for ytree.c: the tree's shape and positions, anchors and
 * merges as yaml.v3 reads them, and every hostile-input bound with the
 * exact FILE:LINE:COL it reports. */
#include <stdlib.h>
#include <unistd.h>

/* ytree_free must wipe each scalar before freeing it (credentials are
 * parsed with ytree too). Route the module's free() through a hook that
 * checks the bytes of the scalars we register, while they are still
 * allocated: no use after free, valgrind- and ASan-clean. */
static void wipe_check_free(void *p);
#define free(p) wipe_check_free(p)
#include "../../src/ytree.c"
#undef free

#include "tap.h"

static struct { const char *p; size_t len; int freed, clean; } *watch;
static size_t nwatch;

static void wipe_check_free(void *p)
{
	for (size_t i = 0; p && i < nwatch; i++)
		if (watch[i].p == p) {
			int clean = 1;
			for (size_t j = 0; j < watch[i].len; j++)
				clean &= watch[i].p[j] == 0;
			watch[i].freed = 1;
			watch[i].clean = clean;
		}
	free(p);
}

#include "capture.h"

/* Parse len bytes; returns rc, and the message printed in *err. */
static int parse_n(struct ytree *t, const char *buf, size_t len, const char **err)
{
	struct fault f = { 0 };
	cap_start();
	int rc = ytree_parse(t, buf, len, &f);
	if (rc)
		msg_fault("t.yaml", &f);    /* as the step above it prints it */
	const char *e = cap_end();
	msg_quiet = 1;
	if (err)
		*err = e;
	return rc;
}

static int parse(struct ytree *t, const char *buf, const char **err)
{
	return parse_n(t, buf, strlen(buf), err);
}

/* Refused with exactly this message (one line). */
static void refuses_n(const char *name, const char *buf, size_t len, const char *want)
{
	struct ytree t;
	const char *err;
	char line[1024];
	int rc = parse_n(&t, buf, len, &err);
	snprintf(line, sizeof line, "argoweb: t.yaml:%s\n", want);
	OK(rc == -EINVAL && strcmp(err, line) == 0, "%s: refused at %.*s", name,
	   (int)strcspn(want, " "), want);
	if (rc != -EINVAL || strcmp(err, line) != 0)
		printf("#   rc %d, got: %s#   want: %s", rc, err, line);
	OK(t.root == NULL && t.all == NULL && t.nall == 0, "%s: tree freed on error", name);
}

static void refuses(const char *name, const char *buf, const char *want)
{
	refuses_n(name, buf, strlen(buf), want);
}

static void accepts(const char *name, const char *buf)
{
	struct ytree t;
	const char *err;
	int rc = parse(&t, buf, &err);
	OK(rc == 0 && !*err, "%s: accepted", name);
	if (rc)
		printf("#   %s", err);
	else
		ytree_free(&t);
}

static void pos_is(const struct ynode *n, unsigned line, unsigned col, const char *what)
{
	OK(n && n->line == line && n->col == col, "%s at %u:%u", what, line, col);
	if (n && (n->line != line || n->col != col))
		printf("#   got %u:%u\n", n->line, n->col);
}

static void test_block(void)
{
	struct ytree t;
	IS_INT(parse(&t, "a: 1\nb:\n  - x\n  - \"y\"\nc: {d: e}\nf:\n- g\n", NULL), 0,
	       "block document parses");
	struct ynode *r = t.root;
	OK(r && r->kind == YN_MAP && r->n == 8, "root is a map of 4 pairs");
	pos_is(r, 1, 1, "root map");
	pos_is(r->kid[0], 1, 1, "key a");
	pos_is(r->kid[1], 1, 4, "value 1");
	IS_STR(r->kid[1]->str, "1", "value text");
	IS_INT(r->kid[1]->len, 1, "value length");
	IS_INT(r->kid[1]->is_str, 0, "plain 1 is not forced to a string");
	IS_INT(r->kid[1]->style, YAML_PLAIN_SCALAR_STYLE, "plain style kept");
	struct ynode *b = ymap_get(r, "b");
	OK(b && b->kind == YN_SEQ && b->n == 2, "b is a list of 2");
	pos_is(b, 3, 3, "block sequence");
	pos_is(b->kid[0], 3, 5, "first item");
	pos_is(b->kid[1], 4, 5, "second item");
	IS_STR(b->kid[1]->str, "y", "quoted item text");
	IS_INT(b->kid[1]->is_str, 1, "quoted item is a string");
	IS_INT(b->kid[1]->style, YAML_DOUBLE_QUOTED_SCALAR_STYLE, "double-quoted style kept");
	struct ynode *c = ymap_get(r, "c");
	OK(c && c->kind == YN_MAP && c->n == 2, "c is a flow map");
	pos_is(c, 5, 4, "flow map in block");
	pos_is(c->kid[1], 5, 8, "flow value");
	struct ynode *f = ymap_get(r, "f");
	pos_is(f, 7, 1, "unindented block sequence");
	IS_INT(r->weight, 14, "weight counts every node");
	IS_INT(t.nall, 14, "every node recorded once");
	OK(ymap_get(r, "zz") == NULL, "absent key: NULL");
	OK(ymap_get(b, "x") == NULL, "ymap_get on a list: NULL");
	OK(ymap_get(NULL, "a") == NULL, "ymap_get on NULL: NULL");
	OK(ymap_get(r->kid[1], "a") == NULL, "ymap_get on a scalar: NULL");
	ytree_free(&t);
	OK(t.root == NULL && t.all == NULL && t.nall == 0 && t.capall == 0, "ytree_free clears the tree");
}

static void test_flow_json(void)
{
	struct ytree t;
	IS_INT(parse(&t, "[1, [2, 3], {k: v}]", NULL), 0, "flow document parses");
	struct ynode *r = t.root;
	OK(r && r->kind == YN_SEQ && r->n == 3, "root is a list of 3");
	OK(r->kid[1]->kind == YN_SEQ && r->kid[1]->n == 2, "nested list");
	pos_is(r->kid[1], 1, 5, "nested list");
	pos_is(r->kid[2], 1, 13, "nested map");
	IS_STR(ymap_get(r->kid[2], "k")->str, "v", "nested map value");
	ytree_free(&t);

	IS_INT(parse(&t, "{\"a\": [1, \"two\", true, null], \"b\": {\"c\": \"d\"}}", NULL), 0,
	       "JSON parses");
	r = t.root;
	struct ynode *a = ymap_get(r, "a");
	OK(a && a->kind == YN_SEQ && a->n == 4, "JSON array");
	pos_is(r->kid[0], 1, 2, "JSON key");
	pos_is(a->kid[1], 1, 11, "JSON string");
	IS_INT(r->kid[0]->is_str, 1, "JSON key is a quoted string");
	IS_INT(a->kid[0]->is_str, 0, "JSON number is plain");
	IS_INT(a->kid[1]->is_str, 1, "JSON string is a string");
	IS_STR(a->kid[2]->str, "true", "JSON true");
	IS_STR(a->kid[3]->str, "null", "JSON null");
	IS_STR(ymap_get(ymap_get(r, "b"), "c")->str, "d", "JSON nested object");
	ytree_free(&t);

	/* CRLF line ends count as one line break. */
	IS_INT(parse(&t, "a: 1\r\nb: 2\r\n", NULL), 0, "CRLF document parses");
	pos_is(t.root->kid[2], 2, 1, "key after CRLF");
	IS_STR(ymap_get(t.root, "a")->str, "1", "no CR in the value");
	ytree_free(&t);

	IS_INT(parse(&t, "a: !!str 5\nb: 'q'\nc: |\n  lit\nd: >\n  fold\n", NULL), 0,
	       "scalar styles parse");
	r = t.root;
	IS_INT(ymap_get(r, "a")->is_str, 1, "!!str makes a string");
	IS_INT(ymap_get(r, "a")->style, YAML_PLAIN_SCALAR_STYLE, "!!str plain keeps plain style");
	IS_INT(ymap_get(r, "b")->style, YAML_SINGLE_QUOTED_SCALAR_STYLE, "single-quoted style");
	IS_INT(ymap_get(r, "c")->style, YAML_LITERAL_SCALAR_STYLE, "literal style");
	IS_STR(ymap_get(r, "c")->str, "lit\n", "literal text");
	IS_INT(ymap_get(r, "d")->style, YAML_FOLDED_SCALAR_STYLE, "folded style");
	IS_INT(ymap_get(r, "c")->is_str, 1, "block scalars are strings");
	ytree_free(&t);

	IS_INT(parse(&t, "!!map {a: !!seq [b]}", NULL), 0, "!!map and !!seq accepted");
	ytree_free(&t);
	IS_INT(parse(&t, "a: \"caf\\xe9 \\u263A\"", NULL), 0, "escapes decode");
	IS_STR(ymap_get(t.root, "a")->str, "caf\xc3\xa9 \xe2\x98\xba", "escapes as UTF-8");
	ytree_free(&t);
}

static void test_empty(void)
{
	struct ytree t;
	IS_INT(parse(&t, "", NULL), 0, "empty input parses");
	OK(t.root == NULL, "empty input: no root");
	ytree_free(&t);
	IS_INT(parse(&t, "# just a comment\n", NULL), 0, "comment-only input parses");
	OK(t.root == NULL, "comment only: no root");
	ytree_free(&t);
	IS_INT(parse(&t, "---\n", NULL), 0, "bare --- parses");
	OK(t.root && t.root->kind == YN_SCALAR && t.root->len == 0, "bare ---: empty scalar");
	ytree_free(&t);
	IS_INT(parse(&t, "--- a", NULL), 0, "scalar document parses");
	OK(t.root && t.root->kind == YN_SCALAR && !strcmp(t.root->str, "a"), "scalar root");
	pos_is(t.root, 1, 5, "scalar root");
	ytree_free(&t);
	IS_INT(parse(&t, "a: 1\n...\n", NULL), 0, "document end marker alone is fine");
	ytree_free(&t);
}

static void test_anchors(void)
{
	struct ytree t;
	IS_INT(parse(&t, "a: &x {k: v}\nb: *x\nc: [*x, *x]\n", NULL), 0, "aliases parse");
	struct ynode *a = ymap_get(t.root, "a"), *b = ymap_get(t.root, "b");
	OK(a && a == b, "alias shares the anchored node");
	struct ynode *c = ymap_get(t.root, "c");
	OK(c->kid[0] == a && c->kid[1] == a, "aliases in a list share it too");
	IS_INT(t.nall, 8, "aliases create no nodes");
	IS_INT(t.root->weight, 1 + 1 + 3 + 1 + 3 + 1 + 7, "weight counts aliases expanded");
	ytree_free(&t);

	IS_INT(parse(&t, "a: &x 1\nb: *x\nc: &x 2\nd: *x\n", NULL), 0, "anchor redefined");
	OK(ymap_get(t.root, "b") == ymap_get(t.root, "a"), "alias before redefinition: first");
	OK(ymap_get(t.root, "d") == ymap_get(t.root, "c"), "alias after redefinition: second");
	ytree_free(&t);

	IS_INT(parse(&t, "a: &k key\n*k : 2\n", NULL), 0, "alias to a scalar as a key");
	IS_STR(ymap_get(t.root, "key")->str, "2", "aliased key found by its text");
	ytree_free(&t);

	/* Many anchors: the hash table grows and still finds each. */
	size_t cap = 2000000, n = 0;
	char *buf = xmalloc(cap);
	n += (size_t)snprintf(buf + n, cap - n, "a:\n");
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "  - &a%d v%d\n", i, i);
	n += (size_t)snprintf(buf + n, cap - n, "b:\n");
	for (int i = 19999; i >= 0; i--)
		n += (size_t)snprintf(buf + n, cap - n, "  - *a%d\n", i);
	IS_INT(parse(&t, buf, NULL), 0, "20 000 anchors and aliases");
	struct ynode *la = ymap_get(t.root, "a"), *lb = ymap_get(t.root, "b");
	int same = la->n == 20000 && lb->n == 20000;
	for (size_t i = 0; same && i < 20000; i++)
		same = lb->kid[i] == la->kid[19999 - i];
	OK(same, "each alias resolves to its own anchor");
	ytree_free(&t);
	free(buf);

	refuses("undefined alias", "a: *nope\n", "1:4: alias *nope names no anchor defined before it");
	refuses("alias before its anchor", "a: *x\nb: &x 1\n",
	        "1:4: alias *x names no anchor defined before it");
	refuses("recursive alias in a list", "a: &a [*a]\n",
	        "1:8: alias refers to a collection that contains it (recursive alias)");
	refuses("recursive alias in a map", "a: &m {b: {c: *m}}\n",
	        "1:15: alias refers to a collection that contains it (recursive alias)");
}

static void test_merge(void)
{
	struct ytree t;
	IS_INT(parse(&t, "base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\n"
	                 "m:\n  x: 0\n  <<: [*b, *o]\n", NULL), 0, "merge list parses");
	struct ynode *m = ymap_get(t.root, "m");
	IS_INT(m->n, 6, "merged map has x, y, z once each");
	IS_STR(ymap_get(m, "x")->str, "0", "explicit key wins over a merge");
	IS_STR(ymap_get(m, "y")->str, "2", "earlier merged map wins");
	IS_STR(ymap_get(m, "z")->str, "4", "later map fills the rest");
	OK(ymap_get(m, "<<") == NULL, "<< itself is gone");
	IS_STR(m->kid[0]->str, "x", "explicit keys come first");
	IS_STR(m->kid[2]->str, "y", "then merged keys in order");
	ytree_free(&t);

	IS_INT(parse(&t, "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 0\n", NULL), 0,
	       "single merge parses");
	m = ymap_get(t.root, "m");
	IS_STR(ymap_get(m, "x")->str, "0", "explicit key after << still wins");
	IS_STR(ymap_get(m, "y")->str, "2", "merged key present");
	IS_INT(m->n, 4, "two pairs");
	ytree_free(&t);

	IS_INT(parse(&t, "m: {'<<': {a: 1}}\n", NULL), 0, "quoted << is a plain key");
	OK(ymap_get(ymap_get(t.root, "m"), "<<") != NULL, "quoted << kept as a key");
	OK(ymap_get(ymap_get(t.root, "m"), "a") == NULL, "quoted << does not merge");
	ytree_free(&t);

	IS_INT(parse(&t, "m: {<<: {a: 1}, b: 2}\n", NULL), 0, "inline merge parses");
	IS_STR(ymap_get(ymap_get(t.root, "m"), "a")->str, "1", "inline mapping merged");
	ytree_free(&t);

	refuses("merge of a scalar", "x: 1\n<<: 5\n", "2:5: << merges a mapping or a list of mappings");
	refuses("merge list with a scalar", "x: 1\n<<: [{a: 1}, 5]\n",
	        "2:14: << merges a mapping or a list of mappings");
	refuses("merge of a list of lists", "<<: [[a]]\n",
	        "1:6: << merges a mapping or a list of mappings");
}

static void test_duplicates(void)
{
	refuses("duplicate key", "a: 1\nb: 2\na: 3\n", "3:1: duplicate key \"a\" (first at line 1)");
	refuses("duplicate key, one quoted", "a: 1\n\"a\": 2\n",
	        "2:1: duplicate key \"a\" (first at line 1)");
	refuses("duplicate in a nested flow map", "x:\n  y: {k: 1, k: 2}\n",
	        "2:13: duplicate key \"k\" (first at line 2)");
	accepts("same key in sibling maps", "a: {k: 1}\nb: {k: 2}\n");
	accepts("keys differing in case", "a: 1\nA: 2\n");
	accepts("keys that are prefixes", "ab: 1\na: 2\nabc: 3\n");

	/* 100 000 keys: linearithmic, and a late duplicate is still found. */
	size_t cap = 2000000, n = 0;
	char *buf = xmalloc(cap);
	for (int i = 0; i < 100000; i++)
		n += (size_t)snprintf(buf + n, cap - n, "k%d: v\n", i);
	struct ytree t;
	IS_INT(parse(&t, buf, NULL), 0, "100 000-key map accepted");
	IS_INT(t.root->n, 200000, "all keys kept");
	IS_INT(t.nall, 200001, "all nodes recorded");
	IS_STR(ymap_get(t.root, "k99999")->str, "v", "last key found");
	ytree_free(&t);
	snprintf(buf + n, cap - n, "k7: dup\n");
	refuses("100 000-key map with a late duplicate", buf,
	        "100001:1: duplicate key \"k7\" (first at line 8)");
	free(buf);
}

static void test_bounds(void)
{
	char buf[200];
	/* 64 nested flow lists are fine, the 65th is refused where it opens. */
	memset(buf, '[', 64);
	memset(buf + 64, ']', 64);
	buf[128] = 0;
	accepts("64 levels", buf);
	memset(buf, '[', 65);
	memset(buf + 65, ']', 65);
	buf[130] = 0;
	refuses("65 levels", buf, "1:65: nested too deeply (more than 64 levels)");
	static char deep[6001];
	memset(deep, '[', 3000);
	memset(deep + 3000, ']', 3000);
	refuses("3 000 levels", deep, "1:65: nested too deeply (more than 64 levels)");

	/* Block nesting, 2 spaces per level: level 65 is at line 65. */
	static char blk[70 * 140];
	size_t n = 0;
	for (int i = 0; i < 70; i++)
		n += (size_t)sprintf(blk + n, "%*sa:\n", 2 * i, "");
	refuses("block nesting", blk, "65:129: nested too deeply (more than 64 levels)");

	/* Scalars up to 64 KiB. */
	size_t big = YT_MAX_SCALAR + 10;
	char *s = xmalloc(big + 16);
	memcpy(s, "a: ", 3);
	memset(s + 3, 'x', YT_MAX_SCALAR);
	s[3 + YT_MAX_SCALAR] = 0;
	struct ytree t;
	IS_INT(parse(&t, s, NULL), 0, "64 KiB value accepted");
	IS_INT(ymap_get(t.root, "a")->len, YT_MAX_SCALAR, "64 KiB value kept whole");
	ytree_free(&t);
	s[3 + YT_MAX_SCALAR] = 'x';
	s[4 + YT_MAX_SCALAR] = 0;
	refuses("64 KiB + 1 value", s, "1:4: value longer than 64 KiB");
	memset(s, 'k', YT_MAX_SCALAR + 1);
	memcpy(s + YT_MAX_SCALAR + 1, ": v", 4);
	refuses("64 KiB + 1 key", s, "1:1: value longer than 64 KiB");
	free(s);

	/* Weight: what a walk over the tree would visit, aliases expanded. */
	size_t cap = 200000;
	char *w = xmalloc(cap);
	for (int pass = 0; pass < 2; pass++) {
		int copies = pass ? 4100 : 4000;
		n = (size_t)snprintf(w, cap, "a: &a [");
		for (int i = 0; i < 1024; i++)
			n += (size_t)snprintf(w + n, cap - n, "x,");
		n += (size_t)snprintf(w + n, cap - n, "]\nb: [");
		for (int i = 0; i < copies; i++)
			n += (size_t)snprintf(w + n, cap - n, "*a,");
		snprintf(w + n, cap - n, "]\n");
		if (!pass) {
			IS_INT(parse(&t, w, NULL), 0, "4 000 x 1 025 nodes: under the bound");
			IS_INT(t.root->weight, 1 + 1 + 1025 + 1 + 1 + 4000 * 1025, "weight exact");
			ytree_free(&t);
		} else {
			/* Root passes 4 Mi at the 4091st alias: 1029 + 4091 * 1025. */
			const char *err;
			IS_INT(parse(&t, w, &err), -EINVAL, "4 100 x 1 025 nodes: over the bound");
			OK(strstr(err, "t.yaml:2:") && strstr(err, "document too large once aliases are "
			   "expanded (alias bomb?)"), "weight bound message");
		}
	}
	free(w);

	/* Billion laughs: 9 levels of 9. */
	n = (size_t)snprintf(blk, sizeof blk, "x-lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i < 10; i++) {
		n += (size_t)snprintf(blk + n, sizeof blk - n, "x-lol%d: &l%d [", i, i);
		for (int j = 0; j < 9; j++)
			n += (size_t)snprintf(blk + n, sizeof blk - n, "%s*l%d", j ? ", " : "", i - 1);
		n += (size_t)snprintf(blk + n, sizeof blk - n, "]\n");
	}
	refuses("alias bomb", blk, "7:39: document too large once aliases are expanded (alias bomb?)");

	/* The same through merge keys. */
	n = (size_t)snprintf(blk, sizeof blk, "m0: &m0 {a: 1, b: 2, c: 3, d: 4}\n");
	for (int i = 1; i <= 30; i++)
		n += (size_t)snprintf(blk + n, sizeof blk - n,
		                      "m%d: &m%d {<<: *m%d, k%d: [*m%d, *m%d, *m%d, *m%d]}\n",
		                      i, i, i - 1, i, i - 1, i - 1, i - 1, i - 1);
	const char *err;
	IS_INT(parse(&t, blk, &err), -EINVAL, "merge bomb refused");
	OK(strstr(err, "document too large once") != NULL, "merge bomb message");
}

static void test_structure_errors(void)
{
	refuses("second document", "a: 1\n---\nb: 2\n",
	        "2:1: a second YAML document (one config per file; remove the extra ---)");
	refuses("second document after ...", "a: 1\n...\n---\nb: 2\n",
	        "3:1: a second YAML document (one config per file; remove the extra ---)");
	refuses("two explicit documents", "--- a\n--- b\n",
	        "2:1: a second YAML document (one config per file; remove the extra ---)");
	refuses("complex key", "? [a]\n: b\n", "1:3: a mapping key must be a plain string");
	refuses("flow map as key", "{a: 1}: 2\n", "1:1: a mapping key must be a plain string");
	refuses("aliased list as key", "a: &x [1]\n*x : 2\n", "2:1: a mapping key must be a plain string");
	refuses("!!int tag", "a: !!int 5\n",
	        "1:4: tag tag:yaml.org,2002:int is not supported here (remove it)");
	refuses("local tag", "a: !secret x\n", "1:4: tag !secret is not supported here (remove it)");
	refuses("!!binary tag", "a: !!binary eA==\n",
	        "1:4: tag tag:yaml.org,2002:binary is not supported here (remove it)");
	refuses("!!str on a list", "!!str [a]\n",
	        "1:1: tag tag:yaml.org,2002:str is not supported here (remove it)");
	refuses("!!seq on a map", "a: !!seq {b: c}\n",
	        "1:4: tag tag:yaml.org,2002:seq is not supported here (remove it)");
	refuses("unclosed flow list", "a: [1, 2\n",
	        "2:1: YAML syntax: did not find expected ',' or ']' while parsing a flow sequence");
	refuses("tab indentation", "a:\n\tb: 1\n",
	        "2:1: YAML syntax: found character that cannot start any token while scanning "
	        "for the next token");
	refuses("NUL from an escape", "a: 1\nb: \"x\\0y\"\n",
	        "2:4: NUL character in a value (from an escape sequence)");
}

static void test_encoding(void)
{
	refuses_n("NUL byte", "a: b\nc: d\0e\n", 11, "2:5: NUL byte in the file (is it UTF-16 or binary?)");
	refuses_n("UTF-16 BOM", "\xff\xfet\0", 4, "1:1: invalid UTF-8 (save the file as UTF-8)");
	refuses("invalid byte", "a: caf\xff\n", "1:7: invalid UTF-8 (save the file as UTF-8)");
	refuses("invalid byte after multibyte", "\xc3\xa9: \xff\n",
	        "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("invalid byte after 4-byte", "\xf0\x9f\x98\x80: \xff\n",
	        "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("invalid on line 3", "a: 1\nb: 2\ncc: \xc0\xaf\n",
	        "3:5: invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong 2-byte", "a: \xc1\xbf\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong 3-byte", "a: \xe0\x80\xaf\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("overlong 4-byte", "a: \xf0\x80\x80\xaf\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("surrogate", "a: \xed\xa0\x80\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("above U+10FFFF", "a: \xf4\x90\x80\x80\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("F5 lead byte", "a: \xf5\x80\x80\x80\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("lone continuation", "a: \x80\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses("bad continuation", "a: \xe2\x28\xa1\n", "1:4: invalid UTF-8 (save the file as UTF-8)");
	refuses_n("truncated at the end", "a: \xe2\x82", 5, "1:4: invalid UTF-8 (save the file as UTF-8)");
	accepts("valid 2-, 3- and 4-byte", "a: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\n");
	accepts("U+D7FF and U+E000", "a: \xed\x9f\xbf\xee\x80\x80\n");
	/* A length shorter than the string: bytes past it are not read. */
	struct ytree t;
	IS_INT(parse_n(&t, "a: b\xff", 4, NULL), 0, "length bounds the input");
	IS_STR(ymap_get(t.root, "a")->str, "b", "value within the length");
	ytree_free(&t);
	/* ytree.c:381-389: libyaml's reader errors (control characters,
	 * U+FFFE) carry no problem_mark, so they are reported at 1:1. */
	refuses("control character", "a: 1\nb: \x01\n", "2:4: control character in the file (not allowed in YAML)");
	/* ytree.c:68: check_encoding counts only \n; libyaml also breaks
	 * lines at a lone \r. */
	refuses("CR line ends", "a: 1\rb: \xff\n", "2:4: invalid UTF-8 (save the file as UTF-8)");
}

/* Each scalar's bytes are zero when ytree_free hands them to free(). */
static void test_wipe(void)
{
	struct ytree t;
	IS_INT(parse(&t, "AccountTag: \"acct\"\nTunnelSecret: \"c2VjcmV0\"\nlist: [one, two]\n", NULL),
	       0, "parse for the wipe check");
	nwatch = 0;
	watch = calloc(t.nall, sizeof *watch);
	for (size_t i = 0; i < t.nall; i++)
		if (t.all[i]->str && t.all[i]->len) {
			watch[nwatch].p = t.all[i]->str;
			watch[nwatch].len = t.all[i]->len;
			nwatch++;
		}
	IS_INT(nwatch, 7, "7 non-empty scalars watched");
	ytree_free(&t);
	int freed = 1, clean = 1;
	for (size_t i = 0; i < nwatch; i++) {
		freed &= watch[i].freed;
		clean &= watch[i].clean;
	}
	OK(freed, "every scalar freed");
	OK(clean, "every scalar wiped before free");
	nwatch = 0;
	free(watch);
	watch = NULL;
}

int main(void)
{
	msg_quiet = 1;
	test_block();
	test_flow_json();
	test_empty();
	test_anchors();
	test_merge();
	test_duplicates();
	test_bounds();
	test_structure_errors();
	test_encoding();
	test_wipe();
	return tap_done();
}
