/* What cloudflared's metrics server says about the tunnel: /ready and,
 * for a quick tunnel, /quicktunnel. Read by `argoweb status` and by the
 * health monitor alike. */
#ifndef ARGOWEB_READY_H
#define ARGOWEB_READY_H
#include "values.h"

struct ready {
	int answered;           /* an HTTP answer came at all */
	int connections;        /* readyConnections of a 200 answer, else 0 */
	char quick[256];        /* a quick tunnel's hostname, when asked and known */
};

/* Ask /ready (and /quicktunnel when want_quick and connected), each within
 * timeout_ms. */
void ready_probe(const struct hostport *metrics, int timeout_ms, int want_quick, struct ready *r);

/* The parsers, for the tests: /ready's readyConnections (-1 when not a
 * count), /quicktunnel's hostname into out (empty unless a plain name). */
int ready_connections(const char *body);
void ready_quick_hostname(const char *body, char *out, size_t n);

#endif
