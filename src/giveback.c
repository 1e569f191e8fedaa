/* giveback: argoweb adopt --undo (takeover.h); what it shares with the
 * apply is handoff.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "config.h"
#include "handoff.h"
#include "seed.h"
#include "takeover.h"
#include "yemit.h"

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
	if (!lend[0] || ho_split_path(lend, dir, sizeof dir, &base) || !ho_seeded(conf, &c, &ids) ||
	    !(yaml = ho_rules_of(&c.metrics, ids.uid, ids.user, &version, &len)))
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
	if ((dfd = ho_root_dir(lend, &base, &f)) >= 0 && !ho_holds(dfd, base, "", 0))
		rc = atomic_write_owned(dfd, base, doc, dlen, 0644, 0, 0);
	if (!rc)
		ho_step("lent argoweb@%s's rules (version %lld) to the old unit's start: %s", name, version, lend);
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
	int dfd = lent ? ho_root_dir(lend, &base, &f) : -1;
	if (dfd < 0)
		return;
	int gone = !unlinkat(dfd, base, 0);
	close(dfd);
	if (gone && lent == 2 && !ho_split_path(lend, dir, sizeof dir, &base))
		rmdir(dir);
	if (gone)
		ho_step("took back %s", lend);
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
	    ho_read_all(path, &buf, &len))
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

static int restore_files(const char *bdir, const struct undo *u)
{
	for (int i = 0; i < u->nmoved; i++) {
		int rc = ho_restore_file(bdir, u->moved[i].path, u->moved[i].file, u->moved[i].mode,
		                         u->moved[i].uid, u->moved[i].gid);
		if (rc)
			return rc;
	}
	ho_systemctl("daemon-reload", NULL, NULL);
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
	ho_backup_dir(name, bdir, sizeof bdir);
	if (read_manifest(bdir, &u)) {
		msg("%s: no manifest of argoweb adopt (root's, 0600) to undo", bdir);
		return EX_NOINPUT;
	}
	int rc = restore_files(bdir, &u);
	if (rc)
		return rc;
	if (!strcmp(u.unit_en, "enabled"))
		ho_systemctl("enable", u.unit, NULL);
	/* One lender at a time: two old units starting together would both
	 * read the one file. */
	int lock = open(TAKEOVER_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	int lent = u.token ? lend_rules(name, u.lend) : 0;
	ho_step("starting %s", u.unit);
	rc = ho_systemctl("start", u.unit, NULL) || ho_old_serves(u.unit, u.conns > 0 ? u.conns : 1, u.token);
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
		ho_systemctl("enable", TIMER, NULL);
	if (u.has_timer && !strcmp(u.timer_act, "active"))
		ho_systemctl("start", TIMER, NULL);
	inst_unit(name, unit, sizeof unit);
	ho_step("stopping and disabling %s", unit);
	ho_systemctl("disable", "--now", unit);
	for (int i = 0; i < u.nwrote; i++)
		unlink(u.wrote[i]);
	ho_kept_rules(name, kept, sizeof kept);
	unlink(kept);
	remove_backup(bdir, &u);
	printf("given back: %s serves the tunnel; argoweb@%s is stopped and disabled\n", u.unit, name);
	return 0;
}
