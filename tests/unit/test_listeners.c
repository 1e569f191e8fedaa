/* listeners.c: /proc/net/tcp and tcp6 text read back (the kernel's own
 * lines, and lines made for each case in this machine's byte order), which
 * listening sockets could take a connection to the metrics address, and
 * whose; then the real tables with a real socket. */
#include <arpa/inet.h>
#include <unistd.h>

#include "../../src/listeners.c"
#include "tap.h"
#include "why.h"

#define OWNER 998u
#define OTHER 1000u

/* An address as the kernel prints it: each 32-bit word as a host-order
 * number, so these tests hold on either byte order. */
static void hexaddr(const char *ip, char *out)
{
	unsigned char a[16];
	int v6 = strchr(ip, ':') != NULL;
	inet_pton(v6 ? AF_INET6 : AF_INET, ip, a);
	for (int w = 0; w < (v6 ? 4 : 1); w++) {
		uint32_t raw;
		memcpy(&raw, a + 4 * w, 4);
		sprintf(out + 8 * w, "%08X", (unsigned)raw);
	}
}

/* One table line: ip:port in state st, owned by uid. */
static void row(char *buf, size_t n, const char *ip, unsigned port, unsigned st, unsigned uid)
{
	char hex[33], any[33];
	int v6 = strchr(ip, ':') != NULL;
	hexaddr(ip, hex);
	hexaddr(v6 ? "::" : "0.0.0.0", any);
	size_t len = strlen(buf);
	snprintf(buf + len, n - len, "   0: %s:%04X %s:0000 %02X 00000000:00000000 00:00000000 "
	         "00000000 %5u        0 1049820 1 00000000197dd19d 100 0 0 10 0\n", hex, port, any, st, uid);
}

static const char head4[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
                            "retrnsmt   uid  timeout inode\n";

static struct sockaddr_storage addr(const char *ip, unsigned port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
	} else {
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
	}
	return ss;
}

/* The verdict for a connection to ip:port from the tables' text (NULL: no
 * such table), the service user being OWNER. */
static int whose(const char *tcp, const char *tcp6, const char *ip, unsigned port, uid_t *other)
{
	struct sockaddr_storage ss = addr(ip, port);
	FILE *a = tcp ? fmemopen((void *)tcp, strlen(tcp), "r") : NULL;
	FILE *b = tcp6 ? fmemopen((void *)tcp6, strlen(tcp6), "r") : NULL;
	*other = (uid_t)-1;
	int v = (int)lis_whose_in(a, b, (struct sockaddr *)&ss, OWNER, other);
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	return v;
}

/* A table of one socket, after the header. */
static const char *one(const char *ip, unsigned port, unsigned st, unsigned uid)
{
	static char buf[2][1024];
	static int i;
	i ^= 1;
	snprintf(buf[i], sizeof buf[i], "%s", head4);
	row(buf[i], sizeof buf[i], ip, port, st, uid);
	return buf[i];
}

static void test_kernel_text(void)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Lines as a little-endian kernel printed them. */
	const char tcp[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 4323537F:4F11 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 1049820 1 00000000197dd19d 100 0 0 10 0\n"
		"   1: 0100007F:EAB8 4323537F:4F11 01 00000000:00000000 03:000016E0 00000000  1000        0 0 3 0000000074ff728b\n";
	const char tcp6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0000000000000000FFFF00000100007F:98D3 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2251 1 0000000000000000 100 0 0 10 0\n";
	FILE *f = fmemopen((void *)tcp, sizeof tcp - 1, "r");
	struct lis_socket l;
	char a[INET6_ADDRSTRLEN];
	IS_INT(lis_next(f, 0, &l), 1, "a LISTEN line read");
	inet_ntop(AF_INET, l.addr, a, sizeof a);
	OK(!strcmp(a, "127.83.35.67") && l.port == 20241 && l.uid == 65534 && !l.v6,
	   "its address, port and owner (%s:%u, uid %u)", a, l.port, (unsigned)l.uid);
	IS_INT(lis_next(f, 0, &l), 0, "an established connection is not a listener; then the end");
	fclose(f);
	f = fmemopen((void *)tcp6, sizeof tcp6 - 1, "r");
	IS_INT(lis_next(f, 1, &l), 1, "a tcp6 LISTEN line read");
	inet_ntop(AF_INET6, l.addr, a, sizeof a);
	OK(!strcmp(a, "::ffff:127.0.0.1") && l.port == 39123 && l.uid == 0 && l.v6,
	   "its address, port and owner ([%s]:%u, uid %u)", a, l.port, (unsigned)l.uid);
	fclose(f);
#else
	OK(1, "the kernel's own lines # SKIP they were taken on a little-endian machine");
#endif
}

static void test_ipv4_target(void)
{
	const char *m = "127.83.35.67";
	uid_t o;
	IS_INT(whose(one(m, 20241, 0x0A, OWNER), NULL, m, 20241, &o), LIS_OWNED, "the service user's socket: owned");
	IS_INT(whose(one(m, 20241, 0x0A, OTHER), NULL, m, 20241, &o), LIS_FOREIGN, "another uid's socket on the address: foreign");
	IS_INT(o, OTHER, "... and whose it is");
	IS_INT(whose(one("0.0.0.0", 20241, 0x0A, OTHER), NULL, m, 20241, &o), LIS_FOREIGN,
	       "another uid's on 0.0.0.0 and the port: foreign (it takes the connection too)");
	IS_INT(whose(one("127.0.0.1", 20241, 0x0A, OTHER), NULL, m, 20241, &o), LIS_NONE,
	       "another loopback address: not in the way");
	IS_INT(whose(one(m, 20242, 0x0A, OTHER), NULL, m, 20241, &o), LIS_NONE, "another port: not in the way");
	IS_INT(whose(one(m, 20241, 0x01, OTHER), NULL, m, 20241, &o), LIS_NONE, "an established socket: not a listener");
	IS_INT(whose(one(m, 20241, 0x06, OTHER), NULL, m, 20241, &o), LIS_NONE, "TIME_WAIT: not a listener");
	IS_INT(whose(NULL, NULL, m, 20241, &o), LIS_NONE, "no tables: nobody's");
	IS_INT(whose(one(m, 20241, 0x0A, OWNER), one("::", 20241, 0x0A, OTHER), m, 20241, &o), LIS_FOREIGN,
	       "another uid's on [::] (dual-stack unless V6ONLY): foreign");
	IS_INT(whose(NULL, one("::ffff:127.83.35.67", 20241, 0x0A, OTHER), m, 20241, &o), LIS_FOREIGN,
	       "another uid's on [::ffff:the address]: foreign");
	IS_INT(whose(NULL, one("::ffff:0.0.0.0", 20241, 0x0A, OTHER), m, 20241, &o), LIS_FOREIGN,
	       "another uid's on [::ffff:0.0.0.0] (the IPv4 wildcard): foreign");
	IS_INT(whose(NULL, one("::ffff:127.0.0.1", 20241, 0x0A, OTHER), m, 20241, &o), LIS_NONE,
	       "[::ffff:another address]: not in the way");
	IS_INT(whose(NULL, one("::1", 20241, 0x0A, OTHER), m, 20241, &o), LIS_NONE, "[::1] takes no IPv4: not in the way");
	IS_INT(whose(NULL, one("::ffff:127.83.35.67", 20241, 0x0A, OWNER), m, 20241, &o), LIS_OWNED,
	       "the service user's on [::ffff:the address]: owned");
	IS_INT(whose(one(m, 20241, 0x0A, OTHER), one("::", 20241, 0x0A, OWNER), m, 20241, &o), LIS_FOREIGN,
	       "ours and another's: foreign, whichever table it is in");
	IS_INT(whose(one("127.0.0.1", 20241, 0x0A, OTHER), NULL, "::ffff:127.0.0.1", 20241, &o), LIS_FOREIGN,
	       "an IPv4-mapped target is its IPv4 address");
}

static void test_ipv6_target(void)
{
	uid_t o;
	IS_INT(whose(one("0.0.0.0", 20241, 0x0A, OTHER), NULL, "::1", 20241, &o), LIS_NONE,
	       "an IPv4 socket takes no IPv6 connection");
	IS_INT(whose(NULL, one("::1", 20241, 0x0A, OTHER), "::1", 20241, &o), LIS_FOREIGN, "another uid's on [::1]: foreign");
	IS_INT(whose(NULL, one("::", 20241, 0x0A, OTHER), "::1", 20241, &o), LIS_FOREIGN, "another uid's on [::]: foreign");
	IS_INT(whose(NULL, one("::1", 20241, 0x0A, OWNER), "::1", 20241, &o), LIS_OWNED, "ours on [::1]: owned");
	IS_INT(whose(NULL, one("::2", 20241, 0x0A, OTHER), "::1", 20241, &o), LIS_NONE, "another address: not in the way");
}

static void test_odd_lines(void)
{
	char t[2048], tail[256];
	uid_t o;
	snprintf(t, sizeof t, "%s", head4);
	strcat(t, "garbage\n   1: nothex:0050 x\n\n");
	/* A tcp6-sized address in the tcp table: not an IPv4 socket. */
	row(t, sizeof t, "::", 20241, 0x0A, OTHER);
	IS_INT(whose(t, NULL, "127.83.35.67", 20241, &o), LIS_NONE, "junk and misplaced lines are skipped");
	/* A line too long for the buffer, whose tail would read as a line. */
	tail[0] = 0;
	row(tail, sizeof tail, "127.83.35.67", 20241, 0x0A, OTHER);
	/* lis_next reads 511 bytes at a time: the tail starts a read. */
	snprintf(t, sizeof t, "%s%0511d%s", head4, 0, tail);
	IS_INT(whose(t, NULL, "127.83.35.67", 20241, &o), LIS_NONE, "the tail of an over-long line is not a line");
	snprintf(t, sizeof t, "%s", one("127.83.35.67", 20241, 0x0A, OTHER));
	t[strlen(t) - 1] = 0;
	IS_INT(whose(t, NULL, "127.83.35.67", 20241, &o), LIS_FOREIGN, "a last line without its newline still counts");
}

/* The real tables, with a socket of ours on a port the kernel picks. */
static void test_real(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uid_t o = (uid_t)-1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &len)) {
		OK(0, "a loopback socket to test with: %s", strerror(errno));
		return;
	}
	IS_INT(lis_whose((struct sockaddr *)&sa, geteuid(), &o, WHY), LIS_NONE,
	       "bound, not listening: nobody's (%s)", W.why);
	listen(fd, 1);
	IS_INT(lis_whose((struct sockaddr *)&sa, geteuid(), &o, WHY), LIS_OWNED,
	       "listening: ours in /proc/self/net/tcp (port %u)", ntohs(sa.sin_port));
	IS_INT(lis_whose((struct sockaddr *)&sa, geteuid() + 1, &o, WHY), LIS_FOREIGN,
	       "for another service user: foreign");
	IS_INT(o, geteuid(), "... ours, by uid");
	close(fd);
	IS_INT(lis_whose((struct sockaddr *)&sa, geteuid(), &o, WHY), LIS_NONE, "closed: nobody's");
}

int main(void)
{
	test_kernel_text();
	test_ipv4_target();
	test_ipv6_target();
	test_odd_lines();
	test_real();
	return tap_done();
}
