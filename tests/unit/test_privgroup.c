/* privgroup.c: a group is the service user's alone, or it is refused.
 * A made-up world: passwd and group files and a tree of the system's
 * files in a scratch directory (owners and devices only as root). */
#include "../../src/privgroup.c"

#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "aclblob.h"
#include "tap.h"
#include "why.h"
#include "scratch.h"

#define UID ((uid_t)54320)      /* the service user, "svc" */
#define GID ((gid_t)54321)      /* its group, "svc" */
#define OTHER ((gid_t)54322)    /* a group it is not in */

static char passwd[PATH_MAX], group[PATH_MAX], sys[PATH_MAX], dev[PATH_MAX], ours[PATH_MAX];
static struct pg_root roots[3];
static const char *own[2];
static const struct pg_world world = { passwd, group, roots, own };

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	must(f && fputs(text, f) >= 0 && !fclose(f) ? 0 : -1, "write");
}

/* The accounts: svc and its group, plus whatever lines are added. */
static void accounts(const char *more_passwd, const char *more_group)
{
	char text[1024];
	snprintf(text, sizeof text, "root:x:0:0::/root:/bin/sh\nsvc:x:%u:%u::/nonexistent:/bin/false\n%s",
	         (unsigned)UID, (unsigned)GID, more_passwd);
	write_file(passwd, text);
	snprintf(text, sizeof text, "root:x:0:\nsvc:x:%u:\nlonely:x:%u:\n%s", (unsigned)GID,
	         (unsigned)OTHER, more_group);
	write_file(group, text);
}

static void is(gid_t gid, int want_rc, const char *want, const char *label)
{
	IS_INT(pg_check_in(gid, UID, "svc", &world, WHY), want_rc, "%s: rc", label);
	IS_STR(W.why, want, "%s: W.why", label);
}

static void mkfile(const char *rel, uid_t uid, gid_t gid, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");
	if (f)
		fclose(f);
	must(chown(at(rel), uid, gid), "chown");
	must(chmod(at(rel), mode), "chmod");
}

static void accounts_rule(void)
{
	accounts("", "");
	is(GID, 0, "", "its own primary group, no one else's");
	is(0, -EPERM, "is gid 0", "gid 0");
	is(OTHER, -EPERM, "is not user svc's: neither its primary group nor one that lists it",
	   "a group with no tie to it (as utmp, staff, ssh_keys)");
	accounts("", "extra:x:54323:svc\n");
	is(54323, 0, "", "a group that lists it alone");
	accounts("sync:x:4:54321::/bin:/bin/sync\n", "");
	is(GID, -EPERM, "is also the primary group of user sync",
	   "another user's primary group too (as nogroup: nobody, sync, _apt)");
	accounts("", "svc2:x:54321:alice\n");
	is(GID, -EPERM, "also has member alice", "another member, in a second entry of the gid");
	accounts("", "disk:x:6:svc,alice\n");
	is(6, -EPERM, "also has member alice", "a group of others it was added to");
	accounts("toor:x:54320:54321::/:/bin/sh\n", "");
	is(GID, -EPERM, "is also the primary group of user toor", "an alias of its uid, by name");
	accounts("", "");
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "cannot be checked: %s: %s", at("absent"), strerror(ENOENT));
	const struct pg_world none = { at("absent"), group, roots, own };
	IS_INT(pg_check_in(GID, UID, "svc", &none, WHY), -EPERM,
	       "an unreadable passwd file is no pass");
	IS_STR(W.why, want, "an unreadable passwd file: W.why");
}

/* Files of the system its group may reach: by mode, by ACL, nested. */
static void files_rule(void)
{
	char want[PATH_MAX + 64];
	accounts("", "");
	mkdir(at("sys"), 0755);
	mkdir(at("sys/log"), 0755);
	mkfile("sys/log/wtmp", 0, GID, 0664);
	snprintf(want, sizeof want, "may write %s", at("sys/log/wtmp"));
	is(GID, -EPERM, want, "a file its group may write (as wtmp, utmp's)");
	chmod(at("sys/log/wtmp"), 0644);
	is(GID, 0, "", "group bits no more than everyone's");
	mkfile("sys/log/btmp", 0, GID, 0640);
	snprintf(want, sizeof want, "may read %s", at("sys/log/btmp"));
	is(GID, -EPERM, want, "a file its group may read (as btmp)");
	must(chown(at("sys/log/btmp"), 0, OTHER), "chown");
	is(GID, 0, "", "the same file, another group's");
	mkdir(at("sys/a"), 0755);
	mkdir(at("sys/a/b"), 0755);
	mkdir(at("sys/a/b/c"), 0755);
	mkfile("sys/a/b/c/key", 0, GID, 0640);
	is(GID, 0, "", "four levels down, below the depth looked at");
	roots[0].depth = 4;
	snprintf(want, sizeof want, "may read %s", at("sys/a/b/c/key"));
	is(GID, -EPERM, want, "the same, when the depth reaches it");
	must(chown(at("sys/a/b/c/key"), UID, GID), "chown");
	is(GID, 0, "", "the service user's own file");
	mkdir(at("sys/crontabs"), 0700);
	must(chown(at("sys/crontabs"), 0, GID) || chmod(at("sys/crontabs"), 0730), "chown");
	snprintf(want, sizeof want, "may write %s", at("sys/crontabs"));
	is(GID, -EPERM, want, "a directory its group may write into (as crontabs)");
	chmod(at("sys/crontabs"), 0710);
	snprintf(want, sizeof want, "may enter %s", at("sys/crontabs"));
	is(GID, -EPERM, want, "a directory its group may only enter (as /etc/ssl/private)");
	chmod(at("sys/crontabs"), 0711);
	mkfile("sys/helper", 0, GID, 0754);
	snprintf(want, sizeof want, "may run %s", at("sys/helper"));
	is(GID, -EPERM, want, "a program only its group may run");
	chmod(at("sys/helper"), 0755);
	mkdir(at("sys/argoweb"), 0750);
	must(chown(at("sys/argoweb"), 0, GID), "chown");
	mkfile("sys/argoweb/web.yaml", 0, GID, 0640);
	is(GID, 0, "", "argoweb's own directory (as /etc/argoweb, root:argoweb 0750)");
	mkfile("sys/.hidden", 0, GID, 0640);
	snprintf(want, sizeof want, "may read %s", at("sys/.hidden"));
	is(GID, -EPERM, want, "a hidden file counts");
	unlink(at("sys/.hidden"));
	must(symlink("log/btmp", at("sys/link")) || lchown(at("sys/link"), 0, GID), "link");
	is(GID, 0, "", "a link has no access of its own");

	/* What a local user makes is not the system's: their own file naming
	 * the group (a setgid directory gives it one), a root file in a
	 * directory anyone may fill, or in a user's own directory. Counting
	 * them would let any user stop the tunnel from starting. */
	mkfile("sys/theirs", 1500, GID, 0640);
	is(GID, 0, "", "a local user's file with the group's bits");
	must(chown(at("sys/theirs"), 65534, GID), "chown");
	is(GID, 0, "", "the overflow uid's: under PrivateUsers= every user's file reads as it");
	unlink(at("sys/theirs"));
	mkdir(at("sys/shm"), 0755);
	must(chmod(at("sys/shm"), 01777), "chmod");
	mkfile("sys/shm/x", 0, GID, 0640);
	is(GID, 0, "", "a sticky world-writable directory is not entered (as /dev/shm, /run/lock)");
	mkdir(at("sys/user"), 0755);
	must(chown(at("sys/user"), 1500, 1500), "chown");
	mkfile("sys/user/x", 0, GID, 0640);
	is(GID, 0, "", "nor a user's own directory");
	must(chmod(at("sys/shm"), 0755), "chmod");
	snprintf(want, sizeof want, "may read %s", at("sys/shm/x"));
	is(GID, -EPERM, want, "the same directory, not world-writable: entered");
	unlink(at("sys/shm/x"));
	unlink(at("sys/user/x"));

	/* An ACL entry for the group, on a file another group owns (as the
	 * journal's group:adm). */
	mkfile("sys/log/journal", 0, OTHER, 0640);
	const struct ace e[] = { { PACL_USER_OBJ, 6, NOID }, { PACL_GROUP_OBJ, 4, NOID },
	                         { PACL_GROUP, 4, GID }, { PACL_MASK, 4, NOID }, { PACL_OTHER, 0, NOID } };
	unsigned char x[4 + 8 * 5];
	acl_blob(x, e, 5);
	if (setxattr(at("sys/log/journal"), PACL_XATTR, x, sizeof x, 0)) {
		OK(1, "an ACL entry # SKIP this file system takes no ACL: %s", strerror(errno));
	} else {
		snprintf(want, sizeof want, "may read %s by its ACL", at("sys/log/journal"));
		is(GID, -EPERM, want, "an ACL entry that lets its group read (as the journal's adm)");
		chmod(at("sys/log/journal"), 0644);
		is(GID, 0, "", "an ACL entry that gives no more than everyone gets");
		chmod(at("sys/log/journal"), 0640);
		must(chown(at("sys/log/journal"), 1500, OTHER) ||
		     setxattr(at("sys/log/journal"), PACL_XATTR, x, sizeof x, 0), "chown");
		is(GID, 0, "", "the same ACL entry, set by a local user on their own file");
	}
}

static void devices_rule(void)
{
	char want[PATH_MAX + 64];
	mkdir(at("dev"), 0755);
	mkdir(at("dev/bus"), 0755);
	mkdir(at("dev/bus/usb"), 0755);
	mkdir(at("dev/bus/usb/001"), 0755);
	if (mknod(at("dev/bus/usb/001/002"), S_IFCHR | 0664, makedev(189, 1))) {
		OK(1, "devices # SKIP mknod: %s", strerror(errno));
		return;
	}
	snprintf(dev, sizeof dev, "%s", at("dev"));
	roots[1] = (struct pg_root){ dev, 4 };
	must(chown(at("dev/bus/usb/001/002"), 0, GID), "chown");
	must(chmod(at("dev/bus/usb/001/002"), 0664), "chmod");
	snprintf(want, sizeof want, "may write %s", at("dev/bus/usb/001/002"));
	is(GID, -EPERM, want, "a device four levels down (as plugdev's)");
	chmod(at("dev/bus/usb/001/002"), 0666);
	is(GID, 0, "", "a device anyone may use (as /dev/null)");
}

/* Removable media a user mounted (udisks: /run/media/USER/LABEL) is
 * theirs, whatever owners its file system claims. */
static void media_rule(void)
{
	char dir[] = "/run/media/argoweb-test.XXXXXX", file[64];
	if (mkdir("/run/media", 0755) && errno != EEXIST) {
		OK(1, "removable media # SKIP cannot make /run/media: %s", strerror(errno));
		return;
	}
	if (!mkdtemp(dir)) {
		OK(0, "mkdtemp %s: %s", dir, strerror(errno));
		return;
	}
	snprintf(file, sizeof file, "%s/key", dir);
	FILE *f = fopen(file, "w");
	if (f)
		fclose(f);
	must(chown(file, 0, GID) || chmod(file, 0640), "chown");
	const struct pg_root media[] = { { "/run/media", 2 }, { NULL, 0 } };
	const struct pg_world w = { passwd, group, media, own };
	IS_INT(pg_check_in(GID, UID, "svc", &w, WHY), 0,
	       "a root file on removable media (/run/media/...) does not count (%s)", W.why);
	unlink(file);
	rmdir(dir);
	rmdir("/run/media");    /* when it was ours: not empty otherwise */
}

static void mapped_rule(void)
{
	const char *init = "         0          0 4294967295\n";
	OK(pg_mapped(65534, init) && pg_mapped(0, init), "the initial namespace maps every gid");
	const char *private = "         0          0          1\n       992        992          1\n";
	OK(pg_mapped(992, private), "PrivateUsers=: the service's group is mapped");
	OK(pg_mapped(0, private), "PrivateUsers=: root's is mapped");
	OK(!pg_mapped(6, private), "PrivateUsers=: disk is not");
	OK(!pg_mapped(993, private) && !pg_mapped(991, private), "the edges of a range");
	OK(!pg_mapped(0, ""), "an empty map maps nothing");
	OK(pg_mapped_here(getegid()) == 1, "here: our own gid is mapped");
	long o = overflow_gid();
	OK(pg_mapped_here((gid_t)o) == 0,
	   "here: the overflow gid (%ld) never counts as mapped (PrivateUsers=identity maps it)", o);
}

int main(void)
{
	if (scratch_open("privgroup")) {
		OK(1, "privgroup # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	snprintf(passwd, sizeof passwd, "%s", at("passwd"));
	snprintf(group, sizeof group, "%s", at("group"));
	snprintf(sys, sizeof sys, "%s", at("sys"));
	snprintf(ours, sizeof ours, "%s", at("sys/argoweb"));
	roots[0] = (struct pg_root){ sys, 3 };
	own[0] = ours;
	accounts_rule();
	mapped_rule();
	if (geteuid() != 0) {
		OK(1, "privgroup: files and devices # SKIP only root can chown to another group");
	} else {
		files_rule();
		devices_rule();
		accounts("", "");
		media_rule();
	}
	/* This host, as the system tests run it: root's group is refused, and
	 * a group no one is in is not the service user's. */
	IS_INT(pg_check(0, 0, "root", WHY), -EPERM, "pg_check: gid 0 is refused");
	struct group *dk = getgrnam("disk");
	if (dk) {
		IS_INT(pg_check(dk->gr_gid, 54320, "svc", WHY), -EPERM,
		       "pg_check: this host's disk group is refused (%s)", W.why);
	}
	scratch_close();
	return tap_done();
}
