/* notify-clock: tests/notify-recorder with an absolute clock, for the
 * health-monitor part of bench/run.sh. A datagram socket standing in for
 * systemd's NOTIFY_SOCKET that logs every message with the sender's PID
 * and UID (SO_PASSCRED, as systemd reads them) and the CLOCK_MONOTONIC
 * time of its arrival in microseconds, so that several processes' events
 * share one clock ('\n' inside a message becomes '|'):
 *   US pid=PID uid=UID MESSAGE
 * Usage: notify-clock SOCKET LOG SECONDS. Exits after SECONDS or on
 * SIGTERM. Needs only libc. */
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

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: notify-clock SOCKET LOG SECONDS\n");
		return 64;
	}
	long long end = now_us() + 1000000LL * atoi(argv[3]);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "notify-clock: socket path too long: %s\n", argv[1]);
		return 64;
	}
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) || chmod(argv[1], 0777)) {
		perror("notify-clock");
		return 71;
	}
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
		if (poll(&p, 1, 100) <= 0)
			continue;
		char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = { buf, sizeof buf - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		                     .msg_controllen = sizeof cbuf };
		ssize_t n = recvmsg(fd, &mh, 0);
		long long t = now_us();
		if (n < 0)
			continue;
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
	unlink(argv[1]);
	return 0;
}
