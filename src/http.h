/* A minimal HTTP/1.0 client for cloudflared's loopback metrics server. */
#ifndef ARGOWEB_HTTP_H
#define ARGOWEB_HTTP_H
#include <stddef.h>

#define HTTP_MAX_RESPONSE 8192

/* GET path from addr ("127.0.0.1:20241", "[::1]:20241", "localhost:20241")
 * within timeout_ms in all (connect, send, receive). On success returns 0
 * with the status code and the body (NUL-terminated, truncated to bodylen).
 * Returns -1 when nothing answered in time or the reply is not HTTP. */
int http_get(const char *addr, const char *path, int timeout_ms, int *status,
             char *body, size_t bodylen);

/* /ready's readyConnections, or -1 when absent. */
int http_ready_connections(const char *body);

/* /quicktunnel's hostname into out (empty when none). */
void http_quick_hostname(const char *body, char *out, size_t n);

#endif
