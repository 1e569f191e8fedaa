/* takeover: see takeover.h. systemd does the starting and stopping,
 * through systemctl: each step is a job it knows how to wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "config.h"
#include "listeners.h"
#include "osutil.h"
#include "privdrop.h"
#include "safefile.h"
#include "ready.h"
#include "seed.h"
#include "takeover.h"
#include "units.h"
#include "xalloc.h"
#include "yemit.h"

#define TIMER "cloudflared-update.timer"
#define SERVE_WAIT_MS 60000
/* The first of cloudflared's default config places outside a home
 * (config/configuration.go), where --undo lends rules. */
#define LEND_PATH "/etc/cloudflared/config.yml"

static int sc(const char *verb, const char *a, const char *b)
{
	const char *args[] = { verb, a, b, NULL };
	return units_systemctl(NULL, 0, args);
}

static void prop(const char *unit, const char *p, char *out, size_t n)
{
	const char *args[] = { "show", "-p", p, "--value", unit, NULL };
	if (units_systemctl(out, n, args) != 0)
		out[0] = 0;
}

__attribute__((format(printf, 1, 2)))
static void step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Interrupted before the old unit stops: everything undone, it serves on. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void (*h)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = h };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- files --------------------------------------------------------------- */

static int split_path(const char *path, char *dir, size_t n, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || !slash[1] || (size_t)(slash - path) >= n)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	if (!dir[0])
		strcpy(dir, "/");
	*base = slash + 1;
	return 0;
}

/* A path the manifest holds as one word, read back as written. */
static int plain_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

/* The directory of path, open, when root alone can change what is in it:
 * every directory from / root's and writable by no one else (safefile's
 * walk). Only there does adopt write or remove a file by its name: in a
 * user's directory the name could be swapped for a link between adopt's
 * look and its act, and root's write would land where the link points.
 * The descriptor, or -errno with f saying why. */
static int root_dir(const char *path, const char **base, struct fault *f)
{
	char dir[4200];
	if (split_path(path, dir, sizeof dir, base))
		return fail(f, EINVAL, "%.300s: not an absolute path to a file", path);
	int pfd = sf_open_dir(dir, 0, f);
	if (pfd < 0)
		return pfd;
	int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(pfd);
	return dfd < 0 ? fail(f, e, "%.300s: %s", dir, strerror(e)) : dfd;
}

/* path, written whole with its mode and owner, in a directory of root's
 * alone. 0, or -errno with f saying why. */
static int write_file(const char *path, const char *buf, size_t len, mode_t mode, uid_t uid, gid_t gid,
                      struct fault *f)
{
	const char *base;
	int dfd = root_dir(path, &base, f);
	if (dfd < 0)
		return dfd;
	int e = atomic_write_owned(dfd, base, buf, len, mode, uid, gid);
	close(dfd);
	return e ? fail(f, -e, "%.300s: %s", path, strerror(-e)) : 0;
}

/* A regular file's bytes, from fd (closed here). 0, or -1. */
static int read_fd(int fd, char **buf, size_t *len)
{
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > ADOPT_FILE_MAX) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	ssize_t got = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	*len = got > 0 ? (size_t)got : 0;
	(*buf)[*len] = 0;
	return got == st.st_size ? 0 : -1;
}

static int read_all(const char *path, char **buf, size_t *len)
{
	return read_fd(open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), buf, len);
}

/* What dfd's base holds: 0 nothing, 1 these very bytes, -1 anything else. */
static int holds(int dfd, const char *base, const char *buf, size_t len)
{
	char *now = NULL;
	size_t nlen = 0;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	int same = !read_fd(fd, &now, &nlen) && nlen == len && !memcmp(now, buf, len);
	if (now)
		explicit_bzero(now, nlen);
	free(now);
	return same ? 1 : -1;
}

/* The backup directory of NAME: /etc/argoweb/adopted/NAME. */
static void backup_dir(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", TAKEOVER_DIR, name);
}

/* bdir, made here and now: its existence is the lock against a second
 * adopt of the same unit. Another tunnel's --undo may remove the shared
 * parent in between (when it was the last): made again. 0, or -1. */
static int make_backup_dir(const char *bdir)
{
	for (int tries = 0; tries < 3; tries++) {
		if (mkdir(TAKEOVER_DIR, 0700) && errno != EEXIST)
			return -1;
		if (!mkdir(bdir, 0700))
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	return -1;
}

/* ---- waiting for a connector --------------------------------------------- */

/* The old connector's metrics, found among the listening sockets of the
 * unit's main process: 0 with hp and the socket's owner (the unit's
 * User=, whose the answer is believed), or -1. */
static int metrics_of(const char *unit, struct hostport *hp, uid_t *uid)
{
	char pid[32], addr[80];
	struct lis_socket l[16];
	prop(unit, "MainPID", pid, sizeof pid);
	size_t n = atoi(pid) > 0 ? lis_of_pid((pid_t)atoi(pid), l, 16) : 0;
	for (size_t i = 0; i < n; i++) {
		static const unsigned char any6[16];
		int wild = l[i].v6 ? !memcmp(l[i].addr, any6, 16) : !memcmp(l[i].addr, any6, 4);
		if (l[i].v6 && !wild)
			snprintf(addr, sizeof addr, "[::1]:%u", l[i].port);
		else
			snprintf(addr, sizeof addr, "127.0.0.1:%u", l[i].port);
		struct fault not_loopback = { 0 };
		if (!val_loopback_addr(addr, hp, &not_loopback) && ready_count(hp, l[i].uid, "root", 2000) > 0) {
			*uid = l[i].uid;
			return 0;
		}
	}
	return -1;
}

/* A remotely-managed tunnel serves once the edge pushed its rules. */
static int has_config(const struct hostport *hp, uid_t uid)
{
	char *body = NULL;
	struct fault distrust = { 0 };
	size_t len;
	long long version = -1;
	int waiting = 1;
	if (ready_get(hp, uid, "root", 2000, "/config", 1 << 20, &body, &len, &distrust) == 0)
		seed_served(body, len, &version, &waiting);
	free(body);
	return version >= 0;
}

/* Until the old unit's connector serves: want connections, and (a token's
 * tunnel) its configuration. 0, or -1 when that did not happen in time. */
static int old_serves(const char *unit, int want, int token)
{
	struct hostport hp;
	uid_t uid = 0;
	long long end = os_now_ms() + SERVE_WAIT_MS;
	while (metrics_of(unit, &hp, &uid) && os_now_ms() < end)
		usleep(200000);
	if (os_now_ms() >= end)
		return -1;
	if (ready_wait(&hp, uid, "root", want, SERVE_WAIT_MS) < 1)
		return -1;
	while (token && !has_config(&hp, uid) && os_now_ms() < end)
		usleep(200000);
	return token && !has_config(&hp, uid) ? -1 : 0;
}

/* ---- a dashboard-managed tunnel's rules, carried across ------------------ */

/* Where argoweb@NAME keeps a dashboard-managed tunnel's rules (seed.h). */
static void kept_rules(const char *name, char *out, size_t n)
{
	char dir[4096], file[128];
	seed_where(name, dir, sizeof dir, file, sizeof file);
	snprintf(out, n, "%.4000s/%.127s", dir, file);
}

/* A connector started for a dashboard-managed tunnel has no rules until
 * Cloudflare's push: it answers 503 (cloudflared #1258), and the edge
 * sends it requests from its first registration. So each move hands the
 * rules the serving connector has to the one that starts. */

/* The rules a connector serves, from its /config (believed from uid's
 * socket): the seed's YAML (seed.h), or NULL. */
static char *rules_of(const struct hostport *hp, uid_t uid, const char *user, long long *version,
                      size_t *len)
{
	char *body = NULL, *yaml = NULL;
	size_t blen;
	struct fault f = { 0 };
	if (ready_get(hp, uid, user, 2000, "/config", SEED_MAX, &body, &blen, &f) == 0 &&
	    seed_from_config(body, blen, version, &yaml, len, &f)) {
		free(yaml);
		yaml = NULL;
	}
	free(body);
	return yaml;
}

/* Is conf a dashboard-managed tunnel argoweb seeds (a token, no rules of
 * its own)? Then its metrics and service user, in c and ids. */
static int seeded(const char *conf, struct config *c, struct ids *ids)
{
	return !cfg_load(c, conf) && creds_may_be_token(c) && !c->nrules &&
	       c->seed_remote && !pd_resolve(c->user, c->group, ids);
}

/* apply: the old connector's rules kept where argoweb@NAME's start seeds
 * from. */
static void seed_new(const struct adopt *ad, const char *conf)
{
	struct config c = { 0 };
	struct ids ids;
	struct hostport hp;
	struct fault f = { 0 };
	long long version = -1;
	size_t len = 0;
	uid_t uid;
	char *yaml = NULL;
	if (ad->sec.kind == SEC_TOKEN && seeded(conf, &c, &ids)) {
		if (!metrics_of(ad->unit, &hp, &uid))
			yaml = rules_of(&hp, uid, "root", &version, &len);
		if (yaml && !seed_store(ad->name, ids.uid, yaml, len, &f))
			step("kept the rules %s serves (version %lld): argoweb@%s serves them from its "
			     "first registration", ad->unit, version, ad->name);
		else
			msg("warning: %s: its rules could not be read (%s): argoweb@%s answers 503 from "
			    "its registration until Cloudflare's push", ad->unit,
			    f.why[0] ? f.why : "no /config", ad->name);
	}
	free(yaml);
	cfg_free(&c);
}

/* undo: the old unit names no config file, so cloudflared reads one from
 * its default places; argoweb@NAME's rules are lent at lend (the manifest's
 * choice, made when none of those places had one) for the start, and taken
 * back once it serves. Whether it lent them (2: and made the directory). */
static int lend_rules(const char *name, const char *lend)
{
	char conf[4200], dir[4200], *yaml = NULL, *doc = NULL;
	const char *base;
	struct config c = { 0 };
	struct ids ids;
	struct ytree t = { 0 };
	struct yemit y;
	struct fault f = { 0 };
	long long version = -1;
	size_t len = 0, dlen = 0;
	int made = 0, rc = -1, dfd = -1;
	inst_config(name, conf, sizeof conf);
	if (!lend[0] || split_path(lend, dir, sizeof dir, &base) || !seeded(conf, &c, &ids) ||
	    !(yaml = rules_of(&c.metrics, ids.uid, ids.user, &version, &len)))
		goto out;
	/* Only the rules: the seed's version is argoweb's, not a config key. */
	if (ytree_parse(&t, yaml, len, &f) || yemit_begin(&y, SEED_MAX))
		goto out;
	if (yemit_key(&y, "ingress") || yemit_node(&y, ymap_get(t.root, "ingress"))) {
		yemit_abort(&y);
		goto out;
	}
	if (yemit_end(&y, &doc, &dlen))
		goto out;
	made = !mkdir(dir, 0755);
	/* Only where nothing is: whatever is there is the admin's. */
	if ((dfd = root_dir(lend, &base, &f)) >= 0 && !holds(dfd, base, "", 0))
		rc = atomic_write_owned(dfd, base, doc, dlen, 0644, 0, 0);
	if (!rc)
		step("lent argoweb@%s's rules (version %lld) to the old unit's start: %s", name, version, lend);
	else if (made)
		rmdir(dir);
	if (dfd >= 0)
		close(dfd);
out:
	free(doc);
	free(yaml);
	ytree_free(&t);
	cfg_free(&c);
	return rc ? 0 : 1 + made;
}

static void take_back(const char *lend, int lent)
{
	char dir[4200];
	struct fault f = { 0 };
	const char *base;
	int dfd = lent ? root_dir(lend, &base, &f) : -1;
	if (dfd < 0)
		return;
	int gone = !unlinkat(dfd, base, 0);
	close(dfd);
	if (gone && lent == 2 && !split_path(lend, dir, sizeof dir, &base))
		rmdir(dir);
	if (gone)
		step("took back %s", lend);
}

/* ---- apply --------------------------------------------------------------- */

struct manifest {
	FILE *f;
	char path[4200];
};

/* What adopt did so far, undone: argoweb@NAME stopped, its files gone. */
static void roll_back(const struct adopt *ad, const char *bdir, int started)
{
	char unit[128], path[4300];
	inst_unit(ad->name, unit, sizeof unit);
	if (started)
		sc("disable", "--now", unit);
	inst_config(ad->name, path, sizeof path);
	unlink(path);
	unlink(ad->cred_path);
	kept_rules(ad->name, path, sizeof path);
	unlink(path);
	snprintf(path, sizeof path, "%s/manifest", bdir);
	unlink(path);
	rmdir(bdir);
	rmdir(TAKEOVER_DIR);    /* when it was the only one */
}

static int preconditions(const struct adopt *ad, char *conf, size_t n)
{
	char load[64], unit[128];
	inst_config(ad->name, conf, n);
	inst_unit(ad->name, unit, sizeof unit);
	if (geteuid() != 0) {
		msg("argoweb adopt --apply: run it as root: it writes %s and drives systemd", conf);
		return EX_NOPERM;
	}
	prop(unit, "LoadState", load, sizeof load);
	if (!getgrnam("argoweb") || strcmp(load, "loaded")) {
		msg("%s: install argoweb's package first (its user argoweb and argoweb@.service)", ad->unit);
		return EX_UNAVAILABLE;
	}
	if (!access(conf, F_OK) || !access(ad->cred_path, F_OK)) {
		msg("%s or %s exists already: adopted before? (argoweb adopt --undo %s)", conf,
		    ad->cred_path, ad->name);
		return EX_CANTCREAT;
	}
	for (size_t i = 0; i < ad->nf; i++)
		if (ad->f[i].exposed && !plain_path(ad->f[i].path)) {
			msg("%s: a path with white space or a control character: move it by hand", ad->f[i].path);
			return EX_CANTCREAT;
		}
	return 0;
}

/* argoweb check of the written config, as a child. */
static int check_written(const char *conf)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "argoweb", "check", conf, (char *)NULL);
		_exit(EX_OSERR);
	}
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return pid < 0 ? EX_OSERR : WIFEXITED(st) ? WEXITSTATUS(st) : EX_SOFTWARE;
}

static int write_new(const struct adopt *ad, const char *conf)
{
	struct group *g = getgrnam("argoweb");
	struct fault f = { 0 };
	if (!write_file(ad->cred_path, ad->sec.buf, ad->sec.len, 0600, 0, 0, &f) &&
	    !write_file(conf, ad->yaml, ad->yaml_len, 0640, 0, g ? g->gr_gid : 0, &f))
		return 0;
	msg("cannot write: %s", f.why);
	return EX_CANTCREAT;
}

/* Start argoweb@NAME and wait for every connection: 0, or why not. */
static int start_new(const struct adopt *ad, const char *conf)
{
	char unit[128], status[512];
	struct config c = { 0 };
	struct ids ids;
	inst_unit(ad->name, unit, sizeof unit);
	step("starting %s", unit);
	prop(unit, "ActiveState", status, sizeof status);
	if (!strcmp(status, "failed"))
		sc("reset-failed", unit, NULL);
	int rc = sc("start", unit, NULL);
	if (!rc && !cfg_load(&c, conf) && !pd_resolve(c.user, c.group, &ids)) {
		int n = ready_wait(&c.metrics, ids.uid, ids.user, c.expected_conns, 10000);
		printf("%s serves: %d edge connection%s\n", unit, n, n == 1 ? "" : "s");
		rc = n > 0 ? 0 : -1;
	}
	cfg_free(&c);
	if (rc) {
		prop(unit, "StatusText", status, sizeof status);
		msg("%s did not come up (%s): nothing changed, %s serves on (journalctl -u %s)", unit,
		    status[0] ? status : "no status", ad->unit, unit);
	}
	return rc ? EX_UNAVAILABLE : 0;
}

static void record_state(FILE *m, const char *unit, const char *what)
{
	char en[64], act[64];
	prop(unit, "UnitFileState", en, sizeof en);
	prop(unit, "ActiveState", act, sizeof act);
	fprintf(m, "%s %s %s %s\n", what, unit, en[0] ? en : "-", act[0] ? act : "-");
}

/* The old unit and its timer stopped and disabled, as they were first
 * written down. */
static int stop_old(const struct adopt *ad, FILE *m)
{
	char load[64];
	record_state(m, ad->unit, "unit");
	prop(TIMER, "LoadState", load, sizeof load);
	int timer = !strcmp(ad->unit, "cloudflared.service") && !strcmp(load, "loaded");
	if (timer)
		record_state(m, TIMER, "timer");
	fflush(m);
	step("stopping and disabling %s%s", ad->unit, timer ? " and " TIMER : "");
	int rc = sc("disable", "--now", ad->unit);
	if (timer) {
		sc("disable", "--now", TIMER);
		sc("stop", "cloudflared-update.service", NULL);
	}
	return rc;
}

/* af's directory, open, when adopt may remove af there: root's alone, and
 * af still the file read. The descriptor, or -1 (said). */
static int movable(const struct adopt_file *af, const char **base)
{
	struct fault f = { 0 };
	struct stat now;
	if (S_ISLNK(af->st.st_mode)) {
		msg("%s: a symbolic link to a file that holds the secret: remove the secret there by hand",
		    af->path);
		return -1;
	}
	int dfd = root_dir(af->path, base, &f);
	if (dfd >= 0 && (fstatat(dfd, *base, &now, AT_SYMLINK_NOFOLLOW) || now.st_dev != af->st.st_dev ||
	                 now.st_ino != af->st.st_ino))
		fail(&f, EAGAIN, "%.300s: changed since adopt read it", af->path);
	else if (dfd >= 0)
		return dfd;
	msg("%s: holds the secret, but adopt leaves it (%s): remove the secret there by hand", af->path,
	    f.why);
	if (dfd >= 0)
		close(dfd);
	return -1;
}

/* Each file that holds the secret where others may read it: into the
 * backup, then gone. */
static int move_exposed(const struct adopt *ad, const char *bdir, FILE *m)
{
	int units = 0, bad = 0;
	for (size_t i = 0; i < ad->nf; i++) {
		const struct adopt_file *af = &ad->f[i];
		char name[32];
		const char *base;
		int dfd = af->exposed ? movable(af, &base) : -2;
		if (dfd == -2)
			continue;
		bad |= dfd < 0;
		if (dfd < 0)
			continue;
		snprintf(name, sizeof name, "f%zu", i);
		int e = atomic_write(bdir, name, af->text, af->len);
		if (!e && unlinkat(dfd, base, 0))
			e = -errno;
		close(dfd);
		if (e) {
			msg("%s: cannot move into %s: %s", af->path, bdir, strerror(-e));
			bad = 1;
			continue;
		}
		fprintf(m, "moved %s %o %u %u %s\n", af->path, (unsigned)(af->st.st_mode & 07777),
		        (unsigned)af->st.st_uid, (unsigned)af->st.st_gid, name);
		fflush(m);
		step("moved %s (it held the secret, readable by others) into %s", af->path, bdir);
		units |= af->role == AF_UNIT || af->role == AF_DROPIN;
	}
	if (units)
		sc("daemon-reload", NULL, NULL);
	return bad;
}

int takeover_apply(struct adopt *ad)
{
	char conf[4200], bdir[4200], mpath[4300];
	int rc = preconditions(ad, conf, sizeof conf);
	if (rc)
		return rc;
	backup_dir(ad->name, bdir, sizeof bdir);
	snprintf(mpath, sizeof mpath, "%s/manifest", bdir);
	if (make_backup_dir(bdir)) {
		msg("%s: %s (adopted before? argoweb adopt --undo %s)", bdir, strerror(errno), ad->name);
		return EX_CANTCREAT;
	}
	catch_signals(on_signal);
	int fd = open(mpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *m = fd < 0 ? NULL : fdopen(fd, "w");
	if (!m) {
		msg("%s: %s", mpath, strerror(errno));
		rmdir(bdir);
		return EX_CANTCREAT;
	}
	fprintf(m, "name %s\nkind %s\nconns %d\nwrote %s\nwrote %s\n", ad->name,
	        ad->sec.kind == SEC_TOKEN ? "token" : "json", ad->expected_conns, conf, ad->cred_path);
	/* The old unit reads no config file: its --undo start may borrow one. */
	if (ad->sec.kind == SEC_TOKEN && ad->config_file < 0)
		fprintf(m, "lend %s\n", LEND_PATH);
	fflush(m);
	step("writing %s and %s", conf, ad->cred_path);
	rc = write_new(ad, conf);
	if (!rc && (rc = check_written(conf)))
		msg("%s: argoweb check refuses it: nothing changed, %s serves on", conf, ad->unit);
	int started = !rc;
	if (!rc)
		seed_new(ad, conf);
	if (!rc)
		rc = interrupted ? 128 + interrupted : start_new(ad, conf);
	if (rc || interrupted) {
		fclose(m);
		roll_back(ad, bdir, started);
		if (interrupted)
			msg("interrupted (signal %d): what adopt did is undone; %s serves on", (int)interrupted,
			    ad->unit);
		return interrupted ? 128 + interrupted : rc;
	}
	char unit[128];
	inst_unit(ad->name, unit, sizeof unit);
	sc("enable", unit, NULL);
	/* From here on it goes to the end: the new connector serves. */
	catch_signals(SIG_IGN);
	if (stop_old(ad, m))
		msg("%s: systemctl disable --now failed: it may still run beside argoweb@%s", ad->unit,
		    ad->name);
	int bad = move_exposed(ad, bdir, m);
	fclose(m);
	printf("adopted: argoweb@%s serves the tunnel; %s is stopped and disabled; "
	       "argoweb adopt --undo %s gives it back\n", ad->name, ad->unit, ad->name);
	return bad ? EX_CANTCREAT : 0;
}

/* ---- undo ---------------------------------------------------------------- */

struct undo {
	char unit[256], unit_en[64], unit_act[64];
	char timer_en[64], timer_act[64];
	int has_timer, token, conns;
	char wrote[2][4200];
	int nwrote;
	char lend[4200];
	struct {
		char path[4200], file[32];
		unsigned mode, uid, gid;
	} moved[ADOPT_MAX_FILES];
	int nmoved;
};

/* The manifest: root's and no one else's, in a directory likewise. */
static int read_manifest(const char *bdir, struct undo *u)
{
	char path[4300], line[8600], *buf = NULL;
	struct stat d, s;
	size_t len;
	snprintf(path, sizeof path, "%s/manifest", bdir);
	if (lstat(bdir, &d) || !S_ISDIR(d.st_mode) || d.st_uid || (d.st_mode & 077) ||
	    lstat(path, &s) || !S_ISREG(s.st_mode) || s.st_uid || (s.st_mode & 077) ||
	    read_all(path, &buf, &len))
		return -1;
	for (char *l = buf, *save; (l = strtok_r(l, "\n", &save)); l = NULL) {
		snprintf(line, sizeof line, "%s", l);
		char a[4200], b[32];
		unsigned mo, ui, gi;
		if (sscanf(line, "unit %255s %63s %63s", u->unit, u->unit_en, u->unit_act) == 3)
			continue;
		if (sscanf(line, "timer %*s %63s %63s", u->timer_en, u->timer_act) == 2)
			u->has_timer = 1;
		else if (sscanf(line, "kind %4199s", a) == 1)
			u->token = !strcmp(a, "token");
		else if (sscanf(line, "conns %d", &u->conns) == 1)
			;
		else if (sscanf(line, "lend %4199s", a) == 1 && a[0] == '/')
			snprintf(u->lend, sizeof u->lend, "%s", a);
		else if (sscanf(line, "wrote %4199s", a) == 1 && u->nwrote < 2)
			snprintf(u->wrote[u->nwrote++], sizeof u->wrote[0], "%s", a);
		else if (sscanf(line, "moved %4199s %o %u %u %31s", a, &mo, &ui, &gi, b) == 5 &&
		         b[0] == 'f' && strspn(b + 1, "0123456789") == strlen(b + 1) && a[0] == '/' &&
		         u->nmoved < ADOPT_MAX_FILES) {
			snprintf(u->moved[u->nmoved].path, sizeof u->moved[0].path, "%s", a);
			snprintf(u->moved[u->nmoved].file, sizeof u->moved[0].file, "%s", b);
			u->moved[u->nmoved].mode = mo;
			u->moved[u->nmoved].uid = ui;
			u->moved[u->nmoved++].gid = gi;
		}
	}
	free(buf);
	return u->unit[0] ? 0 : -1;
}

/* One moved file back where it was, as it was (no set-id bit: the manifest's
 * mode is only a number in a file); already there (an undo run again after
 * a later step failed) is fine. 0, or an exit status (said). */
static int restore_file(const char *bdir, const char *path, const char *file, mode_t mode, uid_t uid,
                        gid_t gid)
{
	char src[4300], *buf = NULL;
	struct fault f = { 0 };
	const char *base;
	size_t len;
	snprintf(src, sizeof src, "%s/%s", bdir, file);
	if (read_all(src, &buf, &len)) {
		msg("%s: cannot read the backup of %s", src, path);
		return EX_NOINPUT;
	}
	int dfd = root_dir(path, &base, &f), rc = 0;
	int there = dfd < 0 ? 0 : holds(dfd, base, buf, len);
	if (dfd < 0)
		msg("%s: cannot put it back: %s", path, f.why);
	else if (there < 0)
		msg("%s exists again: move it away, then argoweb adopt --undo again", path);
	else if (!there && (rc = atomic_write_owned(dfd, base, buf, len, mode & 0777, uid, gid)))
		msg("%s: cannot put it back: %s", path, strerror(-rc));
	else if (!there)
		step("put back %s", path);
	explicit_bzero(buf, len);
	free(buf);
	if (dfd >= 0)
		close(dfd);
	return dfd < 0 || there < 0 || rc ? EX_CANTCREAT : 0;
}

static int restore_files(const char *bdir, const struct undo *u)
{
	for (int i = 0; i < u->nmoved; i++) {
		int rc = restore_file(bdir, u->moved[i].path, u->moved[i].file, u->moved[i].mode,
		                      u->moved[i].uid, u->moved[i].gid);
		if (rc)
			return rc;
	}
	sc("daemon-reload", NULL, NULL);
	return 0;
}

static void remove_backup(const char *bdir, const struct undo *u)
{
	char path[4300];
	for (int i = 0; i < u->nmoved; i++) {
		snprintf(path, sizeof path, "%s/%s", bdir, u->moved[i].file);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/manifest", bdir);
	unlink(path);
	rmdir(bdir);
	rmdir(TAKEOVER_DIR);
}

int takeover_undo(const char *name)
{
	char bdir[256], unit[128], kept[4400];
	struct undo u = { 0 };
	if (geteuid() != 0) {
		msg("argoweb adopt --undo %s: run it as root: it drives systemd", name);
		return EX_NOPERM;
	}
	backup_dir(name, bdir, sizeof bdir);
	if (read_manifest(bdir, &u)) {
		msg("%s: no manifest of argoweb adopt (root's, 0600) to undo", bdir);
		return EX_NOINPUT;
	}
	int rc = restore_files(bdir, &u);
	if (rc)
		return rc;
	if (!strcmp(u.unit_en, "enabled"))
		sc("enable", u.unit, NULL);
	/* One lender at a time: two old units starting together would both
	 * read the one file. */
	int lock = open(TAKEOVER_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	int lent = u.token ? lend_rules(name, u.lend) : 0;
	step("starting %s", u.unit);
	rc = sc("start", u.unit, NULL) || old_serves(u.unit, u.conns > 0 ? u.conns : 1, u.token);
	take_back(u.lend, lent);
	if (lock >= 0)
		close(lock);
	if (rc) {
		msg("%s did not come back serving: argoweb@%s serves on (journalctl -u %s)", u.unit, name,
		    u.unit);
		return EX_UNAVAILABLE;
	}
	printf("%s serves\n", u.unit);
	if (u.has_timer && !strcmp(u.timer_en, "enabled"))
		sc("enable", TIMER, NULL);
	if (u.has_timer && !strcmp(u.timer_act, "active"))
		sc("start", TIMER, NULL);
	inst_unit(name, unit, sizeof unit);
	step("stopping and disabling %s", unit);
	sc("disable", "--now", unit);
	for (int i = 0; i < u.nwrote; i++)
		unlink(u.wrote[i]);
	kept_rules(name, kept, sizeof kept);
	unlink(kept);
	remove_backup(bdir, &u);
	printf("given back: %s serves the tunnel; argoweb@%s is stopped and disabled\n", u.unit, name);
	return 0;
}
