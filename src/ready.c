/* ready: /ready and /quicktunnel, parsed as the JSON they are, from the
 * service user's socket only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "json.h"
#include "listeners.h"
#include "msg.h"
#include "osutil.h"
#include "ready.h"

/* {"status":200,"readyConnections":4,"connectorId":"<uuid>"} */
int ready_connections(const char *body)
{
	struct json_object o;
	if (json_parse_object(body, strlen(body), &o))
		return -1;
	const struct json_member *m = json_get(&o, "readyConnections");
	int n = m && m->is_num && m->num >= 0 ? (m->num > 1000000 ? 1000000 : (int)m->num) : -1;
	json_free(&o);
	return n;
}

/* {"hostname":"<random>.trycloudflare.com"}: a hostname, nothing else, for
 * it goes into a status line. */
void ready_quick_hostname(const char *body, char *out, size_t n)
{
	struct json_object o;
	out[0] = 0;
	if (json_parse_object(body, strlen(body), &o))
		return;
	const struct json_member *m = json_get(&o, "hostname");
	if (m && m->str && m->len > 0 && m->len < n &&
	    strspn(m->str, "abcdefghijklmnopqrstuvwxyz0123456789.-") == m->len)
		memcpy(out, m->str, m->len + 1);
	json_free(&o);
}

/* Who answers: the socket at the far end of the very connection that
 * asks, as the kernel's table has it, checked before the question goes
 * out. Any local user may bind a free metrics address; and looking at
 * who listens after the answer would let one answer and then leave the
 * address to cloudflared. */
struct vet {
	const struct hostport *metrics;
	uid_t uid;
	const char *user;
	struct fault *distrust;
};

static int vet_owner(int fd, void *ctx)
{
	struct vet *v = ctx;
	uid_t who = 0;
	int rc = lis_peer_uid(fd, &who);
	if (rc == 0 && who == v->uid)
		return 0;
	if (rc == 0)
		return fail(v->distrust, EPERM, "something else answers on %s: a socket of uid %lu, not "
		            "%.64s's; not trusting it", v->metrics->text, (unsigned long)who, v->user);
	return fail(v->distrust, EPERM, "cannot tell whose socket answers on %s (%s); not trusting "
	            "it", v->metrics->text, strerror(-rc));
}

void ready_probe(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
                 int want_quick, struct ready *r)
{
	char body[1024];
	int code;
	struct vet v = { metrics, uid, user, &r->distrust };
	fault_clear(&r->distrust);
	int got = http_get(metrics, "/ready", timeout_ms, vet_owner, &v, &code, body, sizeof body);
	/* Refused by the vetting: something answers, not cloudflared. */
	r->answered = got == 0 || got == -2;
	r->connections = got == 0 && code == 200 ? ready_connections(body) : 0;
	if (r->connections < 0)
		r->connections = 0;
	if (r->distrust.why[0]) {
		r->connections = 0;
		return;
	}
	if (r->connections > 0 && want_quick &&
	    http_get(metrics, "/quicktunnel", timeout_ms, vet_owner, &v, &code, body, sizeof body) == 0 &&
	    code == 200)
		ready_quick_hostname(body, r->quick, sizeof r->quick);
}

int ready_get(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
              const char *path, size_t max, char **body, size_t *len, struct fault *distrust)
{
	int code = 0;
	struct vet v = { metrics, uid, user, distrust };
	fault_clear(distrust);
	*body = NULL;
	if (http_get_alloc(metrics, path, timeout_ms, max, vet_owner, &v, &code, body, len) == 0 &&
	    code == 200)
		return 0;
	free(*body);
	*body = NULL;
	return distrust->why[0] ? -EPERM : -EIO;
}

long long ready_refusals(const char *body)
{
	static const char series[] = "\ncloudflared_tunnel_tunnel_register_fail{error=\"server_error\","
	                             "rpcName=\"registerConnection\"} ";
	const char *p = strstr(body, series + 1) == body ? body - 1 : strstr(body, series);
	if (!p)
		return -1;
	char *end;
	double v = strtod(p + sizeof series - 1, &end);
	return end == p + sizeof series - 1 || v < 0 || v > 1e15 ? -1 : (long long)v;
}

int ready_count(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms)
{
	struct ready r = { 0 };
	ready_probe(metrics, uid, user, timeout_ms, 0, &r);
	return r.distrust.why[0] ? 0 : r.connections;
}

int ready_wait(const struct hostport *metrics, uid_t uid, const char *user, int want, long long ms)
{
	long long end = os_now_ms() + ms;
	int n;
	while ((n = ready_count(metrics, uid, user, 2000)) < want && os_now_ms() < end)
		usleep(200000);
	return n;
}
