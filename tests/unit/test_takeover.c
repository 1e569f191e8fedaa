/* The files adopt moves (takeover.c) and puts back (handoff.c): adopt
 * moves a file that holds the secret, and --undo puts it back, only where
 * root alone can change the directory (a user's directory could be
 * swapped for a link to /etc between look and act);
 * a put-back file gets its owner and mode, never a set-id bit; an undo
 * run again finds its files already back. systemctl is a stand-in on PATH that does nothing. */
#include "../../src/takeover.c"

#include "capture.h"
#include "tap.h"
#include "scratch.h"

#define BOB 4242

/* bob's directory, its .cloudflared a link to a root directory that
 * stands for /etc/cron.daily. */
static void user_dir(void)
{
	mkdir(at("home-bob"), 0755);
	mkdir(at("cron"), 0755);
	must(chown(at("home-bob"), BOB, BOB), "chown");
	must(symlink(at("cron"), at("home-bob/.cloudflared")), "symlink");
	mkdir(at("backup"), 0700);
	scratch_put("backup/f0", "{\"TunnelSecret\":\"x\"}\n", 0600);
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", at("home-bob/.cloudflared/hook"));
	cap_start();
	int rc = ho_restore_file(at("backup"), path, "f0", 04755, BOB, BOB);
	const char *said = cap_end();
	IS_INT(rc, EX_CANTCREAT, "undo: a file in a user's directory: not put back");
	OK(strstr(said, "home-bob") && strstr(said, "cannot put it back"), "... said (%s)", said);
	OK(access(at("cron/hook"), F_OK) != 0, "... nothing written where the link points");

	struct adopt ad = { .nf = 1 };
	scratch_put("home-bob/cred.json", "{\"TunnelSecret\":\"x\"}\n", 0644);
	must(chown(at("home-bob/cred.json"), BOB, BOB), "chown");
	ad.f[0] = (struct adopt_file){ .path = (char *)at("home-bob/cred.json"), .role = AF_CRED,
	                               .text = "{}", .len = 2, .holds_secret = 1, .exposed = 1 };
	lstat(ad.f[0].path, &ad.f[0].st);
	FILE *m = tmpfile();
	cap_start();
	int bad = move_exposed(&ad, at("backup"), m);
	said = cap_end();
	OK(bad && access(at("home-bob/cred.json"), F_OK) == 0,
	   "apply: a secret in a user's directory is left there, not removed");
	OK(strstr(said, "remove the secret there by hand"), "... said (%s)", said);
	fclose(m);
}

static void root_dir_restore(void)
{
	mkdir(at("etc"), 0755);
	scratch_put("etc/cred.json", "{\"TunnelSecret\":\"y\"}\n", 0644);
	struct adopt ad = { .nf = 1 };
	ad.f[0] = (struct adopt_file){ .path = (char *)at("etc/cred.json"), .role = AF_CRED,
	                               .text = "{\"TunnelSecret\":\"y\"}\n", .len = 22, .holds_secret = 1,
	                               .exposed = 1 };
	lstat(ad.f[0].path, &ad.f[0].st);
	char *log = NULL;
	size_t loglen = 0;
	FILE *m = open_memstream(&log, &loglen);
	cap_start();
	int bad = move_exposed(&ad, at("backup"), m);
	cap_end();
	fclose(m);
	struct stat st;
	OK(!bad && access(at("etc/cred.json"), F_OK) != 0, "apply: a secret in root's directory: moved");
	OK(!stat(at("backup/f0"), &st) && (st.st_mode & 07777) == 0600, "... its backup 0600");
	OK(log && strstr(log, "moved ") && strstr(log, " 644 0 0 f0\n"), "... the manifest says so (%s)", log);
	free(log);

	cap_start();
	int rc = ho_restore_file(at("backup"), at("etc/cred.json"), "f0", 04640, BOB, BOB);
	cap_end();
	IS_INT(rc, 0, "undo: put back");
	OK(!stat(at("etc/cred.json"), &st) && st.st_uid == BOB && st.st_gid == BOB &&
	   (st.st_mode & 07777) == 0640, "... with its owner and mode, no set-id bit (%o)",
	   (unsigned)(st.st_mode & 07777));
	struct stat again;
	cap_start();
	rc = ho_restore_file(at("backup"), at("etc/cred.json"), "f0", 0640, BOB, BOB);
	const char *said = cap_end();
	IS_INT(rc, 0, "undo run again: the file already back is fine");
	OK(!stat(at("etc/cred.json"), &again) && again.st_ino == st.st_ino, "... and not written again");
	scratch_put("etc/cred.json", "something else\n", 0600);
	cap_start();
	rc = ho_restore_file(at("backup"), at("etc/cred.json"), "f0", 0640, BOB, BOB);
	said = cap_end();
	IS_INT(rc, EX_CANTCREAT, "undo: another file there now: left, refused");
	OK(strstr(said, "exists again"), "... said (%s)", said);
}

static void files(void)
{
	scratch_stub("systemctl", "#!/bin/sh\nexit 0\n");
	user_dir();
	root_dir_restore();
}

int main(void)
{
	if (geteuid() != 0) {
		OK(1, "takeover # SKIP not root: the files' owners and root's directories need root");
		return tap_done();
	}
	scratch_run("takeover", files);
	return tap_done();
}
