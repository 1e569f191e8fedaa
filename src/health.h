/* The health monitor's judgement, apart from any process, socket or
 * clock: given the time and what /ready said, what systemd is told
 * (STATUS=, READY=1, WATCHDOG=1, WATCHDOG=trigger). The monitor drives it
 * with the real clock; the unit tests with a fake one. */
#ifndef ARGOWEB_HEALTH_H
#define ARGOWEB_HEALTH_H
#include "logline.h"
#include "ready.h"

/* The exit status the monitor ends the unit with when Cloudflare refuses
 * the credentials (EX_PROTOCOL: the remote end said no): in the unit's
 * RestartPreventExitStatus, since retrying cannot cure it. */
#define HEALTH_EXIT_REFUSED 76

struct health {
	/* Settings, in milliseconds; ping_every 0: no watchdog. */
	long long interval, unhealthy, ping_every;
	int quick_tunnel;
	int expected;           /* edge connections cloudflared opens; 0: unknown */
	int has_edge;           /* edge: set, so the edge-discovery lookup is moot */
	long long grace;        /* cloudflared's grace-period: a stop drains this long */
	/* A dashboard-managed tunnel with no rules to serve until Cloudflare
	 * pushes its configuration (no ingress of its own, none kept): it
	 * serves, and is ready, only once /config has a version. */
	int wait_config;
	long long kept_version; /* the kept configuration's served meanwhile; -1: none */
	/* Where each notification goes (sd_notify's message text). */
	void (*send)(void *ctx, const char *msg);
	void *ctx;
	/* State. down_since: the first poll that found no connection since
	 * the last one that did (the start, before any): the loss happened at
	 * most an interval before it, so counting from it never triggers
	 * early. */
	long long down_since, next_poll, next_ping;
	int ever, ready_sent, triggered;
	struct ready last;
	char quick[256], status[768];
	/* Why it is down, from cloudflared's log: the last reason seen, and
	 * whether every one since the last connection was a refusal. */
	enum why_down why;
	char why_text[256];
	int refused_only;
	int stopping;           /* the unit stops: cloudflared drains */
	long long version;      /* /config's version when last asked; -1: no push */
	int pushes;             /* configurations Cloudflare pushed, per the log */
	long long short_since;  /* fewer connections than expected since */
	int verdict;            /* nonzero: end the unit with this status */
	/* A refusal is believed only when cloudflared's own count of
	 * registrations the edge refused (its /metrics) grew while it lasted:
	 * a line of the log alone could be anyone's text. -1: not known. */
	long long refusals_base, refusals_now;
	int want_refusals;      /* ask /metrics now: 1 the outage's start, 2 the verdict */
};

void health_init(struct health *h, long long now);
/* How long a poll may take: a wedged server must delay neither the next
 * poll nor a watchdog ping by more than a ping period. */
long long health_poll_timeout(const struct health *h);
/* A poll is due at h->next_poll. Call this first (it pings, the poll may
 * block), then health_polled with what the poll found, counted at slot
 * (when it was due) and the time it came back. */
void health_polling(struct health *h, long long now);
void health_polled(struct health *h, long long slot, long long now, const struct ready *r);
/* The unit is stopping (SIGTERM, or cloudflared says so): STOPPING=1, and
 * from now on only pings, until cloudflared has drained and exits. */
void health_stop(struct health *h, long long now);
/* What /config said: its version (-1: nothing pushed yet). */
void health_config(struct health *h, long long version);
/* What cloudflared's /metrics counts of refused registrations (-1: not
 * there), asked because h->want_refusals said so. */
void health_refusals(struct health *h, long long count);

/* Should /config be asked now (to be ready, or after a push)? */
int health_wants_config(const struct health *h, int pushes_seen);

/* A line of cloudflared's log, read at now. */
void health_log(struct health *h, long long now, const struct logline *l);
/* cloudflared has exited: the last word on why, if the log said (it
 * exits at start-up when it cannot look the edge up, say). 1 when it
 * said one (the STATUS= it sent is in h->status), 0 for a clean stop. */
int health_exited(struct health *h, long long now);
/* Between polls: a ping when due, or the trigger once unhealthy. */
void health_tick(struct health *h, long long now);
/* The next moment anything is due. */
long long health_due(const struct health *h, long long now);

#endif
