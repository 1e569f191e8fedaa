/* Becoming the service user, irrevocably, and proving it. */
#ifndef ARGOWEB_PRIVDROP_H
#define ARGOWEB_PRIVDROP_H
#include <stddef.h>
#include <sys/types.h>

struct ids {
	uid_t uid;
	gid_t gid;
	char home[4096];
	char user[64], group[64];
};

/* Resolve user (and group, or the user's primary group), printing
 * nothing: 0, or -ENOENT (no such user or group), -EPERM (uid or gid 0),
 * -EIO (the lookup failed), with f saying why. */
struct fault;
int pd_lookup(const char *user, const char *group, struct ids *ids, struct fault *f);

/* The step: pd_lookup, printing the fault; 0 or EX_NOPERM. */
int pd_resolve(const char *user, const char *group, struct ids *ids);

/* Can this process become ids at all (root, or already that user)?
 * Returns 0, EX_NOPERM after saying who we are and who the config wants,
 * or EX_OSERR for root that cannot switch users (no CAP_SETUID or
 * CAP_SETGID: securebits, a bounding set). */
int pd_may_become(const struct ids *ids);

/* Started as root: reset groups, clear bounding and ambient sets, lock
 * securebits, setresgid/setresuid, empty every capability set, set
 * no_new_privs, then verify all of it (exit code 71 on any mismatch).
 * Started as anyone else: that must be ids->uid (else 77); drop whatever
 * capabilities are held and set no_new_privs. Returns 0 or the exit code. */
int pd_drop(const struct ids *ids);

#endif
