/* relay.c: lines in, lines out with their journald priority, and the way
 * out never waits: a journal stream (a socket) that takes nothing for a
 * while costs lines, counted and said once it takes them again, never the
 * relay's time (the monitor beside it feeds the watchdog), never a line
 * run into the next. */
#define _GNU_SOURCE
#include "../../src/relay.c"

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../../src/msg.h"
#include "tap.h"

static int nseen;
static void seen(void *ctx, const struct logline *l)
{
	(void)ctx;
	(void)l;
	nseen++;
}

/* Everything the peer has now, appended to out. */
static size_t slurp(int fd, char *out, size_t have, size_t cap)
{
	ssize_t r;
	while (have < cap - 1 && (r = recv(fd, out + have, cap - 1 - have, MSG_DONTWAIT)) > 0)
		have += (size_t)r;
	out[have] = 0;
	return have;
}

static long long ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Each output line: a whole input line with its priority, or the notice. */
static int lines_whole(const char *s, int *lines, int *notices)
{
	*lines = *notices = 0;
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		if (!nl)
			return 0;
		int ok = (!strncmp(p, "<6>2026-12-07T00:00:00Z INF line ", 33) && nl[-1] == '.') ||
		         !strncmp(p, "<4>argoweb: web: ", 17);
		if (!ok)
			return 0;
		*notices += p[1] == '4';
		*lines += p[1] == '6';
		p = nl + 1;
	}
	return 1;
}

static void test_journal_behind(void)
{
	int in[2], sp[2];
	if (pipe(in) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		OK(0, "pipe, socketpair: %s", strerror(errno));
		return;
	}
	int small = 4096;
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	static struct relay r;
	relay_init(&r, in[0], sp[0], 1, "web");
	r.seen = seen;
	OK(r.sock, "the way out is told to be a socket");
	/* 20 000 lines (1.1 MB) while the journal reads nothing. */
	long long t0 = ms(), longest = 0;
	int written = 0;
	char line[128];
	while (written < 20000) {
		int n = snprintf(line, sizeof line, "2026-12-07T00:00:00Z INF line %05d of cloudflared's log.\n", written);
		if (write(in[1], line, (size_t)n) != n) {
			long long a = ms();
			relay_read(&r);
			longest = ms() - a > longest ? ms() - a : longest;
			continue;
		}
		written++;
	}
	close(in[1]);
	while (!relay_read(&r))
		;
	OK(ms() - t0 < 5000, "20 000 lines relayed against a journal that takes nothing, in %lld ms", ms() - t0);
	/* Blocked, a read would never come back (the peer reads nothing):
	 * a bound far above a slow machine's, or valgrind's, pace. */
	OK(longest < 2000, "... no read of the relay waited (longest %lld ms)", longest);
	IS_INT(nseen, 20000, "... every line read for the tunnel's health, kept or not");
	OK(r.dropped > 0 && r.npend > 0, "... %lu lines dropped, %zu bytes waiting", r.dropped, r.npend);
	unsigned long dropped = r.dropped;
	/* The journal catches up. */
	static char got[1 << 21];
	size_t have = 0;
	for (int i = 0; i < 1000 && (r.npend || r.dropped); i++) {
		have = slurp(sp[1], got, have, sizeof got);
		relay_flush(&r);
	}
	have = slurp(sp[1], got, have, sizeof got);
	int lines, notices;
	OK(lines_whole(got, &lines, &notices), "the journal got whole lines only, none run into another");
	IS_INT(lines + (int)dropped, 20000, "... %d lines relayed, %lu dropped: all accounted for", lines, dropped);
	IS_INT(notices, 1, "... and one line that says so");
	char want[128];
	snprintf(want, sizeof want, "<4>argoweb: web: %lu lines of the log dropped: the journal did not keep up\n",
	         dropped);
	OK(strstr(got, want) != NULL, "... at priority warning: %s", want);
	close(in[0]);
	close(sp[0]);
	close(sp[1]);
}

/* A line longer than the buffer goes out in pieces; dropped midway, it
 * still ends, so the next line stands alone. */
static void test_long_line(void)
{
	int in[2], sp[2];
	if (pipe(in) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		OK(0, "pipe, socketpair: %s", strerror(errno));
		return;
	}
	int small = 4096;
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETPIPE_SZ, 1 << 20);
	static struct relay r;
	relay_init(&r, in[0], sp[0], 1, "web");
	static char big[200000];
	memset(big, 'x', sizeof big);
	memcpy(big, "2026-12-07T00:00:00Z INF ", 25);
	big[sizeof big - 1] = '\n';
	if (write(in[1], big, sizeof big) != (ssize_t)sizeof big)
		OK(0, "write: %s", strerror(errno));
	dprintf(in[1], "2026-12-07T00:00:00Z ERR after it\n");
	close(in[1]);
	while (!relay_read(&r))
		;
	static char got[1 << 20];
	size_t have = 0;
	for (int i = 0; i < 1000 && (r.npend || r.dropped); i++) {
		have = slurp(sp[1], got, have, sizeof got);
		relay_flush(&r);
	}
	slurp(sp[1], got, have, sizeof got);
	OK(strstr(got, "\n<3>2026-12-07T00:00:00Z ERR after it\n") != NULL,
	   "a 200 kB line cut by the journal's pace: the next line stands alone, at its priority");
	OK(!strncmp(got, "<6>2026-12-07T00:00:00Z INF xxx", 31), "... and the long one began with its priority");
	/* Every journal line the long one became starts with its priority:
	 * journald, which cuts at 48 KiB, never sees a "<N>" of its text. */
	int pieces = 0, bare = 0;
	for (char *p = got; *p; ) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		if (!strncmp(p, "<6>", 3) && p[3] == 'x')
			pieces++;
		else if (strncmp(p, "<6>2026", 7) && strncmp(p, "<3>2026", 7) && strncmp(p, "<4>argoweb", 10))
			bare++;
		p = nl + 1;
	}
	OK(pieces > 0 && bare == 0, "... %d pieces of it, each a line with the priority, none bare", pieces);
	close(in[0]);
	close(sp[0]);
	close(sp[1]);
}

/* What would let a line choose its own priority in the journal. */
static void test_forged(void)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out)) {
		OK(0, "pipes: %s", strerror(errno));
		return;
	}
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	static struct relay r;
	relay_init(&r, in[0], out[1], 1, "web");
	/* A NUL: journald would end the entry there and read what follows
	 * as a new one, "<0>" included. */
	static const char forged[] = "<0>argoweb: web: not argoweb's\n2026-12-07T00:00:00Z INF a\0<0>boom\n";
	if (write(in[1], forged, sizeof forged - 1) < 0)
		OK(0, "write: %s", strerror(errno));
	close(in[1]);
	while (!relay_read(&r))
		;
	close(out[1]);
	char got[512];
	ssize_t n = read(out[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = 0;
	IS_STR(got, "<6><0>argoweb: web: not argoweb's\n<6>2026-12-07T00:00:00Z INF a\\0<0>boom\n",
	       "a line posing as argoweb's keeps no priority of its own; a NUL is written as \\0");
	close(in[0]);
	close(out[0]);
}

/* The journal gone: nothing written, everything still read. */
static void test_gone(void)
{
	int in[2], sp[2];
	if (pipe(in) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		OK(0, "pipe, socketpair: %s", strerror(errno));
		return;
	}
	close(sp[1]);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	static struct relay r;
	relay_init(&r, in[0], sp[0], 1, "web");
	nseen = 0;
	r.seen = seen;
	dprintf(in[1], "2026-12-07T00:00:00Z INF one\n2026-12-07T00:00:00Z INF two\n");
	close(in[1]);
	while (!relay_read(&r))
		;
	OK(r.gone, "the journal gone: the relay says so (no SIGPIPE: it writes with MSG_NOSIGNAL)");
	IS_INT(nseen, 2, "... and still reads every line");
	close(in[0]);
	close(sp[0]);
}

/* argoweb's own line while a relayed one is half taken: it waits for
 * the line's end, so what follows the half can never start a line. */
static struct relay *own_through;
static void own(const char *line, size_t len)
{
	relay_say(own_through, line, len);
}

static void test_own_line_waits(void)
{
	int in[2], sp[2];
	if (pipe(in) || socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) {
		OK(0, "pipe, socketpair: %s", strerror(errno));
		return;
	}
	int small = 4096;
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	static struct relay r;
	relay_init(&r, in[0], sp[0], 1, "web");
	/* A line the socket cannot take whole, then a line that, written at
	 * a line start, would be priority 0. */
	static char line[RELAY_LINE - 64];
	memset(line, 'x', sizeof line);
	memcpy(line, "2026-12-07T00:00:00Z INF ", 25);
	line[sizeof line - 1] = '\n';
	if (write(in[1], line, sizeof line) < 0 || write(in[1], "<0>forged\n", 10) < 0)
		OK(0, "write: %s", strerror(errno));
	relay_read(&r);
	OK(r.npend > 0, "the journal took part of a line (%zu bytes wait)", r.npend);
	own_through = &r;
	msg_sink = own;
	msg_journal = 1;
	msg("a line of argoweb's own");
	msg_sink = NULL;
	msg_journal = 0;
	static char got[1 << 16];
	size_t have = 0;
	for (int i = 0; i < 100 && r.npend; i++) {
		have = slurp(sp[1], got, have, sizeof got);
		relay_flush(&r);
	}
	have = slurp(sp[1], got, have, sizeof got);
	int lines = 0, bare = 0;
	for (const char *p = got; *p; lines++) {
		const char *nl = strchr(p, '\n');
		bare += !nl || p[0] != '<' || p[1] < '0' || p[1] > '7' || p[2] != '>';
		p = nl ? nl + 1 : p + strlen(p);
	}
	OK(lines == 3 && !bare, "three lines, each with a priority of argoweb's (%d lines, %d bare)", lines,
	   bare);
	OK(strstr(got, "\n<6><0>forged\n") != NULL, "... the relayed <0> is text at priority 6");
	OK(strstr(got, "\n<3>argoweb: a line of argoweb's own\n") != NULL,
	   "... argoweb's own line stands alone, after the half-taken one");
	/* The journal reads nothing while cloudflared floods: its lines fill
	 * what may wait and then are dropped, but argoweb's own still fit. */
	static char flood[256];
	memset(flood, 'y', sizeof flood);
	memcpy(flood, "2026-12-07T00:00:00Z INF ", 25);
	flood[sizeof flood - 1] = '\n';
	for (int i = 0; i < 2000; i++)
		if (write(in[1], flood, sizeof flood) < 0 || (i % 100 == 99 && relay_read(&r)))
			break;
	relay_read(&r);
	OK(r.dropped > 0 && r.npend > RELAY_PENDING - sizeof flood,
	   "a flood: %lu of cloudflared's lines dropped, %zu bytes wait", r.dropped, r.npend);
	size_t before = r.npend;
	msg_sink = own;
	msg_journal = 1;
	msg("the reason argoweb gives, which no flood may drop");
	msg_sink = NULL;
	msg_journal = 0;
	OK(r.npend > before, "... argoweb's own line still waits to go (%zu bytes more)", r.npend - before);
	static char all[1 << 20];
	have = 0;
	for (int i = 0; i < 1000 && (r.npend || r.dropped); i++) {
		have = slurp(sp[1], all, have, sizeof all);
		relay_flush(&r);
	}
	have = slurp(sp[1], all, have, sizeof all);
	OK(strstr(all, "\n<3>argoweb: the reason argoweb gives, which no flood may drop\n") != NULL,
	   "... and reaches the journal, a line of its own (%zu bytes read)", have);
	close(in[0]);
	close(in[1]);
	close(sp[0]);
	close(sp[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	test_journal_behind();
	test_long_line();
	test_forged();
	test_gone();
	test_own_line_waits();
	return tap_done();
}
