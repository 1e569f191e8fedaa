/* Where the rendered config goes. */
#ifndef ARGOWEB_RUNDIR_H
#define ARGOWEB_RUNDIR_H
#include <stddef.h>

#include "config.h"

/* $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=, first entry), else
 * /run/argoweb/NAME. Fills dir; no file system change. */
void rundir_path(const struct config *c, char *dir, size_t n);

/* Create dir (0700) when missing. Returns 0 or EX_CANTCREAT_. */
int rundir_prepare(const char *dir);

#endif
