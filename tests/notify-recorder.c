/* A stand-in for systemd's notification socket: records every datagram
 * with the sender's PID and UID (SO_PASSCRED, as systemd reads them) and
 * its arrival time, one line each ('\n' inside a message becomes '|'):
 *   TIME pid=PID uid=UID MESSAGE
 * TIME is milliseconds since the recorder started; with -u the
 * CLOCK_MONOTONIC time in microseconds, so that several processes' events
 * share one clock (bench/monitor.sh); with -w the wall clock in
 * milliseconds, to set beside a shell's `date +%s%3N` and cf-edge's events.
 * Usage: notify-recorder [-u|-w] SOCKET LOG [SECONDS] (default 60). Exits
 * after SECONDS or on SIGTERM/SIGINT. Needs only libc. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

enum clock { SINCE_START, MONOTONIC_US, WALL_MS };

static int bind_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1;
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "notify-recorder: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(path);
	/* 0777: the service user sends to it after the privilege drop. */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) || chmod(path, 0777)) {
		perror("notify-recorder");
		return -1;
	}
	return fd;
}

static void log_one(int fd, FILE *log, enum clock clk, long long start)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
	                     .msg_controllen = sizeof cbuf };
	ssize_t n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return;
	long long t = clk == MONOTONIC_US ? now_us() : clk == WALL_MS ? wall_ms()
	            : (now_us() - start) / 1000;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
	struct ucred cred = { 0 };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_CREDENTIALS)
		memcpy(&cred, CMSG_DATA(cm), sizeof cred);
	fprintf(log, "%lld pid=%ld uid=%ld %s\n", t, (long)cred.pid, (long)cred.uid, buf);
	fflush(log);
}

int main(int argc, char **argv)
{
	enum clock clk = SINCE_START;
	if (argc > 1 && (!strcmp(argv[1], "-u") || !strcmp(argv[1], "-w"))) {
		clk = argv[1][1] == 'u' ? MONOTONIC_US : WALL_MS;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: notify-recorder [-u|-w] SOCKET LOG [SECONDS]\n");
		return 64;
	}
	long long start = now_us(), end = start + 1000000LL * (argc > 3 ? atoi(argv[3]) : 60);
	int fd = bind_socket(argv[1]);
	if (fd < 0)
		return 71;
	FILE *log = fopen(argv[2], "a");
	if (!log) {
		perror(argv[2]);
		return 73;
	}
	struct sigaction act = { .sa_handler = on_term };
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	while (!stop && now_us() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) > 0)
			log_one(fd, log, clk, start);
	}
	unlink(argv[1]);
	fclose(log);
	return 0;
}
