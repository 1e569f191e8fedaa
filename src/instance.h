/* The names one tunnel, instance NAME, goes by on the system: its config,
 * its unit, its connector's own name and runtime directory, its restart
 * lock, the rules kept for it. Worked out here alone, so that every
 * command finds what the others made. */
#ifndef ARGOWEB_INSTANCE_H
#define ARGOWEB_INSTANCE_H
#include <stddef.h>

#define ARGOWEB_CONFDIR "/etc/argoweb"
#define ARGOWEB_RUNDIR "/run/argoweb"
#define ARGOWEB_STATEDIR "/var/lib/argoweb"

/* The hand-over connector's suffix: NAME.handover is NAME's second
 * connector (argoweb restart), never a tunnel of its own. */
#define INST_HANDOVER ".handover"

/* Each writes into out (n bytes): 0, or -1 when it does not fit. */

/* /etc/argoweb/NAME.yaml: the config the shipped units run. */
int inst_config(const char *name, char *out, size_t n);

/* argoweb@NAME.service. */
int inst_unit(const char *name, char *out, size_t n);

/* The units that may run the tunnel, kind 0, 1, ...: argoweb@NAME,
 * argoweb-active@NAME (an active/standby node), argoweb-NAME (NixOS);
 * and each one's hand-over connector into helper (when given). -1 past
 * the last kind. */
int inst_unit_kind(const char *name, size_t kind, char *unit, size_t n, char *helper, size_t hn);

/* The connector's own name: NAME, or NAME.handover for the hand-over
 * connector (its metrics address and runtime directory are its own). */
int inst_connector(const char *name, int handover, char *out, size_t n);

/* /run/argoweb/NAME or /run/argoweb/NAME.handover. */
int inst_rundir(const char *name, int handover, char *out, size_t n);

/* /run/argoweb/NAME.restart: held while argoweb restart NAME runs. */
int inst_restart_lock(const char *name, char *out, size_t n);

/* NAME.remote.yaml: the rules kept for a dashboard-managed tunnel, in
 * its state directory (seed.h). */
int inst_kept_rules(const char *name, char *out, size_t n);

/* Is name one no tunnel may take (NAME.handover)? */
int inst_reserved(const char *name);

#endif
