/* adopt: see adopt.h. What the old unit runs is read as systemd and
 * cloudflared would read it (unitfile.c, cfargv.c); each setting is then
 * carried over to argoweb's config as the same key, left to argoweb (with
 * the reason said), or refused (with the reason): never guessed at. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adopt.h"
#include "config.h"
#include "json.h"
#include "posixacl.h"
#include "safefile.h"
#include "schema.h"
#include "units.h"
#include "values.h"
#include "xalloc.h"
#include "yemit.h"

/* What becomes of a setting, by its name (a flag's, which is also its
 * key in cloudflared's config file and in argoweb's). */
enum act { KEEP, DROP, REFUSE, SECRET, TUNNEL };
static const struct {
	const char *name;
	enum act act;
	const char *why;
} acts[] = {
	{ "token", SECRET, NULL }, { "token-file", SECRET, NULL },
	{ "credentials-file", SECRET, NULL }, { "credentials-contents", SECRET, NULL },
	{ "tunnel", TUNNEL, NULL },
	{ "config", DROP, "read: its settings are carried over" },
	{ "no-autoupdate", DROP, "argoweb pins no-autoupdate: true" },
	{ "autoupdate-freq", DROP, "argoweb pins no-autoupdate: true (update cloudflared with the package manager)" },
	{ "pidfile", DROP, "systemd tracks the process" },
	{ "logfile", DROP, "cloudflared's log goes to the journal, through argoweb" },
	{ "log-directory", DROP, "cloudflared's log goes to the journal, through argoweb" },
	{ "metrics", DROP, "argoweb gives the tunnel a loopback address of its own (argoweb status "
	                   "finds it), so that the old and the new connector can run side by side" },
	{ "metrics-update-freq", DROP, "not used by the connector" },
	{ "trace-output", DROP, "a debugging aid; add it back by hand if you need it" },
	{ "origincert", DROP, "not needed: the tunnel runs from its credential" },
	{ "url", REFUSE, "single-origin mode: write the origin as an ingress rule in the config first" },
	{ "hello-world", REFUSE, "single-origin mode: write service: hello_world as an ingress rule first" },
	{ "unix-socket", REFUSE, "single-origin mode: write service: unix:PATH as an ingress rule first" },
	{ "name", REFUSE, "it creates and routes a tunnel at each start: not one tunnel to adopt" },
	{ "hostname", REFUSE, "it routes DNS at each start: do that once, by hand" },
	{ "lb-pool", REFUSE, "it routes a load balancer at each start: do that once, by hand" },
	{ "features", REFUSE, "argoweb does not pass cloudflared's feature flags" },
	{ "proxy-dns", REFUSE, "cloudflared's DNS proxy is gone since 2026.2.0: use a local resolver" },
	{ "icmpv4-src", REFUSE, "argoweb does not carry WARP's ICMP settings" },
	{ "icmpv6-src", REFUSE, "argoweb does not carry WARP's ICMP settings" },
	{ "dial-edge-timeout", REFUSE, "argoweb has no key for it" },
};

static int act_of(const char *name, const char **why)
{
	for (size_t i = 0; i < sizeof acts / sizeof *acts; i++)
		if (!strcmp(acts[i].name, name)) {
			*why = acts[i].why;
			return (int)acts[i].act;
		}
	*why = NULL;
	return KEEP;
}

__attribute__((format(printf, 2, 3)))
static void note(struct adopt *ad, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	n = n < 0 ? 0 : n >= (int)sizeof line ? (int)sizeof line - 1 : n;
	ad->notes = xrealloc(ad->notes, ad->notes_len + (size_t)n + 2);
	memcpy(ad->notes + ad->notes_len, line, (size_t)n);
	ad->notes_len += (size_t)n + 1;
	ad->notes[ad->notes_len - 1] = '\n';
	ad->notes[ad->notes_len] = 0;
}

/* ---- reading ------------------------------------------------------------ */

/* A path cloudflared takes as given, relative to its working directory
 * (no ~ expanded: credential_finder.go's staticPath): adopt, whose own
 * directory is another, reads only a full one. */
static int absolute(const char *path, const char *from, struct fault *f)
{
	return path[0] == '/' ? 0
	       : fail(f, EINVAL, "%s %s: not a full path: write it from / in the unit first", from, path);
}

/* The unit's own files are where systemd says. What its command line and
 * environment name (and cloudflared's default places in the user's home)
 * may be the unit's user's to place: adopt, as root, reads them as the
 * config is read, root's or that user's, in directories likewise, a link
 * only when root's, so that the user cannot point one at a file of
 * root's that adopt would then quote. */
static int open_read(const struct adopt *ad, const char *path, enum af_role role, struct fault *f)
{
	struct fault walk = { 0 };
	int fd = role == AF_UNIT || role == AF_DROPIN ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
	                                              : sf_open_config(path, ad->owner, &walk);
	if (fd >= 0)
		return fd;
	if (role == AF_UNIT || role == AF_DROPIN)
		return errno == ENOENT ? -ENOENT : fail(f, EINVAL, "%s: %s", path, strerror(errno));
	return fd == -ENOENT ? -ENOENT : fail(f, EINVAL, "%s", walk.why);
}

/* path into a new f[] entry: its index; or -ENOENT, not there (and f
 * empty: the caller says whether that is wrong), or -EINVAL with f. */
static int add_file(struct adopt *ad, const char *path, enum af_role role, struct fault *f)
{
	if (ad->nf == ADOPT_MAX_FILES)
		return fail(f, EINVAL, "%s: more files than argoweb adopt reads", path);
	struct adopt_file *af = &ad->f[ad->nf];
	int fd = open_read(ad, path, role, f);
	if (fd < 0)
		return fd;
	struct stat st;
	char *buf = NULL;
	ssize_t got = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > ADOPT_FILE_MAX) {
		close(fd);
		return fail(f, EINVAL, "%s: not a regular file of at most 1 MiB", path);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	buf[got] = 0;
	if (lstat(path, &af->st))
		af->st = st;
	af->path = xstrdup(path);
	af->role = role;
	af->text = buf;
	af->len = (size_t)got;
	return (int)ad->nf++;
}

/* Environment= of the unit, then each EnvironmentFile= over it (systemd's
 * order), remembering which file set each variable. */
static int read_env(struct adopt *ad, struct fault *f)
{
	for (size_t i = 0; i < ad->svc.env.n; i++) {
		uf_set(&ad->env, ad->svc.env.name[i], strlen(ad->svc.env.name[i]), ad->svc.env.value[i],
		       strlen(ad->svc.env.value[i]));
	}
	for (size_t i = 0; i < ad->env.n; i++)
		ad->env_file[i] = ad->exec_file;
	for (size_t i = 0; i < ad->svc.nenvfile; i++) {
		const char *p = ad->svc.envfile[i];
		int optional = p[0] == '-';
		int k = add_file(ad, p + optional, AF_ENVFILE, f);
		if (k == -ENOENT && optional)
			continue;
		if (k < 0)
			return k == -ENOENT ? fail(f, EINVAL, "EnvironmentFile=%s: no such file", p) : k;
		struct uf_vars v = { 0 };
		if (uf_envfile(ad->f[k].text, ad->f[k].len, &v, f)) {
			uf_vars_free(&v);
			return fault_of(f, ad->f[k].path);
		}
		for (size_t j = 0; j < v.n; j++) {
			uf_set(&ad->env, v.name[j], strlen(v.name[j]), v.value[j], strlen(v.value[j]));
			for (size_t e = 0; e < ad->env.n; e++)
				if (!strcmp(ad->env.name[e], v.name[j]))
					ad->env_file[e] = k;
		}
		uf_vars_free(&v);
	}
	return 0;
}

/* cloudflared's config file: --config, or the first of its default
 * places (config/configuration.go: ~/.cloudflared, ~/.cloudflare-warp,
 * ~/cloudflare-warp, /etc/cloudflared, /usr/local/etc/cloudflared; in
 * each config.yml, then config.yaml), which a token tunnel reads too. */
static int read_config(struct adopt *ad, struct fault *f)
{
	const struct cfa_value *cv = cfa_get(&ad->args, "config");
	char path[4200];
	ad->config_file = -1;
	if (cv) {
		if (absolute(cv->v[0], cv->from, f))
			return -EINVAL;
		int k = add_file(ad, cv->v[0], AF_CONFIG, f);
		if (k < 0)
			return k == -ENOENT ? fail(f, EINVAL, "%s %s: no such file", cv->from, cv->v[0]) : k;
		ad->config_file = k;
	} else {
		static const char *const dirs[] = { "~/.cloudflared", "~/.cloudflare-warp", "~/cloudflare-warp",
		                                    "/etc/cloudflared", "/usr/local/etc/cloudflared" };
		for (size_t i = 0; ad->config_file < 0 && i < 10; i++) {
			const char *d = dirs[i / 2];
			snprintf(path, sizeof path, "%s%s/config.%s", d[0] == '~' ? ad->home : "",
			         d + (d[0] == '~'), i % 2 ? "yaml" : "yml");
			int k = add_file(ad, path, AF_CONFIG, f);
			if (k < 0 && k != -ENOENT)
				return k;
			ad->config_file = k;
		}
		ad->config_file = ad->config_file < 0 ? -1 : ad->config_file;
	}
	if (ad->config_file < 0)
		return 0;
	struct adopt_file *cf = &ad->f[ad->config_file];
	if (ytree_parse(&ad->base, cf->text, cf->len, f))
		return fault_of(f, cf->path);
	if (ad->base.root && ad->base.root->kind != YN_MAP)
		return fail(f, EINVAL, "%s: not a mapping of keys", cf->path);
	return 0;
}

int adopt_read_files(struct adopt *ad, const char *unit, const char *const *paths, size_t n,
                     const char *home, struct fault *f)
{
	snprintf(ad->unit, sizeof ad->unit, "%s", unit);
	snprintf(ad->home, sizeof ad->home, "%s", home);
	ad->exec_file = -1;
	for (size_t i = 0; i < n; i++) {
		int k = add_file(ad, paths[i], i ? AF_DROPIN : AF_UNIT, f);
		if (k < 0)
			return k == -ENOENT ? fail(f, EINVAL, "%s: no such file", paths[i]) : k;
		char *before = ad->svc.exec ? xstrdup(ad->svc.exec) : NULL;
		int bad = uf_parse(ad->f[k].text, ad->f[k].len, &ad->svc, f);
		if (!bad && (ad->svc.exec ? !before || strcmp(before, ad->svc.exec) : !!before))
			ad->exec_file = k;
		free(before);
		if (bad)
			return fault_of(f, paths[i]);
	}
	if (!ad->svc.exec)
		return fail(f, EINVAL, "%s: no ExecStart=", unit);
	if (ad->svc.exec_count > 1)
		return fail(f, EINVAL, "%s: %d ExecStart= lines: argoweb adopt takes over one cloudflared",
		            unit, ad->svc.exec_count);
	if (read_env(ad, f) || uf_exec_argv(ad->svc.exec, &ad->env, ad->argv, &ad->argc, f))
		return -EINVAL;
	if (cfa_argv(&ad->args, ad->argv, ad->argc, f) || cfa_env(&ad->args, &ad->env, f))
		return fault_of(f, ad->f[ad->exec_file].path);
	return read_config(ad, f);
}

/* systemctl show -p PROP --value UNIT into out. */
static int show(const char *unit, const char *prop, char *out, size_t n)
{
	const char *args[] = { "show", "-p", prop, "--value", unit, NULL };
	return units_systemctl(out, n, args);
}

int adopt_read(struct adopt *ad, const char *unit)
{
	char load[64], frag[4200], drop[8192], user[256];
	struct fault f = { 0 };
	if (show(unit, "LoadState", load, sizeof load) != 0) {
		msg("%s: systemctl show failed: adopt reads the unit as systemd has it loaded "
		    "(is systemd running here?)", unit);
		return EX_OSERR;
	}
	if (strcmp(load, "loaded")) {
		msg("%s: no such unit (LoadState=%s)", unit, load);
		return EX_NOINPUT;
	}
	if (show(unit, "FragmentPath", frag, sizeof frag) || !frag[0] ||
	    show(unit, "DropInPaths", drop, sizeof drop) || show(unit, "User", user, sizeof user)) {
		msg("%s: systemctl show cannot say where its files are", unit);
		return EX_OSERR;
	}
	const char *paths[ADOPT_MAX_FILES / 2];
	size_t n = 0;
	paths[n++] = frag;
	for (char *s = drop, *t; n < ADOPT_MAX_FILES / 2 && (t = strtok_r(s, " ", &s));)
		paths[n++] = t;
	struct passwd *pw = getpwnam(user[0] ? user : "root");
	ad->owner = pw ? pw->pw_uid : 0;
	if (adopt_read_files(ad, unit, paths, n, pw ? pw->pw_dir : "/root", &f)) {
		adopt_scrub(f.why);
		msg("%s: %s", unit, f.why);
		return EX_CONFIG;
	}
	return 0;
}

/* ---- the credential ------------------------------------------------------ */

/* The setting name, from the command line or environment, else the
 * config file: its value (NULL when neither gives it) and where. */
static const char *setting(struct adopt *ad, const char *name, char *from, size_t n, int *file)
{
	const struct cfa_value *v = cfa_get(&ad->args, name);
	if (v) {
		*file = v->from_env ? -1 : ad->exec_file;
		for (size_t e = 0; v->from_env && e < ad->env.n; e++)
			if (!strcmp(ad->env.name[e], v->from))
				*file = ad->env_file[e];
		snprintf(from, n, "%s", v->from);
		return v->v[v->n - 1];
	}
	const struct ynode *y = ad->base.root ? ymap_get(ad->base.root, name) : NULL;
	if (!y || y->kind != YN_SCALAR)
		return NULL;
	*file = ad->config_file;
	snprintf(from, n, "%s:", name);
	return y->str;
}

/* The secret from a file the unit names: read, and kept among f[]. */
static int secret_file(struct adopt *ad, const char *path, enum af_role role, const char *from,
                       struct fault *f)
{
	if (absolute(path, from, f))
		return -EINVAL;
	int k = add_file(ad, path, role, f);
	if (k < 0)
		return k == -ENOENT ? fail(f, EINVAL, "%s %s: no such file", from, path) : k;
	ad->sec.buf = xstrndup(ad->f[k].text, ad->f[k].len);
	ad->sec.len = ad->sec.cap = ad->f[k].len;
	snprintf(ad->secret_from, sizeof ad->secret_from, "%s (%s)", path, from);
	return 0;
}

/* Which credential cloudflared would run with (tunnel/cmd.go): a token
 * before a token file before credentials, the command line before the
 * environment before the config file; failing all, TUNNEL.json in its
 * default places. */
static int find_secret(struct adopt *ad, const char *tunnel, struct fault *f)
{
	char from[64];
	int file = -1;
	const char *v;
	if ((v = setting(ad, "token", from, sizeof from, &file))) {
		ad->sec.kind = SEC_TOKEN;
		ad->sec.buf = xstrdup(v);
		ad->sec.len = ad->sec.cap = strlen(v);
		snprintf(ad->secret_from, sizeof ad->secret_from, "%s in %s", from,
		         file >= 0 ? ad->f[file].path : "the unit");
		return 0;
	}
	if ((v = setting(ad, "token-file", from, sizeof from, &file))) {
		ad->sec.kind = SEC_TOKEN;
		return secret_file(ad, v, AF_TOKEN, from, f);
	}
	if ((v = setting(ad, "credentials-contents", from, sizeof from, &file))) {
		ad->sec.kind = SEC_JSON;
		ad->sec.buf = xstrdup(v);
		ad->sec.len = ad->sec.cap = strlen(v);
		snprintf(ad->secret_from, sizeof ad->secret_from, "%s in %s", from,
		         file >= 0 ? ad->f[file].path : "the unit");
		return 0;
	}
	if ((v = setting(ad, "credentials-file", from, sizeof from, &file))) {
		ad->sec.kind = SEC_JSON;
		return secret_file(ad, v, AF_CRED, from, f);
	}
	if (ad->quick)
		return 0;
	if (!tunnel || !val_uuid(tunnel))
		return fail(f, EINVAL, "no credential: no token, token file or credentials file, and no tunnel "
		            "UUID whose .json cloudflared would look for");
	static const char *const dirs[] = { "~/.cloudflared", "~/.cloudflare-warp", "~/cloudflare-warp",
	                                    "/etc/cloudflared", "/usr/local/etc/cloudflared" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		char path[4200];
		snprintf(path, sizeof path, "%s%s/%s.json", dirs[i][0] == '~' ? ad->home : "",
		         dirs[i] + (dirs[i][0] == '~'), tunnel);
		if (!access(path, F_OK)) {
			ad->sec.kind = SEC_JSON;
			return secret_file(ad, path, AF_CRED, "found by its tunnel", f);
		}
	}
	return fail(f, EINVAL, "no credential: %s.json is in none of cloudflared's default places", tunnel);
}

/* Does path's ACL let a named user or group read it (past its mask)? A
 * file whose ACL cannot be read counts as readable. */
static int acl_readers(const char *path)
{
	struct pacl_entry e[PACL_MAX];
	int n = pacl_get(-1, path, e), named = 0, mask = 4;
	for (int i = 0; i < n; i++) {
		named |= (e[i].tag == PACL_USER || e[i].tag == PACL_GROUP) && (e[i].perm & 4);
		if (e[i].tag == PACL_MASK)
			mask = (int)(e[i].perm & 4);
	}
	return n < 0 || (named && mask);
}

/* The secret's own bytes, to find in the files read: the token, or the
 * credentials' TunnelSecret. A unit or drop-in that holds it is exposed
 * whatever its mode: systemctl show gives its ExecStart= and Environment=
 * to every user. */
static void mark_holders(struct adopt *ad)
{
	struct json_object o = { 0 };
	const char *needle = ad->sec.buf;
	size_t nlen = ad->sec.len;
	if (ad->sec.kind == SEC_JSON && !json_parse_object(ad->sec.buf, ad->sec.len, &o)) {
		const struct json_member *m = json_get(&o, "TunnelSecret");
		needle = m && m->str ? m->str : NULL;
		nlen = m && m->str ? m->len : 0;
	}
	if (needle && nlen >= 16) {
		ad->needle = xstrndup(needle, nlen);
		ad->needle_len = nlen;
	}
	for (size_t i = 0; ad->needle && i < ad->nf; i++) {
		struct adopt_file *af = &ad->f[i];
		af->holds_secret = memmem(af->text, af->len, ad->needle, ad->needle_len) != NULL;
		af->exposed = af->holds_secret &&
		              (af->role == AF_UNIT || af->role == AF_DROPIN || af->st.st_uid != 0 ||
		               (af->st.st_mode & 0004) || ((af->st.st_mode & 0040) && af->st.st_gid != 0) ||
		               acl_readers(af->path));
	}
	json_free(&o);
}

/* ---- the config ---------------------------------------------------------- */

/* A setting as the key argoweb's schema has for it: its value(s) in the
 * style the key's type reads. */
static int emit_setting(struct yemit *y, const struct cfa_value *v)
{
	const struct key *k = schema_find(k_top, v->flag->name);
	yaml_scalar_style_t st = k && (k->type == T_UINT || k->type == T_BOOL)
	                             ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (yemit_key(y, v->flag->name))
		return -1;
	if (v->flag->kind != CFA_LIST)
		return yemit_str(y, v->v[v->n - 1], strlen(v->v[v->n - 1]), st);
	if (yemit_seq(y))
		return -1;
	for (size_t i = 0; i < v->n; i++)
		if (yemit_str(y, v->v[i], strlen(v->v[i]), st))
			return -1;
	return yemit_close_seq(y);
}

/* One setting, from where: carried over (1), left out with a note (0),
 * or refused (-EINVAL with f). */
static int decide(struct adopt *ad, const char *name, const char *where, struct fault *f)
{
	const char *why;
	switch (act_of(name, &why)) {
	case KEEP:
		return 1;
	case DROP:
		note(ad, "left to argoweb: %s (%s): %s", name, where, why);
		return 0;
	case REFUSE:
		if (ad->quick && !strcmp(name, "url"))
			return 0;
		return fail(f, EINVAL, "%s (%s): cannot be carried over: %s", name, where, why);
	default:
		return 0;       /* the secret and the tunnel: written apart */
	}
}

/* What cannot be carried over, said before anything else. */
static int refusals(struct adopt *ad, struct fault *f)
{
	const struct ynode *root = ad->base.root;
	const char *why;
	for (size_t i = 0; i < ad->args.n; i++)
		if (ad->args.val[i].n && act_of(ad->args.val[i].flag->name, &why) == REFUSE &&
		    decide(ad, ad->args.val[i].flag->name, ad->args.val[i].from, f) < 0)
			return -EINVAL;
	for (size_t i = 0; root && i < root->n; i += 2)
		if (act_of(root->kid[i]->str, &why) == REFUSE &&
		    decide(ad, root->kid[i]->str, ad->f[ad->config_file].path, f) < 0)
			return -EINVAL;
	return 0;
}

static int emit_body(struct adopt *ad, struct yemit *y, const char *tunnel, struct fault *f)
{
	const struct ynode *root = ad->base.root;
	for (size_t i = 0; root && i < root->n; i += 2) {
		const char *k = root->kid[i]->str;
		if (cfa_get(&ad->args, k))
			continue;       /* the command line or environment says otherwise */
		int d = decide(ad, k, ad->f[ad->config_file].path, f);
		if (d < 0)
			return -EINVAL;
		if (d && (yemit_str(y, k, strlen(k), YAML_ANY_SCALAR_STYLE) || yemit_node(y, root->kid[i + 1])))
			return fail(f, EINVAL, "the config cannot be written");
	}
	for (size_t i = 0; i < ad->args.n; i++) {
		const struct cfa_value *v = &ad->args.val[i];
		int d = v->n ? decide(ad, v->flag->name, v->from, f) : 0;
		if (d < 0)
			return -EINVAL;
		if (d && emit_setting(y, v))
			return fail(f, EINVAL, "the config cannot be written");
		if (d)
			note(ad, "carried over: %s (%s)", v->flag->name, v->from);
	}
	if (ad->quick) {
		const struct cfa_value *u = cfa_get(&ad->args, "url");
		return yemit_pair(y, "quick", u->v[u->n - 1], YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	}
	const struct cred_kind *ck = cred_kind(ad->sec.kind);
	if ((tunnel && yemit_pair(y, "tunnel", tunnel, YAML_DOUBLE_QUOTED_SCALAR_STYLE)) ||
	    yemit_pair(y, ck->key, ad->cred_path, YAML_DOUBLE_QUOTED_SCALAR_STYLE))
		return fail(f, EINVAL, "the config cannot be written");
	return 0;
}

/* The config as argoweb would run it: checked as argoweb check
 * --config-only checks it. */
static int check_yaml(struct adopt *ad, struct fault *f)
{
	struct config c = { 0 };
	char path[4200];
	inst_config(ad->name, path, sizeof path);
	c.path = xstrdup(path);
	c.name = xstrdup(ad->name);
	int rc = cfg_parse(&c, ad->yaml, ad->yaml_len, f);
	ad->expected_conns = c.expected_conns;
	cfg_free(&c);
	if (rc) {
		char what[4300];
		snprintf(what, sizeof what, "the config it would write, %s", path);
		return fault_of(f, what);
	}
	return 0;
}

int adopt_plan(struct adopt *ad, struct fault *f)
{
	char from[64];
	int file;
	const char *tunnel = ad->args.tunnel;
	if (!tunnel)
		tunnel = setting(ad, "tunnel", from, sizeof from, &file);
	ad->quick = ad->args.has_tunnel && !ad->args.has_run && cfa_get(&ad->args, "url");
	if (!ad->args.has_run && !ad->quick)
		return fail(f, EINVAL, "%s runs `cloudflared tunnel` without run or --url: not a tunnel to adopt",
		            ad->unit);
	if (refusals(ad, f) || find_secret(ad, tunnel, f))
		return -EINVAL;
	const struct cred_kind *ck = cred_kind(ad->sec.kind);
	if (ck) {
		snprintf(ad->cred_path, sizeof ad->cred_path, "%s/%s.%s", ARGOWEB_CONFDIR, ad->name, ck->ext);
		/* A token names its tunnel: the config's tunnel: would be refused. */
		tunnel = ad->sec.kind == SEC_TOKEN ? NULL : tunnel;
		snprintf(ad->sec.path, sizeof ad->sec.path, "%s", ad->secret_from);
		if (creds_parse(&ad->sec, ad->sec.kind, tunnel, f))
			return fault_of(f, "the credential is not one cloudflared runs with");
		mark_holders(ad);
	}
	const char *m = NULL;
	int mf;
	if ((m = setting(ad, "metrics", from, sizeof from, &mf)))
		snprintf(ad->old_metrics, sizeof ad->old_metrics, "%s", m);
	if (ad->argv[0][0] == '/' && strcmp(ad->argv[0], "/usr/bin/cloudflared"))
		note(ad, "carried over: cloudflared: %s (the program ExecStart= runs)", ad->argv[0]);
	/* HTTPS_PROXY, SSL_CERT_FILE, GODEBUG...: cloudflared's Go runtime
	 * reads them, argoweb's config has no key for them. */
	for (size_t i = 0; i < ad->env.n; i++)
		if (!cfa_flag_env(ad->env.name[i]))
			note(ad, "not carried over: %s (in %s): add it to argoweb@%s with systemctl edit if "
			     "cloudflared needs it", ad->env.name[i],
			     ad->env_file[i] >= 0 ? ad->f[ad->env_file[i]].path : "the unit", ad->name);
	struct yemit y;
	if (yemit_begin(&y, ADOPT_FILE_MAX))
		return fail(f, EINVAL, "the config cannot be written");
	if (emit_body(ad, &y, tunnel, f) ||
	    (ad->argv[0][0] == '/' && strcmp(ad->argv[0], "/usr/bin/cloudflared") &&
	     yemit_pair(&y, "cloudflared", ad->argv[0], YAML_DOUBLE_QUOTED_SCALAR_STYLE))) {
		yemit_abort(&y);
		return fail(f, EINVAL, "the config cannot be written");
	}
	if (yemit_end(&y, &ad->yaml, &ad->yaml_len))
		return fail(f, EINVAL, "the config cannot be written");
	return check_yaml(ad, f);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

void adopt_scrub(char *s)
{
	for (char *p = s; *p;) {
		size_t run = strspn(p, b64);
		if (run >= 40) {
			memmove(p + 3, p + run, strlen(p + run) + 1);
			memcpy(p, "...", 3);
			run = 3;
		}
		p += run ? run : 1;
	}
}

int adopt_b64_run(const char *w)
{
	for (size_t run; *w; w += run ? run : 1)
		if ((run = strspn(w, b64)) >= 40)
			return 1;
	return 0;
}

void adopt_free(struct adopt *ad)
{
	for (size_t i = 0; i < ad->nf; i++) {
		if (ad->f[i].holds_secret)
			explicit_bzero(ad->f[i].text, ad->f[i].len);
		free(ad->f[i].text);
		free(ad->f[i].path);
	}
	for (int i = 0; i < ad->argc; i++)
		free(ad->argv[i]);
	uf_free(&ad->svc);
	uf_vars_free(&ad->env);
	cfa_free(&ad->args);
	ytree_free(&ad->base);
	creds_wipe(&ad->sec);
	if (ad->needle)
		explicit_bzero(ad->needle, ad->needle_len);
	free(ad->needle);
	free(ad->yaml);
	free(ad->notes);
	memset(ad, 0, sizeof *ad);
}
