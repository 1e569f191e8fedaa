/* One line of cloudflared's log, as the monitor relays it: its journald
 * priority, and what it says about why the tunnel is down. The texts are
 * those of 2023.7.3 (../shared/notes/cf-edge.md has them by fault) and of
 * the releases since, each with the release that brought it. */
#ifndef ARGOWEB_LOGLINE_H
#define ARGOWEB_LOGLINE_H
#include <stddef.h>

enum why_down {
	WD_NONE,                /* the line says nothing about it */
	WD_REGISTERED,          /* "Registered tunnel connection": a cure */
	WD_LOST,                /* a connection ended: the first sign of an outage */
	WD_REFUSED,             /* the edge refused the credentials: Unauthorized */
	WD_REGISTER_ERROR,      /* the edge refused the registration otherwise */
	WD_UNREACHABLE,         /* no TCP connection to the edge (HTTP/2) */
	WD_UNREACHABLE_QUIC,    /* no QUIC connection: UDP 7844 blocked, say */
	WD_DNS,                 /* the edge's addresses could not be looked up */
	WD_REG_TIMEOUT,         /* the registration went unanswered for rpc-timeout */
	WD_REG_UNSAID,          /* QUIC, 2025.8.1 and later: not accepted, and not why */
	WD_STOPPING,            /* a graceful shutdown began: what follows is its own */
	WD_PUSHED,              /* Cloudflare pushed the tunnel's configuration */
};

struct logline {
	int priority;           /* syslog's: 3 ERR, 4 WRN, 6 INF, 7 DBG; -1 unknown */
	enum why_down why;
	char error[256];        /* the line's error="..." text, when why says one */
};

/* Read one line (n bytes, no newline). */
void logline_parse(const char *line, size_t n, struct logline *l);

#endif
