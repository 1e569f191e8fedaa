/* Single-value validators. cloudflared is a Go program reading YAML with
 * yaml.v3; where it is more lenient than it should be (wildcards, paths on
 * service URLs), we are stricter, and we never accept what it would refuse. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "values.h"

static int unit_ns(const char *s, size_t *len, int64_t *mult)
{
	static const struct { const char *u; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000 },
		{ "h", 3600000000000 },
	};
	size_t best = 0;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		size_t n = strlen(units[i].u);
		/* "ms" must win over "m": take the longest unit that matches. */
		if (strncmp(s, units[i].u, n) == 0 && n > best) {
			best = n;
			*mult = units[i].ns;
		}
	}
	*len = best;
	return best ? 0 : -1;
}

#define DURATION_MAX 9223372036854775807ull    /* Go's time.Duration: int64 ns */

/* One "1.5h" element of a Go duration, in integers as Go computes it (no
 * float rounding: 1.001s is 1001000000ns); adds to *total. */
static int duration_elem(const char **p, uint64_t *total)
{
	const char *s = *p;
	uint64_t whole = 0, frac = 0, scale = 1;
	int digits = 0;
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (whole > (DURATION_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (scale < 1000000000000000000ull) {       /* finer digits cannot matter */
				frac = frac * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
	size_t ulen;
	int64_t mult;
	if (!digits || unit_ns(s, &ulen, &mult))
		return -1;
	uint64_t m = (uint64_t)mult;
	if (whole > DURATION_MAX / m)
		return -1;
	/* frac/scale < 1, so frac * (m / scale) stays in range; m is a power
	 * of ten times 1, 6 or 36, so splitting keeps the result exact. */
	uint64_t v = whole * m + (uint64_t)((unsigned __int128)frac * m / scale);
	if (v > DURATION_MAX - *total)
		return -1;
	*total += v;
	*p = s + ulen;
	return 0;
}

int val_duration(const char *s, int64_t *ns, struct fault *f)
{
	const char *p = s;
	int neg = *p == '-';
	uint64_t total = 0;
	if (*p == '-' || *p == '+')
		p++;
	*ns = 0;
	if (strcmp(p, "0") == 0)
		return 0;
	if (!*p)
		return fail(f, EINVAL, "expected a duration such as 30s, 1m30s or 500ms");
	while (*p)
		if (duration_elem(&p, &total))
			return fail(f, EINVAL, "expected a duration such as 30s, 1m30s or 500ms "
			            "(units ns, us, ms, s, m, h; at most 2562047h)");
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* Decimal only: yaml.v3 reads 010 as octal and 1_0 as 10, so we accept
 * just the spelling that means the same to everyone. */
int val_uint(const char *s, long long max, long long *out, struct fault *f)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n || (n > 1 && s[0] == '0')) {
		return fail(f, EINVAL, "expected a whole number from 0 to %lld", max);
	}
	*out = strtoll(s, NULL, 10);
	if (*out > max) {
		return fail(f, EINVAL, "%lld is too large (at most %lld)", *out, max);
	}
	return 0;
}

/* The YAML 1.2 core schema's booleans, which is what yaml.v3 resolves for an
 * untyped value: "yes" and "on" would reach cloudflared as strings. */
int val_bool(const char *s, int *out)
{
	static const char *t[] = { "true", "True", "TRUE" }, *f[] = { "false", "False", "FALSE" };
	for (int i = 0; i < 3; i++) {
		if (strcmp(s, t[i]) == 0 || strcmp(s, f[i]) == 0) {
			*out = strcmp(s, t[i]) == 0;
			return 0;
		}
	}
	return -1;
}

int val_is_null(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

/* What yaml.v3 would resolve a plain scalar to, when not a string: it
 * drops '_' and then tries Go's ParseInt/ParseUint base 0 (0x, 0o, 0b,
 * leading-0 octal) and ParseFloat on YAML-style floats. */
static int looks_numeric(const char *s)
{
	if (!*s || !strchr("+-.0123456789", *s))
		return 0;   /* yaml.v3 tries numbers only for these first bytes */
	char plain[80];
	size_t n = 0;
	for (; *s && n < sizeof plain - 1; s++)
		if (*s != '_')
			plain[n++] = *s;
	if (*s)
		return 0;   /* too long to be a number */
	plain[n] = 0;
	const char *p = plain + (*plain == '-' || *plain == '+');
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") ||
	    !strcmp(plain, ".nan") || !strcmp(plain, ".NaN") || !strcmp(plain, ".NAN"))
		return 1;
	if (p[0] == '0' && p[1] && strchr("xXoObB", p[1]))
		return p[2] != 0;
	/* [0-9]+(\.[0-9]*)?|\.[0-9]+, then an optional exponent */
	size_t d = strspn(p, "0123456789");
	const char *q = p + d;
	if (*q == '.') {
		size_t f = strspn(q + 1, "0123456789");
		if (!d && !f)
			return 0;
		q += 1 + f;
	} else if (!d) {
		return 0;
	}
	if (*q == 'e' || *q == 'E') {
		q += 1 + (q[1] == '+' || q[1] == '-');
		size_t e = strspn(q, "0123456789");
		if (!e)
			return 0;
		q += e;
	}
	return *q == 0;
}

int val_resolves_as_string(const char *s)
{
	int b;
	return !val_is_null(s) && val_bool(s, &b) != 0 && !looks_numeric(s);
}

int val_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int label_ok(const char *l, size_t n)
{
	if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];
		/* Bytes >= 0x80: an internationalised name, which cloudflared
		 * converts to punycode itself. */
		if (!(isalnum(c) || c == '-' || c == '_' || c >= 0x80))
			return 0;
	}
	return 1;
}

int val_hostname(const char *s, struct fault *f)
{
	if (strchr(s, ':'))
		return fail(f, EINVAL, "a hostname cannot contain a port or a scheme (write www.example.com)");
	if (strchr(s, '*') && (strncmp(s, "*.", 2) != 0 || strchr(s + 1, '*')))
		return fail(f, EINVAL, "a wildcard is allowed only as a leading \"*.\" (e.g. *.example.com); "
		            "cloudflared never matches any other use");
	if (strchr(s, '/'))
		return fail(f, EINVAL, "a hostname cannot contain '/' (put URL paths in path:)");
	const char *p = strncmp(s, "*.", 2) == 0 ? s + 2 : s;
	size_t n = strlen(p);
	if (n && p[n - 1] == '.')
		n--;    /* one trailing dot (fully qualified) is fine */
	if (n == 0 || n > 253)
		return fail(f, EINVAL, "not a valid hostname");
	if (p[n - 1] == '.')    /* "example.com..": an empty last label */
		return fail(f, EINVAL, "not a valid hostname (labels are letters, digits and "
		            "hyphens, 1-63 characters, not starting or ending with '-')");
	for (const char *l = p; l < p + n;) {
		const char *dot = memchr(l, '.', (size_t)(p + n - l));
		size_t ln = dot ? (size_t)(dot - l) : (size_t)(p + n - l);
		if (!label_ok(l, ln))
			return fail(f, EINVAL, "not a valid hostname (labels are letters, digits and "
			            "hyphens, 1-63 characters, not starting or ending with '-')");
		l += ln + 1;
	}
	return 0;
}

int val_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* ADDRESS/BITS, as Go's net.ParseCIDR takes it. */
int val_cidr(const char *s)
{
	const char *slash = strchr(s, '/');
	char ip[64];
	if (!slash || (size_t)(slash - s) >= sizeof ip || !slash[1] || strlen(slash + 1) > 3 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return 0;
	snprintf(ip, sizeof ip, "%.*s", (int)(slash - s), s);
	int bits = atoi(slash + 1);
	unsigned char buf[16];
	if (inet_pton(AF_INET, ip, buf) == 1)
		return bits <= 32;
	return inet_pton(AF_INET6, ip, buf) == 1 && bits <= 128;
}

static int port_ok(const char *p, size_t n)
{
	if (n == 0 || n > 5 || strspn(p, "0123456789") < n)
		return 0;
	long v = strtol(p, NULL, 10);
	return v >= 1 && v <= 65535;
}

/* HOST[:PORT]: a hostname, IPv4 or [IPv6], nothing else; into u's host
 * (without brackets) and port (0 when not written). */
static int authority(const char *a, struct url *u, struct fault *f)
{
	size_t n = strcspn(a, "/?#");
	if (a[n] == '/')
		return fail(f, EINVAL, "a service URL has no path: cloudflared forwards the visitor's "
		            "path unchanged (remove everything after the port)");
	if (a[n])
		return fail(f, EINVAL, "a service URL has no query or fragment");
	if (memchr(a, '@', n))
		return fail(f, EINVAL, "a service URL cannot carry a user name or password");
	const char *colon;
	if (a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close || (size_t)(close - a) > sizeof u->host)
			return fail(f, EINVAL, "unterminated [IPv6] address");
		snprintf(u->host, sizeof u->host, "%.*s", (int)(close - a - 1), a + 1);
		unsigned char buf[16];
		if (inet_pton(AF_INET6, u->host, buf) != 1)
			return fail(f, EINVAL, "not a valid IPv6 address in [ ]");
		colon = close[1] == ':' ? close + 1 : close[1] ? close : NULL;
		if (colon == close)
			return fail(f, EINVAL, "expected :PORT after ]");
	} else {
		colon = memchr(a, ':', n);
		size_t hn = colon ? (size_t)(colon - a) : n;
		if (hn == 0 || hn >= sizeof u->host)
			return fail(f, EINVAL, "missing host (write http://localhost:8080)");
		memcpy(u->host, a, hn);
		u->host[hn] = 0;
		struct fault hf = { 0 };
		if (strchr(u->host, '*') || (!val_ip(u->host) && val_hostname(u->host, &hf)))
			return fail(f, EINVAL, "not a valid host name or address");
	}
	u->port = 0;
	if (colon && !port_ok(colon + 1, (size_t)(a + n - colon - 1)))
		return fail(f, EINVAL, "port must be a number from 1 to 65535");
	if (colon)
		u->port = (unsigned)strtoul(colon + 1, NULL, 10);
	return 0;
}

int val_url(const char *s, struct url *u, struct fault *f)
{
	const char *sep = strstr(s, "://");
	if (!sep || sep == s || (size_t)(sep - s) >= sizeof u->scheme)
		return fail(f, EINVAL, "expected a URL, scheme://HOST[:PORT]");
	snprintf(u->scheme, sizeof u->scheme, "%.*s", (int)(sep - s), s);
	return authority(sep + 3, u, f);
}

static const char *const url_schemes[] = {
	"http", "https", "ws", "wss", "tcp", "ssh", "rdp", "smb", NULL,
};

#define EXPECTED_SERVICES "expected http://, https://, ws://, wss://, tcp://, " \
	"ssh://, rdp://, smb://, unix:PATH, unix+tls:PATH, http_status:NNN, " \
	"hello_world, bastion or socks-proxy"

int val_service(const char *s, struct fault *f)
{
	if (!strcmp(s, "hello_world") || !strcmp(s, "hello-world") ||
	    !strcmp(s, "bastion") || !strcmp(s, "socks-proxy"))
		return 0;
	if (!strncmp(s, "http_status:", 12)) {
		const char *c = s + 12;
		if (strlen(c) != 3 || strspn(c, "0123456789") != 3 || c[0] == '0')
			return fail(f, EINVAL, "http_status: takes a status code from 100 to 999 (e.g. http_status:404)");
		return 0;
	}
	if (!strncmp(s, "unix:", 5) || !strncmp(s, "unix+tls:", 9)) {
		const char *path = strchr(s, ':') + 1;
		if (path[0] != '/')
			return fail(f, EINVAL, "unix: takes an absolute socket path (unix:/run/app.sock)");
		return 0;
	}
	const char *sep = strstr(s, "://");
	if (!sep) {
		return fail(f, EINVAL, "not a service (%s)", EXPECTED_SERVICES);
	}
	struct url u;
	for (int i = 0; url_schemes[i]; i++)
		if (strlen(url_schemes[i]) == (size_t)(sep - s) &&
		    !strncmp(s, url_schemes[i], (size_t)(sep - s)))
			return val_url(s, &u, f);
	return fail(f, EINVAL, "unknown scheme \"%.*s\" (%s)", (int)(sep - s) > 32 ? 32 : (int)(sep - s),
	            s, EXPECTED_SERVICES);
}

/* HOST:PORT, as Go's net.ResolveTCPAddr takes it: the port is required. */
int val_hostport(const char *s, struct fault *f)
{
	struct url u;
	const char *end = s[0] == '[' ? strchr(s, ']') : s;
	if (!end || !strchr(end, ':'))
		return fail(f, EINVAL, "expected HOST:PORT (e.g. 198.41.192.7:7844 or [2606:4700:a0::1]:7844)");
	return authority(s, &u, f);
}

/* scheme://HOST[:PORT] with scheme http or https, nothing after it. */
int val_http_url(const char *s, struct fault *f)
{
	struct url u;
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return fail(f, EINVAL, "expected an http:// or https:// URL (e.g. https://api.trycloudflare.com)");
	return val_url(s, &u, f);
}

/* 127.0.0.0/8, ::1 or localhost, with a port: the metrics server serves
 * /debug/pprof and must never be reachable from the network. */
int val_loopback_addr(const char *s, struct hostport *hp, struct fault *f)
{
	const char *colon = strrchr(s, ':');
	if (!colon || !port_ok(colon + 1, strlen(colon + 1)))
		return fail(f, EINVAL, "expected HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:20241)");
	char host[64];
	size_t hn = (size_t)(colon - s);
	if (hn >= sizeof host || strlen(s) >= sizeof hp->text)
		return fail(f, EINVAL, "not a loopback address");
	snprintf(host, sizeof host, "%.*s", (int)hn, s);
	memset(hp, 0, sizeof *hp);
	snprintf(hp->text, sizeof hp->text, "%s", s);
	hp->port = (unsigned)strtoul(colon + 1, NULL, 10);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&hp->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&hp->sa;
	if (!strcmp(host, "[::1]")) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)hp->port);
		s6->sin6_addr = in6addr_loopback;
		hp->salen = sizeof *s6;
		return 0;
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((unsigned short)hp->port);
	hp->salen = sizeof *s4;
	/* cloudflared binds "localhost" to IPv4 loopback first, as Go does. */
	if (!strcmp(host, "localhost"))
		return inet_pton(AF_INET, "127.0.0.1", &s4->sin_addr) == 1
		               ? 0 : fail(f, EINVAL, "not a loopback address");
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1 && (ntohl(s4->sin_addr.s_addr) >> 24) == 127)
		return 0;
	return fail(f, EINVAL, "must be a loopback address such as 127.0.0.1:20241 "
	            "(the metrics server exposes debugging endpoints)");
}

/* Levenshtein distance with one rolling row; keys are short. */
size_t val_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}
