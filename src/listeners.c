/* listeners (lis_): /proc/self/net/tcp{,6}, the listening TCP sockets of
 * this network namespace with the uid of each. Any local user may bind a
 * free loopback port; only this table says whose socket it is. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listeners.h"
#include "msg.h"

#define TCP_LISTEN 0x0A

FILE *lis_open(int v6)
{
	/* /proc/self/net, not /proc/net: the same table, but it stays visible
	 * under systemd's ProcSubset=pid, which hides /proc/net. */
	return fopen(v6 ? "/proc/self/net/tcp6" : "/proc/self/net/tcp", "re");
}

/* The kernel prints each 32-bit word of the address as a number in host
 * byte order: read each back into the same bytes. */
static int decode_addr(const char *hex, int v6, unsigned char *addr)
{
	size_t words = v6 ? 4 : 1;
	if (strlen(hex) != 8 * words)
		return -1;
	memset(addr, 0, 16);
	for (size_t w = 0; w < words; w++) {
		char word[9];
		memcpy(word, hex + 8 * w, 8);
		word[8] = 0;
		uint32_t raw = (uint32_t)strtoul(word, NULL, 16);
		memcpy(addr + 4 * w, &raw, 4);
	}
	return 0;
}

/* One row: "sl local_address rem_address st tx_queue:rx_queue
 * tr:tm->when retrnsmt uid timeout inode ...", addresses as HEX:PORT. */
struct row {
	struct lis_socket local;        /* its uid the socket's owner's */
	unsigned char rem[16];
	unsigned rem_port, state;
};

static int parse_row(const char *line, int v6, struct row *r)
{
	char hex[40], rhex[40];
	unsigned port, uid;
	r->local.inode = 0;
	if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %u %*u %lu", hex,
	           &port, rhex, &r->rem_port, &r->state, &uid, &r->local.inode) < 6 ||
	    port > 65535 || r->rem_port > 65535 || decode_addr(hex, v6, r->local.addr) ||
	    decode_addr(rhex, v6, r->rem))
		return -1;
	r->local.v6 = v6;
	r->local.port = port;
	r->local.uid = (uid_t)uid;
	return 0;
}

/* The next row of the table: 1, or 0 at the end. */
static int next_row(FILE *f, int v6, struct row *r)
{
	char line[512];
	while (fgets(line, sizeof line, f)) {
		/* Lines are about 150 bytes; the tail of a longer one must not
		 * be read as a line of its own. */
		if (!strchr(line, '\n') && !feof(f)) {
			int c;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (parse_row(line, v6, r) == 0)
			return 1;
	}
	return 0;
}

int lis_next(FILE *f, int v6, struct lis_socket *l)
{
	struct row r;
	while (next_row(f, v6, &r))
		if (r.state == TCP_LISTEN) {
			*l = r.local;
			return 1;
		}
	return 0;
}

/* The address a connection to sa really goes to: IPv4 (4 bytes) for an
 * IPv4 address and for an IPv4-mapped IPv6 one, else IPv6 (16). */
static int target(const struct sockaddr *sa, unsigned char *addr, unsigned *port)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		memcpy(addr, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
		return 4;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	*port = ntohs(s6->sin6_port);
	if (!memcmp(&s6->sin6_addr, mapped, 12)) {
		memcpy(addr, s6->sin6_addr.s6_addr + 12, 4);
		return 4;
	}
	memcpy(addr, &s6->sin6_addr, 16);
	return 16;
}

int lis_accepts(const struct lis_socket *l, const struct sockaddr *sa)
{
	static const unsigned char any[16], mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned char a[16];
	unsigned port;
	int len = target(sa, a, &port);
	if (len < 0 || l->port != port)
		return 0;
	if (len == 16)          /* only an IPv6 socket takes an IPv6 connection */
		return l->v6 && (!memcmp(l->addr, a, 16) || !memcmp(l->addr, any, 16));
	if (!l->v6)
		return !memcmp(l->addr, a, 4) || !memcmp(l->addr, any, 4);
	/* An IPv6 socket takes IPv4 connections on :: unless IPV6_V6ONLY is
	 * set, which the table does not show: it counts as if it might. On
	 * ::ffff:A it takes A's, on ::ffff:0.0.0.0 any IPv4 address's. */
	return !memcmp(l->addr, any, 16) ||
	       (!memcmp(l->addr, mapped, 12) && (!memcmp(l->addr + 12, a, 4) || !memcmp(l->addr + 12, any, 4)));
}

enum lis_verdict lis_whose_in(FILE *tcp, FILE *tcp6, const struct sockaddr *sa, uid_t uid,
                              uid_t *other)
{
	FILE *tables[2] = { tcp, tcp6 };
	struct lis_socket l;
	enum lis_verdict v = LIS_NONE;
	for (int v6 = 0; v6 < 2; v6++)
		while (tables[v6] && lis_next(tables[v6], v6, &l)) {
			if (!lis_accepts(&l, sa))
				continue;
			if (l.uid != uid) {
				/* One is enough: it may get the connection. */
				*other = l.uid;
				return LIS_FOREIGN;
			}
			v = LIS_OWNED;
		}
	return v;
}

int lis_whose(const struct sockaddr *sa, uid_t uid, uid_t *other, struct fault *f)
{
	FILE *t[2] = { NULL, NULL };
	int v = 0, e = 0, bad = 0;
	for (int v6 = 0; v6 < 2 && !e; v6++) {
		/* No tcp6 at all: IPv6 is disabled, so no IPv6 socket listens. */
		t[v6] = lis_open(v6);
		if (!t[v6] && (!v6 || errno != ENOENT))
			e = errno;
		bad = v6;
	}
	if (!e)
		v = (int)lis_whose_in(t[0], t[1], sa, uid, other);
	for (int v6 = 0; v6 < 2 && !e; v6++) {
		if (t[v6] && ferror(t[v6]))
			e = EIO;
		bad = v6;
	}
	for (int v6 = 0; v6 < 2; v6++)
		if (t[v6])
			fclose(t[v6]);
	return e ? fail(f, e, "cannot read /proc/self/net/tcp%s: %s", bad ? "6" : "", strerror(e)) : v;
}

/* Is the address in a row (16 bytes as the table has it; an IPv4 row's
 * in the first 4) the one a connection sees (target()'s form)? */
static int same_addr(const unsigned char *row, int v6, const unsigned char *a, int len)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (!v6)
		return len == 4 && !memcmp(row, a, 4);
	if (len == 16)
		return !memcmp(row, a, 16);
	return !memcmp(row, mapped, 12) && !memcmp(row + 12, a, 4);
}

int lis_peer_uid_in(FILE *tcp, FILE *tcp6, const struct sockaddr *us, const struct sockaddr *them,
                    uid_t *uid)
{
	FILE *tables[2] = { tcp, tcp6 };
	unsigned char a[16], b[16];
	unsigned ap, bp;
	int alen = target(us, a, &ap), blen = target(them, b, &bp);
	struct row r;
	if (alen < 0 || blen < 0)
		return -EAFNOSUPPORT;
	/* The far end of our connection: its local address is theirs, its
	 * remote one ours. (A listener's own row has rem 0.0.0.0:0.) */
	for (int v6 = 0; v6 < 2; v6++)
		while (tables[v6] && next_row(tables[v6], v6, &r))
			if (r.state != TCP_LISTEN && r.local.port == bp && r.rem_port == ap &&
			    same_addr(r.local.addr, v6, b, blen) && same_addr(r.rem, v6, a, alen)) {
				*uid = r.local.uid;
				return 0;
			}
	return -ENOENT;
}

int lis_peer_uid(int fd, uid_t *uid)
{
	struct sockaddr_storage us, them;
	socklen_t ul = sizeof us, tl = sizeof them;
	if (getsockname(fd, (struct sockaddr *)&us, &ul) || getpeername(fd, (struct sockaddr *)&them, &tl))
		return -errno;
	FILE *t[2] = { lis_open(0), lis_open(1) };
	int rc = t[0] || t[1] ? lis_peer_uid_in(t[0], t[1], (struct sockaddr *)&us,
	                                        (struct sockaddr *)&them, uid) : -errno;
	for (int v6 = 0; v6 < 2; v6++)
		if (t[v6])
			fclose(t[v6]);
	return rc;
}

/* The socket inodes among pid's descriptors. */
static size_t socket_inodes(pid_t pid, unsigned long *ino, size_t max)
{
	char dir[64], link[64], path[384];
	size_t n = 0;
	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)pid);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && n < max && (e = readdir(d))) {
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ssize_t len = readlink(path, link, sizeof link - 1);
		link[len > 0 ? len : 0] = 0;
		if (sscanf(link, "socket:[%lu]", &ino[n]) == 1)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

size_t lis_of_pid(pid_t pid, struct lis_socket *out, size_t max)
{
	unsigned long ino[512];
	size_t ni = socket_inodes(pid, ino, 512), n = 0;
	for (int v6 = 0; v6 < 2; v6++) {
		FILE *f = lis_open(v6);
		struct lis_socket l;
		while (f && n < max && lis_next(f, v6, &l))
			for (size_t i = 0; i < ni; i++)
				if (l.inode && l.inode == ino[i]) {
					out[n++] = l;
					break;
				}
		if (f)
			fclose(f);
	}
	return n;
}
