/* cloudflared's stderr, relayed line by line to ours (the journal under
 * systemd) with journald's <N> priority in front, each line read for why
 * the tunnel is down. */
#ifndef ARGOWEB_RELAY_H
#define ARGOWEB_RELAY_H
#include <stddef.h>

#include "logline.h"

#define RELAY_LINE 8192         /* longer lines go on in pieces */

struct relay {
	int in, out;            /* the pipe's read end; our stderr */
	int prefix;             /* journald reads <N>: add it */
	void (*seen)(void *ctx, const struct logline *l);
	void *ctx;
	size_t have;
	int cont;               /* the buffer continues a line already begun */
	char buf[RELAY_LINE];
};

/* Relay what can be read now. Returns 1 at end of file (every line, a
 * last one without newline too, relayed), 0 otherwise. */
int relay_read(struct relay *r);

#endif
