/* The argoweb config: parsed, validated, and what the rest of the program
 * needs from it. The YAML tree is kept for rendering. */
#ifndef ARGOWEB_CONFIG_H
#define ARGOWEB_CONFIG_H
#include <stdint.h>
#include <sys/types.h>

#include "instance.h"
#include "values.h"
#include "ytree.h"

#define ARGOWEB_MAX_CONFIG (32u * 1024 * 1024)

struct config {
	char *path;             /* the YAML file */
	char *name;             /* instance name: basename without .yaml */
	struct ytree tree;

	/* How it names its tunnel: by a credential's file (cred_key, the key
	 * that names it: its kind is creds.c's to know), a quick tunnel
	 * (quick_url), or neither: the credential is then systemd's
	 * ($CREDENTIALS_DIRECTORY, the unit's files). */
	const char *tunnel;     /* tunnel: as written (UUID or name), or NULL */
	const char *cred_key, *cred_path;
	const char *quick_url;
	const char *user, *group;
	const char *cloudflared;
	const char *cacert;     /* the private edge's CA (testing), or NULL */
	struct hostport metrics; /* loopback HOST:PORT, from the file or chosen */
	int64_t interval_ns, unhealthy_ns;
	int64_t grace_ns;       /* cloudflared's grace-period: how long a stop drains */
	int seed_remote;        /* keep and serve Cloudflare's last push (seed.h) */
	long long seed_version; /* the kept push's version, its rules put in; -1: none */
	size_t nrules;
	int expected_conns;     /* edge connections cloudflared will open */
	int has_edge;           /* edge: names the edge (a private one) */
	int handover;           /* the hand-over connector's (argoweb run --handover) */
};

/* An instance name: letters, digits, '.', '_' and '-', at most 64, not
 * starting with '.' or '-' (it names units and files). */
int cfg_valid_name(const char *s);

/* Resolve CONFIG (path or instance name), read, parse and validate it.
 * Returns 0, or an exit code after printing why. */
int cfg_load(struct config *c, const char *arg);
/* The same for a command that acts on what the config chooses (which
 * credential, which user): the file must be owner's or root's and
 * writable by no one else, in directories likewise (safefile.h). */
int cfg_load_trusted(struct config *c, const char *arg, uid_t owner);
void cfg_free(struct config *c);

/* Make c the hand-over connector's: a metrics address of its own (derived
 * from NAME.handover as the tunnel's is from NAME) and, unless systemd
 * gives one, the runtime directory /run/argoweb/NAME.handover. */
void cfg_handover(struct config *c);

/* Put the ingress: rules of another tree (the kept remote configuration,
 * seed.h) into c, which has none, and check c again as a whole. 0; or
 * -EINVAL with f saying why, c as it was (its nodes adopt from's either way). */
int cfg_graft_ingress(struct config *c, struct ytree *from, struct fault *f);

/* Parse and validate an in-memory config: cfg_load's step without the
 * file (prints, returns 0 or EX_CONFIG), and below it cfg_parse, which
 * prints nothing (0, or -EINVAL with f filled: the fuzzer's entry point). */
int cfg_load_buffer(struct config *c, const char *path, const char *buf, size_t len);
struct fault;
int cfg_parse(struct config *c, const char *buf, size_t len, struct fault *f);

#endif
