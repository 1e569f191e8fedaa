/* Whole-file writes that either fully happen or leave the old file. */
#ifndef ARGOWEB_ATOMICFILE_H
#define ARGOWEB_ATOMICFILE_H
#include <stddef.h>
#include <sys/types.h>

/* Write buf to dir/name with mode 0600 through a temp file in dir, fsync
 * and rename. Returns 0 or -errno (the old file, if any, is intact). */
int atomic_write(const char *dir, const char *name, const char *buf, size_t len);

/* The same in the directory open as dfd (O_RDONLY), held since it was
 * checked: no path is looked up again between the check and the rename. */
int atomic_write_at(int dfd, const char *name, const char *buf, size_t len);

/* The same, the file given mode and uid:gid (-1: left as created) while it
 * is still the temp file: the name never shows it otherwise. */
int atomic_write_owned(int dfd, const char *name, const char *buf, size_t len, mode_t mode,
                       uid_t uid, gid_t gid);

#endif
