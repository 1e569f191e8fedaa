/* The tunnel's secret: found, read once, checked, handed over, wiped. */
#ifndef ARGOWEB_CREDS_H
#define ARGOWEB_CREDS_H
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "msg.h"

#define CREDS_MAX (64u * 1024)

/* SEC_ANY: not known yet; told apart by the content. */
enum secret_kind { SEC_ANY, SEC_JSON, SEC_TOKEN };

struct secret {
	enum secret_kind kind;
	char *buf;              /* file content, trimmed of trailing white space */
	size_t len, cap;        /* cap: bytes to wipe */
	char path[4096];        /* where it came from, for messages */
	char tunnel_id[37];     /* TunnelID or the token's t */
	int endpoint;           /* it names its edge endpoint (JSON Endpoint, token e) */
};

/* What tells one kind of credential from another, everywhere it matters:
 * the identity and config key that name its file, the file's extension
 * (/etc/argoweb/NAME.EXT, argoweb.EXT in $CREDENTIALS_DIRECTORY), how
 * cloudflared gets it, what a person calls it, whether the rendering names
 * the tunnel by the credential's ID (a token names its tunnel itself),
 * and its parser. */
struct cred_kind {
	enum secret_kind kind;
	const char *key, *ext, *env, *label;
	int render_tunnel_id;
	int (*parse)(struct secret *s, const char *tunnel, struct fault *f);
};
/* Every kind, SEC_JSON and SEC_TOKEN, ending with a zeroed entry. */
extern const struct cred_kind cred_kinds[];
/* The entry of a kind, or of the config's key that names its file; NULL
 * for SEC_ANY (told apart by content) and for no key (a quick tunnel, or
 * systemd's copy). */
const struct cred_kind *cred_kind(enum secret_kind kind);
const struct cred_kind *cred_kind_named(const char *key);

/* May c's tunnel run by a token: it names a token's file, or none at all
 * (systemd's copy may be either)? A quick tunnel has none. */
int creds_may_be_token(const struct config *c);

/* Validate content already in s->buf. expect is a kind, or SEC_ANY to tell
 * them apart by content. tunnel is the config's tunnel: (may be NULL); a
 * UUID there must match. Returns 0, or -EBADMSG with f naming s->path and
 * the field, never any byte of the secret. Prints nothing. */
int creds_parse(struct secret *s, enum secret_kind expect, const char *tunnel, struct fault *f);

/* The step: locate (the config's file, or systemd's copies; see
 * credential_sources in creds.c), check the file (owner root or `owner`,
 * mode, links, parents; see safefile.h; systemd's copies as sdcred.h says,
 * `group` being the service's), read and validate the credential of c. A
 * quick tunnel has none (s->kind stays SEC_ANY). Returns 0 or the exit
 * code after printing why. */
int creds_load(const struct config *c, uid_t owner, gid_t group, struct secret *s);

/* Overwrite and free the secret. */
void creds_wipe(struct secret *s);

#endif
