/* ready.c: /ready's count and /quicktunnel's name, read as the JSON they
 * are, and the probe against a real socket: believed from the service
 * user's socket only. */
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/ready.c"
#include "tap.h"
#include "why.h"

static void test_connections(void)
{
	IS_INT(ready_connections("{\"status\":200,\"readyConnections\":4,\"connectorId\":\"x\"}"), 4,
	       "readyConnections read");
	IS_INT(ready_connections("{\"status\":200,\"readyConnections\": 12}"), 12, "spaces after the colon");
	IS_INT(ready_connections("{\"status\":503}"), -1, "absent");
	IS_INT(ready_connections("{\"readyConnections\":\"4\"}"), -1, "a string is not a count");
	IS_INT(ready_connections("{\"readyConnections\":99999999999}"), 1000000, "clamped");
	IS_INT(ready_connections("{\"readyConnections\":-1}"), -1, "negative: not a count");
	IS_INT(ready_connections("{\"readyConnections\":2.5}"), -1, "a fraction: not a count");
	IS_INT(ready_connections("{\"x\":\"\\\"readyConnections\\\":7\"}"), -1,
	       "the name inside a string is not the member (a JSON reader, not strstr)");
	IS_INT(ready_connections("{\"readyConnections\":4"), -1, "truncated JSON: no count");
	IS_INT(ready_connections("{\"readyConnections\":1,\"readyConnections\":3}"), 3,
	       "the last of duplicates, as Go's encoding/json");
}

static void test_quick(void)
{
	char h[64];
	ready_quick_hostname("{\"hostname\":\"blue-sky-words.trycloudflare.com\"}", h, sizeof h);
	IS_STR(h, "blue-sky-words.trycloudflare.com", "quick tunnel hostname");
	ready_quick_hostname("{\"hostname\":\"\"}", h, sizeof h);
	IS_STR(h, "", "empty: not a quick tunnel");
	ready_quick_hostname("{\"hostname\":\"evil\\nSTATUS=x\"}", h, sizeof h);
	IS_STR(h, "", "anything but a hostname is dropped (it goes into STATUS=)");
	ready_quick_hostname("{\"hostname\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\"}",
	                     h, sizeof h);
	IS_STR(h, "", "too long for the buffer: dropped, not cut");
	ready_quick_hostname("not json", h, sizeof h);
	IS_STR(h, "", "not JSON: nothing");
}

static void test_probe_nothing(void)
{
	struct hostport hp;
	struct ready r = { .answered = 1, .connections = 9 };
	val_loopback_addr("127.0.0.1:1", &hp, WHY);
	ready_probe(&hp, geteuid(), "argoweb", 300, 1, &r);
	OK(!r.answered && r.connections == 0 && !r.quick[0], "nothing listening: not answered, 0 connections");
}

/* A metrics server of ours on a loopback port: each connection gets
 * /ready's answer (4 connections), or /quicktunnel's, or with hang
 * nothing at all. Returns the port; *pid is the server. */
static unsigned serve(int hang, pid_t *pid)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	fflush(stdout);
	*pid = fork();
	if (*pid == 0) {
		for (;;) {
			char req[512], out[256];
			int c = accept(fd, NULL, NULL);
			ssize_t n = recv(c, req, sizeof req - 1, 0);
			if (hang || n <= 0)
				continue;
			req[n] = 0;
			const char *body = strstr(req, "/quicktunnel") ? "{\"hostname\":\"a-b.trycloudflare.com\"}"
			                 : "{\"status\":200,\"readyConnections\":4}";
			snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\n\r\n%s", body);
			send(c, out, strlen(out), MSG_NOSIGNAL);
			close(c);
		}
	}
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_probe_owner(void)
{
	struct hostport hp;
	char addr[32], want[256];
	pid_t pid;
	struct ready r = { 0 };
	unsigned port = serve(0, &pid);
	snprintf(addr, sizeof addr, "127.0.0.1:%u", port);
	val_loopback_addr(addr, &hp, WHY);
	ready_probe(&hp, geteuid(), "argoweb", 2000, 1, &r);
	OK(r.answered && r.connections == 4 && !r.distrust.why[0], "our socket: believed, 4 connections");
	IS_STR(r.quick, "a-b.trycloudflare.com", "... and /quicktunnel asked");
	memset(&r, 0, sizeof r);
	ready_probe(&hp, geteuid() + 1, "argoweb", 2000, 1, &r);
	IS_INT(r.connections, 0, "another user's socket: not believed, 0 connections");
	snprintf(want, sizeof want, "something else answers on %s: a socket of uid %u, not argoweb's; "
	         "not trusting it", addr, (unsigned)geteuid());
	IS_STR(r.distrust.why, want, "... and why, naming the address, the uid and the service user");
	IS_STR(r.quick, "", "... and /quicktunnel not asked");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	port = serve(1, &pid);
	snprintf(addr, sizeof addr, "127.0.0.1:%u", port);
	val_loopback_addr(addr, &hp, WHY);
	ready_probe(&hp, geteuid() + 1, "argoweb", 200, 0, &r);
	snprintf(want, sizeof want, "something else answers on %s: a socket of uid %u, not argoweb's; "
	         "not trusting it", addr, (unsigned)geteuid());
	/* The kernel takes the connection for it: the question is never
	 * sent, whoever it is. */
	OK(r.answered && !strcmp(r.distrust.why, want), "another user's silent socket: it took the connection (%s)", r.distrust.why);
	ready_probe(&hp, geteuid(), "argoweb", 200, 0, &r);
	OK(!r.answered && !r.distrust.why[0], "our own silent socket: not answering, nothing to distrust");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_refusals(void)
{
	/* As cloudflared 2023.7.3 and 2026.8.2 print it (refused by cf-edge). */
	const char *m = "# HELP cloudflared_tunnel_tunnel_register_fail Count of tunnel registration errors by type\n"
	                "# TYPE cloudflared_tunnel_tunnel_register_fail counter\n"
	                "cloudflared_tunnel_tunnel_register_fail{error=\"server_error\",rpcName=\"registerConnection\"} 3\n"
	                "cloudflared_tunnel_tunnel_register_success{rpcName=\"registerConnection\"} 0\n";
	IS_INT(ready_refusals(m), 3, "refusals: counted 3");
	IS_INT(ready_refusals("cloudflared_tunnel_tunnel_register_fail{error=\"server_error\",rpcName=\"registerConnection\"} 7\n"),
	       7, "refusals: the first line too");
	IS_INT(ready_refusals("cloudflared_tunnel_tunnel_register_fail{error=\"dup_edge_conn\",rpcName=\"registerConnection\"} 7\n"),
	       -1, "refusals: another kind of failure is not a refusal");
	IS_INT(ready_refusals("# cloudflared_tunnel_tunnel_register_fail{error=\"server_error\",rpcName=\"registerConnection\"} 7\n"),
	       -1, "refusals: a comment that names it counts nothing");
	IS_INT(ready_refusals("cloudflared_tunnel_ha_connections 4\n"), -1, "refusals: not there");
}

int main(void)
{
	test_refusals();
	test_connections();
	test_quick();
	test_probe_nothing();
	test_probe_owner();
	return tap_done();
}
