/* exec-stamp: the `cloudflared:` of bench/run.sh's health-monitor runs.
 * argoweb execs it in cloudflared's place; it tells the recorder's socket
 * (named in notify.path beside it: argoweb gives cloudflared no
 * NOTIFY_SOCKET) the CLOCK_MONOTONIC time at which it started
 * (BENCH_EXEC_US=microseconds),
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
	char exe[PATH_MAX], fake[PATH_MAX + 32], path[sizeof ((struct sockaddr_un *)0)->sun_path] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return 127;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(fake, sizeof fake, "%s/notify.path", exe);
	FILE *f = fopen(fake, "r");
	if (f) {
		if (!fgets(path, sizeof path, f))
			path[0] = 0;
		fclose(f);
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (*path && strlen(path) < sizeof sa.sun_path) {
		char msg[64];
		int m = snprintf(msg, sizeof msg, "BENCH_EXEC_US=%lld", us);
		memcpy(sa.sun_path, path, strlen(path));
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0) {
			sendto(fd, msg, (size_t)m, 0, (struct sockaddr *)&sa,
			       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)));
			close(fd);
		}
	}
	snprintf(fake, sizeof fake, "%s/fake-cloudflared", exe);
	execve(fake, argv, environ);
	perror(fake);
	return 127;
}
