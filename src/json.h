/* Strict JSON (RFC 8259), just enough for a credential: a top-level object
 * whose string members we need, decoded as Go's encoding/json decodes. */
#ifndef ARGOWEB_JSON_H
#define ARGOWEB_JSON_H
#include <stddef.h>

#define JSON_MAX_MEMBERS 32

struct json_member {
	char *key;              /* unescaped, NUL-terminated */
	char *str;              /* unescaped string value, or NULL for other types */
	size_t len;             /* of str */
	long long num;          /* a whole number's value, when is_num */
	int is_num;
};

struct json_object {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
};

/* Parse buf as exactly one JSON object (white space around it allowed).
 * Members beyond JSON_MAX_MEMBERS, nested values and non-string values are
 * validated but not kept. Returns 0, or -1 for anything that is not valid
 * JSON or not an object; nothing is printed (the content may be secret). */
int json_parse_object(const char *buf, size_t len, struct json_object *o);

/* The member named key, matched case-insensitively with the last match
 * winning, as encoding/json fills a struct field. NULL when absent. */
const struct json_member *json_get(const struct json_object *o, const char *key);

/* Wipe and free every key and value. */
void json_free(struct json_object *o);

#endif
