/* handover (ho_): argoweb restart. The edge sends each request to a
 * registered connection of the tunnel, whichever connector holds it, and a
 * connector that gets SIGTERM unregisters first and then finishes what it
 * serves. So: a second connector (argoweb-handover@NAME, the same sandbox)
 * registered before the tunnel's unit is restarted, and retired only once
 * the unit is back. systemd does the starting and stopping, through
 * systemctl: each step is a job it knows how to wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handover.h"
#include "msg.h"
#include "osutil.h"
#include "ready.h"

/* Enough for the edge to spread new requests over all of them. */
#define FULL_WAIT_MS 10000

/* systemctl ARGS..., its first line of output into out (when given).
 * Returns its exit status, or -1 when it could not be run. */
static int systemctl(char *out, size_t n, const char *const *args)
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

static int sc(const char *verb, const char *unit)
{
	const char *args[] = { verb, unit, NULL };
	return systemctl(NULL, 0, args);
}

static void status_text(const char *unit, char *out, size_t n)
{
	const char *args[] = { "show", "-p", "StatusText", "--value", unit, NULL };
	if (systemctl(out, n, args) != 0 || !out[0])
		snprintf(out, n, "no status");
}

static int connections(const struct hostport *hp, const struct ids *ids)
{
	struct ready r = { 0 };
	ready_probe(hp, ids->uid, ids->user, 2000, 0, &r);
	return r.distrust[0] ? 0 : r.connections;
}

/* Poll until `want` connections (at most ms): the number last seen. */
static int wait_full(const struct hostport *hp, const struct ids *ids, int want, long long ms)
{
	long long end = os_now_ms() + ms;
	int n;
	while ((n = connections(hp, ids)) < want && os_now_ms() < end)
		usleep(200000);
	return n;
}

void ho_metrics(const struct config *c, struct hostport *hp)
{
	struct config h = *c;
	cfg_handover(&h);
	*hp = h.metrics;
}

/* Which unit runs the tunnel, and its hand-over connector's: argoweb@NAME,
 * argoweb-active@NAME on an active/standby node, or NixOS's argoweb-NAME
 * (whose hand-over connector the module defines beside it). */
static int running_unit(const struct config *c, char *unit, size_t n, char *helper, size_t hn)
{
	/* prefix, separator of the main unit; the hand-over connector's */
	static const char *const kinds[][3] = {
		{ "argoweb", "@", "argoweb-handover@" },
		{ "argoweb-active", "@", "argoweb-handover@" },
		{ "argoweb", "-", "argoweb-handover-" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		snprintf(unit, n, "%s%s%s.service", kinds[i][0], kinds[i][1], c->name);
		snprintf(helper, hn, "%s%s.service", kinds[i][2], c->name);
		const char *args[] = { "is-active", "--quiet", unit, NULL };
		int rc = systemctl(NULL, 0, args);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
	}
	return 1;
}

static int fail_handover(const struct config *c, const char *helper)
{
	char st[512];
	status_text(helper, st, sizeof st);
	sc("stop", helper);
	msg("%s: the hand-over connector %s did not connect (%s): nothing restarted, the tunnel "
	    "runs on as it was", c->name, helper, st);
	return EX_UNAVAILABLE;
}

int ho_restart(const struct config *c, const struct ids *ids)
{
	char unit[300], helper[300], st[512];
	struct hostport hp;
	long long t0 = os_now_ms();
	int rc = running_unit(c, unit, sizeof unit, helper, sizeof helper);
	if (rc) {
		msg(rc < 0 ? "%s: cannot run systemctl" : "%s: neither argoweb@%s nor argoweb-active@%s "
		    "is running: nothing to hand over (systemctl start argoweb@%s)",
		    c->name, c->name, c->name, c->name);
		return rc < 0 ? EX_OSERR : EX_UNAVAILABLE;
	}
	ho_metrics(c, &hp);
	printf("%s: starting the hand-over connector %s\n", c->name, helper);
	fflush(stdout);
	if (sc("start", helper) != 0 || connections(&hp, ids) < 1)
		return fail_handover(c, helper);
	int n = wait_full(&hp, ids, c->expected_conns, FULL_WAIT_MS);
	printf("%s: %s has %d edge connection%s (%.1f s); restarting %s\n", c->name, helper, n,
	       n == 1 ? "" : "s", (os_now_ms() - t0) / 1000.0, unit);
	fflush(stdout);
	/* try-restart: a unit stopped meanwhile (a node demoted) stays
	 * stopped, and so does the hand-over connector. */
	const char *active[] = { "is-active", "--quiet", unit, NULL };
	if (sc("try-restart", unit) == 0 && systemctl(NULL, 0, active) != 0) {
		sc("stop", helper);
		msg("%s: %s was stopped meanwhile: so is the hand-over connector", c->name, unit);
		return EX_UNAVAILABLE;
	}
	if (systemctl(NULL, 0, active) != 0) {
		status_text(unit, st, sizeof st);
		msg("%s: %s did not come back (%s): the hand-over connector %s keeps serving; put it "
		    "right, then run argoweb restart %s again", c->name, unit, st, helper, c->name);
		return EX_UNAVAILABLE;
	}
	n = wait_full(&c->metrics, ids, c->expected_conns, FULL_WAIT_MS);
	printf("%s: %s is back with %d edge connection%s (%.1f s); stopping %s\n", c->name, unit, n,
	       n == 1 ? "" : "s", (os_now_ms() - t0) / 1000.0, helper);
	fflush(stdout);
	/* Its grace period lets what it serves finish; a failure to stop
	 * leaves a spare connector, not a gap. */
	if (sc("stop", helper) != 0)
		msg_warn(NULL, 0, 0, "%s: could not stop %s: stop it with systemctl stop %s", c->name,
		         helper, helper);
	printf("%s: restarted with a connector registered throughout (%.1f s)\n", c->name,
	       (os_now_ms() - t0) / 1000.0);
	return 0;
}
