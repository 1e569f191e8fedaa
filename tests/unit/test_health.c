/* health.c: what systemd hears, driven by a fake clock and made-up /ready
 * answers, as the monitor's loop drives it (no sleep, no socket). */
#include "../../src/health.c"
#include "tap.h"

static char sent[64][600];
static long long sent_at[64];
static int nsent;
static long long now_fake;

static void record(void *ctx, const char *msg)
{
	(void)ctx;
	if (nsent < 64) {
		sent_at[nsent] = now_fake;
		snprintf(sent[nsent++], sizeof sent[0], "%s", msg);
	}
}

/* How many messages since `from` contain s. */
static int count(int from, const char *s)
{
	int n = 0;
	for (int i = from; i < nsent; i++)
		n += strstr(sent[i], s) != NULL;
	return n;
}

/* The longest time between two messages since `from` that contain s. */
static long long max_gap(int from, const char *s)
{
	long long last = -1, gap = 0;
	for (int i = from; i < nsent; i++)
		if (strstr(sent[i], s)) {
			if (last >= 0 && sent_at[i] - last > gap)
				gap = sent_at[i] - last;
			last = sent_at[i];
		}
	return gap;
}

/* What cloudflared's /metrics counts of refused registrations, when the
 * monitor asks (-1: not there). */
static long long fake_refusals;

/* The monitor's loop, on a fake clock, until `until` (ms): polls take
 * `poll_ms`; conns(t) is what /ready says at time t. */
static void run_until(struct health *h, long long until, int poll_ms, int (*conns)(long long t))
{
	while (now_fake < until) {
		if (now_fake >= h->next_poll) {
			struct ready r = { .answered = 1, .connections = conns(now_fake) };
			long long slot = h->next_poll;
			health_polling(h, now_fake);
			now_fake += poll_ms;
			health_polled(h, slot, now_fake, &r);
		}
		health_tick(h, now_fake);
		if (h->want_refusals) {
			health_refusals(h, fake_refusals);
			health_tick(h, now_fake);
		}
		long long due = health_due(h, now_fake);
		now_fake = due > now_fake ? due : now_fake + 1;
	}
}

static struct health fresh(long long interval, long long unhealthy, long long ping)
{
	struct health h = { .interval = interval, .unhealthy = unhealthy, .ping_every = ping,
	                    .send = record, .kept_version = -1, .grace = 30000 };
	nsent = 0;
	now_fake = 1000000;
	health_init(&h, now_fake);
	return h;
}

static int up_from_2s(long long t) { return t >= 1002000 ? 4 : 0; }
static int up_then_down(long long t) { return t >= 1001000 && t < 1010000 ? 4 : 0; }
static int never(long long t) { (void)t; return 0; }
static int up_always(long long t) { (void)t; return 4; }

static void test_connecting(void)
{
	struct health h = fresh(5000, 60000, 0);
	run_until(&h, 1001900, 1, up_from_2s);
	OK(count(0, "READY=1") == 0, "no READY=1 before the first connection");
	IS_STR(sent[0], "STATUS=Connecting to Cloudflare\u2026 (0 edge connections)", "connecting status");
	IS_INT(nsent, 1, "an unchanged STATUS is said once");
	run_until(&h, 1002400, 1, up_from_2s);
	int at = -1;
	for (int i = 0; i < nsent; i++)
		if (strstr(sent[i], "READY=1"))
			at = i;
	IS_STR(at >= 0 ? sent[at] : "", "STATUS=Connected: 4 edge connections\nREADY=1",
	       "READY=1 with the status that says why");
	/* Polls every 250 ms until the first connection (interval is 5s). */
	OK(h.next_poll - 1002000 <= 5000 + 250, "after it, the interval (next poll at +%lld ms)",
	   h.next_poll - 1002000);
	run_until(&h, 1030000, 1, up_from_2s);
	IS_INT(count(0, "READY=1"), 1, "READY=1 once");
}

static void test_first_poll_period(void)
{
	struct health h = fresh(5000, 60000, 0);
	run_until(&h, 1001000, 1, never);
	/* Polls at 0, 250, 500, 750 (and 1000 due): the fast period. */
	OK(h.next_poll <= 1001000 + 250, "before any connection, polls every 250 ms (next at +%lld)",
	   h.next_poll - 1000000);
	struct health g = fresh(100, 60000, 0);
	run_until(&g, 1000450, 1, never);
	OK(g.next_poll - 1000000 <= 500, "an interval shorter than 250 ms is kept");
}

static void test_watchdog(void)
{
	struct health h = fresh(1000, 4000, 750);
	run_until(&h, 1009500, 1, up_then_down);
	IS_INT(count(0, "WATCHDOG=trigger"), 0, "no trigger while connected, nor within unhealthy-after");
	/* Pings at least every 750 ms while healthy. */
	OK(count(0, "WATCHDOG=1") >= 12, "pings while healthy (%d)", count(0, "WATCHDOG=1"));
	int before = nsent;
	run_until(&h, 1016000, 1, up_then_down);
	long long first_down = 1010000;     /* the poll at 10 s sees 0 */
	IS_INT(count(before, "WATCHDOG=trigger"), 1, "one trigger");
	OK(h.triggered, "marked triggered");
	int trig = -1;
	for (int i = before; i < nsent; i++)
		if (strstr(sent[i], "WATCHDOG=trigger"))
			trig = i;
	IS_STR(trig >= 0 ? sent[trig] : "",
	       "STATUS=No edge connection for 4s (0 edge connections): unhealthy-after is 4s, "
	       "asking systemd to restart the tunnel\nWATCHDOG=trigger", "the trigger says why");
	/* Not early: no trigger before first_down + unhealthy-after, on the
	 * grid (down_since counts from the first poll that saw 0). */
	IS_INT(h.down_since, first_down, "down since the first poll that found 0");
	/* The poll that judges it counts at its slot: 10 s + 4 s exactly, an
	 * interval after the loss at the latest, never before. */
	IS_INT(trig >= 0 ? sent_at[trig] - 1 : 0, first_down + 4000,
	       "the trigger at the poll of down_since + unhealthy-after (the poll took 1 ms)");
	int pings_after = 0;
	for (int i = trig + 1; trig >= 0 && i < nsent; i++)
		pings_after += !strcmp(sent[i], "WATCHDOG=1");
	IS_INT(pings_after, 0, "no ping after the trigger");
	OK(count(before, "Not connected for 0s (0 edge connections)") == 1, "status while down");
}

static int flap_state;
static int flap(long long t) { (void)t; return flap_state; }

static void test_recover(void)
{
	struct health h = fresh(1000, 3000, 0);
	flap_state = 4;
	run_until(&h, 1002000, 1, flap);
	flap_state = 0;
	run_until(&h, 1008000, 1, flap);
	IS_INT(count(0, "WATCHDOG=trigger"), 1, "down: one trigger");
	flap_state = 4;
	run_until(&h, 1010000, 1, flap);
	OK(!h.triggered && !h.down_since, "connected again: the trigger is rearmed");
	IS_INT(count(0, "READY=1"), 1, "no second READY=1");
	flap_state = 0;
	run_until(&h, 1016000, 1, flap);
	IS_INT(count(0, "WATCHDOG=trigger"), 2, "down again: a second trigger");
}

static void test_slow_poll(void)
{
	/* A poll that blocks longer than the interval does not cause a burst. */
	struct health h = fresh(1000, 60000, 0);
	flap_state = 4;
	run_until(&h, 1005000, 2500, flap);
	OK(h.next_poll > now_fake - 1, "after slow polls the next one is ahead, not in the past");
}

static void test_quick_and_timeout(void)
{
	struct health h = fresh(1000, 60000, 0);
	struct ready r = { .answered = 1, .connections = 1 };
	snprintf(r.quick, sizeof r.quick, "blue-sky.trycloudflare.com");
	health_polling(&h, now_fake);
	health_polled(&h, now_fake, now_fake, &r);
	IS_STR(sent[0], "STATUS=Connected: 1 edge connection, https://blue-sky.trycloudflare.com\nREADY=1",
	       "a quick tunnel's name in the status");
	r.answered = 0;
	r.connections = 0;
	r.quick[0] = 0;
	health_polled(&h, now_fake + 1000, now_fake + 1000, &r);
	IS_STR(sent[nsent - 1], "STATUS=Not connected for 0s (cloudflared's metrics server is not answering)",
	       "nothing answering is said so");
	struct health t = fresh(1000, 60000, 0);
	IS_INT(health_poll_timeout(&t), 800, "a poll takes at most 0.8 interval");
	t.interval = 10000;
	IS_INT(health_poll_timeout(&t), 2000, "... and at most 2 s");
	t.ping_every = 500;
	IS_INT(health_poll_timeout(&t), 500, "... and at most a ping period");
}

/* Another user's socket on the metrics address answers "4 connections":
 * the monitor must not believe it, whatever it says. */
static void test_squatted(void)
{
	struct health h = fresh(1000, 3000, 750);
	struct ready squat = { .answered = 1, .connections = 4 }, up = { .answered = 1, .connections = 2 };
	snprintf(squat.distrust.why, sizeof squat.distrust.why, "something else answers on 127.0.0.1:20241: "
	         "a socket of uid 1000, not argoweb's; not trusting it");
	for (long long t = now_fake; t <= 1004000; t += 250) {
		now_fake = t;
		if (t >= h.next_poll) {
			long long slot = h.next_poll;
			health_polling(&h, t);
			health_polled(&h, slot, t, &squat);
		}
		health_tick(&h, t);
	}
	IS_INT(count(0, "STATUS=Connecting to Cloudflare\u2026 (something else answers on 127.0.0.1:20241: "
	             "a socket of uid 1000, not argoweb's; not trusting it)") >= 1, 1,
	       "STATUS says who answers, and that it is not believed");
	IS_INT(count(0, "READY=1"), 0, "no READY=1 from a squatter's answer");
	IS_INT(count(0, "Connected"), 0, "never \"Connected\"");
	IS_INT(count(0, "WATCHDOG=trigger"), 1, "the watchdog is not kept fed: triggered after unhealthy-after");
	now_fake += 1000;
	health_polling(&h, now_fake);
	health_polled(&h, now_fake, now_fake, &up);
	IS_INT(count(0, "READY=1"), 1, "cloudflared's own answer afterwards: READY=1");
}

/* --- why it is down, from the log ------------------------------------- */

static void log_line(struct health *h, const char *line)
{
	struct logline l;
	logline_parse(line, strlen(line), &l);
	health_log(h, now_fake, &l);
}

/* The last STATUS= sent, without its prefix. */
static const char *last_status(void)
{
	static char s[600];
	s[0] = 0;
	for (int i = nsent - 1; i >= 0 && !s[0]; i--)
		if (!strncmp(sent[i], "STATUS=", 7))
			snprintf(s, sizeof s, "%.*s", (int)strcspn(sent[i] + 7, "\n"), sent[i] + 7);
	return s;
}

#define L_REFUSED "2026-12-03T09:14:08Z ERR Register tunnel error from server side " \
	"error=\"Unauthorized: Invalid tunnel secret\" connIndex=0 event=0 ip=127.0.0.2"
#define L_QUIC "2026-12-03T09:14:25Z ERR Failed to create new quic connection error=\"failed to " \
	"dial to edge with quic: timeout: no recent network activity\" connIndex=0"
#define L_TCP "2026-12-03T09:14:25Z ERR Unable to establish connection with Cloudflare edge " \
	"error=\"DialContext error: dial tcp 127.0.0.2:7844: connect: connection refused\" connIndex=0"
#define L_DNS "2026-12-03T09:14:08Z ERR edge discovery: error looking up Cloudflare edge IPs: the " \
	"DNS query failed error=\"lookup _v2-origintunneld._tcp.argotunnel.com on 10.0.0.53:53: timeout\""
#define L_REG "2026-12-03T09:14:08Z INF Registered tunnel connection connIndex=0 connection=x"

static void test_why_down(void)
{
	struct health h = fresh(1000, 10000, 0);
	log_line(&h, L_QUIC);
	run_until(&h, 1000300, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (edge unreachable over QUIC: \"failed to "
	       "dial to edge with quic: timeout: no recent network activity\"; if UDP port 7844 is "
	       "blocked here, set protocol: http2)", "QUIC unreachable: named, with what to try");
	log_line(&h, L_TCP);
	run_until(&h, 1001300, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (edge unreachable: \"DialContext error: "
	       "dial tcp 127.0.0.2:7844: connect: connection refused\")", "TCP unreachable: the last word");
	log_line(&h, L_DNS);
	log_line(&h, "2026-12-03T09:14:25Z ERR Connection terminated error=\"DialContext error\" connIndex=2");
	run_until(&h, 1002300, 1, never);
	OK(strstr(last_status(), "(DNS not answering: \"lookup _v2-origintunneld") != NULL,
	   "DNS: named (%s)", last_status());
	h.has_edge = 1;
	log_line(&h, L_TCP);
	log_line(&h, L_DNS);
	run_until(&h, 1003300, 1, never);
	OK(strstr(last_status(), "edge unreachable") != NULL,
	   "with edge: set, the edge-discovery lookup is no reason (%s)", last_status());
	log_line(&h, L_REG);
	run_until(&h, 1004300, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (0 edge connections)",
	       "a registration clears the reason");

	/* cloudflared exits at start-up when it cannot look the edge up: the
	 * last word says why, even with no metrics server ever answering. */
	h = fresh(1000, 60000, 0);
	log_line(&h, L_DNS);
	int before = nsent;
	health_exited(&h, now_fake);
	OK(nsent == before + 1 && !strncmp(sent[before], "STATUS=cloudflared exited (DNS not answering: "
	                                   "\"lookup _v2-origintunneld", 54), "exited: the last word says why");
	h = fresh(1000, 60000, 0);
	health_exited(&h, now_fake);
	IS_INT(nsent, 0, "exited with no reason known: nothing said");
	h = fresh(1000, 60000, 0);
	log_line(&h, L_DNS);
	struct ready none = { 0 };
	health_polled(&h, now_fake, now_fake, &none);
	OK(strstr(last_status(), "(DNS not answering") != NULL,
	   "no metrics server yet, but the log says why: the log's reason (%s)", last_status());

	/* Silence with no connection: a stall, after 15 s. */
	h = fresh(1000, 60000, 0);
	run_until(&h, 1014000, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (0 edge connections)", "silent 14 s: no verdict");
	run_until(&h, 1016000, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (registration stalled: the edge has not "
	       "answered for 15s)", "silent 15 s: a stall");
}

/* Refused on every attempt for unhealthy-after: the unit ends, with a
 * status RestartPreventExitStatus lists, instead of a restart. */
static void test_refused(void)
{
	fake_refusals = 3;      /* cloudflared counted them */
	struct health h = fresh(1000, 5000, 250);
	log_line(&h, "2026-12-03T09:14:25Z ERR Connection terminated error=\"Unauthorized: x\" connIndex=0");
	log_line(&h, L_REFUSED);
	run_until(&h, 1002000, 1, never);
	OK(strstr(last_status(), "Cloudflare refuses the tunnel's credentials: \"Unauthorized: Invalid "
	          "tunnel secret\"") != NULL, "refused: named while it lasts (%s)", last_status());
	IS_INT(h.verdict, 0, "refused for 2 s: no verdict yet");
	log_line(&h, L_REFUSED);
	run_until(&h, 1006000, 1, never);
	IS_INT(h.verdict, HEALTH_EXIT_REFUSED, "refused for unhealthy-after: end with 76");
	IS_INT(count(0, "WATCHDOG=trigger"), 0, "no watchdog restart for it");
	IS_INT(count(0, "STATUS=Cloudflare refused the tunnel's credentials for 5s (\"Unauthorized: "
	             "Invalid tunnel secret\"): stopped instead of retrying for ever"), 1,
	       "the status says why it stops");

	/* A refusal among other faults: a restart may cure those. */
	h = fresh(1000, 5000, 250);
	log_line(&h, L_REFUSED);
	log_line(&h, L_TCP);
	log_line(&h, L_REFUSED);
	run_until(&h, 1006000, 1, never);
	IS_INT(h.verdict, 0, "refused and unreachable: no verdict");
	IS_INT(count(0, "WATCHDOG=trigger"), 1, "... the watchdog restart instead");

	/* The refusal only in the log (a line anyone's text could make):
	 * cloudflared's own count of refused registrations did not grow. */
	fake_refusals = 0;
	h = fresh(1000, 5000, 250);
	log_line(&h, L_REFUSED);
	run_until(&h, 1006000, 1, never);
	IS_INT(h.verdict, 0, "a refusal in the log, none in cloudflared's metrics: no verdict (no 76)");
	IS_INT(count(0, "WATCHDOG=trigger"), 1, "... the watchdog restart instead");
	IS_INT(count(0, "the log says Cloudflare refuses the credentials (\"Unauthorized: Invalid tunnel "
	             "secret\"), but cloudflared's metrics count no refused registration: not believed"), 1,
	       "... saying why, with the trigger");
	/* Connected once, then refused: counted from the outage's start. */
	fake_refusals = 5;
	h = fresh(1000, 5000, 250);
	run_until(&h, 1002000, 1, up_always);
	run_until(&h, 1002500, 1, never);
	IS_INT(h.refusals_base, 5, "an outage after a connection: the count at its start is the base");
	log_line(&h, L_REFUSED);
	run_until(&h, 1009000, 1, never);
	IS_INT(h.verdict, 0, "... refused in the log, the count still 5: no verdict");
	fake_refusals = 0;
}

#define L_UNSAID "2026-12-07T03:04:45Z ERR Serve tunnel error error=\"control stream encountered a " \
	"failure while serving\" connIndex=0 event=0 ip=127.0.1.2"
#define L_TIMEOUT "2026-12-07T03:04:40Z ERR Register tunnel error from server side " \
	"error=\"context deadline exceeded\" connIndex=0 event=0 ip=127.0.3.2"
#define L_STOP "2026-12-07T03:10:00Z INF Initiating graceful shutdown due to signal terminated ..."

/* What 2024-2026 releases say instead (cloudflared's source and runs). */
static void test_newer_releases(void)
{
	/* QUIC, 2025.8.1 and later: the refusal's cause is not logged. Not
	 * a stall, not Cloudflare refusing the credentials (that may be
	 * wrong), so no end with 76: the watchdog's restart. */
	struct health h = fresh(1000, 5000, 250);
	log_line(&h, L_UNSAID);
	run_until(&h, 1002000, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (the edge did not accept the registration; "
	       "over QUIC this cloudflared does not log why (\"control stream encountered a failure while "
	       "serving\"): protocol: http2 would show it)", "QUIC, cause unsaid: what is known, and how to learn more");
	run_until(&h, 1020000, 1, never);
	IS_INT(h.verdict, 0, "QUIC, cause unsaid: no verdict (76), whatever it lasts");
	IS_INT(count(0, "stalled"), 0, "QUIC, cause unsaid: never called a stall");
	IS_INT(count(0, "WATCHDOG=trigger"), 1, "QUIC, cause unsaid: the watchdog restart at unhealthy-after");
	/* HTTP/2, 2024.6.0 and later: an unanswered registration times out. */
	h = fresh(1000, 60000, 0);
	log_line(&h, L_TIMEOUT);
	run_until(&h, 1001000, 1, never);
	IS_STR(last_status(), "Connecting to Cloudflare\u2026 (the edge did not answer the registration "
	       "within rpc-timeout (\"context deadline exceeded\"))", "timeout: no answer, never \"refused\"");
	IS_INT(health_exited(&h, now_fake), 1, "timeout, then cloudflared exits (1, at start-up): said");
	IS_STR(last_status(), "cloudflared exited (the edge did not answer the registration within "
	       "rpc-timeout (\"context deadline exceeded\"))", "... the last word says why");
	/* A stop's own lines are not the tunnel's health. */
	h = fresh(1000, 60000, 0);
	log_line(&h, L_REG);
	log_line(&h, L_STOP);
	log_line(&h, L_UNSAID);
	log_line(&h, "2026-12-07T03:10:00Z ERR Connection terminated connIndex=0");
	IS_INT(h.why, WD_NONE, "stopping: later lines change no reason");
	IS_INT(nsent, 1, "stopping: one notification");
	IS_STR(sent[0], "STOPPING=1\nSTATUS=Draining: 0 edge connections, for up to grace-period (30s)",
	       "stopping: STOPPING=1, and what it waits for");
	IS_INT(health_exited(&h, now_fake), 0, "stopping: the exit is a clean stop: nothing said");
	IS_INT(nsent, 1, "stopping: ... no STATUS= at the exit");
}

/* A stop drains: 0 connections (cloudflared unregistered them) for longer
 * than unhealthy-after must not end in the watchdog's kill. */
static void test_drain(void)
{
	struct health h = fresh(1000, 8000, 250);
	run_until(&h, 1003000, 1, up_always);
	int before = nsent;
	health_stop(&h, now_fake);
	IS_STR(sent[before], "STOPPING=1\nSTATUS=Draining: 4 edge connections, for up to grace-period (30s)",
	       "stop: STOPPING=1, with how many connections drain and for how long at most");
	run_until(&h, 1003000 + 12000, 1, never);
	IS_INT(count(before, "WATCHDOG=trigger"), 0, "draining 12 s with 0 connections (unhealthy-after 8 s): no trigger");
	IS_INT(max_gap(before, "WATCHDOG=1"), 250, "... the watchdog fed every 250 ms throughout (the longest gap)");
	IS_INT(count(before, "STATUS="), 1, "... and the status stays the drain's");
	health_stop(&h, now_fake);
	IS_INT(count(before, "STOPPING=1"), 1, "a second stop signal: said once");
	IS_INT(h.verdict, 0, "no verdict while draining");
}

/* A dashboard-managed tunnel with nothing to serve until the push: up,
 * but not ready (every request would get 503). */
static void test_wait_config(void)
{
	struct health h = fresh(1000, 10000, 0);
	h.wait_config = 1;
	run_until(&h, 1003000, 1, up_always);
	IS_STR(last_status(), "Connected to the edge (4 connections), waiting for the tunnel's configuration "
	       "from Cloudflare", "registered, no push yet: waiting, said");
	IS_INT(count(0, "READY=1"), 0, "... no READY=1");
	OK(health_wants_config(&h, 0), "... /config is asked at each poll");
	IS_INT(count(0, "WATCHDOG=trigger"), 0, "... and it is healthy (connected)");
	health_config(&h, -1);
	run_until(&h, 1004000, 1, up_always);
	IS_INT(count(0, "READY=1"), 0, "/config still -1: no READY=1");
	health_config(&h, 3);
	run_until(&h, 1005000, 1, up_always);
	IS_INT(count(0, "READY=1"), 1, "/config version 3: READY=1");
	IS_STR(last_status(), "Connected: 4 edge connections; configuration version 3 from Cloudflare",
	       "... saying which configuration it serves");
	OK(!health_wants_config(&h, 0), "... and /config is not asked again");
	h.pushes++;
	OK(health_wants_config(&h, 0), "a new push: asked again");
	/* Kept from an earlier push: ready at once, saying so. */
	h = fresh(1000, 10000, 0);
	h.kept_version = 7;
	run_until(&h, 1001000, 1, up_always);
	IS_INT(count(0, "READY=1"), 1, "kept configuration: READY=1 at the first connection");
	IS_STR(last_status(), "Connected: 4 edge connections; the kept configuration (version 7) until "
	       "Cloudflare pushes", "... saying it serves the kept one");
	struct logline l;
	const char *push = "2026-12-07T03:44:41Z INF Updated to new configuration config=\"{}\" version=8";
	logline_parse(push, strlen(push), &l);
	health_log(&h, now_fake, &l);
	OK(health_wants_config(&h, 0), "the push's log line: /config asked");
	IS_INT(h.why, WD_NONE, "... and it is no reason for anything");
}

static int two_of_four(long long t) { return t >= 1000500 ? 2 : 0; }
static int four_then_two(long long t) { return t < 1010000 ? 4 : 2; }

static void test_degraded(void)
{
	struct health h = fresh(1000, 10000, 0);
	h.expected = 4;
	run_until(&h, 1003000, 1, two_of_four);
	IS_STR(last_status(), "Connected: 2 edge connections", "2 of 4 for under 3 polls: connected");
	IS_INT(count(0, "READY=1"), 1, "READY=1 all the same");
	run_until(&h, 1004600, 1, two_of_four);
	IS_STR(last_status(), "Degraded: 2 of 4 edge connections", "2 of 4 for 3 polls: degraded");
	h = fresh(1000, 10000, 0);
	h.expected = 4;
	run_until(&h, 1012000, 1, four_then_two);
	IS_STR(last_status(), "Connected: 2 edge connections", "a fresh loss: not yet");
	log_line(&h, L_TCP);
	run_until(&h, 1014000, 1, four_then_two);
	OK(strstr(last_status(), "Degraded: 2 of 4 edge connections (DialContext error: dial tcp "
	          "127.0.0.2:7844: connect: connection refused)") != NULL, "degraded, with the log's why");
	IS_INT(count(0, "WATCHDOG=trigger"), 0, "degraded is up: no restart");
	h = fresh(1000, 10000, 0);
	h.expected = 1;
	run_until(&h, 1010000, 1, two_of_four);
	IS_STR(last_status(), "Connected: 2 edge connections", "more than expected: connected");
}

int main(void)
{
	test_connecting();
	test_first_poll_period();
	test_watchdog();
	test_recover();
	test_slow_poll();
	test_quick_and_timeout();
	test_squatted();
	test_why_down();
	test_refused();
	test_newer_releases();
	test_drain();
	test_wait_config();
	test_degraded();
	return tap_done();
}
