/* The health monitor: tells systemd whether the tunnel really has edge
 * connections, from a helper process, while cloudflared keeps the PID. */
#ifndef ARGOWEB_MONITOR_H
#define ARGOWEB_MONITOR_H
#include "config.h"
#include "creds.h"

/* Fork the monitor (double fork: PID 1 reaps it) when NOTIFY_SOCKET is set;
 * call after the privilege drop and before exec. The child keeps what it
 * needs of c and frees its copies of c and s (the secret wiped) at once.
 * Returns 0 (also when there is nothing to do) or EX_OSERR. */
int mon_start(struct config *c, struct secret *s);

#endif
