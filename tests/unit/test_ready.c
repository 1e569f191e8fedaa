/* ready.c: /ready's count and /quicktunnel's name, read as the JSON they
 * are, and the probe against a real socket. */
#include "../../src/ready.c"
#include "tap.h"

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
	char why[WHYLEN];
	struct ready r = { .answered = 1, .connections = 9 };
	val_loopback_addr("127.0.0.1:1", &hp, why);
	ready_probe(&hp, 300, 1, &r);
	OK(!r.answered && r.connections == 0 && !r.quick[0], "nothing listening: not answered, 0 connections");
}

int main(void)
{
	test_connections();
	test_quick();
	test_probe_nothing();
	return tap_done();
}
