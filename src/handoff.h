/* What argoweb adopt's two directions share (takeover.c applies,
 * giveback.c undoes): systemctl and the steps said, files written and
 * removed only in directories root alone can change, waiting until a
 * unit's connector serves, and a dashboard-managed tunnel's rules carried
 * from the connector that serves to the one that starts. Private to them. */
#ifndef ARGOWEB_HANDOFF_H
#define ARGOWEB_HANDOFF_H
#include <stddef.h>
#include <sys/types.h>

#include "adopt.h"
#include "config.h"
#include "msg.h"
#include "privdrop.h"
#include "values.h"

/* Where what the old install held is kept, root's alone, for --undo. */
#define TAKEOVER_DIR ARGOWEB_CONFDIR "/adopted"
#define TIMER "cloudflared-update.timer"
#define SERVE_WAIT_MS 60000
/* The first of cloudflared's default config places outside a home
 * (config/configuration.go), where --undo lends rules. */
#define LEND_PATH "/etc/cloudflared/config.yml"

/* systemctl VERB A [B], said nothing: its exit status (units.h). */
int ho_systemctl(const char *verb, const char *a, const char *b);

/* systemctl show -p P --value UNIT into out ("" when it cannot say). */
void ho_prop(const char *unit, const char *p, char *out, size_t n);

/* One step said on stdout, as it happens. */
void ho_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An absolute path to a file as its directory (into dir) and its last
 * name (*base, inside path): 0, or -1. */
int ho_split_path(const char *path, char *dir, size_t n, const char **base);

/* A path the manifest holds as one word, read back as written. */
int ho_plain_path(const char *p);

/* The directory of path, open, when root alone can change what is in it:
 * every directory from / root's and writable by no one else (safefile's
 * walk). Only there does adopt write or remove a file by its name: in a
 * user's directory the name could be swapped for a link between adopt's
 * look and its act, and root's write would land where the link points.
 * The descriptor, or -errno with f saying why. */
int ho_root_dir(const char *path, const char **base, struct fault *f);

/* path, written whole with its mode and owner, in a directory of root's
 * alone. 0, or -errno with f saying why. */
int ho_write_file(const char *path, const char *buf, size_t len, mode_t mode, uid_t uid, gid_t gid,
                  struct fault *f);

/* A regular file of at most ADOPT_FILE_MAX bytes, whole, not through a
 * final link (*buf, the caller's to free): 0, or -1. */
int ho_read_all(const char *path, char **buf, size_t *len);

/* One moved file back where it was, as it was (no set-id bit: the manifest's
 * mode is only a number in a file); already there (an undo run again after
 * a later step failed) is fine. 0, or an exit status (said). */
int ho_restore_file(const char *bdir, const char *path, const char *file, mode_t mode, uid_t uid,
                    gid_t gid);

/* What dfd's base holds: 0 nothing, 1 these very bytes, -1 anything else. */
int ho_holds(int dfd, const char *base, const char *buf, size_t len);

/* The backup directory of NAME: /etc/argoweb/adopted/NAME. */
void ho_backup_dir(const char *name, char *out, size_t n);

/* bdir, made here and now: its existence is the lock against a second
 * adopt of the same unit. Another tunnel's --undo may remove the shared
 * parent in between (when it was the last): made again. 0, or -1. */
int ho_make_backup_dir(const char *bdir);

/* The old connector's metrics, found among the listening sockets of the
 * unit's main process: 0 with hp and the socket's owner (the unit's
 * User=, whose the answer is believed), or -1. */
int ho_metrics_of(const char *unit, struct hostport *hp, uid_t *uid);

/* Until the old unit's connector serves: want connections, and (a token's
 * tunnel) its configuration. 0, or -1 when that did not happen in time. */
int ho_old_serves(const char *unit, int want, int token);

/* A connector started for a dashboard-managed tunnel has no rules until
 * Cloudflare's push: it answers 503 (cloudflared #1258), and the edge
 * sends it requests from its first registration. So each move hands the
 * rules the serving connector has to the one that starts. */

/* Where argoweb@NAME keeps a dashboard-managed tunnel's rules (seed.h). */
void ho_kept_rules(const char *name, char *out, size_t n);

/* The rules a connector serves, from its /config (believed from uid's
 * socket): the seed's YAML (seed.h), or NULL. */
char *ho_rules_of(const struct hostport *hp, uid_t uid, const char *user, long long *version,
                  size_t *len);

/* Is conf a dashboard-managed tunnel argoweb seeds (a token, no rules of
 * its own)? Then its metrics and service user, in c and ids. */
int ho_seeded(const char *conf, struct config *c, struct ids *ids);

#endif
