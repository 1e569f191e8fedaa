/* yemit: libyaml's emitter, its output gathered in memory up to a bound. */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "yemit.h"
#include "ytree.h"

static int write_cb(void *data, unsigned char *buf, size_t size)
{
	struct yemit *y = data;
	if (y->len + size > y->max) {
		y->too_big = 1;
		return 0;
	}
	if (y->len + size + 1 > y->cap) {
		while (y->len + size + 1 > y->cap)
			y->cap = y->cap ? y->cap * 2 : 4096;
		y->p = xrealloc(y->p, y->cap);
	}
	memcpy(y->p + y->len, buf, size);
	y->len += size;
	y->p[y->len] = 0;
	return 1;
}

/* yaml_emitter_emit consumes the event even when it fails. */
static int emit(struct yemit *y, yaml_event_t *e, int ok)
{
	return ok && yaml_emitter_emit(&y->em, e) ? 0 : -1;
}

int yemit_begin(struct yemit *y, size_t max)
{
	yaml_event_t e;
	memset(y, 0, sizeof *y);
	y->max = max;
	if (!yaml_emitter_initialize(&y->em))
		return -1;
	yaml_emitter_set_output(&y->em, write_cb, y);
	yaml_emitter_set_unicode(&y->em, 1);
	yaml_emitter_set_width(&y->em, -1);
	return emit(y, &e, yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING)) ||
	       emit(y, &e, yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1)) ||
	       yemit_map(y);
}

int yemit_end(struct yemit *y, char **out, size_t *len)
{
	yaml_event_t e;
	int rc = yemit_close_map(y) ||
	         emit(y, &e, yaml_document_end_event_initialize(&e, 1)) ||
	         emit(y, &e, yaml_stream_end_event_initialize(&e));
	yaml_emitter_delete(&y->em);
	if (rc) {
		free(y->p);
		y->p = NULL;
		return -1;
	}
	*out = y->p;
	*len = y->len;
	return 0;
}

void yemit_abort(struct yemit *y)
{
	yaml_emitter_delete(&y->em);
	free(y->p);
	y->p = NULL;
}

int yemit_str(struct yemit *y, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t e;
	return emit(y, &e, yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)len,
	                                                 1, 1, style));
}

int yemit_key(struct yemit *y, const char *key)
{
	return yemit_str(y, key, strlen(key), YAML_PLAIN_SCALAR_STYLE);
}

int yemit_pair(struct yemit *y, const char *key, const char *val, yaml_scalar_style_t style)
{
	return yemit_key(y, key) || yemit_str(y, val, strlen(val), style);
}

int yemit_map(struct yemit *y)
{
	yaml_event_t e;
	return emit(y, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1,
	                                                       YAML_BLOCK_MAPPING_STYLE));
}

int yemit_seq(struct yemit *y)
{
	yaml_event_t e;
	return emit(y, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1,
	                                                        YAML_BLOCK_SEQUENCE_STYLE));
}

int yemit_close_map(struct yemit *y)
{
	yaml_event_t e;
	return emit(y, &e, yaml_mapping_end_event_initialize(&e));
}

int yemit_close_seq(struct yemit *y)
{
	yaml_event_t e;
	return emit(y, &e, yaml_sequence_end_event_initialize(&e));
}

/* Item i of a list, or the pair at i of a map, unless the release ignores
 * that key (cfver.h). Keys are names: the emitter writes them plain
 * ("ingress" from a JSON config becomes ingress). */
static int emit_entry(struct yemit *y, const struct ynode *n, size_t i)
{
	const struct ynode *k = n->kid[i];
	if (n->kind != YN_MAP)
		return yemit_node(y, k);
	if (k->omit)
		return 0;
	int rc = k->kind == YN_SCALAR ? yemit_str(y, k->str, k->len, YAML_ANY_SCALAR_STYLE)
	                              : yemit_node(y, k);
	return rc ? rc : yemit_node(y, n->kid[i + 1]);
}

int yemit_node(struct yemit *y, const struct ynode *n)
{
	if (n->kind == YN_SCALAR) {
		yaml_scalar_style_t st = n->style;
		/* A !!str-tagged plain scalar must stay a string: quote it. */
		if (n->is_str && st == YAML_PLAIN_SCALAR_STYLE)
			st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return yemit_str(y, n->str, n->len, st);
	}
	int map = n->kind == YN_MAP;
	if (map ? yemit_map(y) : yemit_seq(y))
		return -1;
	for (size_t i = 0; i < n->n; i += map ? 2 : 1)
		if (emit_entry(y, n, i))
			return -1;
	return map ? yemit_close_map(y) : yemit_close_seq(y);
}
