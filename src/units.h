/* The tunnel's systemd units, and systemctl to drive and ask them:
 * argoweb@NAME (argoweb-active@NAME on an active/standby node, NixOS's
 * argoweb-NAME) and the hand-over connector beside it. */
#ifndef ARGOWEB_UNITS_H
#define ARGOWEB_UNITS_H
#include <stddef.h>

#include "config.h"

/* systemctl ARGS... (NULL-terminated, at most 9), its first line of
 * output into out (when given). Its exit status, or -1 when it could not
 * be run. */
int units_systemctl(char *out, size_t n, const char *const *args);

/* Which unit runs the tunnel now, and its hand-over connector's name:
 * 0; 1 when none runs; -1 when systemctl cannot be run. */
int units_running(const struct config *c, char *unit, size_t n, char *helper, size_t hn);

/* The stop timeout (TimeoutStopSec=, ms) of the unit that would run the
 * tunnel (the first of them that systemd knows), and its name: 0; -1 when
 * there is no such unit or no systemd to ask. */
int units_stop_timeout(const struct config *c, long long *ms, char *unit, size_t n);

/* systemctl show's timespan ("3min 20s", "infinity") in ms: 0, or -1. */
int units_timespan_ms(const char *s, long long *ms);

#endif
