/* render: cloudflared's config.yml, emitted event by event with libyaml's
 * emitter from the validated tree, never pasted together as text, so no
 * value can change the document's structure. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "msg.h"
#include "render.h"
#include "schema.h"

/* Aliases are written out in full when rendered: a 200 KB config of
 * aliases once became a 31.6 MB config.yml. Far above any real tunnel's. */
#define RENDER_MAX (16u << 20)

struct outbuf {
	char *p;
	size_t len, cap;
	int too_big;
};

static int write_cb(void *data, unsigned char *buf, size_t size)
{
	struct outbuf *o = data;
	if (o->len + size > RENDER_MAX) {
		o->too_big = 1;
		return 0;
	}
	if (o->len + size + 1 > o->cap) {
		while (o->len + size + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 4096;
		o->p = xrealloc(o->p, o->cap);
	}
	memcpy(o->p + o->len, buf, size);
	o->len += size;
	o->p[o->len] = 0;
	return 1;
}

/* yaml_emitter_emit consumes the event even when it fails. */
static int emit(yaml_emitter_t *em, yaml_event_t *e, int ok)
{
	return ok && yaml_emitter_emit(em, e) ? 0 : -1;
}

static int emit_str(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t e;
	return emit(em, &e, yaml_scalar_event_initialize(&e, NULL, NULL,
	            (yaml_char_t *)s, (int)len, 1, 1, style));
}

static int emit_node(yaml_emitter_t *em, const struct ynode *n);

/* Item i of a list, or the pair at i of a map, unless the release ignores
 * that key (cfver.h). Keys are names: the emitter writes them plain
 * ("ingress" from a JSON config becomes ingress). */
static int emit_entry(yaml_emitter_t *em, const struct ynode *n, size_t i)
{
	const struct ynode *k = n->kid[i];
	if (n->kind != YN_MAP)
		return emit_node(em, k);
	if (k->omit)
		return 0;
	int rc = k->kind == YN_SCALAR ? emit_str(em, k->str, k->len, YAML_ANY_SCALAR_STYLE)
	                              : emit_node(em, k);
	return rc ? rc : emit_node(em, n->kid[i + 1]);
}

static int emit_node(yaml_emitter_t *em, const struct ynode *n)
{
	yaml_event_t e;
	if (n->kind == YN_SCALAR) {
		yaml_scalar_style_t st = n->style;
		/* A !!str-tagged plain scalar must stay a string: quote it. */
		if (n->is_str && st == YAML_PLAIN_SCALAR_STYLE)
			st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		return emit_str(em, n->str, n->len, st);
	}
	int map = n->kind == YN_MAP;
	if (emit(em, &e, map ? yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)
	                     : yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE)))
		return -1;
	for (size_t i = 0; i < n->n; i += map ? 2 : 1)
		if (emit_entry(em, n, i))
			return -1;
	return emit(em, &e, map ? yaml_mapping_end_event_initialize(&e)
	                        : yaml_sequence_end_event_initialize(&e));
}

static int emit_pair(yaml_emitter_t *em, const char *key, const char *val,
                     yaml_scalar_style_t style)
{
	return emit_str(em, key, strlen(key), YAML_PLAIN_SCALAR_STYLE) ||
	       emit_str(em, val, strlen(val), style);
}

/* Our keys first (tunnel), then the user's in their order, then what we
 * pin. The default we add goes right after the user's keys, where a
 * rendering read back as a config has it: rendering that changes nothing. */
static int emit_body(yaml_emitter_t *em, const struct config *c, const char *tunnel_id)
{
	const struct ynode *root = c->tree.root;
	if (tunnel_id && emit_pair(em, "tunnel", tunnel_id, YAML_DOUBLE_QUOTED_SCALAR_STYLE))
		return -1;
	for (size_t i = 0; i < root->n; i += 2) {
		const struct key *k = schema_find(k_top, root->kid[i]->str);
		if ((k && (k->flags & KF_OWN)) || schema_is_extension(root->kid[i]->str) ||
		    root->kid[i]->omit)
			continue;
		if (emit_str(em, root->kid[i]->str, root->kid[i]->len, YAML_ANY_SCALAR_STYLE) ||
		    emit_node(em, root->kid[i + 1]))
			return -1;
	}
	/* cloudflared 2024.2 and later open /metrics and pprof to Cloudflare's
	 * management service unless told not to: off, unless the config says. */
	if (!ymap_get(root, "management-diagnostics") &&
	    emit_pair(em, "management-diagnostics", "false", YAML_PLAIN_SCALAR_STYLE))
		return -1;
	return emit_pair(em, "no-autoupdate", "true", YAML_PLAIN_SCALAR_STYLE) ||
	       emit_pair(em, "metrics", c->metrics.text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static int emit_document(yaml_emitter_t *em, const struct config *c, const char *tunnel_id)
{
	yaml_event_t e;
	return emit(em, &e, yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING)) ||
	       emit(em, &e, yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1)) ||
	       emit(em, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE)) ||
	       emit_body(em, c, tunnel_id) ||
	       emit(em, &e, yaml_mapping_end_event_initialize(&e)) ||
	       emit(em, &e, yaml_document_end_event_initialize(&e, 1)) ||
	       emit(em, &e, yaml_stream_end_event_initialize(&e));
}

int render_config(const struct config *c, const char *tunnel_id, char **out, size_t *len)
{
	yaml_emitter_t em;
	struct outbuf o = { 0 };
	if (!yaml_emitter_initialize(&em))
		return EX_SOFTWARE;
	yaml_emitter_set_output(&em, write_cb, &o);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	int rc = emit_document(&em, c, tunnel_id);
	if (rc && o.too_big)
		msg_at(c->path, 0, 0, "cloudflared's config would be larger than %u MiB: aliases "
		       "are written out in full there; use fewer of them", RENDER_MAX >> 20);
	else if (rc)
		msg_at(c->path, 0, 0, "cannot render cloudflared's config: %s",
		       em.problem ? em.problem : "emitter error");
	yaml_emitter_delete(&em);
	if (rc) {
		free(o.p);
		return o.too_big ? EX_CONFIG : EX_SOFTWARE;
	}
	*out = o.p;
	*len = o.len;
	return 0;
}
