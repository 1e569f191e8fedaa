/* relay: lines in, the same lines out, none changed but for journald's <N>
 * in front: cloudflared's ERR becomes priority err, so `journalctl -p
 * warning` shows it. The way out never blocks: the monitor that relays
 * also feeds the watchdog, and a journal that falls behind must not stop
 * that (nor cloudflared, whose writes would block on a full pipe). What
 * the journal cannot take now waits, up to RELAY_PENDING; past that,
 * whole lines are dropped, and the count said once the journal catches up. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "relay.h"

void relay_init(struct relay *r, int in, int out, int prefix, const char *name)
{
	struct stat st;
	memset(r, 0, sizeof *r);
	r->in = in;
	r->out = out;
	r->prefix = prefix;
	r->sock = !fstat(out, &st) && S_ISSOCK(st.st_mode);
	snprintf(r->name, sizeof r->name, "%s", name);
}

/* Write what can go without waiting: a socket (the journal's stream) with
 * MSG_DONTWAIT; anything else when poll says it takes writes (a file
 * always does). Bytes written, 0 when it takes none now, -1 when it is
 * gone. */
static ssize_t try_write(struct relay *r, struct iovec *v, int n)
{
	ssize_t w;
	if (r->sock) {
		struct msghdr mh = { .msg_iov = v, .msg_iovlen = (size_t)n };
		w = sendmsg(r->out, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else {
		struct pollfd p = { .fd = r->out, .events = POLLOUT };
		w = poll(&p, 1, 0) == 1 && !(p.revents & (POLLERR | POLLNVAL)) ? writev(r->out, v, n) : 0;
	}
	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return w;
}

static void keep(struct relay *r, const char *s, size_t n)
{
	memcpy(r->pend + r->npend, s, n);
	r->npend += n;
}

/* The waiting bytes, as far as the journal takes them now; then, once all
 * are out, the count of what was dropped. */
void relay_flush(struct relay *r)
{
	while (r->npend && !r->gone) {
		struct iovec v = { r->pend, r->npend };
		ssize_t w = try_write(r, &v, 1);
		if (w < 0)
			r->gone = 1;
		if (w <= 0)
			break;
		memmove(r->pend, r->pend + w, r->npend - (size_t)w);
		r->npend -= (size_t)w;
	}
	if (r->npend || r->gone || !r->dropped)
		return;
	char say[256];
	int n = snprintf(say, sizeof say, "%sargoweb: %s: %lu line%s of the log dropped: "
	                 "the journal did not keep up\n", r->prefix ? "<4>" : "", r->name,
	                 r->dropped, r->dropped == 1 ? "" : "s");
	r->dropped = 0;
	keep(r, say, (size_t)n < sizeof say ? (size_t)n : sizeof say - 1);
	relay_flush(r);
}

/* A whole line (its newline included): out with it now, or keep what
 * does not go, or, with no room for it, drop it and count it. room: how
 * much may wait, RELAY_PENDING for cloudflared's lines, more for ours. */
static void put(struct relay *r, struct iovec *v, int n, size_t room)
{
	size_t len = 0, off = 0;
	for (int i = 0; i < n; i++)
		len += v[i].iov_len;
	relay_flush(r);
	if (r->gone)
		return;
	if (r->npend && r->npend + len > room) {
		r->dropped++;
		return;
	}
	ssize_t w = r->npend ? 0 : try_write(r, v, n);
	if (w < 0) {
		r->gone = 1;
		return;
	}
	for (int i = 0; i < n; i++) {
		size_t skip = (size_t)w > off ? (size_t)w - off : 0;
		if (skip < v[i].iov_len)
			keep(r, (char *)v[i].iov_base + skip, v[i].iov_len - skip);
		off += v[i].iov_len;
	}
}

void relay_say(struct relay *r, const char *s, size_t n)
{
	struct iovec v = { (char *)s, n };
	put(r, &v, 1, sizeof r->pend);
}

/* One line, or a piece of one (more follows when !end). Every piece goes
 * out as a line of its own, its priority in front: journald cuts a line
 * past 48 KiB (or at a NUL) and reads a "<N>" at the start of what
 * follows, so nothing of cloudflared's may ever start a journal line.
 * The priority is the line's level (info when it has none: a "<0>" of
 * its own is text); a NUL is written as \0. */
static void emit(struct relay *r, const char *s, size_t n, int end)
{
	struct logline l;
	char pre[4] = "", clean[RELAY_LINE * 2];
	if (!r->cont) {
		logline_parse(s, n, &l);
		if (r->seen)
			r->seen(r->ctx, &l);
		r->prio = l.priority >= 0 && l.priority <= 7 ? l.priority : 6;
	}
	if (memchr(s, 0, n)) {
		size_t o = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i])
				clean[o++] = s[i];
			else {
				clean[o++] = '\\';
				clean[o++] = '0';
			}
		s = clean;
		n = o;
	}
	if (r->prefix)
		memcpy(pre, (char[]){ '<', (char)('0' + r->prio), '>', 0 }, 4);
	struct iovec v[3] = {
		{ pre, strlen(pre) }, { (char *)s, n }, { "\n", 1 },
	};
	put(r, v, 3, RELAY_PENDING);
	r->cont = !end;
}

int relay_read(struct relay *r)
{
	for (;;) {
		ssize_t got = read(r->in, r->buf + r->have, sizeof r->buf - r->have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return 0;       /* EAGAIN: all there is for now */
		if (got == 0) {
			if (r->have)
				emit(r, r->buf, r->have, 1);
			r->have = 0;
			return 1;
		}
		r->have += (size_t)got;
		char *start = r->buf, *nl;
		while ((nl = memchr(start, '\n', r->have - (size_t)(start - r->buf)))) {
			emit(r, start, (size_t)(nl - start), 1);
			start = nl + 1;
		}
		r->have -= (size_t)(start - r->buf);
		memmove(r->buf, start, r->have);
		if (r->have == sizeof r->buf) {
			emit(r, r->buf, r->have, 0);
			r->have = 0;
		}
	}
}
