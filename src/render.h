/* cloudflared's config.yml from a validated argoweb config. */
#ifndef ARGOWEB_RENDER_H
#define ARGOWEB_RENDER_H
#include <stddef.h>

#include "config.h"

/* Emit into a new buffer (*out, NUL-terminated). tunnel_id, when not NULL,
 * becomes the tunnel: key. Holds no secret and no credential path. */
int render_config(const struct config *c, const char *tunnel_id, char **out, size_t *len);

#endif
