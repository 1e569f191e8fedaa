/* exec-stamp: the `cloudflared:` of bench/run.sh's health-monitor runs.
 * argoweb execs it in cloudflared's place; it tells the NOTIFY_SOCKET the
 * CLOCK_MONOTONIC time at which it started (BENCH_EXEC_US=microseconds),
 * then execs fake-cloudflared from its own directory with the same argv
 * and environment, in the same process. The fake's /ready schedule counts
 * from its own start, so "/ready turned 200 at T1" happens at
 * BENCH_EXEC_US + T1 (+ the fake's execve and dynamic loading, well under
 * a millisecond) on the same clock as the recorder's timestamps. */
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	(void)argc;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long us = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (path && *path && strlen(path) < sizeof sa.sun_path) {
		char msg[64];
		int n = snprintf(msg, sizeof msg, "BENCH_EXEC_US=%lld", us);
		memcpy(sa.sun_path, path, strlen(path));
		if (sa.sun_path[0] == '@')
			sa.sun_path[0] = 0;
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&sa,
			       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
			close(fd);
		}
	}
	char exe[PATH_MAX], fake[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return 127;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(fake, sizeof fake, "%s/fake-cloudflared", exe);
	execve(fake, argv, environ);
	perror(fake);
	return 127;
}
