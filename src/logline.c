/* logline: cloudflared's console log, "TIME LVL message key=value ...",
 * read for its level and for the few messages that say why a tunnel has
 * no edge connection. Nothing here changes the line: the monitor relays
 * it as it came, with journald's <N> in front. */
#include <string.h>

#include "logline.h"

static const struct {
	const char *lvl;
	int priority;
} levels[] = {
	{ "DBG", 7 }, { "INF", 6 }, { "WRN", 4 }, { "ERR", 3 }, { "FTL", 2 }, { "PNC", 2 },
};

/* The messages that matter, by what they start with (after the level). */
static const struct {
	const char *msg;
	enum why_down why;
} messages[] = {
	{ "Registered tunnel connection", WD_REGISTERED },
	{ "Connection terminated", WD_LOST },
	{ "Register tunnel error from server side", WD_REGISTER_ERROR },
	{ "Unable to establish connection with Cloudflare edge", WD_UNREACHABLE },
	{ "Failed to create new quic connection", WD_UNREACHABLE_QUIC },
	{ "edge discovery: error looking up Cloudflare edge IPs", WD_DNS },
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
	for (size_t i = 0; i < sizeof messages / sizeof *messages; i++) {
		size_t m = strlen(messages[i].msg);
		if (rest >= m && !memcmp(msg, messages[i].msg, m))
			l->why = messages[i].why;
	}
	if (l->why == WD_NONE || l->why == WD_REGISTERED)
		return;
	error_text(msg, rest, l->error, sizeof l->error);
	/* "Unauthorized: Invalid tunnel secret", "Unauthorized: Failed to get
	 * tunnel": what retrying cannot cure. */
	if (l->why == WD_REGISTER_ERROR && !strncmp(l->error, "Unauthorized", 12))
		l->why = WD_REFUSED;
}
