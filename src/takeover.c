/* takeover: argoweb adopt --apply (takeover.h); the undo is giveback.c's,
 * what both do is handoff.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomicfile.h"
#include "config.h"
#include "handoff.h"
#include "ready.h"
#include "seed.h"
#include "takeover.h"

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
	if (ad->sec.kind == SEC_TOKEN && ho_seeded(conf, &c, &ids)) {
		if (!ho_metrics_of(ad->unit, &hp, &uid))
			yaml = ho_rules_of(&hp, uid, "root", &version, &len);
		if (yaml && !seed_store(ad->name, ids.uid, yaml, len, &f))
			ho_step("kept the rules %s serves (version %lld): argoweb@%s serves them from its "
			        "first registration", ad->unit, version, ad->name);
		else
			msg("warning: %s: its rules could not be read (%s): argoweb@%s answers 503 from "
			    "its registration until Cloudflare's push", ad->unit,
			    f.why[0] ? f.why : "no /config", ad->name);
	}
	free(yaml);
	cfg_free(&c);
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
		ho_systemctl("disable", "--now", unit);
	inst_config(ad->name, path, sizeof path);
	unlink(path);
	unlink(ad->cred_path);
	ho_kept_rules(ad->name, path, sizeof path);
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
	ho_prop(unit, "LoadState", load, sizeof load);
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
		if (ad->f[i].exposed && !ho_plain_path(ad->f[i].path)) {
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
	if (!ho_write_file(ad->cred_path, ad->sec.buf, ad->sec.len, 0600, 0, 0, &f) &&
	    !ho_write_file(conf, ad->yaml, ad->yaml_len, 0640, 0, g ? g->gr_gid : 0, &f))
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
	ho_step("starting %s", unit);
	ho_prop(unit, "ActiveState", status, sizeof status);
	if (!strcmp(status, "failed"))
		ho_systemctl("reset-failed", unit, NULL);
	int rc = ho_systemctl("start", unit, NULL);
	if (!rc && !cfg_load(&c, conf) && !pd_resolve(c.user, c.group, &ids)) {
		int n = ready_wait(&c.metrics, ids.uid, ids.user, c.expected_conns, 10000);
		printf("%s serves: %d edge connection%s\n", unit, n, n == 1 ? "" : "s");
		rc = n > 0 ? 0 : -1;
	}
	cfg_free(&c);
	if (rc) {
		ho_prop(unit, "StatusText", status, sizeof status);
		msg("%s did not come up (%s): nothing changed, %s serves on (journalctl -u %s)", unit,
		    status[0] ? status : "no status", ad->unit, unit);
	}
	return rc ? EX_UNAVAILABLE : 0;
}

static void record_state(FILE *m, const char *unit, const char *what)
{
	char en[64], act[64];
	ho_prop(unit, "UnitFileState", en, sizeof en);
	ho_prop(unit, "ActiveState", act, sizeof act);
	fprintf(m, "%s %s %s %s\n", what, unit, en[0] ? en : "-", act[0] ? act : "-");
}

/* The old unit and its timer stopped and disabled, as they were first
 * written down. */
static int stop_old(const struct adopt *ad, FILE *m)
{
	char load[64];
	record_state(m, ad->unit, "unit");
	ho_prop(TIMER, "LoadState", load, sizeof load);
	int timer = !strcmp(ad->unit, "cloudflared.service") && !strcmp(load, "loaded");
	if (timer)
		record_state(m, TIMER, "timer");
	fflush(m);
	ho_step("stopping and disabling %s%s", ad->unit, timer ? " and " TIMER : "");
	int rc = ho_systemctl("disable", "--now", ad->unit);
	if (timer) {
		ho_systemctl("disable", "--now", TIMER);
		ho_systemctl("stop", "cloudflared-update.service", NULL);
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
	int dfd = ho_root_dir(af->path, base, &f);
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
		ho_step("moved %s (it held the secret, readable by others) into %s", af->path, bdir);
		units |= af->role == AF_UNIT || af->role == AF_DROPIN;
	}
	if (units)
		ho_systemctl("daemon-reload", NULL, NULL);
	return bad;
}

int takeover_apply(struct adopt *ad)
{
	char conf[4200], bdir[4200], mpath[4300];
	int rc = preconditions(ad, conf, sizeof conf);
	if (rc)
		return rc;
	ho_backup_dir(ad->name, bdir, sizeof bdir);
	snprintf(mpath, sizeof mpath, "%s/manifest", bdir);
	if (ho_make_backup_dir(bdir)) {
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
	ho_step("writing %s and %s", conf, ad->cred_path);
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
	ho_systemctl("enable", unit, NULL);
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

