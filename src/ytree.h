/* A bounded YAML document tree built from libyaml's event stream. */
#ifndef ARGOWEB_YTREE_H
#define ARGOWEB_YTREE_H
#include <stddef.h>

enum yn_kind { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum yn_kind kind;
	unsigned line, col;     /* 1-based, where the node starts */
	int style;              /* libyaml scalar style, kept for rendering */
	int is_str;             /* quoted, block or !!str: a string whatever it reads */
	char *str;              /* scalar text, NUL-terminated (no NUL inside) */
	size_t len;
	struct ynode **kid;     /* seq: n items; map: n pairs, kid[2i] key */
	size_t n;
	size_t weight;          /* nodes below, aliases counted expanded */
	int closed;
	int omit;               /* a key the release ignores: not rendered (cfver.h) */
};

struct ytree {
	struct ynode *root;     /* NULL for an empty document */
	struct ynode **all;     /* every node once, for freeing */
	size_t nall, capall;
};

/* Hostile-input bounds: a config is small; these leave 100x headroom. */
#define YT_MAX_DEPTH     64
#define YT_MAX_SCALAR    (64u * 1024)
#define YT_MAX_WEIGHT    (4u * 1024 * 1024)

struct fault;
/* Parse one document from buf. Returns 0, or -EINVAL with f saying where and why
 * (the tree is then freed). */
int ytree_parse(struct ytree *t, const char *buf, size_t len, struct fault *f);
void ytree_free(struct ytree *t);

/* A new double-quoted copy of scalar n, owned by t. */
struct ynode *ytree_quoted_copy(struct ytree *t, const struct ynode *n);

/* Move every node of src into t (src is left empty): what t frees. */
void ytree_adopt(struct ytree *t, struct ytree *src);
/* Append the pair key: value to map (nodes of t). */
void ymap_append(struct ynode *map, struct ynode *key, struct ynode *value);

/* Map lookup by key text; NULL when absent. */
struct ynode *ymap_get(const struct ynode *map, const char *key);

#endif
