/* logline.c: cloudflared's own lines (2023.7.3's and 2026.8.2's, from runs
 * against cf-edge, ../shared/notes/cf-edge.md), their priority and what
 * they say. */
#include "../../src/logline.c"
#include "tap.h"

static void is(const char *line, int prio, enum why_down why, const char *error, const char *label)
{
	struct logline l;
	logline_parse(line, strlen(line), &l);
	IS_INT(l.priority, prio, "%s: priority", label);
	IS_INT(l.why, why, "%s: why", label);
	IS_STR(l.error, error, "%s: error", label);
}

int main(void)
{
	is("2026-12-03T09:14:08Z INF Starting tunnel tunnelID=6ff42ae2", 6, WD_NONE, "", "INF");
	is("2026-12-03T09:14:08Z WRN Unable to lookup protocol percentage.", 4, WD_NONE, "", "WRN");
	is("2026-12-03T09:14:08Z DBG something", 7, WD_NONE, "", "DBG");
	is("2026-12-03T09:14:08Z ERR failed to serve incoming request error=\"x\"", 3, WD_NONE, "",
	   "ERR, not a reason");
	is("2026-12-03T09:14:08Z FTL boom", 2, WD_NONE, "", "FTL");
	is("panic: runtime error", -1, WD_NONE, "", "a Go panic: no level");
	is("goroutine 1 [running]:", -1, WD_NONE, "", "a stack line");
	is("cf-edge: registration temporarily refused, retry later", -1, WD_NONE, "",
	   "cloudflared's bare exit message");
	is("", -1, WD_NONE, "", "empty");
	is("2026-12-03T09:14:08Z", -1, WD_NONE, "", "a time alone");
	is("2026-12-03T09:14:08Z XYZ what", -1, WD_NONE, "", "an unknown level");
	is("2026-12-03T09:14:08Z ERRx what", -1, WD_NONE, "", "not a level word");
	is("2026-12-03T09:14:08Z INF Registered tunnel connection connIndex=0 connection=abc "
	   "event=0 ip=127.0.0.2 location=LOC protocol=http2", 6, WD_REGISTERED, "", "registered");
	is("2026-12-03T09:14:08Z ERR Register tunnel error from server side error=\"Unauthorized: "
	   "Invalid tunnel secret\" connIndex=0 event=0 ip=127.0.0.2", 3, WD_REFUSED,
	   "Unauthorized: Invalid tunnel secret", "refused: a bad secret");
	is("2026-12-03T09:14:08Z WRN Register tunnel error from server side error=\"Unauthorized: "
	   "Failed to get tunnel\" connIndex=1", 4, WD_REFUSED, "Unauthorized: Failed to get tunnel",
	   "refused: a deleted tunnel (WRN while another connection lives)");
	is("2026-12-03T09:14:08Z ERR Register tunnel error from server side error=\"cf-edge: "
	   "registration temporarily refused, retry later\" connIndex=1", 3, WD_REGISTER_ERROR,
	   "cf-edge: registration temporarily refused, retry later", "another refusal");
	is("2026-12-03T09:14:25Z ERR Connection terminated error=\"failed to accept QUIC stream: "
	   "Application error 0x0 (remote)\" connIndex=0", 3, WD_LOST,
	   "failed to accept QUIC stream: Application error 0x0 (remote)", "a connection lost");
	is("2026-12-03T09:14:25Z ERR Unable to establish connection with Cloudflare edge error=\"DialContext "
	   "error: dial tcp 127.0.0.2:7844: connect: connection refused\" connIndex=0 event=0 ip=127.0.0.2",
	   3, WD_UNREACHABLE, "DialContext error: dial tcp 127.0.0.2:7844: connect: connection refused",
	   "unreachable over TCP");
	is("2026-12-03T09:14:25Z ERR Failed to create new quic connection error=\"failed to dial to edge "
	   "with quic: timeout: no recent network activity\" connIndex=0 event=0 ip=127.0.0.2", 3,
	   WD_UNREACHABLE_QUIC, "failed to dial to edge with quic: timeout: no recent network activity",
	   "unreachable over QUIC");
	is("2026-12-03T09:14:08Z ERR edge discovery: error looking up Cloudflare edge IPs: the DNS query "
	   "failed error=\"lookup _v2-origintunneld._tcp.argotunnel.com on 10.255.255.53:53: dial udp "
	   "10.255.255.53:53: connect: network is unreachable\"", 3, WD_DNS,
	   "lookup _v2-origintunneld._tcp.argotunnel.com on 10.255.255.53:53: dial udp "
	   "10.255.255.53:53: connect: network is unreachable", "DNS");
	is("2026-12-03T09:14:08Z ERR Register tunnel error from server side error=\"say \\\"no\\\" \\\\ "
	   "twice\"", 3, WD_REGISTER_ERROR, "say \"no\" \\ twice", "Go's %q escapes undone");
	is("2026-12-03T09:14:08Z ERR Register tunnel error from server side error=\"cut", 3,
	   WD_REGISTER_ERROR, "cut", "an unterminated error text");
	is("2026-12-03T09:14:08Z ERR Register tunnel error from server side", 3, WD_REGISTER_ERROR, "",
	   "no error= at all");
	/* 2026.8.2, each from a run against cf-edge's faults. */
	is("2026-12-07T03:04:45Z ERR Serve tunnel error error=\"control stream encountered a failure while "
	   "serving\" connIndex=0 event=0 ip=127.0.1.2", 3, WD_REG_UNSAID,
	   "control stream encountered a failure while serving", "2026, QUIC: a refusal, its cause unsaid");
	is("2026-12-07T03:05:09Z ERR failed to serve tunnel connection error=\"control stream encountered a "
	   "failure while serving\" connIndex=0 event=0 ip=127.0.1.2", 3, WD_REG_UNSAID,
	   "control stream encountered a failure while serving", "2026, QUIC: ... its other line");
	is("2026-12-07T03:05:09Z ERR Connection terminated error=\"control stream encountered a failure while "
	   "serving\" connIndex=1", 3, WD_REG_UNSAID, "control stream encountered a failure while serving",
	   "2026, QUIC: ... as a connection's end");
	is("2026-12-07T03:05:09Z ERR Serve tunnel error error=\"connection with edge closed\" connIndex=0",
	   3, WD_NONE, "", "Serve tunnel error with another cause: nothing new (Connection terminated follows)");
	is("2026-12-07T03:05:09Z ERR failed to run the datagram handler error=\"context canceled\" connIndex=0",
	   3, WD_NONE, "", "2026: the datagram handler's end");
	is("2026-12-07T03:04:58Z ERR Failed to dial a quic connection error=\"failed to dial to edge with quic: "
	   "timeout: no recent network activity\" connIndex=0 event=0 ip=127.0.4.3", 3, WD_UNREACHABLE_QUIC,
	   "failed to dial to edge with quic: timeout: no recent network activity",
	   "2024.11.0 and later: unreachable over QUIC, renamed");
	is("2026-12-07T03:04:58Z ERR failed to accept incoming stream requests error=\"timeout: no recent "
	   "network activity\" connIndex=2", 3, WD_LOST, "timeout: no recent network activity",
	   "2026, QUIC: a loss's own cause");
	is("2026-12-07T03:04:40Z ERR failed to serve incoming request error=\"context deadline exceeded\"",
	   3, WD_REG_TIMEOUT, "context deadline exceeded", "2026, HTTP/2: the registration unanswered");
	is("2026-12-07T03:04:40Z ERR Register tunnel error from server side error=\"context deadline "
	   "exceeded\" connIndex=0 event=0 ip=127.0.3.2", 3, WD_REG_TIMEOUT, "context deadline exceeded",
	   "2026, HTTP/2: ... and its registration error: no answer, not a refusal");
	is("2026-12-07T03:04:41Z ERR initial tunnel connection failed error=\"context deadline exceeded\"",
	   3, WD_NONE, "", "2026: the start-up's end (the exit follows)");
	is("2026-12-07T03:10:00Z ERR Connection terminated connIndex=0", 3, WD_NONE, "",
	   "2025.8.1 and later: a connection's clean end, no error: nothing lost");
	is("2026-12-07T03:10:00Z INF Initiating graceful shutdown due to signal terminated ...", 6,
	   WD_STOPPING, "", "the stop begins");
	char big[600];
	memset(big, 'e', sizeof big);
	const char *head = "2026-12-03T09:14:08Z ERR Register tunnel error from server side error=\"";
	memcpy(big, head, strlen(head));
	big[sizeof big - 1] = 0;
	struct logline l;
	logline_parse(big, strlen(big), &l);
	IS_INT((int)strlen(l.error), (int)sizeof l.error - 1, "a long error text: cut to the buffer");
	return tap_done();
}
