/* audit.c: the kernel's table of listening sockets read back, and each
 * finding: an origin also on a public address, an origin down, a missing
 * unix socket, a metrics port facing the network; as a report (stdout) or
 * as warnings (stderr). */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/audit.c"
#include "tap.h"
#include "capture.h"

/* A listening socket on addr, a free port chosen by the kernel (or port);
 * returns the fd and sets *port. */
static int listen_on(const char *addr, unsigned *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)*port) };
	inet_pton(AF_INET, addr, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	socklen_t len = sizeof sa;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static int load(struct config *c, const char *yaml)
{
	struct fault f = { 0 };
	memset(c, 0, sizeof *c);
	c->name = xstrdup("audit");
	c->path = xstrdup("a.yaml");
	return cfg_parse(c, yaml, strlen(yaml), &f);
}

static void test_table(void)
{
	unsigned port = 0;
	int fd = listen_on("127.0.0.1", &port);
	struct table t = { 0 };
	read_table(&t, 0);
	int found = 0;
	for (size_t i = 0; i < t.n; i++)
		found |= t.l[i].port == port && is_loopback(&t.l[i]);
	OK(fd >= 0 && found, "our loopback listener is in /proc/self/net/tcp, as loopback (port %u)", port);
	close(fd);
	free(t.l);
	struct lis_socket l = { .v6 = 1 };
	l.addr[15] = 1;
	OK(is_loopback(&l), "::1 is loopback");
	memset(l.addr, 0, 16);
	l.addr[10] = l.addr[11] = 0xff;
	l.addr[12] = 127;
	OK(is_loopback(&l), "::ffff:127.0.0.1 is loopback");
	l.addr[12] = 10;
	OK(!is_loopback(&l), "::ffff:10.0.0.1 is not");
	OK(host_is_local("localhost") && host_is_local("127.9.9.9") && host_is_local("::1"),
	   "loopback names are this host");
	OK(!host_is_local("192.0.2.1") && !host_is_local("example.com"), "others are not");
	IS_INT(default_port("https"), 443, "https: 443");
	IS_INT(default_port("ssh"), 22, "ssh: 22");
	IS_INT(default_port("tcp"), 0, "tcp: no default");
}

static void test_findings(void)
{
	unsigned lo = 0, any = 0, down = 0, mport = 0;
	int a = listen_on("127.0.0.1", &lo);
	int b = listen_on("0.0.0.0", &any);
	int m = listen_on("0.0.0.0", &mport);
	int d = listen_on("127.0.0.1", &down);
	close(d);       /* a port nothing listens on now */
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
	         "tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\ncredentials-file: /x.json\n"
	         "metrics: 127.0.0.1:%u\ningress:\n"
	         "  - hostname: a.example.com\n    service: http://localhost:%u\n"
	         "  - hostname: b.example.com\n    service: http://127.0.0.1:%u\n"
	         "  - hostname: c.example.com\n    service: http://127.0.0.1:%u\n"
	         "  - hostname: d.example.com\n    service: unix:/nonexistent/app.sock\n"
	         "  - hostname: e.example.com\n    service: https://192.0.2.1:443\n"
	         "  - service: http_status:404\n", mport, lo, any, down);
	struct config c;
	IS_INT(load(&c, yaml), 0, "the audit's config");
	cap_start();
	fflush(stdout);
	FILE *f = tmpfile();
	int saved = dup(1);
	dup2(fileno(f), 1);
	int n = audit_run(&c, AUDIT_REPORT);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	const char *err = cap_end();
	char out[4096] = "";
	rewind(f);
	size_t got = fread(out, 1, sizeof out - 1, f);
	out[got] = 0;
	fclose(f);
	IS_INT(n, 4, "four findings");
	IS_STR(err, "", "a report: nothing on stderr");
	char want[256];
	snprintf(want, sizeof want, "a.yaml: ingress[1] http://127.0.0.1:%u: origin also listens on 0.0.0.0:%u", any, any);
	OK(strstr(out, want) != NULL, "an origin on 0.0.0.0 is reachable around the tunnel");
	snprintf(want, sizeof want, "ingress[2] http://127.0.0.1:%u: nothing listens on port %u", down, down);
	OK(strstr(out, want) != NULL, "an origin down");
	OK(strstr(out, "ingress[3] unix:/nonexistent/app.sock: no socket at /nonexistent/app.sock") != NULL,
	   "a missing unix socket");
	snprintf(want, sizeof want, "metrics: a listener on 0.0.0.0:%u serves cloudflared's metrics port", mport);
	OK(strstr(out, want) != NULL, "the metrics port facing the network");
	OK(!strstr(out, "ingress[0]") && !strstr(out, "ingress[4]"),
	   "a loopback-only origin and another host's origin: nothing to say");
	cap_start();
	n = audit_run(&c, AUDIT_WARN);
	err = cap_end();
	OK(n == 4 && !strncmp(err, "argoweb: warning: a.yaml: ", 26), "as warnings: on stderr");
	cfg_free(&c);
	close(a);
	close(b);
	close(m);
}

int main(void)
{
	msg_quiet = 1;
	test_table();
	test_findings();
	return tap_done();
}
