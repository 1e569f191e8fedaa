/* ready: /ready and /quicktunnel, parsed as the JSON they are. */
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "json.h"
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

void ready_probe(const struct hostport *metrics, int timeout_ms, int want_quick, struct ready *r)
{
	char body[1024];
	int code;
	r->answered = http_get(metrics, "/ready", timeout_ms, &code, body, sizeof body) == 0;
	r->connections = r->answered && code == 200 ? ready_connections(body) : 0;
	if (r->connections < 0)
		r->connections = 0;
	if (r->connections > 0 && want_quick &&
	    http_get(metrics, "/quicktunnel", timeout_ms, &code, body, sizeof body) == 0 && code == 200)
		ready_quick_hostname(body, r->quick, sizeof r->quick);
}
