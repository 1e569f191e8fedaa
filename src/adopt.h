/* argoweb adopt: an existing cloudflared unit read as systemd and
 * cloudflared read it (its files, command line, environment and config),
 * and turned into argoweb's config and credential: the plan. takeover.h
 * carries it out. */
#ifndef ARGOWEB_ADOPT_H
#define ARGOWEB_ADOPT_H
#include <stdio.h>
#include <sys/stat.h>

#include "cfargv.h"
#include "creds.h"
#include "unitfile.h"
#include "ytree.h"

#define ADOPT_MAX_FILES 32
#define ADOPT_FILE_MAX (1u << 20)       /* a unit, environment or config file */

enum af_role { AF_UNIT, AF_DROPIN, AF_ENVFILE, AF_CONFIG, AF_TOKEN, AF_CRED };

struct adopt_file {
	char *path;
	enum af_role role;
	struct stat st;         /* lstat: a link is not moved */
	char *text;
	size_t len;
	int holds_secret;       /* the tunnel's secret is in it */
	int exposed;            /* ... and someone but root may read it */
};

struct adopt {
	char unit[256];         /* cloudflared.service */
	char name[64];          /* argoweb's instance name: the unit's, '@' as '-' */
	char home[4096];        /* the unit's user's home: cloudflared's default paths */
	uid_t owner;            /* the unit's user: who besides root may own what it reads */
	struct adopt_file f[ADOPT_MAX_FILES];
	size_t nf;
	struct uf_service svc;
	int exec_file;          /* which of f[] set ExecStart= */
	struct uf_vars env;     /* Environment= then EnvironmentFile='s */
	int env_file[UF_MAX_VARS];      /* which of f[] set each */
	char *argv[UF_MAX_ARGS];
	int argc;
	struct cfa args;
	struct ytree base;      /* the config file it reads, or none (root NULL) */
	int config_file;        /* its f[] index, or -1 */
	/* The plan. */
	struct secret sec;      /* kind, content to write */
	char secret_from[320];  /* where it was: "--token in ExecStart= of PATH" */
	char cred_path[4200];   /* /etc/argoweb/NAME.json or .token */
	char *yaml;
	size_t yaml_len;
	char *notes;            /* one line each: what is kept, dropped, said */
	size_t notes_len;
	char old_metrics[128];  /* the old connector's metrics address, when it names one */
	int quick;
	int expected_conns;     /* edge connections the new connector opens */
	char *needle;           /* the secret's own bytes, looked for in files and words */
	size_t needle_len;
};

/* Read UNIT (systemctl show: its fragment and drop-ins; then its
 * EnvironmentFile=s and the config and credential its command line
 * names). 0, or an exit code after printing why. */
int adopt_read(struct adopt *ad, const char *unit);

/* The same from given unit files (paths[0] the fragment, the rest its
 * drop-ins, in order) and home: what adopt_read does once it has them,
 * and the tests' way in. 0, or -EINVAL with f. */
int adopt_read_files(struct adopt *ad, const char *unit, const char *const *paths, size_t n,
                     const char *home, struct fault *f);

/* What argoweb's config and credential would be: ad's plan filled. 0, or
 * -EINVAL with f naming what cannot be carried over, and why. */
int adopt_plan(struct adopt *ad, struct fault *f);

/* Every run of 40 or more base64 characters in s (a token, a tunnel
 * secret; never a UUID, whose runs are 12) replaced: what adopt says of a
 * line it could not read may quote the secret. */
void adopt_scrub(char *s);
/* Has w such a run? */
int adopt_b64_run(const char *w);

void adopt_free(struct adopt *ad);

#endif
