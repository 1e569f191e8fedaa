/* A stand-in for cloudflared, which cannot reach Cloudflare's edge here.
 * It behaves like the real one where argoweb depends on it:
 *  - takes `--no-autoupdate tunnel --config FILE run` (or `--url URL`);
 *  - reads `metrics:` from FILE and serves /ready, /healthcheck, /metrics
 *    and /quicktunnel there, with the real server's status codes and JSON;
 *  - sends sd_notify READY=1 once when its first "edge connection" is up;
 *  - exits 0 on SIGTERM/SIGINT.
 * It also records what it was given: argv, environment, credentials from
 * /proc/self/status, open descriptors and the config file.
 *
 * Control file: fake-cloudflared.conf beside the binary (argoweb passes the
 * fake no environment of the test's), lines of KEY=VALUE:
 *   record=DIR        write DIR/record.PID (and DIR/record.latest)
 *   schedule=N@MS ... connection count N from MS milliseconds after start
 *   hang=1            accept /ready connections and never answer
 *   exit=1            record, then exit 0 at once
 *   exitcode=N        record, then exit N at once
 *   quick=HOST        /quicktunnel answers this hostname
 *   lifetime=MS       exit 0 by itself after MS milliseconds
 *   busy=stay         when the metrics address is taken, stay up without it
 *                     (until lifetime) instead of exiting 1 as the real one
 *                     does: a run in which something else holds the port
 *   probe=1           record whether it can write under /usr and see /home
 *                     (for sandboxed runs: outside one it really writes)
 *   push=MS           a token tunnel's configuration: /config says version
 *                     0 (one catch-all rule) from MS milliseconds after
 *                     start (default 0), -1 and cloudflared's 503 stand-in
 *                     before; push=never: never pushed
 *   spew=N            N log lines to stderr every 5 ms, as fast as a
 *                     noisy cloudflared (debug) writes them
 *   say=LINE          write LINE to stderr at the start, as if cloudflared
 *                     logged it (a line anyone's text could make)
 *   version=V         what --version says it is (default 2026.8.2, the
 *                     newest release argoweb knows); "garbage": not a
 *                     version line at all */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

extern char **environ;

#define MAXSTEPS 32

static struct {
	char record[PATH_MAX];
	int steps, count[MAXSTEPS];
	long at_ms[MAXSTEPS];
	int hang, exit_now, exitcode, probe, busy_stay;
	long lifetime, push_ms;
	int spew;
	char say[512];
	char quick[256], version[64];
} ctl;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void parse_schedule(char *v)
{
	for (char *tok = strtok(v, " \t\n"); tok && ctl.steps < MAXSTEPS; tok = strtok(NULL, " \t\n")) {
		char *at = strchr(tok, '@');
		ctl.count[ctl.steps] = atoi(tok);
		ctl.at_ms[ctl.steps++] = at ? atol(at + 1) : 0;
	}
}

static void read_control(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 32], line[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(path, sizeof path, "%s/fake-cloudflared.conf", exe);
	FILE *f = fopen(path, "r");
	ctl.exitcode = -1;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *v = strchr(line, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(line, "record"))
			snprintf(ctl.record, sizeof ctl.record, "%s", v);
		else if (!strcmp(line, "schedule"))
			parse_schedule(v);
		else if (!strcmp(line, "hang"))
			ctl.hang = atoi(v);
		else if (!strcmp(line, "exit"))
			ctl.exit_now = atoi(v);
		else if (!strcmp(line, "exitcode"))
			ctl.exitcode = atoi(v);
		else if (!strcmp(line, "probe"))
			ctl.probe = atoi(v);
		else if (!strcmp(line, "lifetime"))
			ctl.lifetime = atol(v);
		else if (!strcmp(line, "busy"))
			ctl.busy_stay = !strcmp(v, "stay");
		else if (!strcmp(line, "quick"))
			snprintf(ctl.quick, sizeof ctl.quick, "%s", v);
		else if (!strcmp(line, "version"))
			snprintf(ctl.version, sizeof ctl.version, "%s", v);
		else if (!strcmp(line, "say"))
			snprintf(ctl.say, sizeof ctl.say, "%s", v);
		else if (!strcmp(line, "spew"))
			ctl.spew = atoi(v);
		else if (!strcmp(line, "push"))
			ctl.push_ms = strcmp(v, "never") ? atol(v) : -1;
	}
	fclose(f);
}

static void copy_file(FILE *out, const char *path)
{
	FILE *in = fopen(path, "r");
	char buf[4096];
	size_t n;
	if (!in) {
		fprintf(out, "(cannot open %s: %s)\n", path, strerror(errno));
		return;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
}

/* What the process can do to the system, from inside whatever sandbox it
 * runs in: write under /usr (EROFS under ProtectSystem=), see /home. */
static void probe_sandbox(FILE *f)
{
	int fd = open("/usr/.fake-cloudflared-probe", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		unlink("/usr/.fake-cloudflared-probe");
		fprintf(f, "probe_usr_write=ok\n");
	} else {
		fprintf(f, "probe_usr_write=%s\n", errno == EROFS ? "EROFS" : errno == EACCES ? "EACCES" : "error");
	}
	DIR *d = opendir("/home");
	int n = 0;
	if (d) {
		for (struct dirent *e; (e = readdir(d));)
			n += e->d_name[0] != '.';
		closedir(d);
		fprintf(f, "probe_home_entries=%d\n", n);
	} else {
		fprintf(f, "probe_home_entries=%s\n", errno == ENOENT ? "ENOENT" : errno == EACCES ? "EACCES" : "error");
	}
}

static void record(int argc, char **argv, const char *config)
{
	if (!ctl.record[0])
		return;
	char path[PATH_MAX + 64], latest[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/record.%ld", ctl.record, (long)getpid());
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fake cloudflared: cannot record to %s: %s\n", path, strerror(errno));
		return;
	}
	for (int i = 0; i < argc; i++)
		fprintf(f, "argv[%d]=%s\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		fprintf(f, "env:%s\n", *e);
	fprintf(f, "pid=%ld\nppid=%ld\n", (long)getpid(), (long)getppid());
	if (ctl.probe)
		probe_sandbox(f);
	fprintf(f, "--- status\n");
	copy_file(f, "/proc/self/status");
	fprintf(f, "--- fds\n");
	fflush(f);
	char fdpath[64], target[PATH_MAX];
	for (int fd = 0; fd < 1024; fd++) {
		snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(fdpath, target, sizeof target - 1);
		if (n >= 0 && fd != fileno(f))
			fprintf(f, "fd %d %.*s\n", fd, (int)n, target);
	}
	fprintf(f, "--- config\n");
	if (config)
		copy_file(f, config);
	fprintf(f, "--- end\n");
	fclose(f);
	snprintf(latest, sizeof latest, "%s/record.latest", ctl.record);
	unlink(latest);
	if (symlink(path, latest))
		fprintf(stderr, "fake cloudflared: symlink %s: %s\n", latest, strerror(errno));
}

/* The config's top-level metrics: value, read with libyaml as the real one
 * reads it with yaml.v3. */
static int read_metrics(const char *config, char *out, size_t n)
{
	FILE *f = fopen(config, "r");
	if (!f)
		return -1;
	yaml_parser_t p;
	yaml_event_t e;
	int depth = 0, want = 0, found = -1, is_key = 1;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	while (found && yaml_parser_parse(&p, &e)) {
		int type = e.type;
		if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
			if (depth == 1)         /* a collection as a top-level value */
				is_key = !is_key;
			depth++;
		} else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		} else if ((type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT) && depth == 1) {
			const char *v = type == YAML_SCALAR_EVENT ? (const char *)e.data.scalar.value : "";
			if (is_key)
				want = !strcmp(v, "metrics");
			else if (want) {
				snprintf(out, n, "%s", v);
				found = 0;
			}
			is_key = !is_key;
		}
		yaml_event_delete(&e);
		if (type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	fclose(f);
	return found;
}

static int listen_on(const char *addr)
{
	char host[128];
	const char *colon = strrchr(addr, ':');
	if (!colon)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	int port = atoi(colon + 1);
	int v6 = host[0] == '[';
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		s6->sin6_addr = in6addr_loopback;
		len = sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		if (!strcmp(host, "localhost"))
			snprintf(host, sizeof host, "127.0.0.1");
		inet_pton(AF_INET, host, &s4->sin_addr);
		len = sizeof *s4;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		fprintf(stderr, "fake cloudflared: cannot listen on %s: %s\n", addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int connections(long start)
{
	long t = now_ms() - start;
	int n = 0;
	for (int i = 0; i < ctl.steps; i++)
		if (t >= ctl.at_ms[i])
			n = ctl.count[i];
	return n;
}

static void sd_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}

static void answer(int c, long start)
{
	char req[2048];
	ssize_t n = recv(c, req, sizeof req - 1, 0);
	if (n <= 0)
		return;
	req[n] = 0;
	char body[512], resp[1024];
	int code = 200, conns = connections(start);
	if (!strncmp(req, "GET /ready ", 11)) {
		code = conns > 0 ? 200 : 503;
		snprintf(body, sizeof body, "{\"status\":%d,\"readyConnections\":%d,"
		         "\"connectorId\":\"8f1e2d3c-0000-4000-8000-00000000fa4e\"}", code, conns);
	} else if (!strncmp(req, "GET /healthcheck ", 17)) {
		snprintf(body, sizeof body, "OK\n");
	} else if (!strncmp(req, "GET /quicktunnel ", 17)) {
		snprintf(body, sizeof body, "{\"hostname\":\"%s\"}", ctl.quick);
	} else if (!strncmp(req, "GET /config ", 12)) {
		int pushed = ctl.push_ms >= 0 && now_ms() - start >= ctl.push_ms;
		snprintf(body, sizeof body, "{\"version\":%d,\"config\":{\"ingress\":[{\"hostname\":\"\","
		         "\"path\":null,\"service\":\"http_status:%d\",\"Handlers\":null}],\"warp-routing\":{}}}",
		         pushed ? 0 : -1, pushed ? 404 : 503);
	} else if (!strncmp(req, "GET /metrics ", 13)) {
		snprintf(body, sizeof body, "# TYPE cloudflared_tunnel_ha_connections gauge\n"
		         "cloudflared_tunnel_ha_connections %d\n", conns);
	} else {
		code = 404;
		snprintf(body, sizeof body, "404 page not found\n");
	}
	int len = snprintf(resp, sizeof resp, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	                   "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", code,
	                   code == 200 ? "OK" : code == 503 ? "Service Unavailable" : "Not Found",
	                   body[0] == '{' ? "application/json" : "text/plain; charset=utf-8",
	                   strlen(body), body);
	if (send(c, resp, (size_t)len, MSG_NOSIGNAL) < 0)
		perror("fake cloudflared: send");
}

static void serve(int lfd, long start)
{
	int ready_sent = 0;
	unsigned long line = 0;
	while (!stop && (!ctl.lifetime || now_ms() - start < ctl.lifetime)) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int r = poll(&p, 1, ctl.spew ? 5 : 50);
		for (int i = 0; i < ctl.spew; i++)
			fprintf(stderr, "2026-12-07T00:00:00Z DBG fake cloudflared: a noisy line, number %lu, "
			        "of the kind a debug log writes all the time\n", line++);
		if (!ready_sent && connections(start) > 0) {
			sd_ready();
			ready_sent = 1;
		}
		if (r <= 0)
			continue;
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (ctl.hang) {
			/* Keep the connection open and silent: the client must give up
			 * on its own timeout. */
			continue;
		}
		answer(c, start);
		close(c);
	}
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	long start = now_ms();
	read_control();
	/* argoweb asks which release it will run before each start: answered
	 * as the real one answers, and not recorded (the record is the run's). */
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		if (!strcmp(ctl.version, "garbage"))
			puts("Incorrect Usage: flag provided but not defined: -version");
		else
			printf("cloudflared version %s (built 2026-08-20)\n", ctl.version[0] ? ctl.version : "2026.8.2");
		return 0;
	}
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--config"))
			config = argv[i + 1];
	record(argc, argv, config);
	if (ctl.exit_now || ctl.exitcode >= 0)
		return ctl.exitcode >= 0 ? ctl.exitcode : 0;
	char metrics[128];
	if (!config || read_metrics(config, metrics, sizeof metrics)) {
		fprintf(stderr, "fake cloudflared: no metrics address in the config\n");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (ctl.say[0])
		fprintf(stderr, "%s\n", ctl.say);
	int lfd = listen_on(metrics);
	if (lfd < 0 && !ctl.busy_stay)
		return 1;
	if (lfd >= 0)
		fprintf(stderr, "fake cloudflared: serving /ready on %s\n", metrics);
	serve(lfd, start);
	fprintf(stderr, "fake cloudflared: stopping\n");
	return 0;
}
