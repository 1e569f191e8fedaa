/* A stand-in for systemd's notification socket: records every datagram
 * with the sender's PID and UID (SO_PASSCRED, as systemd reads them) and
 * the time since start, one line each ('\n' inside a message becomes '|'):
 *   MS pid=PID uid=UID MESSAGE
 * Usage: notify-recorder SOCKET LOG [SECONDS] (default 60). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: notify-recorder SOCKET LOG [SECONDS]\n");
		return 64;
	}
	long long start = now_ms(), end = start + 1000LL * (argc > 3 ? atoi(argv[3]) : 60);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) || chmod(argv[1], 0777)) {
		perror("notify-recorder");
		return 71;
	}
	FILE *log = fopen(argv[2], "a");
	if (!log) {
		perror(argv[2]);
		return 73;
	}
	signal(SIGTERM, SIG_DFL);
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		char buf[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = { buf, sizeof buf - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		                     .msg_controllen = sizeof cbuf };
		ssize_t n = recvmsg(fd, &mh, 0);
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
		fprintf(log, "%lld pid=%ld uid=%ld %s\n", now_ms() - start, (long)cred.pid,
		        (long)cred.uid, buf);
		fflush(log);
	}
	unlink(argv[1]);
	return 0;
}
