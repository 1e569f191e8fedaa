/* The configuration Cloudflare last pushed to a dashboard-managed tunnel,
 * kept to be served from the first registration of the next start.
 * cloudflared answers every request 503 until the edge's push arrives
 * (cloudflared #1258): each start, restart, hand-over or upgrade of such a
 * tunnel would fail requests for as long. The running connector's
 * /config (believed from the service user's socket only) is converted to
 * argoweb's own ingress rules, checked by argoweb's own schema, and kept
 * 0600 in the state directory; it is never a secret. */
#ifndef ARGOWEB_SEED_H
#define ARGOWEB_SEED_H
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "msg.h"

#define SEED_MAX (8u << 20)     /* far above a real tunnel's rules */
#define SEED_STATEDIR ARGOWEB_STATEDIR

/* Where the tunnel's seed is: $STATE_DIRECTORY (the unit's StateDirectory=)
 * or /var/lib/argoweb, file NAME.remote.yaml; dir and file apart. */
void seed_where(const char *name, char *dir, size_t dn, char *file, size_t fn);

/* From the body of cloudflared's /config, {"version":V,"config":{...}}:
 * V (-1: nothing pushed yet, then no seed), and for V >= 0 the seed's YAML
 * (*yaml, caller frees). 0, or -EINVAL with f saying why. */
int seed_from_config(const char *body, size_t len, long long *version, char **yaml, size_t *ylen,
                     struct fault *f);

/* What a running connector serves, from its /config: the version (-1:
 * nothing pushed) and whether it has no rules at all yet (cloudflared's
 * stand-in, 503 for every request). 0, or -1 when not /config's shape. */
int seed_served(const char *body, size_t len, long long *version, int *waiting);

/* Keep it: written atomically, 0600, into the state directory, which must
 * be owner's (or root's) and writable by no one else. 0, or -errno with f. */
int seed_store(const char *name, uid_t owner, const char *yaml, size_t len, struct fault *f);

/* The step, for a tunnel whose configuration comes from Cloudflare (a
 * token, and no ingress of its own; seed-remote-config not false): the
 * kept rules put into c, checked as its own would be, their version in
 * c->seed_version. A kept seed that fails a check is said, and not used.
 * Prints at most a warning; always 0. */
int seed_apply(struct config *c, uid_t owner);

#endif
