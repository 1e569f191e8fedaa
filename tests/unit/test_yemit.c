/* yemit.c: YAML written event by event through libyaml's emitter, never
 * as pasted text: a value that looks like YAML stays a value, and the
 * output is bounded (too_big, nothing handed over). */
#include "../../src/yemit.c"

#include "../../src/msg.h"
#include "../../src/ytree.h"
#include "tap.h"

static void structure(void)
{
	struct yemit y;
	char *out = NULL;
	size_t len = 0;
	const char *evil = "x\nmetrics: 0.0.0.0:1 # \"'";
	int rc = yemit_begin(&y, 1 << 16) || yemit_pair(&y, "tunnel", evil, YAML_ANY_SCALAR_STYLE) ||
	         yemit_key(&y, "ingress") || yemit_seq(&y) || yemit_map(&y) ||
	         yemit_pair(&y, "service", "http_status:404", YAML_PLAIN_SCALAR_STYLE) ||
	         yemit_close_map(&y) || yemit_close_seq(&y) || yemit_end(&y, &out, &len);
	IS_INT(rc, 0, "a map, a list, a map in it: written");
	struct ytree t;
	struct fault f = { 0 };
	IS_INT(ytree_parse(&t, out, len, &f), 0, "... and read back (%s)", f.why);
	const struct ynode *tun = ymap_get(t.root, "tunnel");
	OK(tun && !strcmp(tun->str, evil), "a value with a newline, a key and quotes: one value, as given");
	OK(!ymap_get(t.root, "metrics"), "... no key smuggled in");
	const struct ynode *ing = ymap_get(t.root, "ingress");
	OK(ing && ing->kind == YN_SEQ && ing->n == 1 &&
	   !strcmp(ymap_get(ing->kid[0], "service")->str, "http_status:404"), "the list as written");
	ytree_free(&t);
	free(out);
}

static void bounded(void)
{
	struct yemit y;
	char *out = NULL, big[4096];
	size_t len = 0;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	int rc = yemit_begin(&y, 1024);
	for (int i = 0; !rc && i < 4; i++)
		rc = yemit_pair(&y, i % 2 ? "b" : "a", big, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	if (!rc)
		rc = yemit_end(&y, &out, &len);
	else
		yemit_abort(&y);
	OK(rc != 0 && y.too_big, "past the bound: refused, and said to be for size");
	OK(out == NULL, "... nothing handed over");
}

int main(void)
{
	structure();
	bounded();
	return tap_done();
}
