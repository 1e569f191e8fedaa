/* audit: is each origin of this tunnel reachable only through it? An origin
 * that also listens on a public address can be reached around the tunnel
 * (and around Cloudflare Access); Cloudflare's own advice is to check with
 * netcat. This reads the kernel's table of listening TCP sockets instead. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "audit.h"
#include "listeners.h"
#include "msg.h"

/* Every listening socket of this network namespace, both families. */
struct table {
	struct lis_socket *l;
	size_t n, cap;
};

static void read_table(struct table *t, int v6)
{
	FILE *f = lis_open(v6);
	struct lis_socket l;
	if (!f)
		return;
	while (lis_next(f, v6, &l)) {
		if (t->n == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 64;
			t->l = xrealloc(t->l, t->cap * sizeof *t->l);
		}
		t->l[t->n++] = l;
	}
	fclose(f);
}

static int is_loopback(const struct lis_socket *l)
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	if (!l->v6)
		return l->addr[0] == 127;
	/* ::ffff:127.x.y.z is IPv4 loopback seen through a v6 socket. */
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	return !memcmp(l->addr, v6lo, 16) || (!memcmp(l->addr, mapped, 12) && l->addr[12] == 127);
}

static void show(const struct lis_socket *l, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(l->v6 ? AF_INET6 : AF_INET, l->addr, a, sizeof a);
	snprintf(buf, n, l->v6 ? "[%s]:%u" : "%s:%u", a, l->port);
}

/* Is host one of this machine's names or addresses? */
static int host_is_local(const char *host)
{
	if (!strcmp(host, "localhost") || !strncmp(host, "127.", 4) || !strcmp(host, "::1") ||
	    !strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
		return 1;
	unsigned char want[16];
	int fam = inet_pton(AF_INET, host, want) == 1 ? AF_INET
	        : inet_pton(AF_INET6, host, want) == 1 ? AF_INET6 : 0;
	struct ifaddrs *ifa, *i;
	if (!fam || getifaddrs(&ifa))
		return 0;
	int found = 0;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != fam)
			continue;
		const void *a = fam == AF_INET ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
		                               : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		found = !memcmp(a, want, fam == AF_INET ? 4 : 16);
	}
	freeifaddrs(ifa);
	return found;
}

static unsigned default_port(const char *scheme)
{
	static const struct { const char *s; unsigned p; } d[] = {
		{ "http", 80 }, { "ws", 80 }, { "https", 443 }, { "wss", 443 },
		{ "ssh", 22 }, { "rdp", 3389 }, { "smb", 445 },
	};
	for (size_t i = 0; i < sizeof d / sizeof *d; i++)
		if (!strcmp(scheme, d[i].s))
			return d[i].p;
	return 0;
}

/* One line per finding: on stdout for audit, as warnings for check. */
static int finding(const struct config *c, enum audit_mode mode, const char *what, const char *line)
{
	if (mode == AUDIT_WARN)
		msg_warn(c->path, 0, 0, "%s: %s", what, line);
	else {
		/* Config values, shown as text: audit's stdout is a terminal too. */
		char raw[1024], shown[4096];
		snprintf(raw, sizeof raw, "%s: %s: %s", c->path, what, line);
		msg_escape(raw, shown, sizeof shown);
		puts(shown);
	}
	return 1;
}

/* One origin: listening at all, and on loopback only? */
static int audit_origin(const struct config *c, enum audit_mode mode, const struct table *t,
                        const char *what, const char *url)
{
	char where[80], line[512];
	struct fault not_url = { 0 };
	struct url u;
	if (!strncmp(url, "unix:", 5) || !strncmp(url, "unix+tls:", 9)) {
		struct stat st;
		const char *path = strchr(url, ':') + 1;
		if (!stat(path, &st) && S_ISSOCK(st.st_mode))
			return 0;
		snprintf(line, sizeof line, "no socket at %s: start the origin or fix the path", path);
		return finding(c, mode, what, line);
	}
	if (val_url(url, &u, &not_url) || !host_is_local(u.host))
		return 0;   /* another host's origin, or no URL: not ours to see */
	unsigned port = u.port ? u.port : default_port(u.scheme);
	if (!port)
		return 0;
	int listening = 0, n = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->l[i].port != port)
			continue;
		listening = 1;
		if (!is_loopback(&t->l[i])) {
			show(&t->l[i], where, sizeof where);
			snprintf(line, sizeof line, "origin also listens on %s, reachable without the "
			         "tunnel: bind it to 127.0.0.1 or firewall port %u", where, port);
			n += finding(c, mode, what, line);
		}
	}
	if (!listening) {
		snprintf(line, sizeof line, "nothing listens on port %u: start the origin or fix "
		         "the port", port);
		n += finding(c, mode, what, line);
	}
	return n;
}

int audit_run(const struct config *c, enum audit_mode mode)
{
	struct table t = { 0 };
	read_table(&t, 0);
	read_table(&t, 1);
	int n = 0;
	char what[96];
	const struct ynode *ing = ymap_get(c->tree.root, "ingress");
	for (size_t i = 0; ing && i < ing->n; i++) {
		const struct ynode *s = ymap_get(ing->kid[i], "service");
		snprintf(what, sizeof what, "ingress[%zu] %.40s", i, s->str);
		n += audit_origin(c, mode, &t, what, s->str);
	}
	if (c->quick_url)
		n += audit_origin(c, mode, &t, "quick", c->quick_url);
	/* The metrics port may be held by a cloudflared started by hand on
	 * 0.0.0.0 (its container default): /debug/pprof for all to see. */
	unsigned mport = c->metrics.port;
	for (size_t i = 0; i < t.n; i++)
		if (t.l[i].port == mport && !is_loopback(&t.l[i])) {
			char where[80], line[512];
			show(&t.l[i], where, sizeof where);
			snprintf(line, sizeof line, "a listener on %s serves cloudflared's metrics port to "
			         "the network: bind metrics to 127.0.0.1 or firewall port %u", where, mport);
			n += finding(c, mode, "metrics", line);
		}
	free(t.l);
	return n;
}
