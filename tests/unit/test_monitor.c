/* monitor.c, the process side: WATCHDOG_USEC read, cloudflared's exit seen
 * through the pidfd (and without one), sd_notify loaded with dlopen and
 * reaching a socket, and no monitor without NOTIFY_SOCKET. health.c's
 * judgement has its own test. */
#include "../../src/monitor.c"

#include <sys/socket.h>
#include <sys/un.h>
#include "tap.h"

static void test_watchdog_ms(void)
{
	unsetenv("WATCHDOG_USEC");
	IS_INT(watchdog_ms(), 0, "no WATCHDOG_USEC: no pings");
	setenv("WATCHDOG_USEC", "30000000", 1);
	IS_INT(watchdog_ms(), 7500, "30 s: ping every 7.5 s (a quarter)");
	setenv("WATCHDOG_USEC", "2000", 1);
	IS_INT(watchdog_ms(), 1, "2 ms: every 1 ms at least");
	setenv("WATCHDOG_USEC", "garbage", 1);
	IS_INT(watchdog_ms(), 0, "garbage: no pings");
	unsetenv("WATCHDOG_USEC");
}

static void test_exit_seen(void)
{
	pid_t child = fork();
	if (child == 0) {
		usleep(150000);
		_exit(0);
	}
	struct mon m = { .pidfd = (int)syscall(SYS_pidfd_open, child, 0), .main_pid = child,
	                 .r = { .in = -1 } };
	if (m.pidfd < 0 && errno == ENOSYS) {
		/* valgrind 3.19 does not know pidfd_open: the monitor then
		 * polls with kill(), tested below. */
		OK(1, "exit seen through a pidfd # SKIP no pidfd_open here (valgrind?)");
	} else {
		OK(m.pidfd >= 0, "a pidfd on the child");
		IS_INT(wait_until(&m, os_now_ms() + 20), 0, "alive: not exited after 20 ms");
		long long t0 = os_now_ms();
		IS_INT(wait_until(&m, os_now_ms() + 5000), 1, "exit seen");
		OK(os_now_ms() - t0 < 2000, "... as it happens, not at the deadline");
		close(m.pidfd);
	}
	waitpid(child, NULL, 0);

	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	struct mon old = { .pidfd = -1, .main_pid = child, .r = { .in = -1 } };
	IS_INT(wait_until(&old, os_now_ms() + 10), 1, "without a pidfd: kill(pid, 0) sees it gone");
}

/* cloudflared's last lines, written just before it exits, are relayed
 * before the monitor leaves: none lost. */
static void test_relay_to_the_end(void)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out)) {
		OK(0, "pipes: %s", strerror(errno));
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		close(in[0]);
		for (int i = 0; i < 2000; i++)
			dprintf(in[1], "2026-12-03T09:00:00Z %s line %d\n", i % 2 ? "ERR" : "INF", i);
		dprintf(in[1], "<0>forged emergency\n<3>argoweb: web: its own error\n");
		dprintf(in[1], "no newline at the end");
		_exit(0);
	}
	close(in[1]);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	struct mon m = { .pidfd = (int)syscall(SYS_pidfd_open, child, 0), .main_pid = child,
	                 .r = { .in = in[0], .out = out[1], .prefix = 1 } };
	m.r.ctx = &m;
	m.r.seen = seen;
	fcntl(out[0], F_SETPIPE_SZ, 1 << 20);
	IS_INT(wait_until(&m, os_now_ms() + 10000), 1, "relay: the exit seen");
	OK(m.r.in == -1, "relay: read to the end of the pipe");
	close(out[1]);
	static char got[1 << 20];
	size_t n = 0;
	ssize_t r;
	while ((r = read(out[0], got + n, sizeof got - 1 - n)) > 0)
		n += (size_t)r;
	got[n] = 0;
	int lines = 0, errs = 0;
	for (char *p = got; (p = strchr(p, '\n')); p++)
		lines++;
	for (char *p = got; (p = strstr(p, "<3>2026")); p++)
		errs++;
	IS_INT(lines, 2003, "relay: 2002 lines and the last, each once");
	OK(strstr(got, "\n<6><0>forged emergency\n") != NULL, "relay: a line's own <0> is text, at info");
	OK(strstr(got, "\n<6><3>argoweb: web: its own error\n") != NULL,
	   "relay: a line that looks like argoweb's own is cloudflared's text, at info (argoweb writes its own apart)");
	IS_INT(errs, 1000, "relay: the ERR ones as priority 3");
	OK(n > 25 && !strcmp(got + n - 25, "<6>no newline at the end\n"),
	   "relay: the last, unfinished one too (ended for the journal)");
	OK(strstr(got, "<6>2026-12-03T09:00:00Z INF line 1998\n") != NULL, "relay: INF as priority 6");
	OK(strstr(got, "<6>no newline at the end") != NULL, "relay: a line with no level: info");
	close(out[0]);
	if (m.pidfd >= 0)
		close(m.pidfd);
	waitpid(child, NULL, 0);
}

static void test_notify(void)
{
	char path[108];
	snprintf(path, sizeof path, "/run/argoweb-test-monitor.%d.sock", (int)getpid());
	if (getuid() != 0)
		snprintf(path, sizeof path, "%s/.argoweb-test-monitor.%d.sock", getenv("HOME") ? getenv("HOME") : ".",
		         (int)getpid());
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		OK(1, "sd_notify # SKIP cannot bind %s", path);
		return;
	}
	void *lib = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	struct mon m = { .notify = lib ? (sd_notify_fn)(uintptr_t)dlsym(lib, "sd_notify") : NULL };
	OK(m.notify != NULL, "sd_notify found in %s", LIBSYSTEMD);
	if (m.notify) {
		setenv("NOTIFY_SOCKET", path, 1);
		send_notify(&m, "STATUS=hello\nREADY=1");
		unsetenv("NOTIFY_SOCKET");
		char buf[128] = "";
		ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
		buf[n > 0 ? n : 0] = 0;
		IS_STR(buf, "STATUS=hello\nREADY=1", "the message reached NOTIFY_SOCKET");
	}
	close(fd);
	unlink(path);
	if (lib)
		dlclose(lib);
}

static void test_no_socket(void)
{
	struct config c = { 0 };
	struct secret s = { 0 };
	unsetenv("NOTIFY_SOCKET");
	msg_journal = 0;
	IS_INT(mon_start(&c, &s), 0, "no NOTIFY_SOCKET: nothing to do");
	setenv("NOTIFY_SOCKET", "", 1);
	IS_INT(mon_start(&c, &s), 0, "an empty one: nothing either");
	unsetenv("NOTIFY_SOCKET");
	IS_INT(waitpid(-1, NULL, WNOHANG), -1, "... and no child was forked");
}

int main(void)
{
	test_watchdog_ms();
	test_exit_seen();
	test_relay_to_the_end();
	test_notify();
	test_no_socket();
	return tap_done();
}
