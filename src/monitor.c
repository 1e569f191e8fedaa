/* monitor (mon_): the process that tells systemd how the tunnel is, beside
 * cloudflared, which keeps the PID (s6-notifyoncheck's habit). It runs as
 * the service user with no capabilities, holds no secret, and exits with
 * cloudflared. What it says is health.c's to decide; this file is the
 * process: the fork, the clock, the /ready polls and sd_notify. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
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

/* libsystemd is loaded here only, where sd_notify is used (as systemd
 * loads its optional libraries): argoweb itself then starts without it and
 * its dependencies (gcrypt, lzma, zstd, lz4). LIBSYSTEMD names the file;
 * a build for a system without a library path (NixOS) gives its full path. */
#ifndef LIBSYSTEMD
#define LIBSYSTEMD "libsystemd.so.0"
#endif

typedef int (*sd_notify_fn)(int unset_environment, const char *state);

struct mon {
	struct health h;
	struct hostport metrics;
	uid_t uid;              /* whose socket /ready must come from */
	char user[64];
	sd_notify_fn notify;
	int pidfd;
	pid_t main_pid;
};

static void send_notify(void *ctx, const char *msg)
{
	((struct mon *)ctx)->notify(0, msg);
}

/* Sleep until `until`; 1 when cloudflared has exited meanwhile. */
static int main_exited(const struct mon *m, long long until)
{
	long long wait = until - os_now_ms();
	if (wait < 0)
		wait = 0;
	if (m->pidfd < 0) {
		/* No pidfd (kernel < 5.3): look at least once a second. */
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (wait > 1000 ? 1000 : wait) * 1000000 };
		nanosleep(&ts, NULL);
		return kill(m->main_pid, 0) && errno == ESRCH;
	}
	struct pollfd p = { .fd = m->pidfd, .events = POLLIN };
	return poll(&p, 1, (int)wait) > 0;
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
	struct health *h = &m->h;
	prctl(PR_SET_NAME, "argoweb-monitor", 0, 0, 0);
	health_init(h, os_now_ms());
	for (;;) {
		long long now = os_now_ms();
		if (now >= h->next_poll) {
			struct ready r = { 0 };
			long long slot = h->next_poll;
			health_polling(h, now);
			ready_probe(&m->metrics, m->uid, m->user, (int)health_poll_timeout(h),
			            h->quick_tunnel && !h->quick[0], &r);
			health_polled(h, slot, os_now_ms(), &r);
		}
		health_tick(h, os_now_ms());
		if (main_exited(m, health_due(h, os_now_ms())))
			_exit(0);
	}
}

static _Noreturn void become_monitor(struct config *c, struct secret *s, int pidfd, pid_t main_pid)
{
	struct mon m = {
		.h = {
			.quick_tunnel = c->id == ID_QUICK,
			.interval = c->interval_ns / 1000000,
			.unhealthy = c->unhealthy_ns / 1000000,
			.ping_every = watchdog_ms(),
			.send = send_notify,
		},
		.metrics = c->metrics,
		/* Ours: the drop made us cloudflared's user, and verified it. */
		.uid = geteuid(),
		.pidfd = pidfd,
		.main_pid = main_pid,
	};
	m.h.ctx = &m;
	snprintf(m.user, sizeof m.user, "%s", c->user);
	/* This process never needs the secret, nor the config: a 100 000-rule
	 * tree would otherwise stay resident for the tunnel's lifetime. */
	creds_wipe(s);
	cfg_free(c);
	malloc_trim(0);
	/* Everything but stdio and the pidfd goes: the monitor must not keep
	 * cloudflared's sockets or files alive. */
	os_close_fds(pidfd);
	signal(SIGPIPE, SIG_IGN);
	void *lib = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	m.notify = lib ? (sd_notify_fn)(uintptr_t)dlsym(lib, "sd_notify") : NULL;
	if (!m.notify) {
		/* Without it no ping reaches systemd: the watchdog restarts the
		 * tunnel, and this line says why. */
		msg("health monitor: cannot load sd_notify from %s: %s", LIBSYSTEMD, dlerror());
		_exit(1);
	}
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
