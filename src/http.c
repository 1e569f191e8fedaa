/* http: one GET to cloudflared's metrics server on loopback, bounded in
 * time and size, so a slow or wedged server never stalls the caller. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "msg.h"
#include "osutil.h"

/* Wait for fd to be ready for events until the deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - os_now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int connect_to(const struct hostport *hp, long long deadline)
{
	int fd = socket(hp->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int err = 0;
	socklen_t elen = sizeof err;
	if (connect(fd, (const struct sockaddr *)&hp->sa, hp->salen) == 0)
		return fd;
	if (errno == EINPROGRESS && !wait_fd(fd, POLLOUT, deadline) &&
	    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) && err == 0)
		return fd;
	close(fd);
	return -1;
}

/* Send req, then read the answer to EOF into *buf (grown as needed, at
 * most max bytes): its length, or -1. */
static ssize_t exchange(int fd, const char *req, char **buf, size_t max, long long deadline)
{
	size_t off = 0, reqlen = strlen(req), cap = 0;
	while (off < reqlen) {
		if (wait_fd(fd, POLLOUT, deadline))
			return -1;
		ssize_t w = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		off += w > 0 ? (size_t)w : 0;
	}
	/* HTTP/1.0: the server closes when done; read to EOF, bounded. */
	size_t got = 0;
	for (;;) {
		if (got + 1 >= cap) {
			if (cap > max)
				break;
			cap = cap ? cap * 2 : 8192;
			*buf = xrealloc(*buf, cap + 1);
		}
		if (wait_fd(fd, POLLIN, deadline))
			return -1;
		ssize_t r = recv(fd, *buf + got, cap - got, 0);
		if (r == 0)
			break;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		got += r > 0 ? (size_t)r : 0;
	}
	(*buf)[got] = 0;
	return (ssize_t)got;
}

/* The status and where the body starts, or -1 when not HTTP. */
static int parse(const char *buf, ssize_t n, int *status, const char **body)
{
	int code;
	if (n < 12 || sscanf(buf, "HTTP/1.%*1[01] %3d", &code) != 1)
		return -1;
	*status = code;
	const char *b = strstr(buf, "\r\n\r\n");
	*body = b ? b + 4 : buf + n;
	return 0;
}

static ssize_t get(const struct hostport *hp, const char *path, int timeout_ms, http_vet vet,
                   void *ctx, char **buf, size_t max)
{
	long long deadline = os_now_ms() + timeout_ms;
	char req[256];
	int fd = connect_to(hp, deadline);
	if (fd < 0)
		return -1;
	if (vet && vet(fd, ctx)) {
		close(fd);
		return -2;
	}
	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: argoweb\r\n\r\n", path, hp->text);
	ssize_t n = exchange(fd, req, buf, max, deadline);
	close(fd);
	return n;
}

int http_get(const struct hostport *hp, const char *path, int timeout_ms, http_vet vet, void *ctx,
             int *status, char *body, size_t bodylen)
{
	char *buf = NULL;
	const char *b = NULL;
	ssize_t n = get(hp, path, timeout_ms, vet, ctx, &buf, HTTP_MAX_RESPONSE);
	int rc = n < 0 ? (int)n : parse(buf, n, status, &b);
	if (!rc)
		snprintf(body, bodylen, "%s", b);
	free(buf);
	return rc;
}

int http_get_alloc(const struct hostport *hp, const char *path, int timeout_ms, size_t max,
                   http_vet vet, void *ctx, int *status, char **body, size_t *len)
{
	char *buf = NULL;
	const char *b;
	ssize_t n = get(hp, path, timeout_ms, vet, ctx, &buf, max + 1024);
	if (n < 0 || parse(buf, n, status, &b) || (size_t)(buf + n - b) > max) {
		free(buf);
		return n == -2 ? -2 : -1;
	}
	*len = (size_t)(buf + n - b);
	memmove(buf, b, *len + 1);
	*body = buf;
	return 0;
}
