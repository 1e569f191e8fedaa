/* Where the rendered config goes. */
#ifndef ARGOWEB_RUNDIR_H
#define ARGOWEB_RUNDIR_H
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=, first entry), else
 * /run/argoweb/NAME. Fills dir; no file system change. */
void rundir_path(const struct config *c, char *dir, size_t n);

#define RUNDIR_WHYLEN (4096 + 256)

/* Make dir ready for the service user uid:gid. systemd's directory is used
 * as it is; our own (/run/argoweb/NAME) is created 0700 and, when we are
 * root, handed to the service user. Returns 0 or -errno with why filled. */
int rundir_prepare(const char *dir, int ours, uid_t uid, gid_t gid, char *why);

#endif
