/* Unit tests for values.c: each validator against the values cloudflared
 * (Go) accepts and refuses. Expected values are Go's own where Go has a say
 * (time.ParseDuration, net.ParseCIDR). */
#include "../../src/values.c"

#include "tap.h"
#include "why.h"

/* Known src/ bugs are pinned down by tests in #ifdef blocks: build with
 * -DARGOWEB_TEST_KNOWN_BUGS to see them fail until they are fixed. */

static void dur_ok(const char *s, int64_t want)
{
	int64_t ns = 12345;
	int rc = val_duration(s, &ns, WHY);
	OK(rc == 0 && ns == want, "duration \"%s\" = %lld ns", s, (long long)want);
	if (rc != 0 || ns != want)
		printf("#   rc %d, got %lld (%s)\n", rc, (long long)ns, W.why);
}

static void dur_bad(const char *s)
{
	int64_t ns;
	int rc = val_duration(s, &ns, WHY);
	OK(rc == -EINVAL && strstr(W.why, "expected a duration such as 30s"),
	   "duration \"%s\" refused with a reason", s);
}

static void test_duration(void)
{
	dur_ok("30s", 30000000000LL);
	dur_ok("1m30s", 90000000000LL);
	dur_ok("1.5h", 5400000000000LL);
	dur_ok("500ms", 500000000LL);
	dur_ok("1us", 1000);
	dur_ok("1\xc2\xb5s", 1000);      /* U+00B5 MICRO SIGN */
	dur_ok("1\xce\xbcs", 1000);      /* U+03BC GREEK SMALL LETTER MU */
	dur_ok("1ns", 1);
	dur_ok("0", 0);
	dur_ok("+0", 0);
	dur_ok("-0", 0);
	dur_ok("0s", 0);
	dur_ok("1.s", 1000000000LL);     /* Go: digits before the point suffice */
	dur_ok(".5s", 500000000LL);      /* and digits after it */
	dur_ok("1h2m3s4ms5us6ns", 3723004005006LL);
	dur_ok("2h45m", 9900000000000LL);
	dur_ok("1m1m", 120000000000LL);  /* Go allows repeated units */
	dur_ok("+5s", 5000000000LL);
	dur_ok("-1.5s", -1500000000LL);  /* negative parses; schema refuses it */
	dur_ok("0.3s", 300000000LL);
	dur_ok("1.000000001s", 1000000001LL);
	dur_ok("100000h", 360000000000000000LL);
	dur_bad("30");                   /* Go: missing unit */
	dur_bad("1x");
	dur_bad("");
	dur_bad("s");
	dur_bad(".s");
	dur_bad(".");
	dur_bad("-");
	dur_bad("+");
	dur_bad("-.s");
	dur_bad("00");                   /* only a lone "0" needs no unit */
	dur_bad("1m30");
	dur_bad("1 s");
	dur_bad(" 1s");
	dur_bad("1s ");
	dur_bad("1S");
	dur_bad("1sec");
	dur_bad("1n");
	dur_bad("1hs");
	dur_bad("1e3s");
	dur_bad("1.5.5s");
	dur_bad("1,5s");
	dur_bad("--1s");
	dur_bad("99999999999999999999h"); /* overflows int64 */
	dur_bad("3000000h");              /* > 2562047h, Go's maximum */
	dur_bad("1\xc2s");
	/* values.c:55 computes in double: 1.001s gives 1000999999 ns. */
	dur_ok("1.001s", 1001000000LL);
	/* values.c:56 caps at 9.2e18, below Go's 2^63-1 (2562047h47m16.854775807s). */
	dur_ok("2562047h", 2562047LL * 3600000000000LL);
}

static void test_uint(void)
{
	long long v = -1;
	IS_INT(val_uint("0", 10, &v, WHY), 0, "uint 0 accepted");
	IS_INT(v, 0, "uint 0 value");
	IS_INT(val_uint("1000", 1000, &v, WHY), 0, "uint at max accepted");
	IS_INT(v, 1000, "uint 1000 value");
	IS_INT(val_uint("1001", 1000, &v, WHY), -EINVAL, "uint max+1 refused");
	IS_STR(W.why, "1001 is too large (at most 1000)", "uint too-large reason");
	IS_INT(val_uint("999999999999999999", 1LL << 62, &v, WHY), 0, "18 digits accepted");
	IS_INT(v, 999999999999999999LL, "18 digits value");
	IS_INT(val_uint("1000000000000000000", 1LL << 62, &v, WHY), -EINVAL, "19 digits refused");
	IS_INT(val_uint("010", 1000, &v, WHY), -EINVAL, "leading zero refused (octal to yaml.v3)");
	IS_STR(W.why, "expected a whole number from 0 to 1000", "leading zero reason");
	IS_INT(val_uint("00", 1000, &v, WHY), -EINVAL, "00 refused");
	IS_INT(val_uint("", 1000, &v, WHY), -EINVAL, "empty refused");
	IS_INT(val_uint("-1", 1000, &v, WHY), -EINVAL, "negative refused");
	IS_INT(val_uint("+1", 1000, &v, WHY), -EINVAL, "plus sign refused");
	IS_INT(val_uint("1_0", 1000, &v, WHY), -EINVAL, "underscore refused");
	IS_INT(val_uint("0x10", 1000, &v, WHY), -EINVAL, "hex refused");
	IS_INT(val_uint("1.0", 1000, &v, WHY), -EINVAL, "decimal point refused");
	IS_INT(val_uint(" 1", 1000, &v, WHY), -EINVAL, "leading space refused");
	IS_INT(val_uint("1e3", 1000, &v, WHY), -EINVAL, "exponent refused");
	IS_INT(val_uint("65535", 65535, &v, WHY), 0, "65535 for a port");
}

static void test_bool(void)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };
	static const char *const bad[] = { "yes", "no", "on", "off", "y", "n", "Yes", "tRUE",
	                                   "fALSE", "1", "0", "", "true ", "truee", "~", NULL };
	int b;
	for (int i = 0; i < 3; i++) {
		b = -1;
		OK(val_bool(t[i], &b) == 0 && b == 1, "bool %s is true", t[i]);
		b = -1;
		OK(val_bool(f[i], &b) == 0 && b == 0, "bool %s is false", f[i]);
	}
	for (int i = 0; bad[i]; i++) {
		b = 7;
		OK(val_bool(bad[i], &b) == -1 && b == 7, "bool \"%s\" refused, out untouched", bad[i]);
	}
}

static void test_null(void)
{
	static const char *const yes[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const no[] = { "nULL", "nil", "none", "0", " ", "~~", NULL };
	for (int i = 0; yes[i]; i++)
		IS_INT(val_is_null(yes[i]), 1, "\"%s\" is null", yes[i]);
	for (int i = 0; no[i]; i++)
		IS_INT(val_is_null(no[i]), 0, "\"%s\" is not null", no[i]);
}

static void test_resolves_as_string(void)
{
	/* What yaml.v3 resolves to a string when plain. */
	static const char *const str[] = {
		"abc", "www.example.com", "1.2.3.4", "yes", "on", "no", "off", "0x", "0b",
		"0o", "1e", "-", ".", "+.nan", "_1", "2001-12-14" /* yaml.v3 keeps timestamps as strings in interface{} */, "1.2.3", "127.0.0.1:80",
		"http://x", "infinity", "nan", "v1", "1a", "x0", NULL,
	};
	/* What it resolves to null, bool, int or float. */
	static const char *const not_str[] = {
		"", "~", "null", "Null", "NULL", "true", "True", "FALSE", "8080", "0", "-1",
		"+1", "1.5", ".5", "-.5", "+.5", "1.", "1e5", "1E5", "1e-5", "0x1f", "0X1F",
		"0o17", "0b101", "-0b101", "1_000", "10_", ".inf", ".Inf", ".INF", "-.inf",
		"+.INF", ".nan", ".NaN", ".NAN", "2024", "012", NULL,
	};
	for (int i = 0; str[i]; i++)
		IS_INT(val_resolves_as_string(str[i]), 1, "\"%s\" resolves as a string", str[i]);
	for (int i = 0; not_str[i]; i++)
		IS_INT(val_resolves_as_string(not_str[i]), 0, "\"%s\" does not resolve as a string",
		       not_str[i]);
	/* values.c:136: yaml.v3 strips '_' before ParseInt and its float
	 * regexp, so these are numbers to it; left plain, they are rendered
	 * plain and reach cloudflared as a float/int. */
	IS_INT(val_resolves_as_string("1_000.5"), 0, "1_000.5 is a float to yaml.v3");
	IS_INT(val_resolves_as_string("1_0e5"), 0, "1_0e5 is a float to yaml.v3");
	IS_INT(val_resolves_as_string("+_1"), 0, "+_1 is an int to yaml.v3");
}

static void test_uuid(void)
{
	IS_INT(val_uuid("6ff42ae2-765d-4adf-8112-31c55c1551ef"), 1, "lower-case UUID");
	IS_INT(val_uuid("6FF42AE2-765D-4ADF-8112-31C55C1551EF"), 1, "upper-case UUID");
	IS_INT(val_uuid("00000000-0000-0000-0000-000000000000"), 1, "nil UUID");
	IS_INT(val_uuid("6ff42ae2-765d-4adf-8112-31c55c1551e"), 0, "35 characters");
	IS_INT(val_uuid("6ff42ae2-765d-4adf-8112-31c55c1551eff"), 0, "37 characters");
	IS_INT(val_uuid("6ff42ae2765d-4adf-8112-31c55c1551ef-"), 0, "dash misplaced");
	IS_INT(val_uuid("6ff42ae2-765d-4adf-8112-31c55c1551eg"), 0, "non-hex g");
	IS_INT(val_uuid("6ff42ae2_765d_4adf_8112_31c55c1551ef"), 0, "underscores");
	IS_INT(val_uuid("{6ff42ae2-765d-4adf-8112-31c55c1551e}"), 0, "braces");
	IS_INT(val_uuid(""), 0, "empty");
	IS_INT(val_uuid("mytunnel"), 0, "a tunnel name");
	IS_INT(val_uuid("6ff42ae2-765d-4adf-8112-31c55c1551e\xc3"), 0, "high byte");
}

/* A validator accepts s, or refuses it with reason in its fault. */
static void accepts(int (*val)(const char *, struct fault *), const char *what, const char *s)
{
	int rc = val(s, WHY);
	OK(rc == 0, "%s \"%.70s\" accepted", what, s);
	if (rc)
		printf("#   %s\n", W.why);
}

static void refuses(int (*val)(const char *, struct fault *), const char *what, const char *s,
                    const char *reason)
{
	int rc = val(s, WHY);
	OK(rc == -EINVAL && strstr(W.why, reason), "%s \"%.70s\" refused: %s", what, s, reason);
	if (rc != -EINVAL || !strstr(W.why, reason))
		printf("#   rc %d, why \"%s\"\n", rc, W.why);
}

static void host_ok(const char *s) { accepts(val_hostname, "hostname", s); }
static void host_bad(const char *s, const char *reason) { refuses(val_hostname, "hostname", s, reason); }

static void test_hostname(void)
{
	char l63[64], l64[65], long253[300], long254[300];
	memset(l63, 'a', 63);
	l63[63] = 0;
	memset(l64, 'a', 64);
	l64[64] = 0;
	/* 63+1+63+1+63+1+61 = 253 */
	snprintf(long253, sizeof long253, "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(long254, sizeof long254, "%s.%s.%s.%.62s", l63, l63, l63, l63);
	IS_INT(strlen(long253), 253, "fixture is 253 bytes");
	host_ok("example.com");
	host_ok("www.example.com");
	host_ok("localhost");
	host_ok("EXAMPLE.COM");
	host_ok("*.example.com");
	host_ok("*.com");
	host_ok("example.com.");          /* fully qualified */
	host_ok("*.example.com.");
	host_ok("a-b.example.com");
	host_ok("a_b.example.com");       /* underscores occur in real names */
	host_ok("123.example.com");
	host_ok("xn--bcher-kva.example");
	host_ok("b\xc3\xbc" "cher.example");  /* IDN bytes, punycoded by cloudflared */
	host_ok(l63);
	host_ok(long253);
	char with_dot[300];
	snprintf(with_dot, sizeof with_dot, "%s.", long253);
	host_ok(with_dot);                /* the trailing dot does not count */

	host_bad("example.com:443", "cannot contain a port");
	host_bad("http://example.com", "cannot contain a port or a scheme");
	host_bad("[::1]", "cannot contain a port");
	host_bad("*", "wildcard is allowed only as a leading");
	host_bad("a.*.com", "wildcard is allowed only as a leading");
	host_bad("*example.com", "wildcard is allowed only as a leading");
	host_bad("**.example.com", "wildcard is allowed only as a leading");
	host_bad("*.*.example.com", "wildcard is allowed only as a leading");
	host_bad("www.*", "wildcard is allowed only as a leading");
	host_bad("ww*.example.com", "wildcard is allowed only as a leading");
	host_bad("example.com/path", "cannot contain '/'");
	host_bad("", "not a valid hostname");
	host_bad(".", "not a valid hostname");
	host_bad("*.", "not a valid hostname");
	host_bad("*..", "not a valid hostname");
	host_bad("-a.example.com", "labels are letters");
	host_bad("a-.example.com", "labels are letters");
	host_bad("a..example.com", "labels are letters");
	host_bad(".example.com", "labels are letters");
	host_bad("a b.example.com", "labels are letters");
	host_bad("exa!mple.com", "labels are letters");
	host_bad("tab\there.com", "labels are letters");
	host_bad(l64, "labels are letters");
	host_bad(long254, "not a valid hostname");
	/* values.c:181-192: only one trailing dot is stripped and the loop
	 * never sees the empty label that follows, so "a.com.." passes. */
	host_bad("example.com..", "labels are letters");
}

static void svc_ok(const char *s) { accepts(val_service, "service", s); }
static void svc_bad(const char *s, const char *reason) { refuses(val_service, "service", s, reason); }

static void test_service(void)
{
	svc_ok("http://localhost:8080");
	svc_ok("http://localhost");
	svc_ok("https://localhost:4430");
	svc_ok("ws://localhost:9000");
	svc_ok("wss://localhost:9000");
	svc_ok("tcp://localhost:5432");
	svc_ok("ssh://localhost:22");
	svc_ok("rdp://localhost:3389");
	svc_ok("smb://localhost:445");
	svc_ok("http://127.0.0.1:80");
	svc_ok("http://192.168.1.10:65535");
	svc_ok("http://[::1]:8080");
	svc_ok("http://[::1]");
	svc_ok("http://[fe80::1:2]:1");
	svc_ok("http://app.internal.example:8080");
	svc_ok("unix:/run/app.sock");
	svc_ok("unix+tls:/run/app.sock");
	svc_ok("http_status:404");
	svc_ok("http_status:100");
	svc_ok("http_status:999");
	svc_ok("hello_world");
	svc_ok("hello-world");
	svc_ok("bastion");
	svc_ok("socks-proxy");

	svc_bad("htp://localhost:80", "unknown scheme \"htp\"");
	svc_bad("ftp://localhost", "unknown scheme \"ftp\"");
	svc_bad("HTTP://localhost", "unknown scheme \"HTTP\"");
	svc_bad("://localhost", "unknown scheme \"\"");
	svc_bad("localhost:8080", "not a service (expected http://");
	svc_bad("", "not a service");
	svc_bad("hello_world2", "not a service");
	svc_bad("Bastion", "not a service");
	svc_bad("http://localhost:8080/", "has no path");
	svc_bad("http://localhost/app", "has no path");
	svc_bad("http://localhost:80?x=1", "no query or fragment");
	svc_bad("http://localhost#top", "no query or fragment");
	svc_bad("http://user:pw@localhost:80", "user name or password");
	svc_bad("http://user@localhost", "user name or password");
	svc_bad("http://[::1", "unterminated [IPv6]");
	svc_bad("http://[zz::1]:80", "not a valid IPv6");
	svc_bad("http://[127.0.0.1]:80", "not a valid IPv6");
	svc_bad("http://[::1]80", "expected :PORT after ]");
	svc_bad("http://[::1]:", "port must be a number from 1 to 65535");
	svc_bad("http://:80", "missing host");
	svc_bad("http://", "missing host");
	svc_bad("http://*.example.com", "not a valid host name or address");
	svc_bad("http://exa mple.com", "not a valid host name or address");
	svc_bad("http://-bad.example", "not a valid host name or address");
	svc_bad("http://fe80::1", "port must be a number");
	svc_bad("http://localhost:0", "port must be a number from 1 to 65535");
	svc_bad("http://localhost:65536", "port must be a number from 1 to 65535");
	svc_bad("http://localhost:123456", "port must be a number from 1 to 65535");
	svc_bad("http://localhost:8o", "port must be a number from 1 to 65535");
	svc_bad("http://localhost:", "port must be a number from 1 to 65535");
	svc_bad("http://localhost:-1", "port must be a number from 1 to 65535");
	svc_bad("unix:run/app.sock", "absolute socket path");
	svc_bad("unix:", "absolute socket path");
	svc_bad("unix+tls:", "absolute socket path");
	svc_bad("unix+tls:app.sock", "absolute socket path");
	svc_bad("http_status:99", "status code from 100 to 999");
	svc_bad("http_status:1000", "status code from 100 to 999");
	svc_bad("http_status:099", "status code from 100 to 999");
	svc_bad("http_status:abc", "status code from 100 to 999");
	svc_bad("http_status:", "status code from 100 to 999");
	svc_bad("http_status:40 ", "status code from 100 to 999");

	/* The scheme quoted in the reason is cut to 32 bytes. */
	val_service("abcdefghijklmnopqrstuvwxyz0123456789XYZ://h", WHY);
	OK(strstr(W.why, "unknown scheme \"abcdefghijklmnopqrstuvwxyz012345\" (") != NULL,
	   "long scheme cut to 32 bytes in the reason");
	IS_INT(strlen(W.why) < sizeof W.why - 1, 1, "reason fits the fault");
}

static void test_loopback(void)
{
	static const char *const good[] = {
		"127.0.0.1:20241", "127.1.2.3:1", "127.255.255.254:65535", "localhost:80",
		"[::1]:20241", NULL,
	};
	struct hostport hp;
	for (int i = 0; good[i]; i++)
		IS_INT(val_loopback_addr(good[i], &hp, WHY), 0, "loopback %s accepted", good[i]);
	val_loopback_addr("localhost:20241", &hp, WHY);
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&hp.sa;
	OK(s4->sin_family == AF_INET && ntohl(s4->sin_addr.s_addr) == 0x7f000001 &&
	   ntohs(s4->sin_port) == 20241 && hp.port == 20241 && !strcmp(hp.text, "localhost:20241"),
	   "localhost:PORT is 127.0.0.1:PORT, as cloudflared binds it; the text kept");
	val_loopback_addr("[::1]:20241", &hp, WHY);
	OK(hp.sa.ss_family == AF_INET6 && hp.salen == sizeof(struct sockaddr_in6), "[::1]:PORT is IPv6");
	val_loopback_addr("127.3.4.5:7", &hp, WHY);
	OK(ntohl(((const struct sockaddr_in *)&hp.sa)->sin_addr.s_addr) == 0x7f030405,
	   "127.x.y.z:PORT: that address");
	static const struct { const char *s, *why; } bad[] = {
		{ "0.0.0.0:20241", "must be a loopback address" },
		{ "10.0.0.1:80", "must be a loopback address" },
		{ "128.0.0.1:80", "must be a loopback address" },
		{ "[::]:80", "must be a loopback address" },
		{ "[::ffff:127.0.0.1]:80", "must be a loopback address" },
		{ "::1:80", "must be a loopback address" },
		{ ":20241", "must be a loopback address" },
		{ "example.com:80", "must be a loopback address" },
		{ "LOCALHOST:80", "must be a loopback address" },
		{ "0127.0.0.1:80", "must be a loopback address" },
		{ "127.0.0.1", "expected HOST:PORT" },
		{ "localhost", "expected HOST:PORT" },
		{ "127.0.0.1:", "expected HOST:PORT" },
		{ "127.0.0.1:0", "expected HOST:PORT" },
		{ "127.0.0.1:65536", "expected HOST:PORT" },
		{ "127.0.0.1:http", "expected HOST:PORT" },
		{ "", "expected HOST:PORT" },
		{ "127.000000000000000000000000000000000000000000000000000000000000000.0.1:80",
		  "not a loopback address" },
		{ NULL, NULL },
	};
	for (int i = 0; bad[i].s; i++) {
		int rc = val_loopback_addr(bad[i].s, &hp, WHY);
		OK(rc == -EINVAL && strstr(W.why, bad[i].why), "loopback \"%.40s\" refused: %s", bad[i].s,
		   bad[i].why);
	}
}

static void test_ip_cidr(void)
{
	static const char *const ip_good[] = { "1.2.3.4", "0.0.0.0", "::1", "fe80::1",
	                                       "::ffff:1.2.3.4", "2001:db8::", NULL };
	static const char *const ip_bad[] = { "1.2.3", "01.2.3.4", "1.2.3.256", "localhost",
	                                      "", "::1%eth0", "1.2.3.4/8", NULL };
	for (int i = 0; ip_good[i]; i++)
		IS_INT(val_ip(ip_good[i]), 1, "IP %s", ip_good[i]);
	for (int i = 0; ip_bad[i]; i++)
		IS_INT(val_ip(ip_bad[i]), 0, "not an IP: \"%s\"", ip_bad[i]);

	static const char *const good[] = {
		"10.0.0.0/8", "0.0.0.0/0", "192.168.1.1/32", "::/0", "2001:db8::/32",
		"::1/128", "10.0.0.0/08", /* Go's dtoi takes leading zeros */ NULL,
	};
	static const char *const bad[] = {
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8/8", "10.0.0/8", "/8", "10.0.0.0/1234", " 10.0.0.0/8", "10.0.0.0/8 ",
		"10.0.0.0/a", "localhost/8", "",
		"1111111111111111111111111111111111111111111111111111111111111111111/8",
		NULL,
	};
	for (int i = 0; good[i]; i++)
		IS_INT(val_cidr(good[i]), 1, "CIDR %s", good[i]);
	for (int i = 0; bad[i]; i++)
		IS_INT(val_cidr(bad[i]), 0, "not a CIDR: \"%.30s\"", bad[i]);
}

static void test_edit_distance(void)
{
	IS_INT(val_edit_distance("", ""), 0, "distance of empty strings");
	IS_INT(val_edit_distance("abc", ""), 3, "distance to empty");
	IS_INT(val_edit_distance("", "abcd"), 4, "distance from empty");
	IS_INT(val_edit_distance("kitten", "sitting"), 3, "kitten/sitting");
	IS_INT(val_edit_distance("flaw", "lawn"), 2, "flaw/lawn");
	IS_INT(val_edit_distance("connectTimeout", "conectTimeout"), 1, "one deletion");
	IS_INT(val_edit_distance("tunel", "tunnel"), 1, "one insertion");
	IS_INT(val_edit_distance("protcol", "protocol"), 1, "missing letter");
	IS_INT(val_edit_distance("ab", "ba"), 2, "transposition costs 2 (Levenshtein)");
	IS_INT(val_edit_distance("NoTLSVerify", "noTLSVerify"), 0, "case-insensitive");
	IS_INT(val_edit_distance("INGRESS", "ingress"), 0, "case-insensitive, all letters");
	IS_INT(val_edit_distance("abc", "xyz"), 3, "all substituted");
	char a64[65], a65[66];
	memset(a64, 'a', 64);
	a64[64] = 0;
	memset(a65, 'a', 65);
	a65[65] = 0;
	IS_INT(val_edit_distance(a64, a64), 0, "64 bytes compared");
	IS_INT(val_edit_distance(a64, "b"), 64, "64 bytes against one");
	OK(val_edit_distance(a65, "a") == (size_t)-1, "over 64 bytes: not compared");
	OK(val_edit_distance("a", a65) == (size_t)-1, "over 64 bytes, second argument");
}

int main(void)
{
	test_duration();
	test_uint();
	test_bool();
	test_null();
	test_resolves_as_string();
	test_uuid();
	test_hostname();
	test_service();
	test_loopback();
	test_ip_cidr();
	test_edit_distance();
	return tap_done();
}
