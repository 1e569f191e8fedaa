/* http.c: the bounded GET, against a real listening socket in a child
 * process. */
#include "../../src/http.c"
#include "tap.h"
#include "why.h"

#include <signal.h>
#include <sys/wait.h>

/* Serve one connection with reply (NULL: accept and never answer) on a
 * loopback port; returns the port, *pid the server. */
static int serve_once(const char *reply, pid_t *pid)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	fflush(stdout);         /* or the child may print our buffered lines again */
	*pid = fork();
	if (*pid == 0) {
		int c = accept(fd, NULL, NULL);
		char req[512];
		ssize_t n = recv(c, req, sizeof req, 0);
		(void)n;
		if (reply)
			send(c, reply, strlen(reply), MSG_NOSIGNAL);
		else
			pause();
		_exit(0);
	}
	close(fd);
	return ntohs(sa.sin_port);
}

static void finish(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The metrics address as validation leaves it. */
static const struct hostport *addr_of(const char *text)
{
	static struct hostport hp;
	if (val_loopback_addr(text, &hp, WHY))
		printf("# %s: %s\n", text, W.why);
	return &hp;
}

static void test_get(void)
{
	char addr[64], body[256];
	int code = 0;
	pid_t pid;
	int port = serve_once("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
	                      "{\"status\":200,\"readyConnections\":4,\"connectorId\":\"x\"}", &pid);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	IS_INT(http_get(addr_of(addr), "/ready", 2000, NULL, NULL, &code, body, sizeof body), 0, "GET /ready answers");
	IS_INT(code, 200, "status code read");
	IS_STR(body, "{\"status\":200,\"readyConnections\":4,\"connectorId\":\"x\"}", "the body read");
	finish(pid);

	port = serve_once("HTTP/1.1 503 Service Unavailable\r\n\r\n{\"status\":503,\"readyConnections\":0}", &pid);
	snprintf(addr, sizeof addr, "localhost:%d", port);
	IS_INT(http_get(addr_of(addr), "/ready", 2000, NULL, NULL, &code, body, sizeof body), 0, "localhost means 127.0.0.1");
	IS_INT(code, 503, "503 read");
	finish(pid);

	port = serve_once("SSH-2.0-OpenSSH\r\n", &pid);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	IS_INT(http_get(addr_of(addr), "/ready", 2000, NULL, NULL, &code, body, sizeof body), -1, "not HTTP: refused");
	finish(pid);

	port = serve_once(NULL, &pid);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	IS_INT(http_get(addr_of(addr), "/ready", 200, NULL, NULL, &code, body, sizeof body), -1, "a silent server: gives up");
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* A hang guard, not a benchmark: the timeout is 200 ms. */
	OK(ms < 5000, "... within its timeout, not blocked (%ld ms)", ms);
	finish(pid);

	IS_INT(http_get(addr_of("127.0.0.1:1"), "/ready", 500, NULL, NULL, &code, body, sizeof body), -1, "nothing listening");
}

int main(void)
{
	test_get();
	return tap_done();
}
