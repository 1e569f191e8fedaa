/* Is the service user's group a privilege in itself? */
#ifndef ARGOWEB_PRIVGROUP_H
#define ARGOWEB_PRIVGROUP_H
#include <stddef.h>
#include <sys/types.h>

/* 0 when gid grants nothing; -EPERM with why ("may read and write
 * /dev/sda", "is an administrator's or device group") when it is a
 * known privileged group's name, gid 0, or its group bits give more than
 * others get to a device under /dev (one level of subdirectories too) or
 * to a file that holds secrets (/etc/shadow, docker.sock, the journal, ...). */
int pg_check(gid_t gid, char *why, size_t n);

/* The same over given device directories and secret files (the tests). */
int pg_check_in(gid_t gid, const char *name, const char *const *devdirs,
                const char *const *files, char *why, size_t n);

#endif
