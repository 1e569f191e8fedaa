/* The cloudflared release argoweb will exec, as the binary itself says,
 * and what that release does with the keys argoweb knows: what it refuses
 * is refused here, what it ignores is said, and left out of the rendering,
 * so that every rendering is one the installed release accepts as it is.
 * The facts are cloudflared's source's; each row of the table in cfver.c
 * names the release and the commit. */
#ifndef ARGOWEB_CFVER_H
#define ARGOWEB_CFVER_H

#include "config.h"
#include "msg.h"
#include "privdrop.h"

struct cfver {
	int known;              /* 0: not read (no binary looked at) */
	unsigned y, m, p;       /* 2026.8.2 */
	char text[32];
};

/* "cloudflared version 2026.8.2 (built 2026-08-20)" into v: 0, or -1. */
int cfver_parse(const char *out, struct cfver *v);

/* Run `exe --version` (exe checked already) with no environment, as the
 * service user when we are root, for 5 s at most, and parse it. 0, or
 * -errno with f saying why. */
int cfver_read(const char *exe, const struct ids *ids, struct cfver *v, struct fault *f);

/* Is v this release or a later one? An unknown v is the newest. */
int cfver_at_least(const struct cfver *v, unsigned y, unsigned m, unsigned p);

/* The step: refuse (EX_CONFIG, printed) what release v refuses in c, with
 * the credential (endpoint: it names its edge endpoint: a token's e, the
 * JSON's Endpoint); warn about each key it ignores and mark it so that
 * rendering leaves it out. With v unknown only what every release does
 * applies. Returns 0 or the exit code. */
int cfver_apply(struct config *c, const struct cfver *v, int endpoint);

#endif
