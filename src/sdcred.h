/* A credential systemd placed for this very unit. Since systemd 254 a
 * LoadCredential= file of a unit with User= is 0440 with an ACL that lets
 * the service user read it (systemd #29096, #29435: "not a bug"); 252 made
 * it 0400 and the user's. Only such a file, in the unit's own read-only
 * credential mount, may be 0440: every file an admin names stays 0600/0400. */
#ifndef ARGOWEB_SDCRED_H
#define ARGOWEB_SDCRED_H
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "msg.h"

#define SDCRED_ROOT "/run/credentials"

/* The unit's credential directory, as checked, and who may read in it. */
struct sdcred {
	int ok;                 /* the directory passed; else why_not says why */
	dev_t dev;              /* the mount every credential must be on */
	uid_t uid;              /* the service user */
	gid_t gid;              /* the service's group */
	struct fault why_not;
};

/* Is dir ($CREDENTIALS_DIRECTORY) the credential mount systemd made for
 * the unit this process runs in: /run/credentials/UNIT where UNIT is our
 * own cgroup's unit, a read-only mount of its own, owned by root or uid,
 * group root or gid, writable by no one? Fills sd either way: sd->ok, or
 * sd->why_not (then no 0440 file passes). */
void sdcred_dir(const char *dir, uid_t uid, gid_t gid, struct sdcred *sd);

/* May the open credential fd (st: its fstat), mode 0440, stand? sd must
 * be ok and the file on its mount, group root or sd->gid, and its ACL (if any) must grant
 * no one but sd->uid and sd->gid. 0, or -EPERM with f saying why. */
int sdcred_file_ok(int fd, const struct stat *st, const struct sdcred *sd, struct fault *f);

/* The rule on an ACL as the kernel gives it (system.posix_acl_access,
 * version 2: a u32 header, then {u16 tag, u16 perm, u32 id} entries): only
 * the owner, uid and gid (and the file's group when it is gid) may read.
 * 0, or -EPERM (-EBADMSG when malformed) with f saying why. */
int sdcred_acl_ok(const unsigned char *x, size_t len, gid_t file_gid, const struct sdcred *sd,
                  struct fault *f);

/* The unit this process runs in, from /proc/self/cgroup's systemd line
 * (text: the file's content): its last component, into unit (n bytes).
 * 0, or -ENOENT. */
int sdcred_unit_of(const char *text, char *unit, size_t n);

#endif
