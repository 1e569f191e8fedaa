/* health: whether the tunnel is up, and what systemd should hear about it.
 * cloudflared sends READY=1 once and nothing more; a tunnel that lost every
 * edge connection would stay "active (running)" for ever. */
#include <stdio.h>
#include <string.h>

#include "health.h"

/* The poll period before the first edge connection: READY=1 (and so the
 * end of `systemctl start`) waits for the poll that sees it. */
#define FIRST_POLL_MS 250
/* cloudflared logs nothing while the edge holds a registration unanswered;
 * a dial that fails logs within 5 s (QUIC's timeout). Silence this long
 * with no connection is a stall. */
#define STALL_MS 15000
/* Fewer connections than expected for this many polls: degraded (at
 * start-up the last of four connections comes 2 s after the first). */
#define DEGRADED_POLLS 3

void health_init(struct health *h, long long now)
{
	h->down_since = h->next_poll = h->next_ping = now;
	h->ever = h->ready_sent = h->triggered = 0;
	h->quick[0] = h->status[0] = 0;
	memset(&h->last, 0, sizeof h->last);
	h->why = WD_NONE;
	h->why_text[0] = 0;
	h->refused_only = 1;
	h->stopping = 0;
	h->version = -1;
	h->pushes = 0;
	h->refusals_base = 0;   /* a fresh cloudflared has counted none */
	h->refusals_now = -1;
	h->want_refusals = 0;
	h->short_since = 0;
	h->verdict = 0;
}

void health_log(struct health *h, long long now, const struct logline *l)
{
	if (l->why == WD_STOPPING)
		health_stop(h, now);
	if (l->why == WD_PUSHED) {
		h->pushes++;
		return;
	}
	/* A stop's own lines (2025.8.1 and later log each connection's end)
	 * say nothing of the tunnel's health. */
	if (h->stopping || l->why == WD_NONE || (l->why == WD_DNS && h->has_edge))
		return;
	/* "Connection terminated" follows every failure, repeating its text:
	 * the first sign of an outage, never the better word. */
	if (l->why == WD_LOST && h->why != WD_NONE)
		return;
	if (l->why == WD_REGISTERED) {
		h->why = WD_NONE;
		h->refused_only = 1;
		return;
	}
	h->why = l->why;
	snprintf(h->why_text, sizeof h->why_text, "%s", l->error);
	/* A lost connection says nothing of how the edge answers. */
	if (l->why != WD_REFUSED && l->why != WD_LOST)
		h->refused_only = 0;
}

/* One line on why there is no connection, from the last poll and the log. */
static void why_down(const struct health *h, long long now, char *s, size_t n)
{
	const char *t = h->why_text;
	if (h->last.distrust.why[0])
		snprintf(s, n, "%.320s", h->last.distrust.why);
	else if (!h->last.answered && h->why == WD_NONE)
		snprintf(s, n, "cloudflared's metrics server is not answering");
	else if (h->why == WD_REFUSED)
		snprintf(s, n, "Cloudflare refuses the tunnel's credentials: \"%s\": a deleted tunnel "
		         "or a rotated secret; install new credentials, then restart", t);
	else if (h->why == WD_REGISTER_ERROR)
		snprintf(s, n, "the edge refused the registration: \"%s\"", t);
	else if (h->why == WD_REG_TIMEOUT)
		snprintf(s, n, "the edge did not answer the registration within rpc-timeout (\"%s\")", t);
	else if (h->why == WD_REG_UNSAID)
		snprintf(s, n, "the edge did not accept the registration; over QUIC this cloudflared does "
		         "not log why (\"%s\"): protocol: http2 would show it", t);
	else if (h->why == WD_UNREACHABLE_QUIC)
		snprintf(s, n, "edge unreachable over QUIC: \"%s\"; if UDP port 7844 is blocked "
		         "here, set protocol: http2", t);
	else if (h->why == WD_UNREACHABLE)
		snprintf(s, n, "edge unreachable: \"%s\"", t);
	else if (h->why == WD_DNS)
		snprintf(s, n, "DNS not answering: \"%s\"", t);
	else if (h->why == WD_LOST)
		snprintf(s, n, "connection to the edge lost: \"%s\"", t);
	else if (now - h->down_since >= STALL_MS)
		snprintf(s, n, "registration stalled: the edge has not answered for %llds",
		         (now - h->down_since) / 1000);
	else
		snprintf(s, n, "0 edge connections");
}

/* Which configuration a dashboard-managed tunnel serves, for STATUS=. */
static const char *config_source(const struct health *h)
{
	static char s[96];
	if (h->version >= 0)
		snprintf(s, sizeof s, "; configuration version %lld from Cloudflare", h->version);
	else if (h->kept_version >= 0)
		snprintf(s, sizeof s, "; the kept configuration (version %lld) until Cloudflare pushes",
		         h->kept_version);
	else
		s[0] = 0;
	return s;
}

/* Connected: with as many connections as cloudflared opens, or fewer for
 * a few polls (degraded, and why if the log said). */
static void connected(struct health *h, long long now, int n, char *s, size_t len)
{
	if (!h->expected || n >= h->expected)
		h->short_since = 0;
	else if (!h->short_since)
		h->short_since = now;
	if (h->short_since && now - h->short_since >= DEGRADED_POLLS * h->interval)
		snprintf(s, len, "Degraded: %d of %d edge connections%s%s%s", n, h->expected,
		         h->why != WD_NONE ? " (" : "", h->why != WD_NONE ? h->why_text : "",
		         h->why != WD_NONE ? ")" : "");
	else
		snprintf(s, len, "Connected: %d edge connection%s%s%s%s", n, n == 1 ? "" : "s",
		         h->quick[0] ? ", https://" : "", h->quick, config_source(h));
}

long long health_poll_timeout(const struct health *h)
{
	long long t = h->interval * 8 / 10 < 2000 ? h->interval * 8 / 10 : 2000;
	return h->ping_every && h->ping_every < t ? h->ping_every : t;
}

static void send_status(struct health *h, const char *extra, const char *status)
{
	/* Repeating an unchanged STATUS= only fills the journal's debug log. */
	if (!strcmp(status, h->status) && !extra)
		return;
	char msg[sizeof h->status + 32];
	snprintf(h->status, sizeof h->status, "%s", status);
	snprintf(msg, sizeof msg, "STATUS=%s%s%s", status, extra ? "\n" : "", extra ? extra : "");
	h->send(h->ctx, msg);
}

static void report(struct health *h, long long now)
{
	char s[768], why[512];
	/* An answer from a socket that is not cloudflared's counts for nothing. */
	int n = h->last.distrust.why[0] ? 0 : h->last.connections;
	if (n > 0) {
		h->down_since = 0;
		h->triggered = 0;
		h->refused_only = 1;
		h->ever = 1;
		/* Up, but every request gets 503 until the push: not ready. */
		if (h->wait_config && h->version < 0) {
			snprintf(s, sizeof s, "Connected to the edge (%d connection%s), waiting for the "
			         "tunnel's configuration from Cloudflare", n, n == 1 ? "" : "s");
			send_status(h, NULL, s);
			return;
		}
		connected(h, now, n, s, sizeof s);
		send_status(h, h->ready_sent ? NULL : "READY=1", s);
		h->ready_sent = 1;
		return;
	}
	h->short_since = 0;
	if (!h->down_since) {
		h->down_since = now;
		/* The count so far, for a refusal that may follow. */
		if (h->ever)
			h->want_refusals = 1;
	}
	why_down(h, now, why, sizeof why);
	if (!h->ever)
		snprintf(s, sizeof s, "Connecting to Cloudflare\u2026 (%s)", why);
	else
		snprintf(s, sizeof s, "Not connected for %llds (%s)", (now - h->down_since) / 1000, why);
	send_status(h, NULL, s);
}

/* Connected, or not connected for less than unhealthy-after; or
 * stopping: a drain has no connection by design, and must not end in a
 * watchdog kill. */
static int healthy(const struct health *h, long long now)
{
	return h->stopping || !h->down_since || now - h->down_since < h->unhealthy;
}

static void watchdog(struct health *h, long long now, int may_trigger)
{
	if (healthy(h, now)) {
		if (h->ping_every && now >= h->next_ping) {
			h->send(h->ctx, "WATCHDOG=1");
			h->next_ping = now + h->ping_every;
		}
		return;
	}
	if (h->triggered || !may_trigger)
		return;
	char s[768];
	int refused = h->why == WD_REFUSED && h->refused_only;
	/* Before ending the unit on it, cloudflared's own count must agree:
	 * asked now, judged at the next tick. */
	if (refused && h->refusals_now < 0) {
		h->want_refusals = 2;
		return;
	}
	h->status[0] = 0;
	h->triggered = 1;
	if (refused && h->refusals_base >= 0 && h->refusals_now > h->refusals_base) {
		/* Retrying cannot cure it, and cloudflared retries for ever. */
		snprintf(s, sizeof s, "Cloudflare refused the tunnel's credentials for %llds "
		         "(\"%s\"): stopped instead of retrying for ever; install new credentials "
		         "(a deleted tunnel or a rotated secret), then restart",
		         (now - h->down_since) / 1000, h->why_text);
		send_status(h, NULL, s);
		h->verdict = HEALTH_EXIT_REFUSED;
		return;
	}
	char why[512];
	if (refused)
		snprintf(why, sizeof why, "the log says Cloudflare refuses the credentials (\"%s\"), "
		         "but cloudflared's metrics count no refused registration: not believed",
		         h->why_text);
	else
		why_down(h, now, why, sizeof why);
	h->refusals_now = -1;
	snprintf(s, sizeof s, "No edge connection for %llds (%s): unhealthy-after is %llds, "
	         "asking systemd to restart the tunnel", (now - h->down_since) / 1000, why,
	         h->unhealthy / 1000);
	send_status(h, "WATCHDOG=trigger", s);
}

void health_refusals(struct health *h, long long count)
{
	if (h->want_refusals == 1)
		h->refusals_base = count;
	else if (h->want_refusals == 2)
		h->refusals_now = count < 0 ? 0 : count;
	h->want_refusals = 0;
}

static long long period(const struct health *h)
{
	return h->ever || h->interval < FIRST_POLL_MS ? h->interval : FIRST_POLL_MS;
}

void health_polling(struct health *h, long long now)
{
	h->next_ping = now;
	watchdog(h, now, 0);
}

/* Polls are timed on a fixed grid, and a poll counts at its slot: with
 * unhealthy-after a multiple of the interval the trigger then lands on a
 * poll, not a millisecond after it (and an interval later). */
void health_stop(struct health *h, long long now)
{
	char s[256], msg[sizeof s + 32];
	(void)now;
	if (h->stopping)
		return;
	h->stopping = 1;
	int n = h->last.distrust.why[0] ? 0 : h->last.connections;
	snprintf(s, sizeof s, "Draining: %d edge connection%s, for up to grace-period (%llds)", n,
	         n == 1 ? "" : "s", h->grace / 1000);
	snprintf(h->status, sizeof h->status, "%s", s);
	snprintf(msg, sizeof msg, "STOPPING=1\nSTATUS=%s", s);
	h->send(h->ctx, msg);
}

void health_config(struct health *h, long long version)
{
	h->version = version;
}

int health_wants_config(const struct health *h, int pushes_seen)
{
	if (h->stopping)
		return 0;
	return h->pushes != pushes_seen ||
	       (h->wait_config && h->version < 0 && !h->last.distrust.why[0] && h->last.connections > 0);
}

void health_polled(struct health *h, long long slot, long long now, const struct ready *r)
{
	if (h->stopping) {
		h->next_poll = now + period(h);
		return;
	}
	h->last = *r;
	if (r->quick[0] && !h->quick[0])
		snprintf(h->quick, sizeof h->quick, "%s", r->quick);
	report(h, slot);
	watchdog(h, slot, 1);
	h->next_poll += period(h);
	if (h->next_poll < now)     /* a slow poll must not cause a burst */
		h->next_poll = now + period(h);
}

int health_exited(struct health *h, long long now)
{
	char s[768], why[512];
	if (h->why == WD_NONE || h->stopping)
		return 0;
	why_down(h, now, why, sizeof why);
	snprintf(s, sizeof s, "cloudflared exited (%s)", why);
	send_status(h, NULL, s);
	return 1;
}

void health_tick(struct health *h, long long now)
{
	watchdog(h, now, 1);
}

long long health_due(const struct health *h, long long now)
{
	long long until = h->next_poll;
	if (h->ping_every && h->next_ping < until && healthy(h, now))
		until = h->next_ping;
	return until;
}
