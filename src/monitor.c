/* monitor (mon_): cloudflared sends READY=1 once and nothing more; a tunnel
 * that lost every edge connection stays "active (running)" for ever. The
 * monitor asks cloudflared's /ready every health.interval and tells systemd
 * what it sees: STATUS= a person can read, READY=1, WATCHDOG=1 while the
 * tunnel is healthy and WATCHDOG=trigger once it has been down too long.
 * It runs as the service user with no capabilities and holds no secret. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "monitor.h"
#include "msg.h"

/* The poll period before the first edge connection. */
#define FIRST_POLL_MS 250

struct mon {
	char metrics[80];
	int quick_tunnel;
	long long interval, unhealthy, ping_every;     /* ms; ping_every 0: no watchdog */
	/* down_since: the first poll that found no connection since the last
	 * one that did (the start, before any): the drop happened at most an
	 * interval before it, so counting from it never triggers early. */
	long long start, down_since, next_poll, next_ping;
	int conns, answered, ever, ready_sent, triggered, quick_done;
	char quick[256], status[512];
	int pidfd;
	pid_t main_pid;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void notify(struct mon *m, const char *extra, const char *status)
{
	/* Repeating an unchanged STATUS= only fills the journal's debug log. */
	int changed = strcmp(status, m->status) != 0;
	if (!changed && !extra)
		return;
	snprintf(m->status, sizeof m->status, "%s", status);
	sd_notifyf(0, "STATUS=%s%s%s", status, extra ? "\n" : "", extra ? extra : "");
}

/* One look at /ready (and, for a quick tunnel, its public name). */
static void poll_ready(struct mon *m)
{
	char body[1024];
	int code;
	/* A wedged server must delay neither the next poll nor a watchdog
	 * ping by more than a ping period (see run()). */
	long long timeout = m->interval * 8 / 10 < 2000 ? m->interval * 8 / 10 : 2000;
	if (m->ping_every && m->ping_every < timeout)
		timeout = m->ping_every;
	m->answered = http_get(m->metrics, "/ready", (int)timeout, &code, body, sizeof body) == 0;
	m->conns = m->answered && code == 200 ? http_ready_connections(body) : 0;
	if (m->conns < 0)
		m->conns = 0;
	if (m->conns > 0 && m->quick_tunnel && !m->quick_done &&
	    http_get(m->metrics, "/quicktunnel", (int)timeout, &code, body, sizeof body) == 0 && code == 200) {
		http_quick_hostname(body, m->quick, sizeof m->quick);
		m->quick_done = m->quick[0] != 0;
	}
}

static void report(struct mon *m, long long now)
{
	char s[512];
	if (m->conns > 0) {
		m->down_since = 0;
		m->triggered = 0;
		snprintf(s, sizeof s, "Connected: %d edge connection%s%s%s", m->conns,
		         m->conns == 1 ? "" : "s", m->quick[0] ? ", https://" : "", m->quick);
		notify(m, m->ready_sent ? NULL : "READY=1", s);
		m->ready_sent = m->ever = 1;
		return;
	}
	const char *why = m->answered ? "0 edge connections" : "cloudflared's metrics server is not answering";
	if (!m->down_since)
		m->down_since = now;
	if (!m->ever)
		snprintf(s, sizeof s, "Connecting to Cloudflare\u2026 (%s)", why);
	else
		snprintf(s, sizeof s, "Not connected for %llds (%s)", (now - m->down_since) / 1000, why);
	notify(m, NULL, s);
}

/* Healthy: connected, or not connected for less than unhealthy-after. */
static int healthy(const struct mon *m, long long now)
{
	return !m->down_since || now - m->down_since < m->unhealthy;
}

static void watchdog(struct mon *m, long long now, int may_trigger)
{
	if (healthy(m, now)) {
		if (m->ping_every && now >= m->next_ping) {
			sd_notify(0, "WATCHDOG=1");
			m->next_ping = now + m->ping_every;
		}
		return;
	}
	if (m->triggered || !may_trigger)
		return;
	char s[512];
	snprintf(s, sizeof s, "No edge connection for %llds (unhealthy-after is %llds): "
	         "asking systemd to restart the tunnel", (now - m->down_since) / 1000, m->unhealthy / 1000);
	m->status[0] = 0;
	notify(m, "WATCHDOG=trigger", s);
	m->triggered = 1;
}

/* Until the first connection, look often: READY=1 (and so the end of
 * `systemctl start`) waits for the poll that sees it. */
static long long period(const struct mon *m)
{
	return m->ever || m->interval < FIRST_POLL_MS ? m->interval : FIRST_POLL_MS;
}

/* Sleep until the next poll or ping; 1 when cloudflared has exited. */
static int main_exited(struct mon *m, long long now)
{
	long long until = m->next_poll;
	if (m->ping_every && m->next_ping < until && healthy(m, now))
		until = m->next_ping;
	long long wait = until - now;
	if (m->pidfd < 0) {
		/* No pidfd (kernel < 5.3): look at least once a second. */
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (wait > 1000 ? 1000 : wait < 0 ? 0 : wait) * 1000000 };
		nanosleep(&ts, NULL);
		return kill(m->main_pid, 0) && errno == ESRCH;
	}
	struct pollfd p = { .fd = m->pidfd, .events = POLLIN };
	return poll(&p, 1, wait < 0 ? 0 : (int)wait) > 0;
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

static _Noreturn void run(struct mon *m)
{
	prctl(PR_SET_NAME, "argoweb-monitor", 0, 0, 0);
	m->start = m->down_since = m->next_poll = m->next_ping = now_ms();
	for (;;) {
		long long now = now_ms();
		if (now >= m->next_poll) {
			/* Polls are timed on a fixed grid, and a poll counts at its
			 * slot: with unhealthy-after a multiple of the interval the
			 * trigger then lands on a poll, not a millisecond after it
			 * (and an interval later). */
			long long slot = m->next_poll;
			/* Ping first: the poll may block for up to a ping period.
			 * Judge health only after it, on fresh news. */
			m->next_ping = now;
			watchdog(m, now, 0);
			poll_ready(m);
			report(m, slot);
			watchdog(m, slot, 1);
			now = now_ms();
			m->next_poll += period(m);
			if (m->next_poll < now)     /* a slow poll must not cause a burst */
				m->next_poll = now + period(m);
		}
		watchdog(m, now, 1);
		if (main_exited(m, now_ms()))
			_exit(0);
	}
}

static void become_monitor(struct config *c, struct secret *s, int pidfd, pid_t main_pid)
{
	struct mon m = {
		.quick_tunnel = c->id == ID_QUICK,
		.interval = c->interval_ns / 1000000,
		.unhealthy = c->unhealthy_ns / 1000000,
		.ping_every = watchdog_ms(),
		.pidfd = pidfd,
		.main_pid = main_pid,
	};
	snprintf(m.metrics, sizeof m.metrics, "%s", c->metrics);
	/* This process never needs the secret, nor the config: a 100 000-rule
	 * tree would otherwise stay resident for the tunnel's lifetime. */
	creds_wipe(s);
	cfg_free(c);
	malloc_trim(0);
	/* Everything but stdio and the pidfd goes: the monitor must not keep
	 * cloudflared's sockets or files alive. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != pidfd)
			close(fd);
	signal(SIGPIPE, SIG_IGN);
	run(&m);
}

int mon_start(struct config *c, struct secret *s)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	if (!sock || !*sock)
		return 0;
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
		if (fork() == 0)
			become_monitor(c, s, pidfd, self);
		_exit(0);
	}
	if (pidfd >= 0)
		close(pidfd);
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return 0;
}
