/* monitor.c, the process side: WATCHDOG_USEC read, cloudflared's exit seen
 * through the pidfd (and without one), sd_notify loaded with dlopen and
 * reaching a socket, and no monitor without NOTIFY_SOCKET. health.c's
 * judgement has its own test. */
#include <sys/socket.h>
#include <sys/un.h>

#include "../../src/monitor.c"
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
	struct mon m = { .pidfd = (int)syscall(SYS_pidfd_open, child, 0), .main_pid = child };
	if (m.pidfd < 0 && errno == ENOSYS) {
		/* valgrind 3.19 does not know pidfd_open: the monitor then
		 * polls with kill(), tested below. */
		OK(1, "exit seen through a pidfd # SKIP no pidfd_open here (valgrind?)");
	} else {
		OK(m.pidfd >= 0, "a pidfd on the child");
		IS_INT(main_exited(&m, os_now_ms() + 20), 0, "alive: not exited after 20 ms");
		long long t0 = os_now_ms();
		IS_INT(main_exited(&m, os_now_ms() + 5000), 1, "exit seen");
		OK(os_now_ms() - t0 < 2000, "... as it happens, not at the deadline");
		close(m.pidfd);
	}
	waitpid(child, NULL, 0);

	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	struct mon old = { .pidfd = -1, .main_pid = child };
	IS_INT(main_exited(&old, os_now_ms() + 10), 1, "without a pidfd: kill(pid, 0) sees it gone");
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
	test_notify();
	test_no_socket();
	return tap_done();
}
