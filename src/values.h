/* Validators for single values, in cloudflared's (Go's) own terms. Each
 * returns 0 when valid, else -EINVAL with f saying why. */
#ifndef ARGOWEB_VALUES_H
#define ARGOWEB_VALUES_H
#include <netinet/in.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

struct fault;

int val_duration(const char *s, int64_t *ns, struct fault *f);
int val_uint(const char *s, long long max, long long *out, struct fault *f);
int val_bool(const char *s, int *out);
int val_is_null(const char *s);
int val_resolves_as_string(const char *s);
int val_uuid(const char *s);
int val_hostname(const char *s, struct fault *f);
int val_service(const char *s, struct fault *f);
/* scheme://HOST[:PORT], nothing after it; the parts into u. */
struct url {
	char scheme[16];
	char host[256];         /* without [ ] */
	unsigned port;          /* 0 when not written */
};
int val_url(const char *s, struct url *u, struct fault *f);
/* The metrics address, parsed once: what was written, and the socket
 * address to connect to. */
struct hostport {
	char text[80];
	unsigned port;
	struct sockaddr_storage sa;
	socklen_t salen;
};
int val_loopback_addr(const char *s, struct hostport *hp, struct fault *f);
int val_hostport(const char *s, struct fault *f);
int val_http_url(const char *s, struct fault *f);
int val_ip(const char *s);
int val_cidr(const char *s);
size_t val_edit_distance(const char *a, const char *b);

#endif
