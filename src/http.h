/* A minimal HTTP/1.0 client for cloudflared's loopback metrics server. */
#ifndef ARGOWEB_HTTP_H
#define ARGOWEB_HTTP_H
#include <stddef.h>

#include "values.h"

#define HTTP_MAX_RESPONSE 8192

/* Called once connected, before anything is sent, with the connected
 * socket: nonzero and nothing is asked (the GET returns -2). */
typedef int (*http_vet)(int fd, void *ctx);

/* GET path from hp within timeout_ms in all (connect, send, receive),
 * the connection first vetted by vet (when not NULL). On success returns 0
 * with the status code and the body (NUL-terminated, truncated to
 * bodylen). Returns -1 when nothing answered in time or the reply is not
 * HTTP, -2 when vet refused the connection. */
int http_get(const struct hostport *hp, const char *path, int timeout_ms, http_vet vet, void *ctx,
             int *status, char *body, size_t bodylen);

/* The same for a body of any size up to max: *body (NUL-terminated, len
 * bytes before the NUL) is the caller's to free. -1 also when larger. */
int http_get_alloc(const struct hostport *hp, const char *path, int timeout_ms, size_t max,
                   http_vet vet, void *ctx, int *status, char **body, size_t *len);

#endif
