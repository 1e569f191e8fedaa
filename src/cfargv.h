/* cloudflared's settings as a unit gives them on its command line and in
 * its environment, read as cloudflared (urfave/cli v2 with altsrc) reads
 * them: `cloudflared [FLAGS] tunnel [FLAGS] run [FLAGS] [NAME|UUID]`, a
 * flag as -x, --x, --x=v or --x v, aliases, and the TUNNEL_* variables.
 * The command line wins over the environment (and both over the config
 * file, which argoweb adopt reads itself). */
#ifndef ARGOWEB_CFARGV_H
#define ARGOWEB_CFARGV_H
#include <stddef.h>

#include "msg.h"
#include "unitfile.h"

#define CFA_MAX 64              /* settings */
#define CFA_MAX_VALUES 16       /* of a list (edge, tag) */

enum cfa_kind { CFA_STR, CFA_BOOL, CFA_LIST };

struct cfa_flag {
	const char *name, *alias;
	const char *env[2];
	enum cfa_kind kind;
};

struct cfa_value {
	const struct cfa_flag *flag;
	char *v[CFA_MAX_VALUES];        /* one, or a list's */
	size_t n;
	int from_env;                   /* 0: the command line */
	char from[48];                  /* "--token", "TUNNEL_TOKEN": where, for the plan */
};

struct cfa {
	struct cfa_value val[CFA_MAX];
	size_t n;
	char *program;          /* argv[0] */
	char *tunnel;           /* `run NAME|UUID`, or NULL */
	int has_tunnel, has_run;
};

/* The command line (argc words): 0, or -EINVAL with f for what cloudflared
 * would not run as a tunnel (another command, an unknown flag, a flag
 * without its value, a second NAME). */
int cfa_argv(struct cfa *a, char *const *argv, int argc, struct fault *f);

/* The environment: every variable a known flag reads, unless the command
 * line gave that flag. 0, or -EINVAL with f for a TUNNEL_* variable argoweb
 * adopt does not know (it could not carry it over). */
int cfa_env(struct cfa *a, const struct uf_vars *env, struct fault *f);

/* Does a known flag read the variable name? */
int cfa_flag_env(const char *name);

/* The setting named (a flag's main name), or NULL. */
const struct cfa_value *cfa_get(const struct cfa *a, const char *name);

/* A boolean as Go's strconv.ParseBool reads it: 1, 0, or -1. */
int cfa_bool(const char *s);

void cfa_free(struct cfa *a);

#endif
