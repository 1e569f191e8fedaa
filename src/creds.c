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

static int data_err(const struct secret *s, const char *why)
{
	msg_at(s->path, 0, 0, "%s", why);
	return EX_DATAERR;
}

static int str_field_ok(const struct json_member *m)
{
	return m && m->str && m->len > 0;
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

static int check_tunnel_match(const struct secret *s, const char *tunnel, const char *field)
{
	if (!tunnel || !val_uuid(tunnel) || !strcasecmp(tunnel, s->tunnel_id))
		return 0;
	msg_at(s->path, 0, 0, "%s is %s but the config says tunnel: %s (use this tunnel's "
	       "credentials, or fix tunnel:)", field, s->tunnel_id, tunnel);
	return EX_DATAERR;
}

static int parse_cred_json(struct secret *s, const char *tunnel)
{
	struct json_object o;
	if (json_parse_object(s->buf, s->len, &o))
		return data_err(s, "not a tunnel credentials file: expected a JSON object "
		                "with AccountTag, TunnelSecret and TunnelID");
	const struct json_member *acct = json_get(&o, "AccountTag");
	const struct json_member *sec = json_get(&o, "TunnelSecret");
	const struct json_member *id = json_get(&o, "TunnelID");
	int rc = 0;
	if (!str_field_ok(acct))
		rc = data_err(s, "AccountTag is missing or not a string");
	else if (!sec || !b64_field_ok(sec))
		rc = data_err(s, sec ? "TunnelSecret is not base64" : "TunnelSecret is missing");
	else if (!id || !id->str || !val_uuid(id->str))
		rc = data_err(s, id ? "TunnelID is not a UUID" : "TunnelID is missing");
	if (!rc) {
		snprintf(s->tunnel_id, sizeof s->tunnel_id, "%s", id->str);
		rc = check_tunnel_match(s, tunnel, "TunnelID");
	}
	json_free(&o);
	return rc;
}

static int parse_token(struct secret *s)
{
	if (s->len > CREDS_MAX)
		return data_err(s, "token too long");
	for (size_t i = 0; i < s->len; i++)
		if (isspace((unsigned char)s->buf[i]))
			return data_err(s, "white space or a line break inside the token "
			                "(the file must hold the token on one line)");
	unsigned char *json = xmalloc(s->len / 4 * 3 + 1);
	long n = b64_decode(s->buf, s->len, json);
	struct json_object o;
	int rc = 0;
	if (n < 0)
		rc = data_err(s, "not a tunnel token: not base64 (copy the token from the "
		              "dashboard's install command)");
	else if (json_parse_object((const char *)json, (size_t)n, &o))
		rc = data_err(s, "not a tunnel token: does not decode to a JSON object");
	explicit_bzero(json, s->len / 4 * 3 + 1);
	free(json);
	if (rc)
		return rc;
	/* The token's fields, matched as Go matches struct tags. */
	const struct json_member *a = json_get(&o, "a"), *t = json_get(&o, "t");
	if (!str_field_ok(a))
		rc = data_err(s, "token field a (account tag) is missing or empty");
	else if (!t || !t->str || !val_uuid(t->str))
		rc = data_err(s, "token field t (tunnel ID) is missing or not a UUID");
	else if (!b64_field_ok(json_get(&o, "s")))
		rc = data_err(s, "token field s (tunnel secret) is missing or not base64");
	else
		snprintf(s->tunnel_id, sizeof s->tunnel_id, "%s", t->str);
	json_free(&o);
	return rc;
}

int creds_parse(struct secret *s, enum secret_kind expect, const char *tunnel)
{
	while (s->len && isspace((unsigned char)s->buf[s->len - 1]))
		s->buf[--s->len] = 0;
	size_t lead = strspn(s->buf, " \t\r\n");
	if (s->len == lead)
		return data_err(s, "empty credential file");
	int json = s->buf[lead] == '{';
	if (expect == SEC_NONE)
		expect = json ? SEC_JSON : SEC_TOKEN;
	if (expect == SEC_TOKEN && json)
		return data_err(s, "this is a credentials JSON, not a token: use credentials-file:");
	s->kind = expect;
	return expect == SEC_JSON ? parse_cred_json(s, tunnel) : parse_token(s);
}

/* Open once, check the descriptor and the parents, then read that
 * descriptor: what was checked is what cloudflared will get. */
static int read_secret(struct secret *s, uid_t owner)
{
	char why[SF_WHYLEN];
	int fd = sf_open_secret(s->path, owner, why);
	int rc = fd < 0 ? -fd : sf_check_parents(s->path, owner, why) ? EX_NOPERM : 0;
	if (rc) {
		msg("%s", why);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	s->cap = CREDS_MAX + 2;
	s->buf = xmalloc(s->cap);
	ssize_t r;
	while ((r = read(fd, s->buf + s->len, CREDS_MAX + 1 - s->len)) > 0)
		if ((s->len += (size_t)r) > CREDS_MAX)
			break;
	close(fd);
	s->buf[s->len] = 0;
	if (r < 0 || s->len > CREDS_MAX) {
		msg_at(s->path, 0, 0, r < 0 ? "read error" : "larger than 64 KiB: not a credential");
		return r < 0 ? EX_OSERR : EX_DATAERR;
	}
	if (memchr(s->buf, 0, s->len))
		return data_err(s, "NUL byte in the credential: not a credential file");
	return 0;
}

/* The shipped unit's fallback for the one of NAME.json / NAME.token that
 * does not exist (SetCredential=ID:absent): not a credential at all. */
static int is_unit_fallback(const struct secret *s)
{
	return s->len == 6 && !memcmp(s->buf, "absent", 6);
}

/* systemd hands over a 0400 copy, so a loose mode on the file the shipped
 * unit copied (/etc/argoweb/NAME.json or .token) would go unnoticed: look
 * at the source too. The service user may: /etc/argoweb is its group's. */
static int check_unit_source(const struct config *c, const char *ext, uid_t owner)
{
	char src[4200];
	struct stat st;
	snprintf(src, sizeof src, "%s/%s.%s", ARGOWEB_CONFDIR, c->name, ext);
	if (lstat(src, &st))
		return 0;       /* not there, or not ours to see: nothing to say */
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != owner) || (st.st_mode & 077)) {
		msg("%s: mode %04o, owner uid %u: systemd passes it on, but it must be root's "
		    "and private: run chown root %s && chmod 600 %s", src,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, src, src);
		return EX_NOPERM;
	}
	return 0;
}

/* Read dir/name if it is there and not the fallback: 0 read, 1 not there,
 * else the exit code. */
static int try_creddir(struct secret *s, const char *dir, const char *name, uid_t owner)
{
	snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
	if (access(s->path, F_OK) && errno == ENOENT)
		return 1;
	int rc = read_secret(s, owner);
	if (rc || !is_unit_fallback(s))
		return rc;
	creds_wipe(s);
	return 1;
}

/* /etc/argoweb/NAME.yaml: the config the shipped unit runs. */
static int is_conventional_config(const struct config *c)
{
	char want[4200];
	snprintf(want, sizeof want, "%s/%s.yaml", ARGOWEB_CONFDIR, c->name);
	return !strcmp(c->path, want);
}

/* Where the secret is. Under the shipped unit, systemd has copied the
 * root-owned /etc/argoweb/NAME.json or NAME.token, which the service user
 * cannot open, into $CREDENTIALS_DIRECTORY as argoweb.json or
 * argoweb.token; a drop-in may provide argoweb (LoadCredentialEncrypted=).
 * A config naming exactly /etc/argoweb/NAME.json (.token) gets that copy. */
static int locate(const struct config *c, uid_t owner, struct secret *s, enum secret_kind *expect)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char conventional[4200];
	snprintf(conventional, sizeof conventional, "%s/%s.%s", ARGOWEB_CONFDIR, c->name,
	         c->id == ID_TOKENFILE ? "token" : "json");
	if (c->cred_path && !(dir && *dir && !strcmp(c->cred_path, conventional))) {
		snprintf(s->path, sizeof s->path, "%s", c->cred_path);
		return read_secret(s, owner);
	}
	static const struct { const char *name; enum secret_kind kind; } names[] = {
		{ "argoweb", SEC_NONE }, { "argoweb.json", SEC_JSON }, { "argoweb.token", SEC_TOKEN },
	};
	for (size_t i = 0; dir && *dir && i < sizeof names / sizeof *names; i++) {
		if (c->cred_path && names[i].kind != *expect)
			continue;
		int rc = try_creddir(s, dir, names[i].name, owner);
		if (rc == 0 && names[i].kind != SEC_NONE)
			rc = check_unit_source(c, names[i].kind == SEC_JSON ? "json" : "token", owner);
		if (rc != 1) {
			if (!c->cred_path)
				*expect = names[i].kind;
			return rc;
		}
	}
	if (c->cred_path) {     /* systemd had nothing: try the file itself */
		snprintf(s->path, sizeof s->path, "%s", c->cred_path);
		return read_secret(s, owner);
	}
	/* Outside the unit (root running `argoweb check web`), the files the
	 * unit would load: what it checks is then what the unit will get. */
	static const char *const ext[] = { "json", "token" };
	for (size_t i = 0; is_conventional_config(c) && i < 2; i++) {
		snprintf(s->path, sizeof s->path, "%s/%s.%s", ARGOWEB_CONFDIR, c->name, ext[i]);
		if (access(s->path, F_OK) == 0 || errno != ENOENT) {
			*expect = i == 0 ? SEC_JSON : SEC_TOKEN;
			return read_secret(s, owner);
		}
	}
	msg_at(c->path, 0, 0, "no credential: set credentials-file: or token-file:, or put it at "
	       "%s/%s.json (or .token) for the argoweb@%s unit", ARGOWEB_CONFDIR, c->name, c->name);
	return EX_CONFIG;
}

int creds_load(const struct config *c, uid_t owner, struct secret *s)
{
	memset(s, 0, sizeof *s);
	enum secret_kind expect = c->id == ID_CREDFILE ? SEC_JSON
	                        : c->id == ID_TOKENFILE ? SEC_TOKEN : SEC_NONE;
	if (c->id == ID_QUICK)
		return 0;
	int rc = locate(c, owner, s, &expect);
	if (!rc)
		rc = creds_parse(s, expect, c->tunnel);
	if (!rc && s->kind == SEC_JSON && !c->nrules) {
		msg_at(c->path, 0, 0, "a locally-managed tunnel (credentials JSON) needs ingress: rules");
		rc = EX_CONFIG;
	}
	return rc;
}

void creds_wipe(struct secret *s)
{
	if (s->buf) {
		explicit_bzero(s->buf, s->cap);
		free(s->buf);
	}
	memset(s, 0, sizeof *s);
}
