/* monitor (mon_): the process that tells systemd how the tunnel is, beside
 * cloudflared, which keeps the PID (s6-notifyoncheck's habit). It runs as
 * the service user with no capabilities, holds no secret, and exits with
 * cloudflared. What it says is health.c's to decide; this file is the
 * process: the fork, the clock, the /ready polls and sd_notify. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "monitor.h"
#include "msg.h"
#include "osutil.h"
#include "ready.h"
#include "relay.h"
#include "seed.h"

/* libsystemd is loaded here only, where sd_notify is used (as systemd
 * loads its optional libraries): argoweb itself then starts without it and
 * its dependencies (gcrypt, lzma, zstd, lz4). LIBSYSTEMD names the file;
 * a build for a system without a library path (NixOS) gives its full path. */
#ifndef LIBSYSTEMD
#define LIBSYSTEMD "libsystemd.so.0"
#endif

typedef int (*sd_notify_fn)(int unset_environment, const char *state);
typedef int (*sd_notify_barrier_fn)(int unset_environment, uint64_t timeout);

struct mon {
	struct health h;
	int health;             /* NOTIFY_SOCKET: judge the tunnel, tell systemd */
	int seeding;            /* keep each configuration Cloudflare pushes (seed.h) */
	int pushes_seen;        /* h.pushes when /config was last asked */
	long long seeded;       /* the version kept last; -1: none */
	struct relay r;         /* cloudflared's stderr; r.in < 0 once at its end */
	struct hostport metrics;
	uid_t uid;              /* whose socket /ready must come from */
	char user[64], name[64];
	sd_notify_fn notify;
	sd_notify_barrier_fn barrier;
	int pidfd;
	pid_t main_pid;
};

static void send_notify(void *ctx, const char *msg)
{
	((struct mon *)ctx)->notify(0, msg);
}

static void seen(void *ctx, const struct logline *l)
{
	struct mon *m = ctx;
	if (m->health)
		health_log(&m->h, os_now_ms(), l);
}

/* What waits for the journal, cloudflared's lines and our own, out as far
 * as it takes it in 5 s: before the monitor exits. */
static void flush_out(struct mon *m)
{
	for (int i = 0; m->r.npend && !m->r.gone && i < 50; i++) {
		struct pollfd p = { .fd = m->r.out, .events = POLLOUT };
		poll(&p, 1, 100);
		relay_flush(&m->r);
	}
}

/* After cloudflared's exit: what it wrote last, to the end of the pipe
 * (bounded, should anything else still hold it open). */
static void drain(struct mon *m)
{
	for (int i = 0; m->r.in >= 0 && i < 20; i++) {
		struct pollfd p = { .fd = m->r.in, .events = POLLIN };
		if (poll(&p, 1, 100) > 0 && relay_read(&m->r)) {
			close(m->r.in);
			m->r.in = -1;
		}
	}
	flush_out(m);
}

/* systemd stops the unit: SIGTERM to every process of it, cloudflared
 * too, which drains. Said to systemd at once (STOPPING=1), not acted on. */
static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* Relay until `until` (or a stop is asked); 1 when cloudflared has exited
 * meanwhile. */
static int wait_until(struct mon *m, long long until)
{
	for (;;) {
		long long wait = until - os_now_ms();
		wait = wait < 0 ? 0 : wait;
		/* No pidfd (kernel < 5.3): look at least once a second. And the
		 * journal, when lines wait for it. */
		struct pollfd p[3] = { { .fd = m->pidfd, .events = POLLIN },
		                       { .fd = m->r.in, .events = POLLIN },
		                       { .fd = m->r.npend && !m->r.gone ? m->r.out : -1, .events = POLLOUT } };
		int n = poll(p, 3, (int)(m->pidfd < 0 && wait > 1000 ? 1000 : wait));
		if (n > 0 && p[2].revents)
			relay_flush(&m->r);
		if (n > 0 && p[1].revents && relay_read(&m->r)) {
			close(m->r.in);
			m->r.in = -1;
			/* Without a pidfd, the end of its stderr is the best sign. */
			if (m->pidfd < 0)
				return 1;
		}
		if ((n > 0 && p[0].revents) ||
		    (m->pidfd < 0 && kill(m->main_pid, 0) && errno == ESRCH)) {
			drain(m);
			return 1;
		}
		if (os_now_ms() >= until || (stop_asked && !m->h.stopping))
			return 0;
	}
}

static long long watchdog_ms(void)
{
	const char *w = getenv("WATCHDOG_USEC");
	long long usec = w ? strtoll(w, NULL, 10) : 0;
	/* systemd wants a ping at least every WATCHDOG_USEC; we promise two
	 * per period even when a poll blocks for its whole timeout (at most
	 * one ping period), so ping every quarter. */
	return usec > 0 ? (usec / 1000 / 4 > 0 ? usec / 1000 / 4 : 1) : 0;
}

/* Cloudflare refuses the credentials, and cloudflared would retry for
 * ever. Its exit status cannot say so (it is cloudflared's, 0 on SIGTERM),
 * so this process becomes the unit's main process and ends it with one
 * that RestartPreventExitStatus lists. */
static _Noreturn void end_unit(struct mon *m)
{
	char pid[32];
	snprintf(pid, sizeof pid, "MAINPID=%ld", (long)getpid());
	m->notify(0, pid);
	/* systemd must have taken it before cloudflared exits, or that
	 * exit would count as the service's. */
	if (m->barrier)
		m->barrier(0, 5000000);
	msg("%s: %s", m->name, m->h.status);
	if (m->pidfd < 0 || syscall(SYS_pidfd_send_signal, m->pidfd, SIGTERM, NULL, 0))
		kill(m->main_pid, SIGTERM);
	/* Not connected, so nothing to drain: it exits at once (5 ms). */
	if (!wait_until(m, os_now_ms() + 10000))
		kill(m->main_pid, SIGKILL);
	flush_out(m);
	_exit(m->h.verdict);
}

/* What /config says: the version the connector serves (ready once there
 * is one), and each new one kept for the next start. */
static void ask_config(struct mon *m)
{
	char *body, *yaml = NULL;
	size_t len, ylen;
	long long version = -1;
	struct fault f = { 0 }, distrust = { 0 };
	m->pushes_seen = m->h.pushes;
	if (ready_get(&m->metrics, m->uid, m->user, (int)health_poll_timeout(&m->h), "/config",
	              SEED_MAX, &body, &len, &distrust))
		return;
	if (seed_from_config(body, len, &version, &yaml, &ylen, &f) == 0) {
		health_config(&m->h, version);
		if (m->seeding && yaml && version != m->seeded && !seed_store(m->name, m->uid, yaml, ylen, &f))
			m->seeded = version;
	}
	/* Once per version: the next push tries again. */
	if (f.why[0] && version != m->seeded) {
		msg_warn(NULL, 0, 0, "%s: Cloudflare's configuration version %lld is not kept for the "
		         "next start: %s", m->name, version, f.why);
		m->seeded = version;
	}
	free(yaml);
	free(body);
}

/* cloudflared's /metrics is some 100 KB. */
#define METRICS_MAX (4u << 20)

/* cloudflared's count of refused registrations, for health_refusals. */
static void ask_refusals(struct mon *m)
{
	char *body;
	struct fault distrust = { 0 };
	size_t len;
	long long n = -1;
	/* The same rule as /config's: the service user's socket, or nothing. */
	if (ready_get(&m->metrics, m->uid, m->user, (int)health_poll_timeout(&m->h), "/metrics",
	              METRICS_MAX, &body, &len, &distrust) == 0) {
		n = ready_refusals(body);
		free(body);
	}
	health_refusals(&m->h, n);
	health_tick(&m->h, os_now_ms());
}

static _Noreturn void run(struct mon *m)
{
	struct health *h = &m->h;
	prctl(PR_SET_NAME, "argoweb-monitor", 0, 0, 0);
	health_init(h, os_now_ms());
	for (;;) {
		long long now = os_now_ms();
		if (m->health && stop_asked)
			health_stop(h, now);
		/* A drain has nothing to poll for: only pings until it ends. */
		if (m->health && !h->stopping && now >= h->next_poll) {
			struct ready r = { 0 };
			long long slot = h->next_poll;
			health_polling(h, now);
			ready_probe(&m->metrics, m->uid, m->user, (int)health_poll_timeout(h),
			            h->quick_tunnel && !h->quick[0], &r);
			health_polled(h, slot, os_now_ms(), &r);
			if (health_wants_config(h, m->pushes_seen))
				ask_config(m);
		}
		if (m->health)
			health_tick(h, os_now_ms());
		if (m->health && h->want_refusals)
			ask_refusals(m);
		if (h->verdict)
			end_unit(m);
		long long until = m->health ? health_due(h, os_now_ms()) : os_now_ms() + 3600000;
		if (wait_until(m, until)) {
			/* systemd forgets the STATUS= of a process that is gone:
			 * the journal keeps why, beside the restart it causes. */
			if (m->health && health_exited(h, os_now_ms()))
				msg("%s: %s", m->name, h->status);
			flush_out(m);
			_exit(0);
		}
	}
}

/* Without sd_notify no ping reaches systemd: the watchdog restarts the
 * tunnel, and this line says why. */
static void load_notify(struct mon *m)
{
	void *lib = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	m->notify = lib ? (sd_notify_fn)(uintptr_t)dlsym(lib, "sd_notify") : NULL;
	m->barrier = lib ? (sd_notify_barrier_fn)(uintptr_t)dlsym(lib, "sd_notify_barrier") : NULL;
	if (!m->notify) {
		msg("health monitor: cannot load sd_notify from %s: %s", LIBSYSTEMD, dlerror());
		flush_out(m);
		_exit(1);
	}
}

/* The monitor's own messages, queued behind the relayed lines (msg.h). */
static struct relay *said_through;
static void say_through_relay(const char *line, size_t len)
{
	relay_say(said_through, line, len);
}

static _Noreturn void become_monitor(struct config *c, struct secret *s, int pidfd, pid_t main_pid,
                                     int logfd, int health)
{
	static struct mon m;
	m = (struct mon){
		.h = {
			.quick_tunnel = c->quick_url != NULL,
			.interval = c->interval_ns / 1000000,
			.unhealthy = c->unhealthy_ns / 1000000,
			.ping_every = watchdog_ms(),
			.send = send_notify,
			.expected = c->expected_conns,
			.has_edge = c->has_edge,
			.grace = c->grace_ns / 1000000,
			.wait_config = s->kind == SEC_TOKEN && !c->nrules,
			.kept_version = c->seed_version,
		},
		.health = health,
		.seeding = s->kind == SEC_TOKEN && c->seed_remote,
		.seeded = c->seed_version,
		.metrics = c->metrics,
		/* Ours: the drop made us cloudflared's user, and verified it. */
		.uid = geteuid(),
		.pidfd = pidfd,
		.main_pid = main_pid,
	};
	relay_init(&m.r, logfd, 2, msg_journal, c->name);
	m.r.seen = seen;
	said_through = &m.r;
	msg_sink = say_through_relay;
	m.h.ctx = m.r.ctx = &m;
	snprintf(m.user, sizeof m.user, "%s", c->user);
	snprintf(m.name, sizeof m.name, "%s", c->name);
	/* This process never needs the secret, nor the config: a 100 000-rule
	 * tree would otherwise stay resident for the tunnel's lifetime. */
	creds_wipe(s);
	cfg_free(c);
	malloc_trim(0);
	/* Everything but stdio, the pidfd and the log goes: the monitor must
	 * not keep cloudflared's sockets or files alive. */
	os_close_fds_except((int[]){ pidfd, logfd }, 2);
	fcntl(logfd, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	/* systemd stops the whole unit at once (KillMode=control-group): we
	 * must outlive cloudflared's graceful shutdown, relaying its last
	 * lines (else its next write kills it by SIGPIPE, mid-drain), feeding
	 * the watchdog while it drains, and leave when it does. SIGTERM only
	 * says the stop began; SIGKILL still ends us. */
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (health)
		load_notify(&m);
	run(&m);
}

int mon_start(struct config *c, struct secret *s)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	int health = sock && *sock;
	/* Under systemd cloudflared's lines go through us, to carry their
	 * priority; with a monitor, to tell why the tunnel is down too. */
	if (!health && !msg_journal)
		return 0;
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		msg("cannot start the health monitor: %s", strerror(errno));
		return EX_OSERR;
	}
	/* Room for a burst while a poll blocks (best effort: 1 MiB is the
	 * unprivileged maximum). */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	pid_t self = getpid();
	/* Taken before the fork, so it names this very process (soon
	 * cloudflared) with no window for PID reuse. */
	int pidfd = (int)syscall(SYS_pidfd_open, self, 0);
	pid_t mid = fork();
	if (mid < 0) {
		msg("cannot start the health monitor: %s", strerror(errno));
		return EX_OSERR;
	}
	if (mid == 0) {
		/* The middle child exits at once, so the monitor is reparented
		 * to PID 1 (or the nearest subreaper) and never a zombie of
		 * cloudflared, which reaps no one it does not know. */
		if (fork() == 0) {
			close(p[1]);
			become_monitor(c, s, pidfd, self, p[0], health);
		}
		_exit(0);
	}
	if (pidfd >= 0)
		close(pidfd);
	close(p[0]);
	/* Our own last words (an exec that fails) go to the journal as they
	 * are, not through the relay, which gives every line it relays a
	 * priority of its own choosing. */
	int own = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (own >= 0)
		msg_fd = own;
	/* cloudflared's stderr is the pipe now: if the monitor dies, its next
	 * line kills it (SIGPIPE), and the watchdog stops being fed. */
	int rc = 0;
	if (dup2(p[1], 2) < 0) {
		msg("cannot start the health monitor: %s", strerror(errno));
		rc = EX_OSERR;
	}
	close(p[1]);
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return rc;
}
