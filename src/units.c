/* units: systemctl, run as a child, over the units a tunnel may run in
 * (their names: instance.h).
 * systemd does the starting and stopping; each step is a job it knows how
 * to wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instance.h"
#include "units.h"

int units_systemctl(char *out, size_t n, const char *const *args)
{
	int p[2] = { -1, -1 };
	if (out && pipe2(p, O_CLOEXEC))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (out)
			dup2(p[1], 1);
		const char *argv[12] = { "systemctl", "--no-ask-password" };
		for (int i = 0; args[i] && i < 9; i++)
			argv[i + 2] = args[i];
		execvp("systemctl", (char **)argv);
		_exit(127);
	}
	if (out) {
		close(p[1]);
		ssize_t got = pid > 0 ? read(p[0], out, n - 1) : 0;
		out[got > 0 ? got : 0] = 0;
		out[strcspn(out, "\n")] = 0;
		close(p[0]);
	}
	int st;
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) != 127 ? WEXITSTATUS(st) : -1;
}

int units_running(const struct config *c, char *unit, size_t n, char *helper, size_t hn)
{
	for (size_t i = 0; !inst_unit_kind(c->name, i, unit, n, helper, hn); i++) {
		const char *args[] = { "is-active", "--quiet", unit, NULL };
		int rc = units_systemctl(NULL, 0, args);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
	}
	return 1;
}

/* systemctl show's timespan ("3min 20s", "1min 30.500000s", "infinity")
 * in ms: 0, or -1. */
int units_timespan_ms(const char *s, long long *ms)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "us", 0.001 }, { "ms", 1 }, { "s", 1000 }, { "min", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	if (!strcmp(s, "infinity")) {
		*ms = 1LL << 62;
		return 0;
	}
	double total = 0;
	int any = 0;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		size_t len = strcspn(end, " ");
		size_t i = 0;
		while (i < sizeof units / sizeof *units &&
		       (strlen(units[i].unit) != len || strncmp(end, units[i].unit, len)))
			i++;
		if (i == sizeof units / sizeof *units)
			return -1;
		total += v * units[i].ms;
		any = 1;
		s = end + len + strspn(end + len, " ");
	}
	*ms = (long long)total;
	return any ? 0 : -1;
}

int units_stop_timeout(const struct config *c, long long *ms, char *unit, size_t n)
{
	char out[128];
	if (access("/run/systemd/system", F_OK))
		return -1;      /* no systemd running here */
	for (size_t i = 0; !inst_unit_kind(c->name, i, unit, n, NULL, 0); i++) {
		const char *load[] = { "show", "-p", "LoadState", "--value", unit, NULL };
		if (units_systemctl(out, sizeof out, load) != 0 || strcmp(out, "loaded"))
			continue;
		const char *stop[] = { "show", "-p", "TimeoutStopUSec", "--value", unit, NULL };
		return units_systemctl(out, sizeof out, stop) == 0 ? units_timespan_ms(out, ms) : -1;
	}
	return -1;
}
