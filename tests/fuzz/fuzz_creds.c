/* libFuzzer target: credential content, read as a credentials JSON, as a
 * token, and told apart by content, as creds_load does after read_secret.
 * Checks that an accepted credential yields a UUID and the kind asked, and
 * that an accepted JSON's keys read the same to cloudflared. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/creds.h"
#include "../../src/json.h"
#include "../../src/msg.h"
#include "../../src/values.h"

#define UUID "6ff42ae2-765d-4adf-8112-31c55c1551ef"

/* An accepted credentials JSON has every member kept, no key holding a NUL,
 * and each field once and spelled exactly with no key equal to it in
 * another ASCII case: checked apart from json_check_keys, with strcasecmp
 * (U+017F and U+212A are test_json.c's). */
static void check_keys_exact(const struct secret *s)
{
	static const char *const fields[] = { "AccountTag", "TunnelSecret", "TunnelID", "Endpoint" };
	struct json_object o;
	if (json_parse_object(s->buf, s->len, &o) || o.truncated)
		abort();
	for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
		int exact = 0;
		for (size_t i = 0; i < o.n; i++) {
			if (strlen(o.m[i].key) != o.m[i].klen)
				abort();
			if (strcasecmp(o.m[i].key, fields[f]))
				continue;
			if (strcmp(o.m[i].key, fields[f]) || exact++)
				abort();
		}
	}
	json_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum secret_kind kinds[] = { SEC_JSON, SEC_TOKEN, SEC_ANY };
	msg_quiet = 1;
	/* read_secret's guarantees: at most 64 KiB, no NUL, NUL-terminated. */
	if (size > CREDS_MAX || memchr(data, 0, size))
		return 0;
	for (int i = 0; i < 3; i++) {
		struct secret s;
		memset(&s, 0, sizeof s);
		s.cap = size + 1;
		s.buf = malloc(s.cap);
		memcpy(s.buf, data, size);
		s.buf[size] = 0;
		s.len = size;
		snprintf(s.path, sizeof s.path, "fuzz.cred");
		const char *tunnel = i == 0 ? UUID : i == 1 ? NULL : "named-tunnel";
		struct fault f = { 0 };
		int rc = creds_parse(&s, kinds[i], tunnel, &f);
		if (rc != 0 && rc != -EBADMSG)
			abort();
		/* A refusal always says why (that it quotes no secret is
		 * test_creds.c's to check, with the field names masked). */
		if (rc && strncmp(f.why, "fuzz.cred: ", 11))
			abort();
		if (rc == 0) {
			if (!val_uuid(s.tunnel_id))
				abort();
			if (s.kind != SEC_JSON && s.kind != SEC_TOKEN)
				abort();
			if (kinds[i] != SEC_ANY && s.kind != kinds[i])
				abort();
			if (s.kind == SEC_JSON && tunnel && val_uuid(tunnel) && strcasecmp(s.tunnel_id, tunnel))
				abort();
			if (s.len > size || s.buf[s.len] != 0)
				abort();
			if (s.kind == SEC_JSON)
				check_keys_exact(&s);
		}
		creds_wipe(&s);
		if (s.buf || s.len || s.cap)
			abort();
	}
	return 0;
}
