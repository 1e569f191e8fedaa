/* What cloudflared's metrics server says about the tunnel: /ready and,
 * for a quick tunnel, /quicktunnel. Read by `argoweb status` and by the
 * health monitor alike. */
#ifndef ARGOWEB_READY_H
#define ARGOWEB_READY_H
#include <stddef.h>
#include <sys/types.h>

#include "msg.h"
#include "values.h"

struct ready {
	int answered;           /* an HTTP answer came at all */
	int connections;        /* readyConnections of a 200 answer, else 0 */
	char quick[256];        /* a quick tunnel's hostname, when asked and known */
	/* Why the answer was not believed (connections is then 0), e.g.
	 * "something else answers on ADDR: a socket of uid N, not USER's;
	 * not trusting it"; empty when it was, or nothing answered. */
	struct fault distrust;
};

/* Ask /ready (and /quicktunnel when want_quick and connected), each within
 * timeout_ms, and believe the answer only when the socket that takes the
 * connection (the far end of it, per the kernel's table) is uid's (the
 * service user, named user in messages): any local user may bind a free
 * metrics address and answer for cloudflared. */
void ready_probe(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
                 int want_quick, struct ready *r);

/* readyConnections now, 0 when nothing answers or the answer is not
 * believed (ready_probe's rule). */
int ready_count(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms);

/* Poll every 200 ms until want connections (at most ms): the number last
 * seen. Enough for the edge to spread new requests over all of a new
 * connector's connections before an old one stops. */
int ready_wait(const struct hostport *metrics, uid_t uid, const char *user, int want, long long ms);

/* GET path (/config, /metrics; its body, at most max bytes: *body, the
 * caller's to free) under the same rule: 0, or -EIO when nothing answered
 * with 200 or it was too large, -EPERM when the socket was not believed
 * (distrust says why). */
int ready_get(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
              const char *path, size_t max, char **body, size_t *len, struct fault *distrust);

/* From /metrics: how many registrations cloudflared saw the edge refuse
 * (cloudflared_tunnel_tunnel_register_fail, error server_error, in
 * 2023.7.3 and 2026.8.2 alike), or -1 when it does not say. */
long long ready_refusals(const char *body);

/* The parsers, for the tests: /ready's readyConnections (-1 when not a
 * count), /quicktunnel's hostname into out (empty unless a plain name). */
int ready_connections(const char *body);
void ready_quick_hostname(const char *body, char *out, size_t n);

#endif
