/* relay: lines in, the same lines out, none lost, none changed but for
 * journald's <N> in front: cloudflared's ERR becomes priority err, so
 * `journalctl -p warning` shows it. */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "relay.h"

static void write_all(int fd, struct iovec *v, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, v, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;         /* the journal is gone: nothing to tell */
		while (n > 0 && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
}

/* One line, or a piece of one (more follows when !end). */
static void emit(struct relay *r, const char *s, size_t n, int end)
{
	struct logline l;
	char pre[4] = "";
	logline_parse(s, n, &l);
	if (!r->cont && r->seen)
		r->seen(r->ctx, &l);
	/* Every line gets a priority, so none can bring its own (a "<0>" at
	 * its start would be an emergency); argoweb's own keep theirs. */
	int own = n > 3 && s[0] == '<' && s[1] >= '0' && s[1] <= '7' && s[2] == '>' &&
	          n - 3 >= 9 && !memcmp(s + 3, "argoweb: ", 9);
	int p = l.priority >= 0 && l.priority <= 7 ? l.priority : 6;
	if (!r->cont && r->prefix && !own)
		memcpy(pre, (char[]){ '<', (char)('0' + p), '>', 0 }, 4);
	struct iovec v[3] = {
		{ pre, strlen(pre) }, { (char *)s, n }, { "\n", end },
	};
	write_all(r->out, v, 3);
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
