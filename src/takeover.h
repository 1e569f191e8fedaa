/* argoweb adopt --apply and --undo: make before break, both ways. The
 * edge sends each request to a registered connection of the tunnel,
 * whichever connector holds it, and a connector that gets SIGTERM
 * unregisters first and then finishes what it serves: so the new
 * connector serves before the old one stops, and no request finds the
 * tunnel without one. What the old install held is kept, root's alone, in
 * /etc/argoweb/adopted/NAME/ with a manifest, for --undo. */
#ifndef ARGOWEB_TAKEOVER_H
#define ARGOWEB_TAKEOVER_H
#include "adopt.h"

/* The plan carried out: write the config and credential, argoweb check
 * them, start argoweb@NAME and wait until it serves on all its
 * connections, enable it; then stop and disable the old unit and its
 * update timer, and move every file that holds the secret where others
 * can read it into the backup. Each step said on stdout. A failure before
 * the old unit stops undoes what was done (the old unit serves on). 0, or
 * an exit code after saying why. */
int takeover_apply(struct adopt *ad);

/* Give tunnel NAME back: restore the moved files, start the old unit (and
 * its timer, as they were) and wait until it serves, then stop and
 * disable argoweb@NAME and remove what adopt wrote. 0, or an exit code. */
int takeover_undo(const char *name);

#endif
