/* rundir.c: where the rendered config goes ($RUNTIME_DIRECTORY, else
 * /run/argoweb/NAME) and making our own directory ready: created 0700
 * under a 0755 parent, mode put right, handed to the service user when
 * root, and nothing followed through a link. */
#define _GNU_SOURCE     /* nftw */
#include "../../src/rundir.c"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>

#include "tap.h"
#include "why.h"

#define OTHER_UID ((uid_t)54321)        /* a made-up uid and gid */

/* --- rundir_path -------------------------------------------------------- */

static void path_is(const char *env, const char *name, size_t n, const char *want,
                    const char *label)
{
	char dir[4096];
	struct config c = { .name = (char *)name };
	if (env)
		setenv("RUNTIME_DIRECTORY", env, 1);
	else
		unsetenv("RUNTIME_DIRECTORY");
	memset(dir, 'x', sizeof dir);
	rundir_path(&c, dir, n);
	IS_STR(dir, want, "path: %s", label);
}

static void test_path(void)
{
	const char *was = getenv("RUNTIME_DIRECTORY");
	char saved[4096] = "";
	if (was)
		snprintf(saved, sizeof saved, "%s", was);

	path_is(NULL, "web", 4096, "/run/argoweb/web", "unset: /run/argoweb/NAME");
	path_is(NULL, "other", 4096, "/run/argoweb/other", "unset: the instance's name");
	path_is("/run/argoweb-x", "web", 4096, "/run/argoweb-x", "set: used as it is");
	path_is("/run/a:/run/b", "web", 4096, "/run/a", "several: the first");
	path_is("/run/a:", "web", 4096, "/run/a", "a trailing colon");
	path_is("/", "web", 4096, "/", "just /");
	path_is("relative/dir", "web", 4096, "/run/argoweb/web", "relative: ignored");
	path_is("", "web", 4096, "/run/argoweb/web", "empty: ignored");
	path_is(":/run/b", "web", 4096, "/run/argoweb/web", "empty first entry: ignored");
	path_is("run/a:/run/b", "web", 4096, "/run/argoweb/web",
	        "relative first entry: ignored, not the second");
	path_is(NULL, "web", 8, "/run/ar", "unset, an 8-byte buffer: cut and terminated");
	path_is("/run/a-long-name:/x", "web", 8, "/run/a-", "set, an 8-byte buffer: cut");

	if (was)
		setenv("RUNTIME_DIRECTORY", saved, 1);
	else
		unsetenv("RUNTIME_DIRECTORY");
}

#include "scratch.h"


static int owned_by(const char *rel, uid_t uid, gid_t gid)
{
	struct stat st;
	return lstat(at(rel), &st) == 0 && st.st_uid == uid && st.st_gid == gid;
}

/* rundir_open(base/rel, ours, uid, gid): 0 (the descriptor checked and
 * closed) or -errno, and what it said in W. */
static int prepare(const char *rel, int ours, uid_t uid, gid_t gid)
{
	int fd = rundir_open(at(rel), ours, uid, gid, WHY);
	if (fd < 0)
		return fd;
	struct stat st, want;
	int same = fstat(fd, &st) == 0 && lstat(at(rel), &want) == 0 && st.st_ino == want.st_ino &&
	           st.st_dev == want.st_dev && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
	close(fd);
	return same ? 0 : -EBADF;
}

__attribute__((format(printf, 1, 0)))
static const char *walk_why(const char *fmt, const char *rel)
{
	static char w[sizeof W.why];
	int n = snprintf(w, sizeof w, "runtime directory: ");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(w + n, sizeof w - (size_t)n, fmt, at(rel), at(rel));
#pragma GCC diagnostic pop
	return w;
}

static const char *why_for(const char *rel, int e)
{
	static char w[sizeof W.why];
	snprintf(w, sizeof w, "%s: runtime directory: %s", at(rel), strerror(e));
	return w;
}

/* --- rundir_prepare ---------------------------------------------------- */

static void test_prepare(void)
{
	int root = geteuid() == 0;
	/* The service user: nobody's ids when root (handed over), our own
	 * otherwise (the only ones we could give). */
	uid_t uid = root ? 65534 : getuid();
	gid_t gid = root ? 65534 : getgid();
	int fds0 = nfds();
	mode_t old_umask = umask(022);

	/* systemd's directory: checked and held, nothing made or changed. */
	IS_INT(prepare("sys/web", 0, uid, gid), -ENOENT, "prepare: not ours, missing");
	OK(access(at("sys"), F_OK) != 0, "prepare: not ours: nothing created");
	IS_STR(W.why, walk_why("%s: No such file or directory", "sys"), "prepare: not ours: named");
	must(mkdir(at("sysdir"), 0755), "mkdir");
	must(chmod(at("sysdir"), 0755), "chmod");
	IS_INT(prepare("sysdir", 0, OTHER_UID, OTHER_UID), 0, "prepare: not ours, existing: 0");
	mode_is("sysdir", 0755, "prepare: not ours: its mode left as it is");
	OK(owned_by("sysdir", getuid(), getgid()), "prepare: not ours: its owner left as it is");

	/* Ours, made fresh. */
	IS_INT(prepare("argoweb/web", 1, uid, gid), 0, "prepare: fresh: 0");
	mode_is("argoweb", 0755, "prepare: fresh: parent made 0755");
	mode_is("argoweb/web", 0700, "prepare: fresh: directory made 0700");
	OK(owned_by("argoweb", getuid(), getgid()), "prepare: fresh: parent is ours");
	OK(owned_by("argoweb/web", uid, gid), root ? "prepare: fresh: handed to the service user"
	                                           : "prepare: fresh: owned by us");
	IS_STR(W.why, "", "prepare: fresh: no message");
	IS_INT(prepare("argoweb/web", 1, uid, gid), 0, "prepare: a second time: 0");
	mode_is("argoweb/web", 0700, "prepare: a second time: still 0700");

	/* Existing, wrong mode or owner: put right. */
	must(chmod(at("argoweb/web"), 0755), "chmod");
	IS_INT(prepare("argoweb/web", 1, uid, gid), 0, "prepare: existing 0755: 0");
	mode_is("argoweb/web", 0700, "prepare: existing 0755: made 0700 again");
	/* Writable by others: someone else may have put things there. */
	must(chmod(at("argoweb/web"), 01777), "chmod");
	IS_INT(prepare("argoweb/web", 1, uid, gid), -EPERM, "prepare: existing 1777: refused");
	IS_STR(W.why, walk_why("parent directory %s is writable by others (mode 1777): keep "
	                     "credentials and cloudflared where only root can write, e.g. run "
	                     "chmod go-w %s", "argoweb/web"), "prepare: existing 1777: named");
	mode_is("argoweb/web", 01777, "prepare: existing 1777: left as it is");
	must(chmod(at("argoweb/web"), 0700), "chmod");
	must(chmod(at("sysdir"), 0777), "chmod");
	IS_INT(prepare("sysdir", 0, uid, gid), -EPERM, "prepare: systemd's, 0777: refused");
	must(chmod(at("sysdir"), 0755), "chmod");
	if (root) {
		must(chown(at("argoweb/web"), OTHER_UID, OTHER_UID), "chown");
		IS_INT(prepare("argoweb/web", 1, uid, gid), -EPERM,
		       "prepare: another user's directory: refused");
		OK(owned_by("argoweb/web", OTHER_UID, OTHER_UID), "prepare: another user's: untouched");
		must(chown(at("argoweb/web"), uid, gid), "chown");
		must(chown(at("argoweb"), OTHER_UID, OTHER_UID), "chown");
		IS_INT(prepare("argoweb/web", 1, uid, gid), -EPERM,
		       "prepare: a parent of another user's: refused");
		must(chown(at("argoweb"), 0, 0), "chown");
	}
	must(chmod(at("argoweb"), 0711), "chmod");
	IS_INT(prepare("argoweb/web", 1, uid, gid), 0, "prepare: existing parent 0711: 0");
	mode_is("argoweb", 0711, "prepare: an existing parent is left as it is");
	must(chmod(at("argoweb"), 0755), "chmod");
	if (root) {
		must(chown(at("argoweb/web"), 0, 0), "chown");
		IS_INT(prepare("argoweb/web", 1, uid, gid), 0, "prepare: root's, existing: 0");
		OK(owned_by("argoweb/web", uid, gid), "prepare: root's, existing: handed over");
		IS_INT(prepare("argoweb/web", 1, 0, 0), -EPERM,
		       "prepare: the service user's, for another: refused");
		OK(owned_by("argoweb/web", uid, gid), "prepare: the service user's: left as it is");
	} else {
		IS_INT(prepare("argoweb/web", 1, OTHER_UID, OTHER_UID), 0,
		       "prepare: not root, another user: 0 (nothing to hand over)");
		OK(owned_by("argoweb/web", getuid(), getgid()), "prepare: not root: still ours");
	}

	/* The umask does not decide the modes. */
	umask(0);
	IS_INT(prepare("u0/web", 1, uid, gid), 0, "prepare: umask 0: 0");
	mode_is("u0", 0755, "prepare: umask 0: parent 0755");
	mode_is("u0/web", 0700, "prepare: umask 0: directory 0700");
	umask(077);
	IS_INT(prepare("u77/web", 1, uid, gid), 0, "prepare: umask 077: 0");
	/* Found by this test: the parent was made under the caller's umask,
	 * so under 077 a new /run/argoweb was 0700 root and the service user
	 * could not reach its directory (config.yml then failed, EACCES). */
	mode_is("u77", 0755, "prepare: umask 077: parent still 0755");
	mode_is("u77/web", 0700, "prepare: umask 077: directory 0700");
	umask(022);

	/* A link in place of the directory: refused, nothing followed. */
	must(mkdir(at("target"), 0755), "mkdir");
	must(chmod(at("target"), 0755), "chmod");
	must(symlink(at("target"), at("argoweb/link")), "symlink");
	int rc = prepare("argoweb/link", 1, uid, gid);
	IS_INT(rc, -EPERM, "prepare: a symlink to a directory: refused");
	IS_STR(W.why, walk_why("%s: not a directory (or a symbolic link)", "argoweb/link"),
	       "prepare: a symlink: the dir named");
	mode_is("target", 0755, "prepare: a symlink: its target's mode untouched");
	OK(owned_by("target", getuid(), getgid()), "prepare: a symlink: its target's owner untouched");
	struct stat st;
	OK(lstat(at("argoweb/link"), &st) == 0 && S_ISLNK(st.st_mode), "prepare: the link is left");
	must(symlink(at("nowhere"), at("argoweb/dangling")), "symlink");
	rc = prepare("argoweb/dangling", 1, uid, gid);
	IS_INT(rc, -EPERM, "prepare: a dangling symlink: refused");
	IS_STR(W.why, walk_why("%s: not a directory (or a symbolic link)", "argoweb/dangling"),
	       "prepare: a dangling symlink: the dir named");
	OK(access(at("nowhere"), F_OK) != 0, "prepare: a dangling symlink: nothing made at its target");

	/* Something else in the way, or no way there. */
	int fd = open(at("argoweb/file"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	IS_INT(prepare("argoweb/file", 1, uid, gid), -EPERM, "prepare: a file in the way");
	IS_STR(W.why, walk_why("%s: not a directory (or a symbolic link)", "argoweb/file"),
	       "prepare: a file in the way: the dir named");
	mode_is("argoweb/file", 0600, "prepare: a file in the way: left as it is");
	IS_INT(prepare("no/such/web", 1, uid, gid), -ENOENT, "prepare: no grandparent");
	IS_STR(W.why, why_for("no/such", ENOENT), "prepare: no grandparent: the parent named");
	OK(access(at("no"), F_OK) != 0, "prepare: no grandparent: nothing made");
	if (!root) {
		must(mkdir(at("ro"), 0555), "mkdir");
		must(chmod(at("ro"), 0555), "chmod");
		IS_INT(prepare("ro/web", 1, uid, gid), -EACCES, "prepare: unwritable parent");
		IS_STR(W.why, why_for("ro/web", EACCES), "prepare: unwritable parent: the dir named");
		IS_INT(prepare("ro/sub/web", 1, uid, gid), -EACCES,
		       "prepare: parent cannot be made");
		IS_STR(W.why, why_for("ro/sub", EACCES), "prepare: parent cannot be made: it is named");
		must(chmod(at("ro"), 0755), "chmod");
	} else {
		OK(1, "prepare: unwritable parent # SKIP root writes anywhere");
	}
	IS_INT(nfds(), fds0, "prepare: no descriptor left open");
	umask(old_umask);
}

int main(void)
{
	msg_quiet = 1;
	test_path();
	scratch_run("rundir", test_prepare);
	return tap_done();
}
