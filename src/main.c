/* argoweb: check a tunnel's config and secret, render cloudflared's config,
 * and exec cloudflared with nothing it does not need. main() is the
 * checklist; each step is one call that prints what went wrong once and
 * returns an exit code (msg.h). */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "adoptsay.h"
#include "atomicfile.h"
#include "audit.h"
#include "cfver.h"
#include "config.h"
#include "creds.h"
#include "handover.h"
#include "launch.h"
#include "monitor.h"
#include "msg.h"
#include "osutil.h"
#include "privdrop.h"
#include "privgroup.h"
#include "takeover.h"
#include "ready.h"
#include "render.h"
#include "rundir.h"
#include "safefile.h"
#include "seed.h"
#include "units.h"

#ifndef ARGOWEB_VERSION
#define ARGOWEB_VERSION "0.1.0"
#endif

/* Everything a command works on. */
struct tunnel {
	struct config c;
	struct secret s;
	struct ids ids;         /* the service user */
	char exe[PATH_MAX];     /* the checked, resolved cloudflared */
	struct cfver ver;       /* its release, when it was asked */
	int rundir;             /* the runtime directory, held from check to write */
	enum opt { OPT_NONE, OPT_CONFIG_ONLY, OPT_DRY_RUN, OPT_HANDOVER } opt;  /* the one given */
};

/* argoweb status: 0 connected, 1 not connected, 2 degraded, 69 not running. */
#define STATUS_DEGRADED 2

/* What a command needs checked before it runs. */
enum {
	NEED_USER = 1,          /* the service user resolved */
	NEED_USER_IF_ANY = 2,   /* ... when it exists (render on a build host) */
	NEED_BECOME = 4,        /* and we can become it */
	NEED_CREDENTIAL = 8,
	NEED_BINARY = 16,       /* cloudflared, and the cacert it reads */
	NEED_TRUST = 32,        /* a config file no one else could have written */
	NEED_RULES = 64,        /* what cloudflared's releases refuse or ignore: refused, said */
	NEED_RELEASE_IF_ANY = 128, /* ... for the installed release, when there is one */
};

struct command {
	const char *name;
	struct {
		const char *word;
		enum opt opt;
	} flag[2];                      /* its options, one at a time */
	unsigned needs;                 /* what --config-only leaves out: all but the rules */
	int (*run)(struct tunnel *t);
};

static int cmd_check(struct tunnel *t);
static int cmd_render(struct tunnel *t);
static int cmd_run(struct tunnel *t);
static int cmd_status(struct tunnel *t);
static int cmd_audit(struct tunnel *t);
static int cmd_restart(struct tunnel *t);
static int cmd_adopt(int argc, char **argv);

static const struct command commands[] = {
	{ "check", { { "--config-only", OPT_CONFIG_ONLY } },
	  NEED_TRUST | NEED_USER | NEED_CREDENTIAL | NEED_BINARY | NEED_RULES, cmd_check },
	{ "render", { { NULL, OPT_NONE } },
	  NEED_USER_IF_ANY | NEED_CREDENTIAL | NEED_RULES | NEED_RELEASE_IF_ANY, cmd_render },
	{ "run", { { "--dry-run", OPT_DRY_RUN }, { "--handover", OPT_HANDOVER } },
	  NEED_TRUST | NEED_USER | NEED_BECOME | NEED_CREDENTIAL | NEED_BINARY | NEED_RULES, cmd_run },
	{ "status", { { NULL, OPT_NONE } }, 0, cmd_status },
	{ "audit", { { NULL, OPT_NONE } }, 0, cmd_audit },
	/* The new config is checked before anything is touched: a bad one
	 * leaves the tunnel running as it was. The credential and the binary
	 * are the hand-over connector's start's to check, with what its unit
	 * gives it (LoadCredential=, an encrypted one too): it fails first. */
	{ "restart", { { NULL, OPT_NONE } }, NEED_TRUST, cmd_restart },
};

static const char usage[] =
	"usage: argoweb check [--config-only] CONFIG\n"
	"       argoweb render CONFIG\n"
	"       argoweb run [--dry-run | --handover] CONFIG\n"
	"       argoweb restart CONFIG\n"
	"       argoweb status CONFIG\n"
	"       argoweb audit CONFIG\n"
	"       argoweb adopt [--apply] [UNIT] | adopt --undo NAME\n"
	"       argoweb --help | --version\n"
	"CONFIG is a path or an instance name (web means /etc/argoweb/web.yaml).\n"
	"Exit codes: 0 ok, 64 usage, 65 bad credential, 66 missing file, 69 cloudflared\n"
	"missing, 71 OS error, 73 cannot write, 77 permission, 78 config error.\n";

/* The command, its flag (into t) and CONFIG (into *config). */
static const struct command *parse_args(int argc, char **argv, struct tunnel *t,
                                        const char **config)
{
	const struct command *cmd = NULL;
	for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return NULL;
	int a = 2;
	for (int i = 0; i < 2 && a < argc && cmd->flag[i].word; i++)
		if (!strcmp(argv[a], cmd->flag[i].word)) {
			t->opt = cmd->flag[i].opt;
			a++;
			break;
		}
	if (a + 1 != argc || argv[a][0] == '-' || !argv[a][0])
		return NULL;
	*config = argv[a];
	return cmd;
}

/* The groups cloudflared keeps must be the service user's alone: the one
 * the drop keeps; and, started as the service user (systemd's User=),
 * every supplementary group it was given, which nothing sheds. Under
 * PrivateUsers= a group the namespace does not map reads as the overflow
 * gid yet keeps its access: it cannot be checked, so it is refused. */
static int step_group(const struct tunnel *t)
{
	struct fault f = { 0 };
	gid_t g[64];
	int n = geteuid() == 0 ? 0 : getgroups(64, g);
	if (n < 0) {
		msg("getgroups: %s", strerror(errno));
		return EX_OSERR;
	}
	for (int i = 0; i < n; i++) {
		int mapped = g[i] == t->ids.gid ? 1 : pg_mapped_here(g[i]);
		if (mapped < 0) {
			msg("/proc/self/gid_map: %s", strerror(-mapped));
			return EX_OSERR;
		}
		if (!mapped) {
			msg("%s: the service user has a group this user namespace does not map (gid %u; "
			    "PrivateUsers=): it keeps that group's access and argoweb cannot check it: "
			    "remove %s from every group but its own (id %s; gpasswd -d %s GROUP)",
			    t->c.path, (unsigned)g[i], t->ids.user, t->ids.user, t->ids.user);
			return EX_NOPERM;
		}
	}
	for (int i = -1; i < n; i++) {
		gid_t gid = i < 0 ? t->ids.gid : g[i];
		if (pg_check(gid, t->ids.uid, t->ids.user, &f) == 0)
			continue;
		struct group *gr = getgrgid(gid);
		msg("%s: group %s (gid %u, %s) %s: the service user's groups must be its own alone; "
		    "give it a group of its own (e.g. group: argoweb) and no other (gpasswd -d %s GROUP)",
		    t->c.path, gr ? gr->gr_name : "?", (unsigned)gid,
		    i >= 0 ? "a supplementary group" : t->c.group ? "from group:" : "the user's own", f.why,
		    t->ids.user);
		return EX_NOPERM;
	}
	return 0;
}

/* The service user; for render on a host where it does not exist yet (a
 * build host), the credential is then checked as ours. */
static int step_user(struct tunnel *t, unsigned needs)
{
	struct fault absent = { 0 };
	if (needs & NEED_USER) {
		int rc = pd_resolve(t->c.user, t->c.group, &t->ids);
		return rc ? rc : step_group(t);
	}
	int e = pd_lookup(t->c.user, t->c.group, &t->ids, &absent);
	if (e == -ENOENT) {
		t->ids.uid = geteuid();
		return 0;
	}
	return e ? pd_resolve(t->c.user, t->c.group, &t->ids) : 0;
}

/* The binary must be root's, or ours when we are not root (then only we
 * could have planted it); cacert likewise, and readable by the service
 * user, who opens it after the drop. */
static int step_binary(struct tunnel *t)
{
	struct fault f = { 0 };
	int e = sf_check_binary(t->c.cloudflared, geteuid(), t->exe, sizeof t->exe, &f);
	if (e) {
		msg_fault(NULL, &f);
		return e == -ENOENT || e == -ENOEXEC ? EX_UNAVAILABLE : exit_for(e);
	}
	if (!t->c.cacert)
		return 0;
	struct sf_reader r = { .path = t->c.cacert, .uid = t->ids.uid, .gid = t->ids.gid };
	e = sf_check_readable(t->c.cacert, geteuid(), &r, &f);
	if (e)
		msg("cacert: %s", f.why);
	return exit_for(e);
}

/* Which release the config meets, and what that release makes of it
 * (cfver.h). Rendering without a binary (a build host) keeps what every
 * release accepts alike; `run` cannot get there without one. */
static int step_release(struct tunnel *t, unsigned needs)
{
	struct fault f = { 0 }, absent = { 0 };
	if ((needs & NEED_BINARY) ||
	    ((needs & NEED_RELEASE_IF_ANY) &&
	     !sf_check_binary(t->c.cloudflared, geteuid(), t->exe, sizeof t->exe, &absent))) {
		if (cfver_read(t->exe, &t->ids, &t->ver, &f))
			msg_warn(t->c.path, 0, 0, "cannot tell which cloudflared release this is (%s): "
			         "only what every release does is checked", f.why);
	}
	return cfver_apply(&t->c, &t->ver, t->s.endpoint);
}

/* Everything the command needs, in the order a careful operator checks. */
static int prepare(const struct command *cmd, struct tunnel *t, const char *config)
{
	unsigned needs = t->opt == OPT_CONFIG_ONLY ? NEED_RULES : cmd->needs;
	/* The caller's own file, or root's: else whoever wrote it would
	 * choose which of the caller's credentials goes to which user. */
	int rc = needs & NEED_TRUST ? cfg_load_trusted(&t->c, config, getuid())
	                            : cfg_load(&t->c, config);
	if (!rc && t->opt == OPT_HANDOVER)
		cfg_handover(&t->c);
	if (!rc && (needs & (NEED_USER | NEED_USER_IF_ANY)))
		rc = step_user(t, needs);
	/* Refuse a wrong starting user before touching the secret. */
	if (!rc && (needs & NEED_BECOME))
		rc = pd_may_become(&t->ids);
	if (!rc && (needs & NEED_CREDENTIAL))
		rc = creds_load(&t->c, t->ids.uid, t->ids.gid, &t->s);
	if (!rc && (needs & NEED_BINARY))
		rc = step_binary(t);
	/* A dashboard-managed tunnel with no rules of its own serves what
	 * Cloudflare pushed last, from its first registration (seed.h). */
	if (!rc && (needs & NEED_CREDENTIAL) && t->s.kind == SEC_TOKEN && !t->c.nrules &&
	    t->c.seed_remote)
		rc = seed_apply(&t->c, t->ids.uid);
	if (!rc && (needs & NEED_RULES))
		rc = step_release(t, needs);
	return rc;
}

/* The tunnel: that cloudflared sees: the credential's own TunnelID when it
 * has one (so a tunnel *name* needs no origin certificate to resolve),
 * none for a token (it names its tunnel) or a quick tunnel, else what the
 * config says. */
static const char *tunnel_for_render(const struct tunnel *t)
{
	const struct cred_kind *k = cred_kind(t->s.kind);
	if (k)
		return k->render_tunnel_id ? t->s.tunnel_id : NULL;
	return t->c.quick_url ? NULL : t->c.tunnel;
}

/* A stop drains for up to grace-period; the unit's TimeoutStopSec= must
 * hold that, or systemd kills what drains and the stop fails. Asked of
 * systemd where it runs and knows the tunnel's unit. */
#define STOP_MARGIN_MS 10000

static int check_stop_timeout(const struct config *c)
{
	char unit[300];
	long long stop_ms;
	long long grace_ms = c->grace_ns / 1000000;
	if (units_stop_timeout(c, &stop_ms, unit, sizeof unit) || grace_ms + STOP_MARGIN_MS <= stop_ms)
		return 0;
	const struct ynode *g = ymap_get(c->tree.root, "grace-period");
	msg_at(c->path, g ? g->line : 0, g ? g->col : 0, "grace-period: %llds of draining do not fit "
	       "%s's TimeoutStopSec= (%llds): systemd would kill the drain and fail the stop; give the "
	       "unit at least %llds (a drop-in: [Service] TimeoutStopSec=%llds) or shorten grace-period",
	       grace_ms / 1000, unit, stop_ms / 1000, (grace_ms + STOP_MARGIN_MS) / 1000,
	       (grace_ms + STOP_MARGIN_MS) / 1000);
	return EX_CONFIG;
}

static int cmd_check(struct tunnel *t)
{
	int rc = t->opt == OPT_CONFIG_ONLY ? 0 : check_stop_timeout(&t->c);
	if (rc)
		return rc;
	/* Exposure findings are the operator's to weigh: warn, do not fail. */
	if (t->opt != OPT_CONFIG_ONLY)
		audit_run(&t->c, AUDIT_WARN);
	if (t->c.seed_version >= 0)
		printf("%s: ok (%zu ingress rule%s kept from Cloudflare's configuration version %lld, "
		       "metrics %s)\n", t->c.path, t->c.nrules, t->c.nrules == 1 ? "" : "s",
		       t->c.seed_version, t->c.metrics.text);
	else
		printf("%s: ok (%zu ingress rule%s, metrics %s)\n", t->c.path, t->c.nrules,
		       t->c.nrules == 1 ? "" : "s", t->c.metrics.text);
	return 0;
}

static int cmd_render(struct tunnel *t)
{
	char *out;
	size_t len;
	int rc = render_config(&t->c, tunnel_for_render(t), &out, &len);
	if (rc)
		return rc;
	fwrite(out, 1, len, stdout);
	free(out);
	return fflush(stdout) ? EX_OSERR : 0;
}

/* A tunnel whose rules may come from Cloudflare (a token, named or
 * systemd's, and no ingress of its own): which configuration it serves,
 * as "; ..." for the status line (empty for any other), and whether it
 * has none yet (every request 503 until the push). */
static int config_source(const struct config *c, const struct ids *ids, char *s, size_t n)
{
	char *body;
	struct fault distrust = { 0 };
	size_t len;
	long long version;
	int waiting = 0;
	s[0] = 0;
	if (c->nrules || !creds_may_be_token(c) ||
	    ready_get(&c->metrics, ids->uid, ids->user, 2000, "/config", SEED_MAX, &body, &len,
	              &distrust))
		return 0;
	if (seed_served(body, len, &version, &waiting) == 0 && version >= 0)
		snprintf(s, n, "; configuration version %lld from Cloudflare", version);
	else if (!waiting)
		snprintf(s, n, "; the kept configuration until Cloudflare pushes");
	free(body);
	return waiting;
}

/* The tunnel's own connector: one line, and the exit code. */
static int status_main(const struct config *c, const struct ids *ids)
{
	struct ready r = { 0 };
	char src[128];
	ready_probe(&c->metrics, ids->uid, ids->user, 2000, c->quick_url != NULL, &r);
	if (r.distrust.why[0]) {
		printf("%s: %s\n", c->name, r.distrust.why);
		return EX_UNAVAILABLE;
	}
	if (!r.answered) {
		printf("%s: not running (nothing answers on %s)\n", c->name, c->metrics.text);
		return EX_UNAVAILABLE;
	}
	if (r.connections <= 0) {
		printf("%s: not connected\n", c->name);
		return 1;
	}
	if (config_source(c, ids, src, sizeof src)) {
		printf("%s: connected to the edge (%d connection%s), waiting for the tunnel's "
		       "configuration from Cloudflare\n", c->name, r.connections,
		       r.connections == 1 ? "" : "s");
		return 1;
	}
	/* Up, but on fewer connections than cloudflared opens: serving, with
	 * less to fail over to. A script tells it apart by the status. */
	if (r.connections < c->expected_conns) {
		printf("%s: degraded, %d of %d edge connections%s%s%s\n", c->name, r.connections,
		       c->expected_conns, r.quick[0] ? ", https://" : "", r.quick, src);
		return STATUS_DEGRADED;
	}
	printf("%s: connected, %d edge connection%s%s%s%s\n", c->name, r.connections,
	       r.connections == 1 ? "" : "s", r.quick[0] ? ", https://" : "", r.quick, src);
	return 0;
}

/* One line for people and one exit code for scripts, from the same /ready
 * the monitor reads; and a hand-over in progress (argoweb restart), which
 * serves the tunnel while its unit restarts. */
static int cmd_status(struct tunnel *t)
{
	const struct config *c = &t->c;
	struct ids ids;
	struct fault f = { 0 };
	if (pd_lookup(c->user, c->group, &ids, &f)) {
		msg("%s: cannot tell whether what answers on %s is the tunnel's: %s", c->name,
		    c->metrics.text, f.why);
		return EX_NOPERM;
	}
	int rc = status_main(c, &ids);
	struct hostport hp;
	struct ready h = { 0 };
	ho_metrics(c, &hp);
	ready_probe(&hp, ids.uid, ids.user, 1000, 0, &h);
	if (!h.answered || h.distrust.why[0] || h.connections <= 0)
		return rc;
	if (ho_restart_running(c)) {
		printf("%s: hand-over in progress: argoweb-handover@%s has %d edge connection%s\n",
		       c->name, c->name, h.connections, h.connections == 1 ? "" : "s");
		return rc == STATUS_DEGRADED ? rc : 0;
	}
	/* No argoweb restart runs: one was killed before it could stop it. */
	printf("%s: a hand-over connector left behind: argoweb-handover@%s has %d edge connection%s "
	       "and no argoweb restart runs; stop it: systemctl stop argoweb-handover@%s\n", c->name,
	       c->name, h.connections, h.connections == 1 ? "" : "s", c->name);
	return rc ? rc : STATUS_DEGRADED;
}

/* The units run /etc/argoweb/NAME.yaml (NixOS: its own file, which it
 * links there): checking another file and restarting would deploy what was
 * not checked. */
static int cmd_restart(struct tunnel *t)
{
	char want[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	/* Said now, not as a hand-over that "did not connect" later. */
	if (geteuid() != 0) {
		inst_restart_lock(t->c.name, want, sizeof want);
		msg("argoweb restart %s: run it as root: it starts and stops the tunnel's systemd "
		    "units and holds %s", t->c.name, want);
		return EX_NOPERM;
	}
	inst_config(t->c.name, want, sizeof want);
	if (strcmp(t->c.path, want) &&
	    (!realpath(t->c.path, a) || !realpath(want, b) || strcmp(a, b))) {
		msg("%s: the tunnel's units run %s: install it there (or name the instance, %s), "
		    "then argoweb restart %s", t->c.path, want, t->c.name, t->c.name);
		return EX_USAGE;
	}
	int rc = pd_resolve(t->c.user, t->c.group, &t->ids);
	return rc ? rc : ho_restart(&t->c, &t->ids);
}

/* The instance name argoweb gives UNIT: its own, without .service, '@'
 * as '-' (cloudflared.service is argoweb@cloudflared). 0, or EX_USAGE
 * after saying why. */
static int adopt_name(const char *unit, char *name, size_t size)
{
	size_t n = strlen(unit);
	if (n > 8 && !strcmp(unit + n - 8, ".service"))
		n -= 8;
	snprintf(name, size, "%.*s", (int)n, unit);
	for (char *p = name; *p; p++)
		if (*p == '@')
			*p = '-';
	if (cfg_valid_name(name) && !strpbrk(unit, "/ \t\n"))
		return 0;
	msg("%s: not a unit whose name argoweb can take (%s)", unit, name);
	return EX_USAGE;
}

/* argoweb adopt [--apply | --undo NAME] [UNIT]: the plan, always printed;
 * then, with --apply, carried out. */
static int cmd_adopt(int argc, char **argv)
{
	static struct adopt ad;
	const char *unit = "cloudflared.service";
	int apply = argc > 2 && !strcmp(argv[2], "--apply");

	if (argc == 4 && !strcmp(argv[2], "--undo")) {
		if (cfg_valid_name(argv[3]))
			return takeover_undo(argv[3]);
		msg("%s: not an instance name", argv[3]);
		return EX_USAGE;
	}
	if (argc > 2 + apply)
		unit = argv[2 + apply];
	if (argc > 3 + apply || unit[0] == '-') {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	int rc = adopt_name(unit, ad.name, sizeof ad.name);
	if (!rc)
		rc = adopt_read(&ad, unit);
	struct fault f = { 0 };
	if (!rc && adopt_plan(&ad, &f)) {
		adopt_scrub(f.why);
		msg("%s: %s", ad.unit, f.why);
		rc = EX_CONFIG;
	}
	if (!rc) {
		adopt_print(&ad, stdout);
		if (!apply)
			printf("dry run: nothing changed; argoweb adopt --apply %s does it\n", unit);
		fflush(stdout);
		if (apply)
			rc = takeover_apply(&ad);
	}
	adopt_free(&ad);
	return rc;
}

static int cmd_audit(struct tunnel *t)
{
	if (audit_run(&t->c, AUDIT_REPORT))
		return 1;
	printf("%s: no findings\n", t->c.path);
	return 0;
}

static void print_plan(const struct tunnel *t, const struct plan *p, const char *rendered)
{
	const struct cred_kind *k = cred_kind(t->s.kind);
	printf("config: %s (instance %s)\n", t->c.path, t->c.name);
	if (k)
		printf("credential: %s (%s, tunnel %s)\n", t->s.path, k->label, t->s.tunnel_id);
	const struct group *gr = t->ids.group[0] ? NULL : getgrgid(t->ids.gid);
	printf("user: %s (uid %u), group %s (gid %u), home %s\n", t->ids.user, (unsigned)t->ids.uid,
	       t->ids.group[0] ? t->ids.group : gr ? gr->gr_name : "?", (unsigned)t->ids.gid, t->ids.home);
	printf("cloudflared: %s\nrendered: %s (not written in a dry run)\nmetrics: %s\n",
	       t->exe, rendered, t->c.metrics.text);
	launch_print(p, stdout);
}

/* Render, and where it goes. Before the drop: the directory is made for
 * the service user while we may still create it. */
static int step_prepare(struct tunnel *t, char *dir, size_t n, char **out, size_t *len)
{
	struct fault f = { 0 };
	rundir_path(&t->c, dir, n);
	int rc = render_config(&t->c, tunnel_for_render(t), out, len);
	if (rc || t->opt == OPT_DRY_RUN)
		return rc;
	t->rundir = rundir_open(dir, !getenv("RUNTIME_DIRECTORY"), t->ids.uid, t->ids.gid, &f);
	if (t->rundir >= 0)
		return 0;
	free(*out);
	msg_fault(NULL, &f);
	return EX_CANTCREAT;
}

/* After the drop: the file is the service user's by construction. */
static int step_write(int dirfd, const char *dir, char *out, size_t len)
{
	int e = atomic_write_at(dirfd, "config.yml", out, len);
	close(dirfd);
	free(out);      /* before the monitor's fork: it would keep a copy */
	if (e)
		msg_at(dir, 0, 0, "cannot write config.yml: %s", strerror(-e));
	return e ? EX_CANTCREAT : 0;
}

static int step_exec(struct tunnel *t, const char *rendered)
{
	struct plan p;
	int rc = launch_build(&p, &t->c, t->exe, t->s.kind, t->s.buf, rendered, t->ids.home);
	creds_wipe(&t->s);      /* the environment's copy is the only one left */
	return rc ? rc : launch_exec(&p);
}

static int dry_run(struct tunnel *t, const char *rendered, char *out)
{
	struct plan p;
	free(out);
	/* Names only are printed: the value stays out of the plan. */
	int rc = launch_build(&p, &t->c, t->exe, t->s.kind, "", rendered, t->ids.home);
	if (rc)
		return rc;
	print_plan(t, &p, rendered);
	launch_free(&p);
	return 0;
}

/* prepare -> drop -> write -> monitor -> exec. */
static int cmd_run(struct tunnel *t)
{
	char dir[4096], rendered[4200], *out;
	size_t len;
	int rc = step_prepare(t, dir, sizeof dir, &out, &len);
	snprintf(rendered, sizeof rendered, "%s/config.yml", dir);
	if (rc)
		return rc;
	if (t->opt == OPT_DRY_RUN)
		return dry_run(t, rendered, out);
	rc = pd_drop(&t->ids);
	if (rc) {
		free(out);
		return rc;
	}
	rc = step_write(t->rundir, dir, out, len);
	if (rc)
		return rc;
	rc = mon_start(&t->c, &t->s);
	if (rc)
		return rc;
	return step_exec(t, rendered);
}

int main(int argc, char **argv)
{
	static struct tunnel t;
	const char *config = NULL;
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		puts("argoweb " ARGOWEB_VERSION);
		return 0;
	}
	/* We are about to hold a secret: no core dump, no ptrace by the
	 * service user. (exec resets this for cloudflared; the unit's
	 * LimitCORE=0 covers it.) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	msg_journal = os_stderr_is_journal();
	if (argc >= 2 && !strcmp(argv[1], "adopt"))
		return cmd_adopt(argc, argv);
	const struct command *cmd = parse_args(argc, argv, &t, &config);
	if (!cmd) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	int rc = prepare(cmd, &t, config);
	if (!rc)
		rc = cmd->run(&t);
	creds_wipe(&t.s);
	cfg_free(&t.c);
	return rc;
}
