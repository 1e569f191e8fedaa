/* render: cloudflared's config.yml, emitted event by event with libyaml's
 * emitter from the validated tree, never pasted together as text, so no
 * value can change the document's structure. */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "render.h"
#include "schema.h"
#include "yemit.h"

/* Aliases are written out in full when rendered: a 200 KB config of
 * aliases once became a 31.6 MB config.yml. Far above any real tunnel's. */
#define RENDER_MAX (16u << 20)

/* Our keys first (tunnel), then the user's in their order, then what we
 * pin. The default we add goes right after the user's keys, where a
 * rendering read back as a config has it: rendering that changes nothing. */
static int emit_body(struct yemit *y, const struct config *c, const char *tunnel_id)
{
	const struct ynode *root = c->tree.root;
	if (tunnel_id && yemit_pair(y, "tunnel", tunnel_id, YAML_DOUBLE_QUOTED_SCALAR_STYLE))
		return -1;
	for (size_t i = 0; i < root->n; i += 2) {
		const struct key *k = schema_find(k_top, root->kid[i]->str);
		if ((k && (k->flags & KF_OWN)) || schema_is_extension(root->kid[i]->str) ||
		    root->kid[i]->omit)
			continue;
		if (yemit_str(y, root->kid[i]->str, root->kid[i]->len, YAML_ANY_SCALAR_STYLE) ||
		    yemit_node(y, root->kid[i + 1]))
			return -1;
	}
	/* cloudflared 2024.2 and later open /metrics and pprof to Cloudflare's
	 * management service unless told not to: off, unless the config says. */
	if (!ymap_get(root, "management-diagnostics") &&
	    yemit_pair(y, "management-diagnostics", "false", YAML_PLAIN_SCALAR_STYLE))
		return -1;
	return yemit_pair(y, "no-autoupdate", "true", YAML_PLAIN_SCALAR_STYLE) ||
	       yemit_pair(y, "metrics", c->metrics.text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

int render_config(const struct config *c, const char *tunnel_id, char **out, size_t *len)
{
	struct yemit y;
	int rc = yemit_begin(&y, RENDER_MAX) || emit_body(&y, c, tunnel_id);
	if (!rc && yemit_end(&y, out, len) == 0)
		return 0;
	if (y.too_big)
		msg_at(c->path, 0, 0, "cloudflared's config would be larger than %u MiB: aliases "
		       "are written out in full there; use fewer of them", RENDER_MAX >> 20);
	else
		msg_at(c->path, 0, 0, "cannot render cloudflared's config: %s",
		       y.em.problem ? y.em.problem : "emitter error");
	if (rc)
		yemit_abort(&y);
	return y.too_big ? EX_CONFIG : EX_SOFTWARE;
}
