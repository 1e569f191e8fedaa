/* The accepted keys and the strict, typed walk over a YAML tree. */
#ifndef ARGOWEB_SCHEMA_H
#define ARGOWEB_SCHEMA_H
#include <yaml.h>

#include "ytree.h"

enum ktype { T_STR, T_BOOL, T_UINT, T_DUR, T_ENUM, T_MAP, T_LIST_MAP, T_LIST_STR, T_LIST_UINT };

#define KF_OWN 1        /* argoweb's own key or one it sets itself: not rendered as written */

struct key {
	const char *name;
	enum ktype type;
	const void *arg;        /* T_ENUM: NULL-terminated names; maps: sub-keys */
	long long max;          /* T_UINT, T_LIST_UINT: largest value */
	unsigned flags;
};

struct walk {
	struct fault *f;        /* where the first refusal goes */
	struct ytree *tree;     /* for copies of nodes the walk must change */
	char path[160];         /* where the walk is, e.g. ingress[3].service */
	size_t len;
};

extern const struct key k_top[], k_rule[], k_origin[], k_health[];

/* Top-level x-NAME keys: anchors' home, ignored and not rendered. */
int schema_is_extension(const char *key);
const struct key *schema_find(const struct key *set, const char *name);

/* Check every key of map against set, recursively; types and enumerations
 * only. Returns 0, or -1 with the walk's fault at LINE:COL: "path: why". */
int schema_check_map(struct walk *w, struct ynode *map, const struct key *set);
/* Fill the walk's fault with n's place and "where: why" (where NULL: the
 * walk's path); returns -1. */
int schema_fail(struct walk *w, const struct ynode *n, const char *where,
                const char *why);

#endif
