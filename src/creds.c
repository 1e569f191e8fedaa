/* creds: the tunnel credentials JSON and the tunnel token. Both are checked
 * the way cloudflared will read them, so a broken secret fails here, once,
 * with the field named, instead of as an edge-side rejection in a loop.
 * No message ever quotes the content. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "json.h"
#include "msg.h"
#include "safefile.h"
#include "sdcred.h"
#include "values.h"

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 with padding, strictly, as Go's StdEncoding: no white
 * space, no missing '='. out needs len/4*3 bytes. Returns the decoded length
 * or -1. */
static long b64_decode(const char *in, size_t len, unsigned char *out)
{
	if (len == 0 || len % 4)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		for (int j = 0; j < 4; j++) {
			int c = (unsigned char)in[i + j];
			if (c == '=' && i + 4 == len && j >= 2 && (j == 3 || in[i + 3] == '=')) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad || (v[j] = b64val(c)) < 0)
				return -1;
		}
		unsigned long n = (unsigned long)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
		out[o++] = (unsigned char)(n >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(n >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)n;
	}
	return (long)o;
}

/* A non-empty string with no NUL: Go keeps what follows one, C would not. */
static int str_field_ok(const struct json_member *m)
{
	return m && m->str && m->len > 0 && strlen(m->str) == m->len;
}

static int b64_field_ok(const struct json_member *m)
{
	if (!str_field_ok(m))
		return 0;
	unsigned char *tmp = xmalloc(m->len);
	long n = b64_decode(m->str, m->len, tmp);
	explicit_bzero(tmp, m->len);
	free(tmp);
	return n > 0;
}

static int check_tunnel_match(const struct secret *s, const char *tunnel, const char *field,
                              struct fault *f)
{
	if (!tunnel || !val_uuid(tunnel) || !strcasecmp(tunnel, s->tunnel_id))
		return 0;
	return fail(f, EBADMSG, "%s: %s is %s but the config says tunnel: %s (use this tunnel's "
	            "credentials, or fix tunnel:)", s->path, field, s->tunnel_id, tunnel);
}

/* Every field of cloudflared's Credentials and TunnelToken structs, the
 * ones argoweb does not check too: a member Go would fill one from must be
 * the one member argoweb reads (json_check_keys). */
static const char *const cred_keys[] = {
	"AccountTag", "TunnelSecret", "TunnelID", "Endpoint", NULL
};
static const char *const token_keys[] = { "a", "s", "t", "e", NULL };

static int parse_cred_json(struct secret *s, const char *tunnel, struct fault *f)
{
	struct json_object o;
	struct fault keys = { 0 };
	if (json_parse_object(s->buf, s->len, &o))
		return fail(f, EBADMSG, "%s: not a tunnel credentials file: expected a JSON object "
		            "with AccountTag, TunnelSecret and TunnelID", s->path);
	const struct json_member *acct = json_get(&o, "AccountTag");
	const struct json_member *sec = json_get(&o, "TunnelSecret");
	const struct json_member *id = json_get(&o, "TunnelID");
	int rc = 0;
	if (json_check_keys(&o, cred_keys, &keys))
		rc = fail(f, EBADMSG, "%s: %s", s->path, keys.why);
	else if (!str_field_ok(acct))
		rc = fail(f, EBADMSG, "%s: AccountTag is missing or not a string", s->path);
	else if (!sec || !b64_field_ok(sec))
		rc = fail(f, EBADMSG, "%s: TunnelSecret is %s", s->path, sec ? "not base64" : "missing");
	else if (!str_field_ok(id) || !val_uuid(id->str))
		rc = fail(f, EBADMSG, "%s: TunnelID is %s", s->path, id ? "not a UUID" : "missing");
	if (!rc) {
		snprintf(s->tunnel_id, sizeof s->tunnel_id, "%s", id->str);
		s->endpoint = str_field_ok(json_get(&o, "Endpoint"));
		rc = check_tunnel_match(s, tunnel, "TunnelID", f);
	}
	json_free(&o);
	return rc;
}

static int parse_token(struct secret *s, struct fault *f)
{
	if (s->len > CREDS_MAX)
		return fail(f, EBADMSG, "%s: token too long", s->path);
	for (size_t i = 0; i < s->len; i++)
		if (isspace((unsigned char)s->buf[i]))
			return fail(f, EBADMSG, "%s: white space or a line break inside the token "
			            "(the file must hold the token on one line)", s->path);
	unsigned char *json = xmalloc(s->len / 4 * 3 + 1);
	long n = b64_decode(s->buf, s->len, json);
	struct json_object o;
	struct fault keys = { 0 };
	int rc = 0;
	if (n < 0)
		rc = fail(f, EBADMSG, "%s: not a tunnel token: not base64 (copy the token from the "
		          "dashboard's install command)", s->path);
	else if (json_parse_object((const char *)json, (size_t)n, &o))
		rc = fail(f, EBADMSG, "%s: not a tunnel token: does not decode to a JSON object", s->path);
	explicit_bzero(json, s->len / 4 * 3 + 1);
	free(json);
	if (rc)
		return rc;
	const struct json_member *a = json_get(&o, "a"), *t = json_get(&o, "t");
	if (json_check_keys(&o, token_keys, &keys))
		rc = fail(f, EBADMSG, "%s: in the token: %s", s->path, keys.why);
	else if (!str_field_ok(a))
		rc = fail(f, EBADMSG, "%s: token field a (account tag) is missing or empty", s->path);
	else if (!str_field_ok(t) || !val_uuid(t->str))
		rc = fail(f, EBADMSG, "%s: token field t (tunnel ID) is missing or not a UUID", s->path);
	else if (!b64_field_ok(json_get(&o, "s")))
		rc = fail(f, EBADMSG, "%s: token field s (tunnel secret) is missing or not base64", s->path);
	else
		snprintf(s->tunnel_id, sizeof s->tunnel_id, "%s", t->str);
	s->endpoint = !rc && str_field_ok(json_get(&o, "e"));
	json_free(&o);
	return rc;
}

static int parse_json_kind(struct secret *s, const char *tunnel, struct fault *f)
{
	return parse_cred_json(s, tunnel, f);
}

/* A token names its tunnel itself; a tunnel: beside one (a token from
 * $CREDENTIALS_DIRECTORY) must name the same. */
static int parse_token_kind(struct secret *s, const char *tunnel, struct fault *f)
{
	int rc = parse_token(s, f);
	if (rc || !tunnel || val_uuid(tunnel))
		return rc ? rc : check_tunnel_match(s, tunnel, "the token's tunnel ID (t)", f);
	return fail(f, EBADMSG, "%s: a token holds its tunnel's ID, which the config's tunnel: %s "
	            "cannot be checked against: write the ID there, or remove tunnel:", s->path,
	            tunnel);
}

const struct cred_kind cred_kinds[] = {
	{ SEC_JSON, "credentials-file", "json", "TUNNEL_CRED_CONTENTS",
	  "tunnel credentials JSON", 1, parse_json_kind },
	{ SEC_TOKEN, "token-file", "token", "TUNNEL_TOKEN",
	  "tunnel token", 0, parse_token_kind },
	{ SEC_ANY, NULL, NULL, NULL, NULL, 0, NULL },
};

const struct cred_kind *cred_kind(enum secret_kind kind)
{
	for (const struct cred_kind *k = cred_kinds; k->key; k++)
		if (k->kind == kind)
			return k;
	return NULL;
}

const struct cred_kind *cred_kind_named(const char *key)
{
	for (const struct cred_kind *k = cred_kinds; key && k->key; k++)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

int creds_may_be_token(const struct config *c)
{
	const struct cred_kind *k = cred_kind_named(c->cred_key);
	return !c->quick_url && (!k || k->kind == SEC_TOKEN);
}

int creds_parse(struct secret *s, enum secret_kind expect, const char *tunnel, struct fault *f)
{
	while (s->len && isspace((unsigned char)s->buf[s->len - 1]))
		s->buf[--s->len] = 0;
	size_t lead = strspn(s->buf, " \t\r\n");
	if (s->len == lead)
		return fail(f, EBADMSG, "%s: empty credential file", s->path);
	int json = s->buf[lead] == '{';
	if (expect == SEC_ANY)
		expect = json ? SEC_JSON : SEC_TOKEN;
	if (expect == SEC_TOKEN && json)
		return fail(f, EBADMSG, "%s: this is a credentials JSON, not a token: use "
		            "credentials-file:", s->path);
	s->kind = expect;
	return cred_kind(expect)->parse(s, tunnel, f);
}

/* Open once, from the parents as the walk checked them, check the
 * descriptor, then read it: what was checked is what cloudflared will get.
 * 0, or -errno with f filled. */
static int read_secret(struct secret *s, uid_t owner, const struct sdcred *sd, struct fault *f)
{
	int fd = sf_open_secret(s->path, owner, sd, f);
	if (fd < 0)
		return fd;
	s->cap = CREDS_MAX + 2;
	s->buf = xmalloc(s->cap);
	ssize_t r;
	while ((r = read(fd, s->buf + s->len, CREDS_MAX + 1 - s->len)) > 0)
		if ((s->len += (size_t)r) > CREDS_MAX)
			break;
	close(fd);
	s->buf[s->len] = 0;
	if (r < 0)
		return fail(f, EIO, "%s: read error", s->path);
	if (s->len > CREDS_MAX)
		return fail(f, EBADMSG, "%s: larger than 64 KiB: not a credential", s->path);
	if (memchr(s->buf, 0, s->len))
		return fail(f, EBADMSG, "%s: NUL byte in the credential: not a credential file", s->path);
	return 0;
}

/* The shipped unit loads both /etc/argoweb/NAME.json and NAME.token; for
 * the one that does not exist it sets this text instead
 * (SetCredential=argoweb.EXT:absent in argoweb@.service): not a credential
 * at all. */
#define UNIT_ABSENT "absent"

static int is_unit_absent(const struct secret *s)
{
	return s->len == sizeof UNIT_ABSENT - 1 && !memcmp(s->buf, UNIT_ABSENT, s->len);
}

/* systemd hands over a 0400 copy, so a loose mode on the file the shipped
 * unit copied (/etc/argoweb/NAME.json or .token) would go unnoticed: look
 * at the source too. The service user may: /etc/argoweb is its group's. */
static int check_unit_source(const struct config *c, const char *ext, uid_t owner,
                             struct fault *f)
{
	char src[4200];
	struct stat st;
	snprintf(src, sizeof src, "%s/%s.%s", ARGOWEB_CONFDIR, c->name, ext);
	if (lstat(src, &st))
		return 0;       /* not there, or not ours to see: nothing to say */
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != owner) || (st.st_mode & 077))
		return fail(f, EPERM, "%s: mode %04o, owner uid %u: systemd passes it on, but it must "
		            "be root's and private: run chown root %s && chmod 600 %s", src,
		            (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, src, src);
	return 0;
}

/* /etc/argoweb/NAME.yaml: the config the shipped unit runs. */
static int is_conventional_config(const struct config *c)
{
	char want[4200];
	return !inst_config(c->name, want, sizeof want) && !strcmp(c->path, want);
}

/* One place the credential may be. */
struct source {
	char path[sizeof ((struct secret *)0)->path];     /* "" when too long */
	enum secret_kind kind;
	int optional;           /* missing is fine: try the next */
	int from_systemd;       /* in $CREDENTIALS_DIRECTORY: may be UNIT_ABSENT, and
	                         * argoweb.EXT is the unit's copy of NAME.EXT */
};

#define MAX_SOURCES 6

/* The file a/b (b empty: a itself). */
static void add(struct source *src, size_t *n, enum secret_kind kind, int optional,
                int from_systemd, const char *a, const char *b)
{
	struct source *x = &src[(*n)++];
	if (snprintf(x->path, sizeof x->path, "%s%s%s", a, *b ? "/" : "", b) >= (int)sizeof x->path)
		x->path[0] = 0;
	x->kind = kind;
	x->optional = optional;
	x->from_systemd = from_systemd;
}

/* Where the secret may be, in the order to try.
 * - The config names a file: that file. Under the shipped unit a file
 *   named exactly /etc/argoweb/NAME.EXT is root's and out of the service
 *   user's reach: systemd's copy in $CREDENTIALS_DIRECTORY comes first.
 * - It names none: $CREDENTIALS_DIRECTORY/argoweb (a drop-in's
 *   LoadCredentialEncrypted=, either kind), then the unit's argoweb.json
 *   and argoweb.token; outside the unit, for /etc/argoweb/NAME.yaml, the
 *   files the unit would load (what `argoweb check` checks is then what
 *   the unit gets). */
static size_t credential_sources(const struct config *c, struct source *src)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	const struct cred_kind *named = cred_kind_named(c->cred_key);
	char name[64], conventional[sizeof ((struct secret *)0)->path];
	size_t n = 0;
	if (dir && !*dir)
		dir = NULL;
	if (named) {
		snprintf(conventional, sizeof conventional, "%s/%s.%s", ARGOWEB_CONFDIR, c->name, named->ext);
		snprintf(name, sizeof name, "argoweb.%s", named->ext);
		if (dir && !strcmp(c->cred_path, conventional))
			add(src, &n, named->kind, 1, 1, dir, name);
		add(src, &n, named->kind, 0, 0, c->cred_path, "");
		return n;
	}
	if (dir)
		add(src, &n, SEC_ANY, 1, 1, dir, "argoweb");
	for (const struct cred_kind *k = cred_kinds; k->key && dir; k++) {
		snprintf(name, sizeof name, "argoweb.%s", k->ext);
		add(src, &n, k->kind, 1, 1, dir, name);
	}
	for (const struct cred_kind *k = cred_kinds; k->key && is_conventional_config(c); k++) {
		snprintf(conventional, sizeof conventional, "%s/%s.%s", ARGOWEB_CONFDIR, c->name, k->ext);
		add(src, &n, k->kind, 1, 0, conventional, "");
	}
	return n;
}

/* The first source that holds a credential, read and checked (not yet
 * parsed): 0, or -errno with f filled. */
static int locate(const struct config *c, uid_t owner, gid_t group, struct secret *s,
                  enum secret_kind *kind, struct fault *f)
{
	struct source src[MAX_SOURCES];
	struct sdcred sd = { 0 };
	size_t n = credential_sources(c, src);
	/* systemd's copies follow systemd's rule (sdcred.h); the rest, ours. */
	if (n && src[0].from_systemd)
		sdcred_dir(getenv("CREDENTIALS_DIRECTORY"), owner, group, &sd);
	for (size_t i = 0; i < n; i++) {
		if (!src[i].path[0])
			return fail(f, EINVAL, "%s: the credential's path is too long", c->path);
		memcpy(s->path, src[i].path, sizeof s->path);
		if (src[i].optional && access(s->path, F_OK) && errno == ENOENT)
			continue;
		int rc = read_secret(s, owner, src[i].from_systemd ? &sd : NULL, f);
		if (rc)
			return rc;
		if (src[i].from_systemd && is_unit_absent(s)) {
			creds_wipe(s);
			continue;
		}
		*kind = src[i].kind;
		/* argoweb.EXT is the unit's copy of /etc/argoweb/NAME.EXT. */
		return src[i].from_systemd && src[i].kind != SEC_ANY
		       ? check_unit_source(c, cred_kind(src[i].kind)->ext, owner, f) : 0;
	}
	return fail(f, EINVAL, "%s: no credential: set credentials-file: or token-file:, or put it "
	            "at %s/%s.json (or .token) for the argoweb@%s unit", c->path, ARGOWEB_CONFDIR,
	            c->name, c->name);
}

int creds_load(const struct config *c, uid_t owner, gid_t group, struct secret *s)
{
	struct fault f = { 0 };
	enum secret_kind kind = SEC_ANY;
	memset(s, 0, sizeof *s);
	if (c->quick_url)
		return 0;
	int rc = locate(c, owner, group, s, &kind, &f);
	if (!rc)
		rc = creds_parse(s, kind, c->tunnel, &f);
	if (!rc && s->kind == SEC_JSON && !c->nrules)
		rc = fail(&f, EINVAL, "%s: a locally-managed tunnel (credentials JSON) needs ingress: "
		          "rules", c->path);
	if (!rc)
		return 0;
	msg_fault(NULL, &f);
	return exit_for(rc);
}

void creds_wipe(struct secret *s)
{
	if (s->buf) {
		explicit_bzero(s->buf, s->cap);
		free(s->buf);
	}
	memset(s, 0, sizeof *s);
}
