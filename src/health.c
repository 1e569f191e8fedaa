/* health: whether the tunnel is up, and what systemd should hear about it.
 * cloudflared sends READY=1 once and nothing more; a tunnel that lost every
 * edge connection would stay "active (running)" for ever. */
#include <stdio.h>
#include <string.h>

#include "health.h"

/* The poll period before the first edge connection: READY=1 (and so the
 * end of `systemctl start`) waits for the poll that sees it. */
#define FIRST_POLL_MS 250

void health_init(struct health *h, long long now)
{
	h->down_since = h->next_poll = h->next_ping = now;
	h->ever = h->ready_sent = h->triggered = 0;
	h->quick[0] = h->status[0] = 0;
	memset(&h->last, 0, sizeof h->last);
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
	char s[512];
	/* An answer from a socket that is not cloudflared's counts for nothing. */
	int n = h->last.distrust[0] ? 0 : h->last.connections;
	if (n > 0) {
		h->down_since = 0;
		h->triggered = 0;
		snprintf(s, sizeof s, "Connected: %d edge connection%s%s%s", n, n == 1 ? "" : "s",
		         h->quick[0] ? ", https://" : "", h->quick);
		send_status(h, h->ready_sent ? NULL : "READY=1", s);
		h->ready_sent = h->ever = 1;
		return;
	}
	const char *why = h->last.distrust[0] ? h->last.distrust
	                : h->last.answered ? "0 edge connections"
	                : "cloudflared's metrics server is not answering";
	if (!h->down_since)
		h->down_since = now;
	if (!h->ever)
		snprintf(s, sizeof s, "Connecting to Cloudflare\u2026 (%s)", why);
	else
		snprintf(s, sizeof s, "Not connected for %llds (%s)", (now - h->down_since) / 1000, why);
	send_status(h, NULL, s);
}

/* Connected, or not connected for less than unhealthy-after. */
static int healthy(const struct health *h, long long now)
{
	return !h->down_since || now - h->down_since < h->unhealthy;
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
	char s[512];
	snprintf(s, sizeof s, "No edge connection for %llds (unhealthy-after is %llds): "
	         "asking systemd to restart the tunnel", (now - h->down_since) / 1000, h->unhealthy / 1000);
	h->status[0] = 0;
	send_status(h, "WATCHDOG=trigger", s);
	h->triggered = 1;
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
void health_polled(struct health *h, long long slot, long long now, const struct ready *r)
{
	h->last = *r;
	if (r->quick[0] && !h->quick[0])
		snprintf(h->quick, sizeof h->quick, "%s", r->quick);
	report(h, slot);
	watchdog(h, slot, 1);
	h->next_poll += period(h);
	if (h->next_poll < now)     /* a slow poll must not cause a burst */
		h->next_poll = now + period(h);
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
