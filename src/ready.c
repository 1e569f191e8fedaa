/* ready: /ready and /quicktunnel, parsed as the JSON they are, from the
 * service user's socket only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "json.h"
#include "listeners.h"
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

/* Whose socket answered? Asked after the answer, of the sockets listening
 * then: a squatter that was listening when we connected still is, or has
 * left the address to nobody (the service user's cloudflared cannot
 * listen there while another socket does). Only the service user's
 * sockets, and at least one, make an answer believable. */
static void check_owner(const struct hostport *metrics, uid_t uid, const char *user, struct ready *r)
{
	char why[128];
	uid_t other = 0;
	int v = lis_whose((const struct sockaddr *)&metrics->sa, uid, &other, why, sizeof why);
	if (v == LIS_FOREIGN)
		snprintf(r->distrust, sizeof r->distrust, "something else %s on %s: a socket of uid %lu, "
		         "not %.64s's; not trusting it", r->answered ? "answers" : "listens", metrics->text,
		         (unsigned long)other, user);
	else if (r->answered && v == LIS_NONE)
		snprintf(r->distrust, sizeof r->distrust, "the answer on %s came from no socket of %.64s's; "
		         "not trusting it", metrics->text, user);
	else if (r->answered && v < 0)
		snprintf(r->distrust, sizeof r->distrust, "cannot tell whose socket answers on %s (%s); "
		         "not trusting it", metrics->text, why);
}

void ready_probe(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
                 int want_quick, struct ready *r)
{
	char body[1024];
	int code;
	r->distrust[0] = 0;
	r->answered = http_get(metrics, "/ready", timeout_ms, &code, body, sizeof body) == 0;
	r->connections = r->answered && code == 200 ? ready_connections(body) : 0;
	if (r->connections < 0)
		r->connections = 0;
	check_owner(metrics, uid, user, r);
	if (r->distrust[0]) {
		r->connections = 0;
		return;
	}
	if (r->connections > 0 && want_quick &&
	    http_get(metrics, "/quicktunnel", timeout_ms, &code, body, sizeof body) == 0 && code == 200)
		ready_quick_hostname(body, r->quick, sizeof r->quick);
}

int ready_config(const struct hostport *metrics, uid_t uid, const char *user, int timeout_ms,
                 size_t max, char **body, size_t *len, char *distrust, size_t dn)
{
	struct ready r = { 0 };
	int code = 0;
	*body = NULL;
	r.answered = http_get_alloc(metrics, "/config", timeout_ms, max, &code, body, len) == 0;
	check_owner(metrics, uid, user, &r);
	snprintf(distrust, dn, "%s", r.distrust);
	if (r.answered && code == 200 && !r.distrust[0])
		return 0;
	free(*body);
	*body = NULL;
	return -1;
}
