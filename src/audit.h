/* Origin exposure audit: origins on this host should listen on loopback
 * only, be up, and the metrics port must not face the network. */
#ifndef ARGOWEB_AUDIT_H
#define ARGOWEB_AUDIT_H
#include "config.h"

/* How findings are told: a report on stdout (`argoweb audit`), or
 * warnings on stderr (`argoweb check`). */
enum audit_mode { AUDIT_REPORT, AUDIT_WARN };

/* One line per finding; returns how many there were. */
int audit_run(const struct config *c, enum audit_mode mode);

#endif
