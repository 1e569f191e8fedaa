/* http: one GET to cloudflared's metrics server on loopback, bounded in
 * time and size, so a slow or wedged server never stalls the caller. */
#include <arpa/inet.h>
#include <ctype.h>
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

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Only loopback forms are accepted: config validation made sure of it. */
static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(addr, ':');
	char host[64];
	if (!colon || (size_t)(colon - addr) >= sizeof host)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	int port = atoi(colon + 1);
	memset(ss, 0, sizeof *ss);
	if (!strcmp(host, "[::1]")) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = in6addr_loopback;
		*len = sizeof *s6;
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)port);
	*len = sizeof *s4;
	/* cloudflared binds "localhost" to IPv4 loopback first, as Go does. */
	return inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1", &s4->sin_addr) == 1 ? 0 : -1;
}

/* Wait for fd to be ready for events until the deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
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

static int connect_by(const char *addr, long long deadline)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_addr(addr, &ss, &len))
		return -1;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int err = 0;
	socklen_t elen = sizeof err;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	if (errno == EINPROGRESS && !wait_fd(fd, POLLOUT, deadline) &&
	    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) && err == 0)
		return fd;
	close(fd);
	return -1;
}

static ssize_t exchange(int fd, const char *req, char *buf, size_t cap, long long deadline)
{
	size_t off = 0, reqlen = strlen(req);
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
	while (got < cap - 1) {
		if (wait_fd(fd, POLLIN, deadline))
			return -1;
		ssize_t r = recv(fd, buf + got, cap - 1 - got, 0);
		if (r == 0)
			break;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		got += r > 0 ? (size_t)r : 0;
	}
	buf[got] = 0;
	return (ssize_t)got;
}

int http_get(const char *addr, const char *path, int timeout_ms, int *status,
             char *body, size_t bodylen)
{
	long long deadline = now_ms() + timeout_ms;
	char req[256], buf[HTTP_MAX_RESPONSE];
	int fd = connect_by(addr, deadline);
	if (fd < 0)
		return -1;
	snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: argoweb\r\n\r\n", path, addr);
	ssize_t n = exchange(fd, req, buf, sizeof buf, deadline);
	close(fd);
	int code;
	if (n < 12 || sscanf(buf, "HTTP/1.%*1[01] %3d", &code) != 1)
		return -1;
	*status = code;
	const char *b = strstr(buf, "\r\n\r\n");
	snprintf(body, bodylen, "%s", b ? b + 4 : "");
	return 0;
}

int http_ready_connections(const char *body)
{
	const char *k = strstr(body, "\"readyConnections\"");
	if (!k)
		return -1;
	k += strlen("\"readyConnections\"");
	while (isspace((unsigned char)*k) || *k == ':')
		k++;
	if (!isdigit((unsigned char)*k))
		return -1;
	long v = strtol(k, NULL, 10);
	return v > 1000000 ? 1000000 : (int)v;
}

void http_quick_hostname(const char *body, char *out, size_t n)
{
	const char *k = strstr(body, "\"hostname\"");
	out[0] = 0;
	if (!k || !(k = strchr(k + 10, '"')))
		return;
	size_t len = strcspn(k + 1, "\"");
	/* A hostname, nothing else: it goes into a status line. */
	if (len == 0 || len >= n || strspn(k + 1, "abcdefghijklmnopqrstuvwxyz0123456789.-") < len)
		return;
	snprintf(out, n, "%.*s", (int)len, k + 1);
}
