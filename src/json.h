/* Strict JSON (RFC 8259), just enough for a credential: a top-level object
 * whose string members we need, decoded as Go's encoding/json decodes. */
#ifndef ARGOWEB_JSON_H
#define ARGOWEB_JSON_H
#include <stddef.h>

#define JSON_MAX_MEMBERS 32

struct json_member {
	char *key;              /* unescaped, NUL-terminated */
	size_t klen;            /* of key: a \u0000 in it is kept */
	char *str;              /* unescaped string value, or NULL for other types */
	size_t len;             /* of str */
	long long num;          /* a whole number's value, when is_num */
	int is_num;
};

struct json_object {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
	int truncated;          /* it had more members than m[] holds: the first are there */
};

/* Parse buf as exactly one JSON object (white space around it allowed).
 * Members beyond JSON_MAX_MEMBERS (o->truncated says so), nested values and
 * non-string values are validated but not kept. Returns 0, or -1 for
 * anything that is not valid JSON or not an object; nothing is printed
 * (the content may be secret). */
int json_parse_object(const char *buf, size_t len, struct json_object *o);

/* Whether o holds the struct fields named in wanted (NULL-terminated,
 * ASCII) so that reading each by its exact name finds what Go's
 * encoding/json finds. Go fills a field from every member whose key is its
 * name or folds to it under Unicode simple case folding ("tunnelsecret",
 * "Tunnel\u017fecret"), the last one winning. So a wanted key must appear
 * at most once and spelled exactly, no key may fold to one without being
 * it, none may hold a NUL (a C string would end there, Go's does not), and
 * no member may lie past the ones kept. Returns 0, or -EBADMSG with f
 * naming the key, escaped; never a value. */
struct fault;
int json_check_keys(const struct json_object *o, const char *const *wanted, struct fault *f);

/* The member whose key is exactly key (the last, should there be several),
 * or NULL. For a credential, json_check_keys first: then this is the one
 * member cloudflared reads for that field. */
const struct json_member *json_get(const struct json_object *o, const char *key);

/* Wipe and free every key and value. */
void json_free(struct json_object *o);

#endif
