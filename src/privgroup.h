/* May the service user keep this group? */
#ifndef ARGOWEB_PRIVGROUP_H
#define ARGOWEB_PRIVGROUP_H
#include <stddef.h>
#include <sys/types.h>

/* Where the system keeps what a group could be given: path, and how many
 * levels below it to look (1: its entries). */
struct pg_root {
	const char *path;
	int depth;
};

/* What pg_check_in looks at; pg_check uses this host's. */
struct pg_world {
	const char *passwd, *group;     /* files in their format, or NULL: NSS's */
	const struct pg_root *roots;    /* ended by { NULL, 0 } */
	const char *const *own;         /* path prefixes that are argoweb's own, NULL-ended */
};

/* 0 when gid is the service user's alone: not gid 0; the primary group of
 * no other user; listing no other member; the user's primary group or one
 * that lists it; and nothing of the system's (owned by root or a system
 * account) under the world's roots, argoweb's own directories aside, that
 * gives the group more than everyone, by mode or ACL. The walk does not
 * enter users' directories nor sticky world-writable ones. Else -EPERM
 * with f saying why ("is also the primary group of user sync", "may read
 * /var/log/btmp"). */
struct fault;
int pg_check(gid_t gid, uid_t uid, const char *user, struct fault *f);
int pg_check_in(gid_t gid, uid_t uid, const char *user, const struct pg_world *w,
                struct fault *f);

/* Does this process's user namespace map gid (map: the text of
 * /proc/self/gid_map)? An unmapped supplementary group (PrivateUsers=)
 * reads as the overflow gid but keeps its access, and cannot be checked. */
int pg_mapped(gid_t gid, const char *map);

/* The same, from /proc/self/gid_map, and the overflow gid is never
 * mapped (PrivateUsers=identity maps it, yet every group above 65535
 * reads as it): 1, 0, or -errno. */
int pg_mapped_here(gid_t gid);

#endif
