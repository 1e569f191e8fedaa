/* safefile.c: the secret's open (type, links, owner, mode), the walk up
 * the parent directories, the cloudflared binary and a file the service
 * user must read, each on real files in a scratch directory. Owner is
 * the caller's uid so it runs unprivileged too; the reader is made up. */
#include "../../src/safefile.c"

#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/types.h>

#include "tap.h"
#include "why.h"

#define OTHER_UID ((uid_t)54321)        /* nobody's: a made-up uid and gid */

#include "scratch.h"

static void mkfile(const char *rel, const char *content, mode_t mode)
{
	const char *p = at(rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content))
		printf("# cannot write %s: %s\n", p, strerror(errno));
	if (fd >= 0)
		close(fd);
	chmod(p, mode);
}

static void mkdir_mode(const char *rel, mode_t mode)
{
	const char *p = at(rel);
	if (mkdir(p, 0700) && errno != EEXIST)
		printf("# cannot make %s: %s\n", p, strerror(errno));
	chmod(p, mode);
}

/* A name as the module prints it: the user name, else "uid N". */
static const char *name_of(uid_t uid)
{
	static char b[2][64];
	static unsigned i;
	char *p = b[i++ % 2];
	struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(p, 64, "%s", pw->pw_name);
	else
		snprintf(p, 64, "uid %u", (unsigned)uid);
	return p;
}

/* Independent of the module: is every directory from / to base owned by
 * root or us and not group/other-writable (a root-owned sticky directory
 * that others cannot write aside)? With `search`: is each also
 * searchable by group and others (for a reader that is neither)? */
static int chain_ok(int search)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", base);
	for (;;) {
		struct stat st;
		if (lstat(p, &st) || !S_ISDIR(st.st_mode))
			return 0;
		if (search && strcmp(p, base) && (st.st_mode & 011) != 011)
			return 0;
		if (!search && st.st_uid != 0 && st.st_uid != getuid())
			return 0;
		if (!search && (st.st_mode & 022) &&
		    !(st.st_uid == 0 && (st.st_mode & S_ISVTX) && !(st.st_mode & 002)))
			return 0;
		if (!strcmp(p, "/"))
			return 1;
		char *s = strrchr(p, '/');
		if (s == p)
			s[1] = 0;
		else
			*s = 0;
	}
}

/* --- sf_open_secret ---------------------------------------------------- */

static void secret_refused(const char *path, uid_t owner, int want_rc, const char *want,
                           const char *label)
{
	int rc = sf_open_secret(path, owner, NULL, WHY);
	if (rc >= 0)
		close(rc);
	IS_INT(rc, want_rc, "open_secret: %s: refused", label);
	IS_STR(W.why, want, "open_secret: %s: message", label);
}

static void test_open_secret(void)
{
	char want[3 * PATH_MAX];
	int fds0 = nfds();

	mkfile("good", "secret\n", 0600);
	int fd = sf_open_secret(at("good"), getuid(), NULL, WHY);
	OK(fd >= 0, "open_secret: a 0600 file of ours opens");
	if (fd >= 0) {
		char buf[32] = "";
		ssize_t n = read(fd, buf, sizeof buf - 1);
		OK(n == 7 && !strcmp(buf, "secret\n"), "open_secret: the descriptor reads the file");
		OK(!(fcntl(fd, F_GETFL) & O_NONBLOCK), "open_secret: O_NONBLOCK is off again");
		OK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "open_secret: close-on-exec");
		close(fd);
	} else {
		printf("#   %d %s\n", fd, W.why);
	}
	mkfile("ro", "x", 0400);
	fd = sf_open_secret(at("ro"), getuid(), NULL, WHY);
	OK(fd >= 0, "open_secret: 0400 opens (no group/other bits)");
	if (fd >= 0)
		close(fd);

	/* Links. */
	must(symlink(at("good"), at("link")), "symlink");
	snprintf(want, sizeof want, "%s is a symbolic link: name the file itself (links let "
	         "someone else swap the secret)", at("link"));
	secret_refused(at("link"), getuid(), -EPERM, want, "symlink");
	must(symlink(at("absent"), at("dangling")), "symlink");
	snprintf(want, sizeof want, "%s is a symbolic link: name the file itself (links let "
	         "someone else swap the secret)", at("dangling"));
	secret_refused(at("dangling"), getuid(), -EPERM, want, "dangling symlink");

	mkfile("linked", "secret", 0600);
	if (link(at("linked"), at("linked2")) == 0) {
		snprintf(want, sizeof want, "%s has 2 hard links: give the credential a file of its "
		         "own (cp it, then rm the links)", at("linked"));
		secret_refused(at("linked"), getuid(), -EPERM, want, "hard link (2 links)");
		snprintf(want, sizeof want, "%s has 2 hard links: give the credential a file of its "
		         "own (cp it, then rm the links)", at("linked2"));
		secret_refused(at("linked2"), getuid(), -EPERM, want, "the other name of it");
		must(link(at("linked"), at("linked3")), "link");
		snprintf(want, sizeof want, "%s has 3 hard links: give the credential a file of its "
		         "own (cp it, then rm the links)", at("linked"));
		secret_refused(at("linked"), getuid(), -EPERM, want, "3 links");
		/* Links are checked before the mode. */
		chmod(at("linked"), 0644);
		secret_refused(at("linked"), getuid(), -EPERM, want, "3 links and mode 0644: links first");
	} else {
		OK(1, "open_secret: hard links # SKIP link(): %s", strerror(errno));
	}

	/* Not a regular file. */
	mkdir_mode("adir", 0700);
	snprintf(want, sizeof want, "%s is a directory, not a credential file", at("adir"));
	secret_refused(at("adir"), getuid(), -EPERM, want, "a directory");
	if (mkfifo(at("fifo"), 0600) == 0) {
		/* O_NONBLOCK: with no writer the open must not wait. Should
		 * it ever block, the alarm ends the test loudly. */
		alarm(10);
		snprintf(want, sizeof want, "%s is a FIFO, not a credential file", at("fifo"));
		secret_refused(at("fifo"), getuid(), -EPERM, want, "a FIFO, without blocking");
		alarm(0);
	} else {
		OK(1, "open_secret: FIFO # SKIP mkfifo: %s", strerror(errno));
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		close(fd);
		secret_refused("/dev/null", getuid(), -EPERM,
		               "/dev/null is a character device, not a credential file", "/dev/null");
	}

	/* Too open: any group or other bit. */
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0660, 0606, 0610, 0601, 0620 };
	for (size_t i = 0; i < sizeof open_modes / sizeof *open_modes; i++) {
		char label[32];
		mkfile("open", "secret", open_modes[i]);
		snprintf(label, sizeof label, "mode %04o", (unsigned)open_modes[i]);
		snprintf(want, sizeof want, "%s: mode %04o is too open: run chmod 600 %s", at("open"),
		         (unsigned)open_modes[i], at("open"));
		secret_refused(at("open"), getuid(), -EPERM, want, label);
	}

	/* Missing, or the path cannot be opened. */
	snprintf(want, sizeof want, "%s: cannot open the credential: No such file or directory",
	         at("absent"));
	secret_refused(at("absent"), getuid(), -ENOENT, want, "missing");
	snprintf(want, sizeof want, "%s: cannot open the credential: No such file or directory",
	         at("nodir/absent"));
	secret_refused(at("nodir/absent"), getuid(), -ENOENT, want, "missing directory");
	snprintf(want, sizeof want, "%s: not a directory", at("good"));
	secret_refused(at("good/x"), getuid(), -EPERM, want, "a file used as a directory");
	if (geteuid() != 0) {
		mkfile("unreadable", "secret", 0000);
		snprintf(want, sizeof want, "%s: cannot open the credential: Permission denied",
		         at("unreadable"));
		secret_refused(at("unreadable"), getuid(), -EPERM, want, "mode 0000, not root");
	} else {
		OK(1, "open_secret: unreadable file # SKIP root reads any file");
	}

	/* Owner. */
	if (geteuid() == 0) {
		mkfile("theirs", "secret", 0600);
		must(chown(at("theirs"), 65534, 65534), "chown");
		snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
		         at("theirs"), name_of(65534), at("theirs"));
		secret_refused(at("theirs"), getuid(), -EPERM, want, "owned by another uid (root)");
		fd = sf_open_secret(at("theirs"), 65534, NULL, WHY);
		OK(fd >= 0, "open_secret: owned by the owner named (uid 65534) opens");
		if (fd >= 0)
			close(fd);
		fd = sf_open_secret(at("good"), OTHER_UID, NULL, WHY);
		OK(fd >= 0, "open_secret: root's file opens whoever the owner is");
		if (fd >= 0)
			close(fd);
		chmod(at("theirs"), 0644);
		secret_refused(at("theirs"), getuid(), -EPERM, want, "owner checked before the mode");
	} else {
		OK(1, "open_secret: owned by another uid # SKIP only root can chown");
		snprintf(want, sizeof want, "%s is owned by %s, not by root or %s: run chown root %s",
		         at("good"), name_of(getuid()), name_of(OTHER_UID), at("good"));
		secret_refused(at("good"), OTHER_UID, -EPERM, want,
		               "ours, but another owner named");
	}
	IS_INT(nfds(), fds0, "open_secret: no descriptor left open");
}

/* --- sf_check_parents -------------------------------------------------- */

static void parents_is(const char *path, uid_t owner, int want_rc, const char *want,
                       const char *label)
{
	int rc = sf_check_parents(path, owner, WHY);
	IS_INT(rc, want_rc, "parents: %s: rc", label);
	if (want)
		IS_STR(W.why, want, "parents: %s: message", label);
	else if (rc != want_rc)
		printf("#   %s\n", W.why);
}

static const char *writable_msg(const char *dir, const char *by, mode_t mode)
{
	static char w[3 * PATH_MAX];
	snprintf(w, sizeof w, "parent directory %s is writable by %s (mode %04o): keep "
	         "credentials and cloudflared where only root can write, e.g. run chmod go-w %s",
	         dir, by, (unsigned)mode, dir);
	return w;
}

static void test_parents(void)
{
	char want[3 * PATH_MAX];
	/* Independent of the chain: the path's shape. */
	parents_is("relative/file", getuid(), -EPERM, "relative/file: not an absolute path",
	           "a relative path");
	parents_is("file", getuid(), -EPERM, "file: not an absolute path", "a bare name");
	parents_is("", getuid(), -EPERM, ": not an absolute path", "an empty path");
	struct stat st;
	if (stat("/", &st) == 0 && st.st_uid == 0 && !(st.st_mode & 022))
		parents_is("/argoweb-file", getuid(), 0, NULL, "a file in / (parent: / only)");

	if (!chain_ok(0)) {
		OK(1, "parents # SKIP a directory above %s is not root's or ours, or is writable",
		   base);
		return;
	}
	mkdir_mode("a", 0755);
	mkdir_mode("a/b", 0755);
	mkdir_mode("a/b/c", 0755);
	parents_is(at("a/b/c/file"), getuid(), 0, NULL, "a chain of 0755 directories");
	parents_is(at("a/b/c"), getuid(), 0, NULL, "a directory's own parents");
	parents_is(at("a/b/c/file"), OTHER_UID, geteuid() == 0 ? 0 : -EPERM, NULL,
	           geteuid() == 0 ? "root's directories, whoever the owner is"
	                          : "our directories, another owner named");

	chmod(at("a/b"), 0775);
	parents_is(at("a/b/c/file"), getuid(), -EPERM, writable_msg(at("a/b"), "its group", 0775),
	           "a group-writable parent");
	chmod(at("a/b"), 0757);
	parents_is(at("a/b/c/file"), getuid(), -EPERM, writable_msg(at("a/b"), "others", 0757),
	           "a world-writable parent");
	chmod(at("a/b"), 0777);
	parents_is(at("a/b/c/file"), getuid(), -EPERM, writable_msg(at("a/b"), "others", 0777),
	           "a 0777 parent");
	chmod(at("a/b"), 01777);
	parents_is(at("a/b/c/file"), getuid(), -EPERM, writable_msg(at("a/b"), "others", 01777),
	           "a sticky 1777 parent (as /tmp)");
	chmod(at("a/b"), 0755);
	chmod(at("a/b/c"), 0775);
	parents_is(at("a/b/c/file"), getuid(), -EPERM,
	           writable_msg(at("a/b/c"), "its group", 0775), "the nearest parent writable");
	parents_is(at("a/b/file"), getuid(), 0, NULL, "a writable directory below is no parent");
	chmod(at("a/b/c"), 0755);

	/* Sticky and group-writable: the Nix store's root:nixbld 1775. */
	if (geteuid() == 0) {
		chmod(at("a/b"), 01775);
		parents_is(at("a/b/c/file"), getuid(), 0, NULL, "root's sticky 1775 directory");
		must(chown(at("a/b"), 65534, 65534), "chown");
		parents_is(at("a/b/c/file"), 65534, -EPERM, writable_msg(at("a/b"), "its group", 01775),
		           "a sticky 1775 directory not root's");
		chmod(at("a/b"), 0755);
		snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
		         at("a/b"), name_of(65534), at("a/b"));
		parents_is(at("a/b/c/file"), getuid(), -EPERM, want, "a parent owned by another uid");
		must(chown(at("a/b"), 0, 0), "chown");
	} else {
		OK(1, "parents: root's sticky 1775 directory # SKIP only root can make one");
		chmod(at("a/b"), 01775);
		parents_is(at("a/b/c/file"), getuid(), -EPERM, writable_msg(at("a/b"), "its group", 01775),
		           "a sticky 1775 directory not root's");
		chmod(at("a/b"), 0755);
	}

	/* Missing. */
	snprintf(want, sizeof want, "%s: No such file or directory", at("nope"));
	parents_is(at("nope/file"), getuid(), -ENOENT, want, "a missing parent");
	snprintf(want, sizeof want, "%s: No such file or directory", at("nope"));
	parents_is(at("nope/deeper/file"), getuid(), -ENOENT, want, "a missing grandparent");

	/* Links among the parents are resolved first, then walked. */
	must(symlink(at("a/b"), at("lnk")), "symlink");
	parents_is(at("lnk/c/file"), getuid(), 0, NULL, "a symlink among the parents (resolved)");
	chmod(at("a/b/c"), 0775);
	must(symlink(at("a/b/c"), at("lnkc")), "symlink");
	parents_is(at("lnkc/file"), getuid(), -EPERM, writable_msg(at("a/b/c"), "its group", 0775),
	           "a link to a writable directory: the target named");
	chmod(at("a/b/c"), 0755);

	/* A file where a directory should be. No caller gets here (each
	 * has opened or resolved the file first), and the message says
	 * "PATH: changed while being checked": only the code and the path
	 * are asserted. */
	mkfile("plain", "x", 0600);
	IS_INT(sf_check_parents(at("plain/file"), getuid(), WHY), -EPERM,
	       "parents: a regular file as the parent: rc");
	snprintf(want, sizeof want, "%s: ", at("plain"));
	OK(!strncmp(W.why, want, strlen(want)), "parents: a regular file as the parent: named");
}

/* --- sf_check_binary --------------------------------------------------- */

static void binary_is(const char *path, int want_rc, const char *want_real, const char *want,
                      const char *label)
{
	char real[PATH_MAX] = "(untouched)";
	int rc = sf_check_binary(path, getuid(), real, sizeof real, WHY);
	IS_INT(rc, want_rc, "binary: %s: rc", label);
	if (!want_rc && rc)
		printf("#   %s\n", W.why);
	if (want_real)
		IS_STR(real, want_real, "binary: %s: resolved path", label);
	if (want)
		IS_STR(W.why, want, "binary: %s: message", label);
}

static void test_binary(void)
{
	char want[3 * PATH_MAX];
	if (!chain_ok(0)) {
		OK(1, "binary # SKIP a directory above %s is not root's or ours, or is writable", base);
		return;
	}
	mkdir_mode("bin", 0755);
	mkfile("bin/cloudflared", "#!/bin/sh\n", 0755);
	char real[PATH_MAX];      /* at()'s buffers rotate: keep a copy */
	snprintf(real, sizeof real, "%s", at("bin/cloudflared"));
	binary_is(real, 0, real, NULL, "a 0755 file of ours");
	must(symlink("cloudflared", at("bin/cf-link")), "symlink");
	binary_is(at("bin/cf-link"), 0, real, NULL, "a symlink: the target reported");
	must(symlink(at("bin"), at("bindir-link")), "symlink");
	binary_is(at("bindir-link/cloudflared"), 0, real, NULL, "through a linked directory");
	chmod(real, 0700);
	binary_is(real, 0, real, NULL, "0700 (executable by its owner)");

	chmod(real, 0644);
	snprintf(want, sizeof want, "cloudflared at %s is not an executable file", real);
	binary_is(real, -ENOEXEC, NULL, want, "mode 0644");
	binary_is(at("bin/cf-link"), -ENOEXEC, real, want, "a link to a non-executable");
	snprintf(want, sizeof want, "cloudflared at %s is not an executable file", at("bin"));
	binary_is(at("bin"), -ENOEXEC, NULL, want, "a directory");
	chmod(real, 0755);

	snprintf(want, sizeof want, "cloudflared not found at %s (install it from Cloudflare's "
	         "package repository, or set cloudflared: to where it is)", at("bin/absent"));
	binary_is(at("bin/absent"), -ENOENT, "(untouched)", want, "missing");
	must(symlink("absent", at("bin/dangling")), "symlink");
	snprintf(want, sizeof want, "cloudflared not found at %s (install it from Cloudflare's "
	         "package repository, or set cloudflared: to where it is)", at("bin/dangling"));
	binary_is(at("bin/dangling"), -ENOENT, NULL, want, "a dangling symlink");

	chmod(real, 0775);
	snprintf(want, sizeof want, "cloudflared at %s is writable by its group (mode 0775): "
	         "run chmod go-w %s", real, real);
	binary_is(real, -EPERM, NULL, want, "group-writable");
	binary_is(at("bin/cf-link"), -EPERM, NULL, want, "a link to a group-writable one");
	chmod(real, 0757);
	snprintf(want, sizeof want, "cloudflared at %s is writable by others (mode 0757): "
	         "run chmod go-w %s", real, real);
	binary_is(real, -EPERM, NULL, want, "world-writable");
	chmod(real, 0755);

	chmod(at("bin"), 0775);
	binary_is(real, -EPERM, NULL, writable_msg(at("bin"), "its group", 0775),
	          "in a group-writable directory");
	chmod(at("bin"), 0755);

	if (geteuid() == 0) {
		must(chown(real, 65534, 65534), "chown");
		snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
		         real, name_of(65534), real);
		binary_is(real, -EPERM, NULL, want, "owned by another uid");
		must(chown(real, 0, 0), "chown");
	} else {
		OK(1, "binary: owned by another uid # SKIP only root can chown");
	}
}

/* --- sf_check_readable ------------------------------------------------- */

static void readable_is(const char *path, const struct sf_reader *r, int want_rc,
                        const char *want, const char *label)
{
	int rc = sf_check_readable(path, getuid(), r, WHY);
	IS_INT(rc, want_rc, "readable: %s: rc", label);
	if (want)
		IS_STR(W.why, want, "readable: %s: message", label);
	else if (rc != want_rc)
		printf("#   %s\n", W.why);
}

static const char *cannot_read(const char *path, uid_t uid, mode_t mode)
{
	static char w[3 * PATH_MAX];
	snprintf(w, sizeof w, "%s: the service user (uid %u) cannot read it (mode %04o): "
	         "run chmod 644 %s", path, (unsigned)uid, (unsigned)mode, path);
	return w;
}

static void test_readable(void)
{
	char want[3 * PATH_MAX];
	if (!chain_ok(0) || !chain_ok(1)) {
		OK(1, "readable # SKIP a directory above %s is not root's or ours, is writable, "
		   "or cannot be searched by group and others", base);
		return;
	}
	/* Readers: through the other bits, the group bits, the owner bits. */
	struct sf_reader other = { .path = "ca.pem", .uid = OTHER_UID, .gid = OTHER_UID };
	struct sf_reader group = { .path = "ca.pem", .uid = OTHER_UID, .gid = getgid() };
	struct sf_reader owner = { .path = "ca.pem", .uid = getuid(), .gid = getgid() };
	mode_t base_mode = 0700;
	struct stat st;
	if (stat(base, &st) == 0)
		base_mode = st.st_mode & 07777;
	chmod(base, 0755);
	mkdir_mode("r", 0755);
	char ca[PATH_MAX];        /* at()'s buffers rotate: keep a copy */
	snprintf(ca, sizeof ca, "%s", at("r/ca.pem"));
	mkfile("r/ca.pem", "cert", 0644);
	readable_is(ca, &other, 0, NULL, "0644, read through the other bits");
	chmod(ca, 0640);
	readable_is(ca, &group, 0, NULL, "0640, read through the group bits");
	readable_is(ca, &other, -EPERM, cannot_read(ca, OTHER_UID, 0640), "0640, not in the group");
	chmod(ca, 0600);
	readable_is(ca, &owner, 0, NULL, "0600, read by its owner");
	readable_is(ca, &other, -EPERM, cannot_read(ca, OTHER_UID, 0600), "0600, not the owner");
	readable_is(ca, &group, -EPERM, cannot_read(ca, OTHER_UID, 0600), "0600, in the group");
	chmod(ca, 0604);
	readable_is(ca, &other, 0, NULL, "0604, read by others");
	readable_is(ca, &group, -EPERM, cannot_read(ca, OTHER_UID, 0604),
	            "0604, in the group: the group bits decide");
	chmod(ca, 0400);
	readable_is(ca, &owner, 0, NULL, "0400, read by its owner");
	chmod(ca, 0644);

	/* A directory on the way the reader cannot enter. */
	mkdir_mode("r/priv", 0700);
	mkfile("r/priv/ca.pem", "cert", 0644);
	snprintf(want, sizeof want, "ca.pem: the service user (uid %u) cannot enter %s (mode 0700): "
	         "run chmod o+x %s, or keep the file elsewhere", (unsigned)OTHER_UID, at("r/priv"),
	         at("r/priv"));
	readable_is(at("r/priv/ca.pem"), &other, -EPERM, want, "a 0700 directory above");
	readable_is(at("r/priv/ca.pem"), &owner, 0, NULL, "a 0700 directory above, its owner");
	chmod(at("r/priv"), 0710);
	readable_is(at("r/priv/ca.pem"), &group, 0, NULL, "a 0710 directory above, in its group");
	chmod(at("r/priv"), 0701);
	readable_is(at("r/priv/ca.pem"), &other, 0, NULL, "a 0701 directory above, others");
	snprintf(want, sizeof want, "ca.pem: the service user (uid %u) cannot enter %s (mode 0701): "
	         "run chmod o+x %s, or keep the file elsewhere", (unsigned)OTHER_UID, at("r/priv"),
	         at("r/priv"));
	readable_is(at("r/priv/ca.pem"), &group, -EPERM, want,
	            "a 0701 directory above, in its group: the group bits decide");
	chmod(at("r/priv"), 0755);
	chmod(base, 0700);
	snprintf(want, sizeof want, "ca.pem: the service user (uid %u) cannot enter %s (mode 0700): "
	         "run chmod o+x %s, or keep the file elsewhere", (unsigned)OTHER_UID, base, base);
	readable_is(ca, &other, -EPERM, want, "the first closed directory is named");
	chmod(base, 0755);

	/* Not there, not a file, writable, links. */
	snprintf(want, sizeof want, "%s: No such file or directory", at("r/absent.pem"));
	readable_is(at("r/absent.pem"), &other, -ENOENT, want, "missing");
	snprintf(want, sizeof want, "%s: No such file or directory", at("nodir/ca.pem"));
	readable_is(at("nodir/ca.pem"), &other, -ENOENT, want, "missing directory");
	snprintf(want, sizeof want, "%s: not a directory", at("r/ca.pem"));
	readable_is(at("r/ca.pem/x"), &other, -EPERM, want, "a file used as a directory");
	snprintf(want, sizeof want, "%s is a directory", at("r"));
	readable_is(at("r"), &other, -EPERM, want, "a directory");
	must(symlink("ca.pem", at("r/link.pem")), "symlink");
	readable_is(at("r/link.pem"), &other, 0, NULL, "a symlink to a readable file");
	chmod(ca, 0600);
	readable_is(at("r/link.pem"), &other, -EPERM, cannot_read(ca, OTHER_UID, 0600),
	            "a symlink: the target named");
	chmod(ca, 0664);
	snprintf(want, sizeof want, "%s is writable by its group (mode 0664): run chmod go-w %s",
	         ca, ca);
	readable_is(ca, &other, -EPERM, want, "group-writable");
	chmod(ca, 0646);
	snprintf(want, sizeof want, "%s is writable by others (mode 0646): run chmod go-w %s",
	         ca, ca);
	readable_is(ca, &other, -EPERM, want, "world-writable");
	chmod(ca, 0644);
	chmod(at("r"), 0775);
	readable_is(ca, &other, -EPERM, writable_msg(at("r"), "its group", 0775),
	            "in a group-writable directory");
	chmod(at("r"), 0755);

	if (geteuid() == 0) {
		must(chown(ca, 65534, 65534), "chown");
		snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
		         ca, name_of(65534), ca);
		readable_is(ca, &other, -EPERM, want, "owned by another uid");
		must(chown(ca, 0, 0), "chown");
	} else {
		OK(1, "readable: owned by another uid # SKIP only root can chown");
	}
	chmod(base, base_mode);
}

/* --- sf_open_config ---------------------------------------------------- */

static void config_is(const char *path, uid_t owner, int want_rc, const char *want,
                      const char *label)
{
	int fd = sf_open_config(path, owner, WHY);
	if (fd >= 0) {
		char buf[8] = "";
		OK(read(fd, buf, 5) == 5 && !strcmp(buf, "user:"), "config: %s: reads the file", label);
		close(fd);
		fd = 0;
	}
	IS_INT(fd, want_rc, "config: %s: rc", label);
	if (want)
		IS_STR(W.why, want, "config: %s: message", label);
}

static void test_config(void)
{
	char want[PATH_MAX * 2 + 128];
	if (!chain_ok(0)) {
		OK(1, "config # SKIP a directory above %s is not safe", base);
		return;
	}
	mkdir_mode("c", 0755);
	mkfile("c/web.yaml", "user: x\n", 0644);
	config_is(at("c/web.yaml"), getuid(), 0, NULL, "0644, ours");
	config_is(at("c/web.yaml"), OTHER_UID, geteuid() == 0 ? 0 : -EPERM, NULL,
	          geteuid() == 0 ? "root's, whoever runs it" : "ours, another caller");
	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) && chdir(at("c")) == 0) {
		config_is("web.yaml", getuid(), 0, NULL, "a relative path");
		config_is("./../c/web.yaml", getuid(), 0, NULL, "a relative path with ..");
		if (chdir(cwd))
			OK(0, "chdir back: %s", strerror(errno));
	}
	chmod(at("c/web.yaml"), 0666);
	snprintf(want, sizeof want, "%s is writable by others (mode 0666): run chmod go-w %s",
	         at("c/web.yaml"), at("c/web.yaml"));
	config_is(at("c/web.yaml"), getuid(), -EPERM, want, "0666");
	chmod(at("c/web.yaml"), 0620);
	snprintf(want, sizeof want, "%s is writable by its group (mode 0620): run chmod go-w %s",
	         at("c/web.yaml"), at("c/web.yaml"));
	config_is(at("c/web.yaml"), getuid(), -EPERM, want, "0620");
	chmod(at("c/web.yaml"), 0600);
	snprintf(want, sizeof want, "%s: not a regular file (a directory)", at("c"));
	config_is(at("c"), getuid(), -EINVAL, want, "a directory");
	snprintf(want, sizeof want, "%s: cannot open the config: No such file or directory",
	         at("c/absent.yaml"));
	config_is(at("c/absent.yaml"), getuid(), -ENOENT, want, "missing");
	mkdir_mode("w", 01777);
	mkfile("w/web.yaml", "user: x\n", 0644);
	snprintf(want, sizeof want, "parent directory %s is writable by others (mode 1777): keep "
	         "credentials and cloudflared where only root can write, e.g. run chmod go-w %s",
	         at("w"), at("w"));
	config_is(at("w/web.yaml"), getuid(), -EPERM, want, "in a 1777 directory, as /tmp");
	if (geteuid() != 0) {
		OK(1, "config: other owners # SKIP only root can chown");
		return;
	}
	must(chown(at("c/web.yaml"), 65534, 65534), "chown");
	snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
	         at("c/web.yaml"), name_of(65534), at("c/web.yaml"));
	config_is(at("c/web.yaml"), 0, -EPERM, want, "another user's, run by root");
	config_is(at("c/web.yaml"), 65534, 0, NULL, "its owner's own, run by its owner");
	must(chown(at("c/web.yaml"), 0, 0), "chown");
	must(symlink(at("c/web.yaml"), at("c/link.yaml")), "symlink");
	config_is(at("c/link.yaml"), 0, 0, NULL, "root's link to it");
	must(lchown(at("c/link.yaml"), 65534, 65534), "lchown");
	snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
	         at("c/link.yaml"), name_of(65534), at("c/link.yaml"));
	config_is(at("c/link.yaml"), 0, -EPERM, want, "another user's link to it");
	config_is(at("c/link.yaml"), 65534, -EPERM, want, "its owner's link, but only root's count");
}

/* --- the walk: the chain checked is the chain opened ------------------- */

/* Modes other than exactly 0600 and 0400 say something odd about the file. */
static void test_odd_modes(void)
{
	static const mode_t odd[] = { 0000, 0200, 0500, 0700, 04600, 02600, 01600, 06400 };
	char want[PATH_MAX * 2 + 128];
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		char label[32];
		if (odd[i] == 0 && geteuid() != 0)
			continue;       /* only root can open it to look */
		mkfile("odd", "secret", 0600);
		chmod(at("odd"), odd[i]);
		snprintf(label, sizeof label, "mode %04o", (unsigned)odd[i]);
		snprintf(want, sizeof want, "%s: mode %04o is not 0600 or 0400: run chmod 600 %s",
		         at("odd"), (unsigned)odd[i], at("odd"));
		if (odd[i] == 0200 && geteuid() != 0)
			snprintf(want, sizeof want, "%s: cannot open the credential: Permission denied",
			         at("odd"));
		secret_refused(at("odd"), getuid(), -EPERM, want, label);
	}
	unlink(at("odd"));
}

/* A link among the parents counts only if whoever could have put it there
 * is trusted: in a sticky directory, the link's own owner. */
static void test_linked_parent(void)
{
	char want[PATH_MAX * 2 + 128];
	if (geteuid() != 0 || !chain_ok(0)) {
		OK(1, "walk: a parent link owned by another user # SKIP needs root and a safe %s", base);
		return;
	}
	mkdir_mode("safe", 0755);
	mkfile("safe/web.json", "secret", 0600);
	mkdir_mode("st", 01775);       /* root's, sticky, group-writable: as /nix/store */
	must(symlink(at("safe"), at("st/link")), "symlink");
	int fd = sf_open_secret(at("st/link/web.json"), getuid(), NULL, WHY);
	OK(fd >= 0, "walk: root's link in a sticky directory is followed");
	if (fd >= 0)
		close(fd);
	must(lchown(at("st/link"), 65534, 65534), "lchown");
	snprintf(want, sizeof want, "%s is owned by %s, not by root: run chown root %s",
	         at("st/link"), name_of(65534), at("st/link"));
	secret_refused(at("st/link/web.json"), getuid(), -EPERM, want,
	               "a parent link owned by another user");
	IS_INT(sf_check_parents(at("st/link/web.json"), getuid(), WHY), -EPERM,
	       "walk: parents: a link owned by another user: rc");
	IS_STR(W.why, want, "walk: parents: a link owned by another user: message");
	unlink(at("st/link"));

	/* /tmp's case: any link there is behind a directory anyone can write. */
	mkdir_mode("tmp", 01777);
	must(symlink(at("safe"), at("tmp/link")), "symlink");
	snprintf(want, sizeof want, "parent directory %s is writable by others (mode 1777): keep "
	         "credentials and cloudflared where only root can write, e.g. run chmod go-w %s",
	         at("tmp"), at("tmp"));
	secret_refused(at("tmp/link/web.json"), getuid(), -EPERM, want, "a link in a 1777 directory");
	unlink(at("tmp/link"));
}

/* Swap a parent link between a safe directory and a world-writable one
 * while opening through it: every open that succeeds reads the safe file.
 * (Checking the parents by name after the open read the other one.) */
static void test_parent_swap_race(void)
{
	if (!chain_ok(0)) {
		OK(1, "walk: parent swap race # SKIP a directory above %s is not safe", base);
		return;
	}
	mkdir_mode("good-dir", 0755);
	mkdir_mode("bad-dir", 0777);
	mkfile("good-dir/web.json", "good", 0600);
	mkfile("bad-dir/web.json", "evil", 0600);
	must(symlink(at("good-dir"), at("cur")), "symlink");
	pid_t pid = fork();
	if (pid == 0) {
		for (unsigned i = 0;; i++) {
			char tmp[PATH_MAX];
			snprintf(tmp, sizeof tmp, "%s.new", at("cur"));
			unlink(tmp);
			if (symlink(at(i % 2 ? "bad-dir" : "good-dir"), tmp) == 0)
				rename(tmp, at("cur"));
		}
	}
	int opened = 0, evil = 0;
	for (int i = 0; i < 3000 && pid > 0; i++) {
		int fd = sf_open_secret(at("cur/web.json"), getuid(), NULL, WHY);
		if (fd < 0)
			continue;
		char buf[8] = "";
		if (read(fd, buf, 4) == 4 && !strcmp(buf, "evil"))
			evil++;
		opened++;
		close(fd);
	}
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	IS_INT(evil, 0, "walk: parent swapped 3000 times: never the world-writable directory's file "
	       "(%d opened)", opened);
	unlink(at("cur"));
	unlink(at("cur.new"));
}

/* Out of descriptors half-way down: a passing condition (71), not a
 * refusal the unit would stop retrying on (77). */
static void test_out_of_descriptors(void)
{
	struct rlimit old, low;
	if (getrlimit(RLIMIT_NOFILE, &old)) {
		OK(1, "walk: out of descriptors # SKIP getrlimit: %s", strerror(errno));
		return;
	}
	low = old;
	low.rlim_cur = 64;
	int fds[64], n = 0;
	setrlimit(RLIMIT_NOFILE, &low);
	while (n < 64 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	if (n > 0)
		close(fds[--n]);      /* room for / but not for the next step */
	int fd = sf_open_secret(at("safe/web.json"), getuid(), NULL, WHY);
	while (n > 0)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
	if (fd >= 0)
		close(fd);
	IS_INT(fd, -EIO, "walk: out of descriptors: EIO (%s)", W.why);
}

int main(void)
{
	msg_quiet = 1;
	if (scratch_open("safefile")) {
		OK(1, "safefile # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	test_open_secret();
	test_parents();
	test_binary();
	test_readable();
	test_config();
	test_odd_modes();
	test_linked_parent();
	test_parent_swap_race();
	test_out_of_descriptors();
	scratch_close();
	return tap_done();
}
