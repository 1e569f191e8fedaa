/* logline: cloudflared's console log, "TIME LVL message key=value ...",
 * read for its level and for the few messages that say why a tunnel has
 * no edge connection. Nothing here changes the line: the monitor relays
 * it as it came, with journald's <N> in front. */
#include <string.h>

#include "logline.h"

#define DEADLINE "context deadline exceeded"
#define UNSAID "control stream encountered a failure while serving"

static const struct {
	const char *lvl;
	int priority;
} levels[] = {
	{ "DBG", 7 }, { "INF", 6 }, { "WRN", 4 }, { "ERR", 3 }, { "FTL", 2 }, { "PNC", 2 },
};

/* The messages that matter, by what they start with (after the level),
 * and, where the message alone says too little, the error it must carry. */
static const struct {
	const char *msg, *error;
	enum why_down why;
} messages[] = {
	{ "Registered tunnel connection", NULL, WD_REGISTERED },
	{ "Connection terminated", NULL, WD_LOST },
	/* QUIC, 2025.8.1 and later (41dffd7f): the cause of a loss, which
	 * "Connection terminated" then only wraps. */
	{ "failed to accept incoming stream requests", NULL, WD_LOST },
	{ "Register tunnel error from server side", NULL, WD_REGISTER_ERROR },
	/* HTTP/2, 2024.6.0 and later: the registration unanswered for
	 * rpc-timeout (654a3260), said before the connection ends. */
	{ "failed to serve incoming request", DEADLINE, WD_REG_TIMEOUT },
	{ "Unable to establish connection with Cloudflare edge", NULL, WD_UNREACHABLE },
	{ "Failed to create new quic connection", NULL, WD_UNREACHABLE_QUIC },
	/* The same, renamed in 2024.11.0 (16ecf608). */
	{ "Failed to dial a quic connection", NULL, WD_UNREACHABLE_QUIC },
	{ "edge discovery: error looking up Cloudflare edge IPs", NULL, WD_DNS },
	/* QUIC, 2025.8.1 and later (41dffd7f): a registration the edge refused
	 * or left unanswered is logged as this wrapper only, its cause lost. */
	{ "failed to serve tunnel connection", UNSAID, WD_REG_UNSAID },
	{ "Serve tunnel error", UNSAID, WD_REG_UNSAID },
	{ "Initiating graceful shutdown", NULL, WD_STOPPING },
	/* A dashboard-managed tunnel's push, applied (orchestrator.go). */
	{ "Updated to new configuration", NULL, WD_PUSHED },
};

static const char *find(const char *s, size_t n, const char *what)
{
	size_t w = strlen(what);
	for (size_t i = 0; w <= n && i <= n - w; i++)
		if (!memcmp(s + i, what, w))
			return s + i;
	return NULL;
}

/* error="..." (Go's %q: \" and \\ escaped), unescaped into out. */
static void error_text(const char *s, size_t n, char *out, size_t cap)
{
	const char *e = find(s, n, " error=\"");
	size_t o = 0;
	out[0] = 0;
	if (!e)
		return;
	for (const char *p = e + 8, *end = s + n; p < end && *p != '"' && o + 1 < cap; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		out[o++] = *p;
	}
	out[o] = 0;
}

/* The message's row, if any, given its error text. */
static enum why_down classify(const char *msg, size_t rest, const char *error)
{
	for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
		size_t m = strlen(messages[i].msg);
		if (rest >= m && !memcmp(msg, messages[i].msg, m) &&
		    (!messages[i].error || !strcmp(error, messages[i].error)))
			return messages[i].why;
	}
	return WD_NONE;
}

void logline_parse(const char *line, size_t n, struct logline *l)
{
	l->priority = -1;
	l->why = WD_NONE;
	l->error[0] = 0;
	/* The time is one word; the level the next, three letters. */
	const char *sp = memchr(line, ' ', n);
	if (!sp || (size_t)(sp - line) + 5 > n || sp[4] != ' ')
		return;
	for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
		if (!memcmp(sp + 1, levels[i].lvl, 3))
			l->priority = levels[i].priority;
	if (l->priority < 0)
		return;
	const char *msg = sp + 5;
	size_t rest = n - (size_t)(msg - line);
	error_text(msg, rest, l->error, sizeof l->error);
	l->why = classify(msg, rest, l->error);
	if (l->why == WD_REGISTERED || l->why == WD_NONE || l->why == WD_STOPPING || l->why == WD_PUSHED) {
		l->error[0] = 0;
		return;
	}
	/* "Unauthorized: Invalid tunnel secret", "Unauthorized: Failed to get
	 * tunnel": what retrying cannot cure. */
	if (l->why == WD_REGISTER_ERROR && !strncmp(l->error, "Unauthorized", 12))
		l->why = WD_REFUSED;
	else if (l->why == WD_REGISTER_ERROR && !strcmp(l->error, DEADLINE))
		l->why = WD_REG_TIMEOUT;
	else if (l->why == WD_LOST && !strcmp(l->error, UNSAID))
		l->why = WD_REG_UNSAID;
	/* 2025.8.1 and later say it of every connection that ends, a clean
	 * stop's too, with no error: nothing lost. */
	else if (l->why == WD_LOST && !l->error[0])
		l->why = WD_NONE;
}
