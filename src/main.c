/* argoweb: check a tunnel's config and secret, render cloudflared's config,
 * and exec cloudflared with nothing it does not need. main() is the
 * checklist; every step is one call that returns 0 or an exit code. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "atomicfile.h"
#include "audit.h"
#include "config.h"
#include "creds.h"
#include "http.h"
#include "launch.h"
#include "monitor.h"
#include "msg.h"
#include "privdrop.h"
#include "render.h"
#include "rundir.h"
#include "safefile.h"

#ifndef ARGOWEB_VERSION
#define ARGOWEB_VERSION "0.1.0"
#endif

enum cmd { CMD_CHECK, CMD_RENDER, CMD_RUN, CMD_STATUS, CMD_AUDIT };

struct opts {
	enum cmd cmd;
	int config_only, dry_run;
	const char *config;
};

/* What load_all found: the service user and the binary to exec. */
struct target {
	struct ids ids;
	char exe[PATH_MAX];
};

static const char usage[] =
	"usage: argoweb check [--config-only] CONFIG\n"
	"       argoweb render CONFIG\n"
	"       argoweb run [--dry-run] CONFIG\n"
	"       argoweb status CONFIG\n"
	"       argoweb audit CONFIG\n"
	"       argoweb --help | --version\n"
	"CONFIG is a path or an instance name (web means /etc/argoweb/web.yaml).\n"
	"Exit codes: 0 ok, 64 usage, 65 bad credential, 66 missing file, 69 cloudflared\n"
	"missing, 71 OS error, 73 cannot write, 77 permission, 78 config error.\n";

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct { const char *name; enum cmd cmd; const char *flag; } cmds[] = {
		{ "check", CMD_CHECK, "--config-only" },
		{ "render", CMD_RENDER, NULL },
		{ "run", CMD_RUN, "--dry-run" },
		{ "status", CMD_STATUS, NULL },
		{ "audit", CMD_AUDIT, NULL },
	};
	memset(o, 0, sizeof *o);
	if (argc < 2)
		goto bad;
	size_t i;
	for (i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (!strcmp(argv[1], cmds[i].name))
			break;
	if (i == sizeof cmds / sizeof *cmds)
		goto bad;
	o->cmd = cmds[i].cmd;
	int a = 2;
	if (a < argc && cmds[i].flag && !strcmp(argv[a], cmds[i].flag)) {
		*(o->cmd == CMD_CHECK ? &o->config_only : &o->dry_run) = 1;
		a++;
	}
	if (a + 1 != argc || argv[a][0] == '-' || !argv[a][0])
		goto bad;
	o->config = argv[a];
	return 0;
bad:
	fputs(usage, stderr);
	return EX_USAGE;
}

/* The tunnel: that cloudflared sees: the credential's own TunnelID when we
 * have it (so a tunnel *name* needs no origin certificate to resolve), none
 * for a token (it names its tunnel), else what the config says. */
static const char *tunnel_for_render(const struct config *c, const struct secret *s)
{
	if (s->kind == SEC_JSON)
		return s->tunnel_id;
	if (s->kind == SEC_TOKEN || c->id == ID_QUICK)
		return NULL;
	return c->tunnel;
}

/* The binary must be root's, or ours when we are not root (then only we
 * could have planted it). */
static int check_binary(const struct config *c, struct target *t)
{
	char why[SF_WHYLEN];
	uid_t me = geteuid();
	int rc = sf_check_binary(c->cloudflared, me, t->exe, sizeof t->exe, why);
	if (rc)
		msg("%s", why);
	return -rc;
}

/* cloudflared opens cacert itself, after the drop: the service user must
 * be able to read it, and nobody else to change it. */
static int check_cacert(const struct config *c, const struct target *t)
{
	if (!c->cacert)
		return 0;
	char why[SF_WHYLEN];
	struct sf_reader r = { .path = c->cacert, .uid = t->ids.uid, .gid = t->ids.gid };
	int rc = sf_check_readable(c->cacert, geteuid(), &r, why);
	if (rc)
		msg("cacert: %s", why);
	return -rc;
}

/* Everything `check` promises: config, service user, credential, binary. */
static int load_all(const struct opts *o, struct config *c, struct secret *s,
                    struct target *t)
{
	memset(s, 0, sizeof *s);
	int rc = cfg_load(c, o->config);
	if (rc || o->config_only || o->cmd == CMD_STATUS || o->cmd == CMD_AUDIT)
		return rc;
	if ((rc = pd_resolve(c->user, c->group, &t->ids)))
		return rc;
	/* Refuse a wrong starting user before touching the secret. */
	if (o->cmd == CMD_RUN && (rc = pd_may_become(&t->ids)))
		return rc;
	if ((rc = creds_load(c, t->ids.uid, s)))
		return rc;
	if (o->cmd == CMD_RENDER || (rc = check_binary(c, t)))
		return rc;
	return check_cacert(c, t);
}

static int cmd_check(const struct opts *o, const struct config *c)
{
	/* Exposure findings are the operator's to weigh: warn, do not fail. */
	if (!o->config_only)
		audit_run(c, 1);
	printf("%s: ok (%zu ingress rule%s, metrics %s)\n", c->path, c->nrules,
	       c->nrules == 1 ? "" : "s", c->metrics);
	return 0;
}

static int cmd_render(const struct config *c, const struct secret *s)
{
	char *out;
	size_t len;
	int rc = render_config(c, tunnel_for_render(c, s), &out, &len);
	if (rc)
		return rc;
	fwrite(out, 1, len, stdout);
	free(out);
	return fflush(stdout) ? EX_OSERR : 0;
}

/* One line for people and one exit code for scripts, from the same /ready
 * the monitor reads. */
static int cmd_status(const struct config *c)
{
	char body[1024], quick[256] = "";
	int code;
	if (http_get(c->metrics, "/ready", 2000, &code, body, sizeof body)) {
		printf("%s: not running (nothing answers on %s)\n", c->name, c->metrics);
		return EX_UNAVAILABLE;
	}
	int n = code == 200 ? http_ready_connections(body) : 0;
	if (n <= 0) {
		printf("%s: not connected\n", c->name);
		return 1;
	}
	if (c->id == ID_QUICK && !http_get(c->metrics, "/quicktunnel", 2000, &code, body, sizeof body))
		http_quick_hostname(body, quick, sizeof quick);
	printf("%s: connected, %d edge connection%s%s%s\n", c->name, n, n == 1 ? "" : "s",
	       quick[0] ? ", https://" : "", quick);
	return 0;
}

static void print_plan(const struct config *c, const struct secret *s,
                       const struct target *t, const struct plan *p, const char *rendered)
{
	printf("config: %s (instance %s)\n", c->path, c->name);
	if (s->kind != SEC_NONE)
		printf("credential: %s (%s, tunnel %s)\n", s->path,
		       s->kind == SEC_JSON ? "tunnel credentials JSON" : "tunnel token", s->tunnel_id);
	printf("user: %s (uid %u), group %s (gid %u), home %s\n", t->ids.user,
	       (unsigned)t->ids.uid, t->ids.group, (unsigned)t->ids.gid, t->ids.home);
	printf("cloudflared: %s\nrendered: %s (not written in a dry run)\nmetrics: %s\n",
	       t->exe, rendered, c->metrics);
	launch_print(p, stdout);
}

/* After the drop: the file is the service user's by construction. */
static int write_rendered(const char *dir, const char *buf, size_t len)
{
	int e = atomic_write(dir, "config.yml", buf, len);
	if (e)
		msg_at(dir, 0, 0, "cannot write config.yml: %s", strerror(-e));
	return e ? EX_CANTCREAT : 0;
}

static int cmd_run(const struct opts *o, struct config *c, struct secret *s,
                   const struct target *t)
{
	char dir[4096], rendered[4200], *out;
	size_t len;
	struct plan p;
	rundir_path(c, dir, sizeof dir);
	snprintf(rendered, sizeof rendered, "%s/config.yml", dir);
	int rc = render_config(c, tunnel_for_render(c, s), &out, &len);
	if (rc)
		return rc;
	if (o->dry_run) {
		/* Names only are printed: the value stays out of the plan. */
		launch_build(&p, c, t->exe, s->kind, "", rendered, t->ids.home);
		print_plan(c, s, t, &p, rendered);
		launch_free(&p);
		free(out);
		return 0;
	}
	if (!(rc = rundir_prepare(dir, !getenv("RUNTIME_DIRECTORY"), t->ids.uid, t->ids.gid)) &&
	    !(rc = pd_drop(&t->ids)))
		rc = write_rendered(dir, out, len);
	free(out);      /* before the monitor's fork: it would keep a copy */
	if (rc || (rc = mon_start(c, s)))
		return rc;
	launch_build(&p, c, t->exe, s->kind, s->buf, rendered, t->ids.home);
	creds_wipe(s);  /* the environment's copy is the only one left */
	return launch_exec(&p);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct config c;
	struct secret s;
	struct target t;
	memset(&c, 0, sizeof c);
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return fputs(usage, stdout), 0;
	if (argc == 2 && !strcmp(argv[1], "--version"))
		return puts("argoweb " ARGOWEB_VERSION), 0;
	/* We are about to hold a secret: no core dump, no ptrace by the
	 * service user. (exec resets this for cloudflared; the unit's
	 * LimitCORE=0 covers it.) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	int rc = parse_args(argc, argv, &o);
	if (!rc)
		rc = load_all(&o, &c, &s, &t);
	if (!rc && o.cmd == CMD_CHECK)
		rc = cmd_check(&o, &c);
	else if (!rc && o.cmd == CMD_RENDER)
		rc = cmd_render(&c, &s);
	else if (!rc && o.cmd == CMD_RUN)
		rc = cmd_run(&o, &c, &s, &t);
	else if (!rc && o.cmd == CMD_STATUS)
		rc = cmd_status(&c);
	else if (!rc && o.cmd == CMD_AUDIT)
		rc = audit_run(&c, 0) ? 1 : (printf("%s: no findings\n", c.path), 0);
	creds_wipe(&s);
	cfg_free(&c);
	return rc;
}
