/* cloudflared's stderr, relayed line by line to ours (the journal under
 * systemd) with journald's <N> priority in front, each line read for why
 * the tunnel is down. A line longer than RELAY_LINE goes on as several,
 * each with the line's priority. */
#ifndef ARGOWEB_RELAY_H
#define ARGOWEB_RELAY_H
#include <stddef.h>

#include "logline.h"

#define RELAY_LINE 8192         /* longer lines go on in pieces */
#define RELAY_PENDING 65536     /* what of cloudflared's may wait for a journal behind */
#define RELAY_OWN 16384         /* and room beyond it kept for argoweb's own lines */

struct relay {
	int in, out;            /* the pipe's read end; our stderr */
	int prefix;             /* journald reads <N>: add it */
	void (*seen)(void *ctx, const struct logline *l);
	void *ctx;
	size_t have;
	int cont;               /* the buffer continues a line already begun */
	int prio;               /* that line's priority */
	char buf[RELAY_LINE];
	/* The way out. */
	int sock;               /* out is a socket: MSG_DONTWAIT */
	int gone;               /* out failed: nothing more is written */
	unsigned long dropped;  /* lines dropped, not yet said */
	size_t npend;
	char pend[RELAY_PENDING + RELAY_OWN];
	char name[64];          /* the tunnel's, for the line that says so */
};

/* Ready to relay from in to out; name is the tunnel's. */
void relay_init(struct relay *r, int in, int out, int prefix, const char *name);

/* Relay what can be read now, never waiting to write (see relay.c).
 * Returns 1 at end of file (every line, a last one without newline too,
 * relayed or counted), 0 otherwise. */
int relay_read(struct relay *r);

/* One of argoweb's own lines (s, n bytes, its newline included): behind
 * whatever waits, so that it never lands inside a line of cloudflared's
 * that the journal has only half taken (it would then read what follows
 * as a line start of cloudflared's choosing). It may use RELAY_OWN beyond
 * what cloudflared's lines may fill: a flood of those cannot crowd out
 * argoweb's own. */
void relay_say(struct relay *r, const char *s, size_t n);

/* Write what waits, as far as out takes it now. */
void relay_flush(struct relay *r);

#endif
