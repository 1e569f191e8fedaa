/* handover (ho_): argoweb restart. The edge sends each request to a
 * registered connection of the tunnel, whichever connector holds it, and a
 * connector that gets SIGTERM unregisters first and then finishes what it
 * serves. So: a second connector (argoweb-handover@NAME, the same sandbox)
 * registered before the tunnel's unit is restarted, and retired only once
 * the unit is back. systemd does the starting and stopping, through
 * systemctl: each step is a job it knows how to wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handover.h"
#include "msg.h"
#include "osutil.h"
#include "ready.h"
#include "safefile.h"
#include "units.h"

/* Enough for the edge to spread new requests over all of them. */
#define FULL_WAIT_MS 10000

static int sc(const char *verb, const char *unit)
{
	const char *args[] = { verb, unit, NULL };
	return units_systemctl(NULL, 0, args);
}

static void status_text(const char *unit, char *out, size_t n)
{
	const char *args[] = { "show", "-p", "StatusText", "--value", unit, NULL };
	if (units_systemctl(out, n, args) != 0 || !out[0])
		snprintf(out, n, "no status");
}

static int connections(const struct hostport *hp, const struct ids *ids)
{
	return ready_count(hp, ids->uid, ids->user, 2000);
}

void ho_metrics(const struct config *c, struct hostport *hp)
{
	struct config h = *c;
	cfg_handover(&h);
	*hp = h.metrics;
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

/* Interrupted (any signal it may catch), argoweb restart stops the
 * hand-over connector it started before it goes. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2,
	                            SIGALRM };
	struct sigaction sa = { .sa_handler = on_signal };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

static int stop_interrupted(const struct config *c, const char *helper)
{
	int sig = interrupted;
	if (helper)
		sc("stop", helper);
	msg("%s: argoweb restart interrupted (%s)%s%s", c->name, strsignal(sig),
	    helper ? ": stopped the hand-over connector " : "", helper ? helper : "");
	return 128 + sig;
}

/* A restart of NAME is running while its lock (/run/argoweb/NAME.restart,
 * root's) is held: by argoweb restart, for as long as it runs, released
 * by the kernel however it ends. */
static int lock_path(const struct config *c, char *path, size_t n)
{
	return inst_restart_lock(c->name, path, n);
}

int ho_restart_running(const struct config *c)
{
	char path[4200];
	int fd = lock_path(c, path, sizeof path) ? -1 : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int held = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* The lock's file, in /run/argoweb (root's, made where needed): a
 * descriptor, or -1 with why said. */
static int open_lock(const struct config *c)
{
	char path[4200];
	struct fault f = { 0 };
	if (lock_path(c, path, sizeof path) || (mkdir(ARGOWEB_RUNDIR, 0755) && errno != EEXIST)) {
		msg("%s: cannot make %s: %s", c->name, ARGOWEB_RUNDIR, strerror(errno));
		return -1;
	}
	int dfd = sf_open_dir(ARGOWEB_RUNDIR, 0, &f);
	if (dfd < 0) {
		msg_fault(NULL, &f);
		return -1;
	}
	int fd = openat(dfd, strrchr(path, '/') + 1, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		msg("%s: %s", path, strerror(errno));
	close(dfd);
	return fd;
}

/* Held until argoweb restart exits: the descriptor, or -1 with why said. */
static int take_lock(const struct config *c)
{
	int fd = open_lock(c);
	if (fd < 0 || !flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	msg("%s: another argoweb restart %s is running", c->name, c->name);
	close(fd);
	return -1;
}

int ho_restart(const struct config *c, const struct ids *ids)
{
	char unit[300], helper[300], st[512];
	struct hostport hp;
	long long t0 = os_now_ms();
	int rc = units_running(c, unit, sizeof unit, helper, sizeof helper);
	if (rc) {
		msg(rc < 0 ? "%s: cannot run systemctl" : "%s: neither argoweb@%s nor argoweb-active@%s "
		    "is running: nothing to hand over (systemctl start argoweb@%s)",
		    c->name, c->name, c->name, c->name);
		return rc < 0 ? EX_OSERR : EX_UNAVAILABLE;
	}
	if (take_lock(c) < 0)
		return EX_TEMPFAIL;
	catch_signals();
	ho_metrics(c, &hp);
	printf("%s: starting the hand-over connector %s\n", c->name, helper);
	fflush(stdout);
	if (sc("start", helper) != 0 || interrupted || connections(&hp, ids) < 1)
		return interrupted ? stop_interrupted(c, helper) : fail_handover(c, helper);
	int n = ready_wait(&hp, ids->uid, ids->user, c->expected_conns, FULL_WAIT_MS);
	if (interrupted)
		return stop_interrupted(c, helper);
	printf("%s: %s has %d edge connection%s (%.1f s); restarting %s\n", c->name, helper, n,
	       n == 1 ? "" : "s", (os_now_ms() - t0) / 1000.0, unit);
	fflush(stdout);
	/* try-restart: a unit stopped meanwhile (a node demoted) stays
	 * stopped, and so does the hand-over connector. Its stop must not
	 * reach the hand-over connector (PropagatesStopTo=), which systemd
	 * 257 lets a restart's stop do: ignore-requirements keeps it out. */
	const char *restart[] = { "try-restart", "--job-mode=ignore-requirements", unit, NULL };
	const char *active[] = { "is-active", "--quiet", unit, NULL };
	rc = units_systemctl(NULL, 0, restart);
	if (interrupted)
		return stop_interrupted(c, helper);
	if (rc == 0 && units_systemctl(NULL, 0, active) != 0) {
		sc("stop", helper);
		msg("%s: %s was stopped meanwhile: so is the hand-over connector", c->name, unit);
		return EX_UNAVAILABLE;
	}
	if (units_systemctl(NULL, 0, active) != 0) {
		status_text(unit, st, sizeof st);
		msg("%s: %s did not come back (%s): the hand-over connector %s keeps serving; put it "
		    "right, then run argoweb restart %s again", c->name, unit, st, helper, c->name);
		return EX_UNAVAILABLE;
	}
	n = ready_wait(&c->metrics, ids->uid, ids->user, c->expected_conns, FULL_WAIT_MS);
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
