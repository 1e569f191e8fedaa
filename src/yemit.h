/* Writing YAML through libyaml's emitter into a bounded buffer: event by
 * event, never pasted together as text, so no value can change the
 * document's structure. render.c (cloudflared's config) and seed.c (the
 * kept remote configuration) write with it. */
#ifndef ARGOWEB_YEMIT_H
#define ARGOWEB_YEMIT_H
#include <stddef.h>
#include <yaml.h>

struct yemit {
	yaml_emitter_t em;
	char *p;                /* the output so far, NUL-terminated */
	size_t len, cap, max;
	int too_big;            /* the output would pass max */
};

/* A document opened, its top a block mapping (0), or -1. */
int yemit_begin(struct yemit *y, size_t max);
/* The document closed and the output handed over (*out, caller frees):
 * 0, or -1 (nothing handed over; y->too_big says whether for size). */
int yemit_end(struct yemit *y, char **out, size_t *len);
/* On any failure midway: free everything. */
void yemit_abort(struct yemit *y);

/* A scalar in the given style; a plain key; a key and its value. */
int yemit_str(struct yemit *y, const char *s, size_t len, yaml_scalar_style_t style);
int yemit_key(struct yemit *y, const char *key);
int yemit_pair(struct yemit *y, const char *key, const char *val, yaml_scalar_style_t style);
/* A block mapping or sequence opened, and either closed. */
int yemit_map(struct yemit *y);
int yemit_seq(struct yemit *y);
int yemit_close_map(struct yemit *y);
int yemit_close_seq(struct yemit *y);

/* A node of a parsed tree (ytree.h), as it was written: scalars in their
 * style (a !!str plain one quoted), keys the release ignores left out. */
struct ynode;
int yemit_node(struct yemit *y, const struct ynode *n);

#endif
