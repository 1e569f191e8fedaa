/* The accepted keys and the strict, typed walk over a YAML tree. */
#ifndef ARGOWEB_SCHEMA_H
#define ARGOWEB_SCHEMA_H
#include <yaml.h>

#include "ytree.h"

enum ktype { T_STR, T_BOOL, T_UINT, T_DUR, T_ENUM, T_MAP, T_LIST_MAP, T_LIST_STR, T_LIST_UINT };

#define KF_OWN 1        /* argoweb's own key or one it sets itself: not rendered as written */
#define KF_ANCHOR 2     /* a map whose rows' KF_AT_ANCHOR errors are reported at it */
#define KF_AT_ANCHOR 4  /* report errors at the nearest KF_ANCHOR map ("ingress[3]: ...") */
/* It names the file of a credential (its kind is creds.c's to know): */
#define KF_CRED_LOCAL 8 /* ... of a locally-managed tunnel, whose rules are here */
#define KF_CRED_TOKEN 16 /* ... a token, which names its tunnel itself */

/* A key's whole contract: its type, bounds, the rule its value must
 * satisfy, and its default. Adding a key with a rule is one row. */
struct key {
	const char *name;
	enum ktype type;
	const void *arg;        /* T_ENUM: NULL-terminated names; maps: sub-keys */
	long long max;          /* T_UINT, T_LIST_UINT: largest value; T_DUR: longest (ns) */
	unsigned flags;
	/* A rule on one value (each item of a list): 0, or -EINVAL with f
	 * saying why (the walk puts it at the value's place). */
	int (*check)(const char *value, struct fault *f);
	long long min;          /* T_DUR: shortest (ns); lists: fewest items */
	const char *bounds;     /* what min/max say when broken */
	const char *dflt;       /* the value when the key is absent, or NULL */
};

struct walk {
	struct fault *f;        /* where the first refusal goes */
	struct ytree *tree;     /* for copies of nodes the walk must change */
	char path[160];         /* where the walk is, e.g. ingress[3].service */
	size_t len;
	size_t anchor;          /* path length of the nearest KF_ANCHOR map, 0: none */
};

extern const struct key k_top[], k_rule[], k_origin[], k_health[];

/* Top-level x-NAME keys: anchors' home, ignored and not rendered. */
int schema_is_extension(const char *key);
const struct key *schema_find(const struct key *set, const char *name);
/* name's value in map, or its row's default (NULL when it has none). */
const char *schema_str(const struct ynode *map, const struct key *set, const char *name);

/* Check every key of map against set, recursively: types, enumerations,
 * bounds and each row's rule. Values YAML would read as numbers where
 * cloudflared wants strings are replaced by quoted copies, for rendering.
 * Returns 0, or -EINVAL with the walk's fault at LINE:COL: "path: why". */
int schema_check_and_quote(struct walk *w, struct ynode *map, const struct key *set);
/* Fill the walk's fault with n's place and "where: why" (where NULL: the
 * walk's path); returns -EINVAL. */
int schema_fail(struct walk *w, const struct ynode *n, const char *where,
                const char *why);

#endif
