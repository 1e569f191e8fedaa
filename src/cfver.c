/* cfver: which cloudflared release runs, and what it does with each key.
 * cloudflared reads its config file leniently: a key it does not know is
 * ignored without a word, and releases come and go under the same names.
 * So a key is checked against the release argoweb will exec, which it
 * asks (`cloudflared --version`, 20 to 50 ms) once per command. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfver.h"
#include "osutil.h"
#include "values.h"

#define VERSION_TIMEOUT_MS 5000

int cfver_parse(const char *out, struct cfver *v)
{
	static const char lead[] = "cloudflared version ";
	unsigned y, m, p;
	int n = 0;
	memset(v, 0, sizeof *v);
	if (strncmp(out, lead, sizeof lead - 1) ||
	    sscanf(out + sizeof lead - 1, "%4u.%2u.%3u%n", &y, &m, &p, &n) != 3 || n == 0 ||
	    y < 2017 || m < 1 || m > 12)
		return -1;
	*v = (struct cfver){ .known = 1, .y = y, .m = m, .p = p };
	snprintf(v->text, sizeof v->text, "%u.%u.%u", y, m, p);
	return 0;
}

int cfver_at_least(const struct cfver *v, unsigned y, unsigned m, unsigned p)
{
	if (!v->known)
		return 1;
	return v->y != y ? v->y > y : v->m != m ? v->m > m : v->p >= p;
}

/* The child: the service user's identity when we are root (the release
 * is asked the way it will run), nothing of ours but the pipe. */
static _Noreturn void ask(const char *exe, const struct ids *ids, int out)
{
	char *argv[] = { (char *)exe, "--version", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
		_exit(127);
	os_close_fds(-1);
	msg_quiet = 1;
	if (geteuid() == 0 && pd_drop(ids))
		_exit(126);
	execve(exe, argv, envp);
	_exit(127);
}

/* What the child wrote, until it closes the pipe or the time is up. */
static size_t collect(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	long long until = os_now_ms() + VERSION_TIMEOUT_MS;
	for (;;) {
		long long left = until - os_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap - 1)
			break;
	}
	buf[n] = 0;
	return n;
}

int cfver_read(const char *exe, const struct ids *ids, struct cfver *v, struct fault *f)
{
	int p[2];
	char out[512];
	memset(v, 0, sizeof *v);
	if (pipe2(p, O_CLOEXEC))
		return fail(f, EIO, "cannot ask %s its version: %s", exe, strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return fail(f, EIO, "cannot ask %s its version: %s", exe, strerror(e));
	}
	if (pid == 0)
		ask(exe, ids, p[1]);
	close(p[1]);
	collect(p[0], out, sizeof out);
	close(p[0]);
	kill(pid, SIGKILL);     /* done or stuck: either way, gone */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	out[strcspn(out, "\n")] = 0;
	if (cfver_parse(out, v) == 0)
		return 0;
	return fail(f, EINVAL, "%s --version said \"%.60s\", not \"cloudflared version "
	            "YEAR.MONTH.PATCH\"", exe, out);
}

/* What a release does with a key. */
enum effect { IGNORED, REFUSED };

struct release { unsigned y, m, p; };

struct rule {
	const char *key;        /* from the top, or from any ingress rule */
	struct release since, until;    /* holds from since, up to until; 0: open */
	enum effect effect;
	/* Only when this holds too (NULL: always). */
	int (*when)(const struct config *c, int endpoint);
	const char *why;
};

static int has_region(const struct config *c, int endpoint)
{
	const struct ynode *r = ymap_get(c->tree.root, "region");
	return endpoint && r && r->str && r->str[0];
}

static int pq_over_http2(const struct config *c, int endpoint)
{
	(void)endpoint;
	const struct ynode *pq = ymap_get(c->tree.root, "post-quantum");
	const struct ynode *proto = ymap_get(c->tree.root, "protocol");
	int on = 0;
	return pq && pq->str && !val_bool(pq->str, &on) && on && proto && proto->str &&
	       !strcmp(proto->str, "http2");
}

#define R(y, m, p) { y, m, p }
#define ALWAYS { 0, 0, 0 }

/* Each from cloudflared's source; the commit says why. */
static const struct rule rules[] = {
	{ "warp-routing.enabled", R(2023, 10, 0), ALWAYS, IGNORED, NULL,
	  "cloudflared 2023.10.0 and later ignore it (fc0ecf41, TUN-7776): WARP routing is always on, "
	  "so enabled: false does not keep WARP traffic out; remove the tunnel's private network "
	  "routes in Cloudflare's dashboard for that" },
	{ "no-prechecks", ALWAYS, R(2026, 5, 0), IGNORED, NULL,
	  "new in cloudflared 2026.5.0 (ddd76fa0, TUN-10387)" },
	{ "quic-connection-level-flow-control-limit", ALWAYS, R(2024, 6, 1), IGNORED, NULL,
	  "new in cloudflared 2024.6.1 (e0b1899e, TUN-8449)" },
	{ "quic-stream-level-flow-control-limit", ALWAYS, R(2024, 6, 1), IGNORED, NULL,
	  "new in cloudflared 2024.6.1 (354a5bb8, TUN-8452)" },
	{ "rpc-timeout", ALWAYS, R(2024, 6, 0), IGNORED, NULL,
	  "new in cloudflared 2024.6.0 (eb2e4349, TUN-8415)" },
	{ "write-stream-timeout", ALWAYS, R(2024, 2, 1), IGNORED, NULL,
	  "new in cloudflared 2024.2.1 (76badfa0, TUN-8236)" },
	{ "originRequest.matchSNItoHost", ALWAYS, R(2024, 4, 0), IGNORED, NULL,
	  "new in cloudflared 2024.4.0 (b5be8a6f)" },
	{ "originRequest.access.environment", ALWAYS, R(2025, 9, 0), IGNORED, NULL,
	  "new in cloudflared 2025.9.0 (9e94122d, TUN-9820)" },
	{ "warp-routing.maxActiveFlows", ALWAYS, R(2025, 1, 1), IGNORED, NULL,
	  "new in cloudflared 2025.1.1 (8c2eda16, TUN-8861)" },
	{ "output", ALWAYS, ALWAYS, IGNORED, NULL,
	  "cloudflared takes its log format from --output or TUNNEL_LOG_OUTPUT only, never from "
	  "its config file (a65da549, 2025.6.1; not a tunnel option before); argoweb keeps the "
	  "console format, which its monitor reads" },
	{ "region", R(2025, 2, 1), ALWAYS, REFUSED, has_region,
	  "cloudflared 2025.2.1 and later stop at once with \"region provided with a token that "
	  "has an endpoint\" (6496322b, TUN-9007): the credential names its endpoint, which "
	  "chooses the region; remove region:" },
	{ "post-quantum", ALWAYS, R(2026, 5, 0), REFUSED, pq_over_http2,
	  "cloudflared before 2026.5.0 stops at once with \"post-quantum is only supported with "
	  "the quic transport\" (allowed over HTTP/2 since f674b82e, TUN-10413): set protocol: "
	  "quic, or remove post-quantum:" },
};

static int is_open(struct release r)
{
	return !r.y;
}

/* Does the rule hold for v? With v unknown, only a rule of every release. */
static int holds(const struct rule *r, const struct cfver *v)
{
	if (!v->known)
		return is_open(r->since) && is_open(r->until);
	return (is_open(r->since) || cfver_at_least(v, r->since.y, r->since.m, r->since.p)) &&
	       (is_open(r->until) || !cfver_at_least(v, r->until.y, r->until.m, r->until.p));
}

struct apply {
	struct config *c;
	const struct cfver *v;
	int endpoint, refused;
};

static void judge(struct apply *a, struct ynode *key, const char *path)
{
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		const struct rule *r = &rules[i];
		if (strcmp(r->key, path) || !holds(r, a->v) || (r->when && !r->when(a->c, a->endpoint)))
			continue;
		const char *rel = a->v->known ? a->v->text : "any release";
		if (r->effect == REFUSED) {
			msg_at(a->c->path, key->line, key->col, "%s: cloudflared %s would not start: %s",
			       path, rel, r->why);
			a->refused = 1;
		} else if (!key->omit) {    /* (an alias brings the same key twice) */
			msg_warn(a->c->path, key->line, key->col, "%s: cloudflared %s ignores it: %s; "
			         "left out of cloudflared's config", path, rel, r->why);
			key->omit = 1;
		}
	}
}

/* Every key of map at path (ingress rules start over: their keys are
 * matched like the top level's, as originRequest is in both). */
static void visit(struct apply *a, struct ynode *map, const char *path)
{
	char sub[256];
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		struct ynode *k = map->kid[i], *val = map->kid[i + 1];
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k->str);
		judge(a, k, sub);
		if (val->kind == YN_MAP)
			visit(a, val, sub);
		else if (val->kind == YN_SEQ && !*path && !strcmp(k->str, "ingress"))
			for (size_t j = 0; j < val->n; j++)
				if (val->kid[j]->kind == YN_MAP)
					visit(a, val->kid[j], "");
	}
}

int cfver_apply(struct config *c, const struct cfver *v, int endpoint)
{
	struct apply a = { .c = c, .v = v, .endpoint = endpoint };
	if (c->tree.root && c->tree.root->kind == YN_MAP)
		visit(&a, c->tree.root, "");
	return a.refused ? EX_CONFIG : 0;
}
