/* cloudflared's argv and environment, and the exec. */
#ifndef ARGOWEB_LAUNCH_H
#define ARGOWEB_LAUNCH_H
#include <stdio.h>

#include "config.h"
#include "creds.h"

struct plan {
	const char *exe;        /* the checked, resolved binary */
	char *argv[8];
	char *envp[16];
	int nenv;
};

/* Fill argv and the allow-listed environment; secret becomes its kind's
 * variable (creds.h). A step: 0, or EX_SOFTWARE when it does not fit. */
int launch_build(struct plan *p, const struct config *c, const char *exe,
                  enum secret_kind kind, const char *secret, const char *rendered,
                  const char *home);
/* argv and the names (never values) of the environment. */
void launch_print(const struct plan *p, FILE *out);
void launch_free(struct plan *p);
/* Close every fd above 2 and exec; returns 126/127 only on failure. */
int launch_exec(struct plan *p);

#endif
