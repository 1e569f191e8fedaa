/* Where the rendered config goes. */
#ifndef ARGOWEB_RUNDIR_H
#define ARGOWEB_RUNDIR_H
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=, first entry), else
 * /run/argoweb/NAME. Fills dir; no file system change. */
void rundir_path(const struct config *c, char *dir, size_t n);

/* Make dir ready for the service user uid:gid and hold it. Either way it
 * is walked from / as safefile.h walks (each directory root's or uid's,
 * writable by no one else, no symbolic link); systemd's (ours == 0) is
 * then used as it is, our own (/run/argoweb/NAME) is created 0700 and,
 * when we are root, handed to the service user. Returns a descriptor of
 * it (O_RDONLY, for atomic_write_at after the drop) or -errno with f
 * filled. */
struct fault;
int rundir_open(const char *dir, int ours, uid_t uid, gid_t gid, struct fault *f);

#endif
