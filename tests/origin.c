/* A tiny HTTP origin for the real-connector tests: it answers every
 * request with its own name, the method and the path, so a test can tell
 * which origin (which ingress rule) a request reached.
 *   GET /slow?s=N    answers after N seconds (at most 60): a request in
 *                    flight across a restart
 *   GET /status/NNN  answers with status NNN
 * Each request is logged to stdout as "NAME METHOD PATH". One process per
 * connection, HTTP/1.1 with Connection: close.
 * Usage: origin ADDR PORT NAME [SECONDS] (default 600). Needs only libc. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(const char *addr, const char *port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((unsigned short)atoi(port)) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = s6.sin6_port };
	int v6 = inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1;
	if (!v6 && inet_pton(AF_INET, addr, &s4.sin_addr) != 1)
		return -1;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, v6 ? (struct sockaddr *)&s6 : (struct sockaddr *)&s4,
	                   v6 ? sizeof s6 : sizeof s4) || listen(fd, 128))
		return -1;
	return fd;
}

/* The request head, and as much of a body as Content-Length announces
 * (read and dropped, so the peer never sees a reset). */
static int read_request(int fd, char *head, size_t cap)
{
	size_t got = 0;
	char *end = NULL;
	while (!end && got < cap - 1) {
		ssize_t r = read(fd, head + got, cap - 1 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
		head[got] = 0;
		end = strstr(head, "\r\n\r\n");
	}
	if (!end)
		return -1;
	const char *cl = strcasestr(head, "\r\ncontent-length:");
	long body = cl ? strtol(cl + 17, NULL, 10) : 0;
	body -= (long)(got - (size_t)(end + 4 - head));
	char sink[4096];
	while (body > 0) {
		ssize_t r = read(fd, sink, sizeof sink);
		if (r <= 0)
			break;
		body -= r;
	}
	*end = 0;
	return 0;
}

static void serve(int fd, const char *name)
{
	char head[16384], method[16] = "", path[2048] = "", body[4096], out[8192];
	int status = 200;
	if (read_request(fd, head, sizeof head) ||
	    sscanf(head, "%15s %2047s", method, path) != 2)
		return;
	printf("%s %s %s\n", name, method, path);
	fflush(stdout);
	if (!strncmp(path, "/slow?s=", 8)) {
		int s = atoi(path + 8);
		sleep((unsigned)(s < 0 ? 0 : s > 60 ? 60 : s));
	} else if (!strncmp(path, "/status/", 8)) {
		status = atoi(path + 8);
		if (status < 100 || status > 599)
			status = 400;
	}
	int blen = snprintf(body, sizeof body, "%s %s %s\n", name, method, path);
	int n = snprintf(out, sizeof out, "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
	                 "X-Origin: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
	                 status, name, blen, body);
	if (n > 0 && write(fd, out, (size_t)n) < 0)
		perror("origin: write");
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: origin ADDR PORT NAME [SECONDS]\n");
		return 64;
	}
	int lfd = listen_on(argv[1], argv[2]);
	if (lfd < 0) {
		perror("origin");
		return 71;
	}
	signal(SIGCHLD, SIG_IGN);       /* connections' processes reap themselves */
	alarm((unsigned)(argc > 4 ? atoi(argv[4]) : 600));
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			alarm(120);
			serve(fd, argv[3]);
			shutdown(fd, SHUT_WR);
			_exit(0);
		}
		close(fd);
	}
}
