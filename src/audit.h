/* Origin exposure audit: origins on this host should listen on loopback
 * only, be up, and the metrics port must not face the network. */
#ifndef ARGOWEB_AUDIT_H
#define ARGOWEB_AUDIT_H
#include "config.h"

/* Print one line per finding (on stdout, or as warnings on stderr when
 * warnings is set) and return how many there were. */
int audit_run(const struct config *c, int warnings);

#endif
