/* osutil.c: the monotonic clock, and closing every inherited descriptor
 * but one, above 1024 too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "../../src/osutil.c"
#include "tap.h"

static void test_clock(void)
{
	long long a = os_now_ms(), b = os_now_ms();
	OK(a > 0 && b >= a, "monotonic milliseconds (%lld, %lld)", a, b);
}

/* In a child: open fds 5, 7, 1500 and 4000 (when the limit allows), keep
 * `keep`, report through the exit status which survived (bit 0: 5, 1: 7,
 * 2: 1500, 3: 4000, 4: stdout). */
static int survivors_of(const int *keep, int n)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fds[] = { 5, 7, 1500, 4000 };
		struct rlimit r;
		if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < 4096 && r.rlim_max >= 4096) {
			r.rlim_cur = 4096;
			setrlimit(RLIMIT_NOFILE, &r);
		}
		for (int i = 0; i < 4; i++)
			if (dup2(0, fds[i]) < 0)
				_exit(99);      /* cannot set the case up */
		if (n == 1)
			os_close_fds(keep[0]);
		else
			os_close_fds_except(keep, n);
		int alive = 0;
		for (int i = 0; i < 4; i++)
			alive |= (fcntl(fds[i], F_GETFD) != -1) << i;
		alive |= (fcntl(1, F_GETFD) != -1) << 4;
		_exit(alive);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int survivors(int keep)
{
	return survivors_of(&keep, 1);
}

static void test_close(void)
{
	if (survivors(-1) == 99) {
		OK(1, "closing descriptors # SKIP cannot open fd 4000 (RLIMIT_NOFILE)");
		return;
	}
	IS_INT(survivors(-1), 1 << 4, "keep none: 5, 7, 1500, 4000 closed; stdio kept");
	IS_INT(survivors(1500), 1 << 2 | 1 << 4, "keep 1500: only it and stdio");
	IS_INT(survivors(5), 1 << 0 | 1 << 4, "keep 5 (just above stdio)");
	IS_INT(survivors(3), 1 << 4, "keep 3 (closed anyway: not open)");
	int two[] = { 1500, 5 }, three[] = { 7, 4000, 7 };
	IS_INT(survivors_of(two, 2), 1 << 0 | 1 << 2 | 1 << 4, "keep 1500 and 5, in that order");
	IS_INT(survivors_of(three, 3), 1 << 1 | 1 << 3 | 1 << 4, "keep 7, 4000 and 7 again");
	IS_INT(survivors_of(NULL, 0), 1 << 4, "keep nothing");
}

int main(void)
{
	test_clock();
	test_close();
	return tap_done();
}
