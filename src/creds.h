/* The tunnel's secret: found, read once, checked, handed over, wiped. */
#ifndef ARGOWEB_CREDS_H
#define ARGOWEB_CREDS_H
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

#define CREDS_MAX (64u * 1024)

enum secret_kind { SEC_NONE, SEC_JSON, SEC_TOKEN };

struct secret {
	enum secret_kind kind;
	char *buf;              /* file content, trimmed of trailing white space */
	size_t len, cap;        /* cap: bytes to wipe */
	char path[4096];        /* where it came from, for messages */
	char tunnel_id[37];     /* TunnelID or the token's t */
};

/* Validate content already in s->buf. expect is SEC_JSON, SEC_TOKEN, or
 * SEC_NONE to tell them apart by content. tunnel is the config's tunnel:
 * (may be NULL); a UUID there must match. Returns 0 or EX_DATAERR; messages
 * name s->path and the field, never any byte of the secret. */
int creds_parse(struct secret *s, enum secret_kind expect, const char *tunnel);

/* Locate (config key or $CREDENTIALS_DIRECTORY/argoweb), check the file
 * (owner root or `owner`, mode, links, parents; see safefile.h), read and
 * validate the credential of c. A quick tunnel has none (s->kind stays
 * SEC_NONE). Returns 0 or the exit code after printing why. */
int creds_load(const struct config *c, uid_t owner, struct secret *s);

/* Overwrite and free the secret. */
void creds_wipe(struct secret *s);

#endif
