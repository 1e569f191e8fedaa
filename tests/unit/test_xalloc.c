/* xalloc.c: allocation that succeeds, or says so and exits 71. */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/xalloc.c"
#include "tap.h"

static void test_ok(void)
{
	char *p = xmalloc(0);
	OK(p != NULL, "xmalloc(0): a valid pointer");
	free(p);
	p = xcalloc(0, 0);
	OK(p != NULL, "xcalloc(0, 0): a valid pointer");
	p = xrealloc(p, 16);
	OK(p != NULL, "xrealloc");
	free(p);
	p = xstrndup("abcdef", 3);
	IS_STR(p, "abc", "xstrndup");
	free(p);
	p = xstrdup("x");
	IS_STR(p, "x", "xstrdup");
	free(p);
}

static void test_oom(void)
{
	int fd[2];
	if (pipe(fd)) {
		OK(1, "out of memory # SKIP no pipe");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 2);
		struct rlimit r = { 64u << 20, 64u << 20 };
		setrlimit(RLIMIT_AS, &r);
		xmalloc((size_t)1 << 40);
		_exit(0);
	}
	close(fd[1]);
	char buf[128] = "";
	ssize_t n = read(fd[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	OK(WIFEXITED(st) && WEXITSTATUS(st) == EX_OSERR, "out of memory: exit 71 (EX_OSERR)");
	IS_STR(buf, "argoweb: out of memory\n", "... saying so");
}

/* valgrind and ASan take their own memory, and ASan answers a huge
 * malloc with a report of its own: the exit path is the normal run's. */
static const char *oom_untestable(void)
{
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, "vgpreload"))
		return "under valgrind";
#if defined(__SANITIZE_ADDRESS__)
	return "under AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return "under AddressSanitizer";
#endif
#endif
	return NULL;
}

int main(void)
{
	test_ok();
	if (oom_untestable())
		OK(1, "out of memory # SKIP %s", oom_untestable());
	else
		test_oom();
	return tap_done();
}
