/* argoweb restart: the tunnel's unit restarted with a second connector
 * registered throughout, so that no request finds the tunnel without one. */
#ifndef ARGOWEB_HANDOVER_H
#define ARGOWEB_HANDOVER_H
#include "config.h"
#include "privdrop.h"

/* The step, for a config already checked (the new one: a bad one never
 * gets here): start argoweb-handover@NAME and wait for it to register;
 * restart the running argoweb@NAME (or argoweb-active@NAME) and wait for
 * it to be back; stop the hand-over connector. Prints each stage on
 * stdout. Returns 0; EX_UNAVAILABLE when no instance runs, the hand-over
 * connector does not connect (then nothing was restarted) or the tunnel's
 * unit does not come back (then the hand-over connector keeps serving);
 * EX_OSERR when systemctl cannot be run; EX_TEMPFAIL when another restart
 * of the tunnel runs; 128 + the signal when interrupted (the hand-over
 * connector stopped first). */
int ho_restart(const struct config *c, const struct ids *ids);

/* Is an argoweb restart of this tunnel running now (its lock held)? */
int ho_restart_running(const struct config *c);

/* The hand-over connector's metrics address, for argoweb status. */
void ho_metrics(const struct config *c, struct hostport *hp);

#endif
