/* sdcred.c: which 0440 credential is systemd's own. The ACL rule on the
 * kernel's xattr form, the unit read from /proc/self/cgroup, and (as root,
 * in a mount namespace of the test's own) real credential mounts of both
 * shapes: systemd 252's (0400, the service user's, no ACL) and 254's and
 * later's (0440 root:root, ACL user:SERVICE:r--, mask r--), each opened
 * through sf_open_secret as creds.c opens it. */
#include "../../src/sdcred.c"

#include <sched.h>
#include <sys/mount.h>
#include <sys/xattr.h>

#include "../../src/safefile.h"
#include "aclblob.h"
#include "tap.h"
#include "why.h"

#define SVC_UID ((uid_t)64123)  /* made-up service user and group */
#define SVC_GID ((gid_t)64124)

/* What systemd 257 gives a unit with User= (measured in the test bed). */
static const struct ace systemd257[] = {
	{ PACL_USER_OBJ, 4, NOID }, { PACL_USER, 4, SVC_UID }, { PACL_GROUP_OBJ, 0, NOID },
	{ PACL_MASK, 4, NOID }, { PACL_OTHER, 0, NOID },
};

static int acl_verdict(const struct ace *e, size_t n, gid_t file_gid)
{
	unsigned char x[256];
	struct sdcred sd = { .ok = 1, .uid = SVC_UID, .gid = SVC_GID };
	return sdcred_acl_ok(x, acl_blob(x, e, n), file_gid, &sd, WHY);
}

static void test_acl(void)
{
	struct ace e[8];
	IS_INT(acl_verdict(systemd257, 5, 0), 0, "acl: systemd 257's (user:SERVICE:r, group::---, mask r) passes");
	memcpy(e, systemd257, sizeof systemd257);
	e[5] = (struct ace){ PACL_USER, 4, 1000 };
	IS_INT(acl_verdict(e, 6, 0), -EPERM, "acl: a second named user is refused");
	IS_STR(W.why, "its ACL lets uid 1000 read it", "acl: ... and named");
	e[5] = (struct ace){ PACL_USER, 0, 1000 };
	IS_INT(acl_verdict(e, 6, 0), 0, "acl: a named user with no permission grants nothing");
	e[5] = (struct ace){ PACL_GROUP, 4, 4 };
	IS_INT(acl_verdict(e, 6, 0), -EPERM, "acl: another named group is refused");
	e[5] = (struct ace){ PACL_GROUP, 4, SVC_GID };
	IS_INT(acl_verdict(e, 6, 0), 0, "acl: the service's own group may read");
	memcpy(e, systemd257, sizeof systemd257);
	e[2].perm = 4;
	IS_INT(acl_verdict(e, 5, 0), -EPERM, "acl: group::r-- with the root group is refused");
	IS_INT(acl_verdict(e, 5, SVC_GID), 0, "acl: group::r-- with the service's group passes");
	IS_INT(acl_verdict(e, 5, 100), -EPERM, "acl: group::r-- with another group is refused");
	memcpy(e, systemd257, sizeof systemd257);
	e[4].perm = 4;
	IS_INT(acl_verdict(e, 5, 0), -EPERM, "acl: other::r-- is refused");
	e[4].perm = 0;
	e[1] = (struct ace){ 0x40, 4, 0 };
	IS_INT(acl_verdict(e, 5, 0), -EBADMSG, "acl: an entry of unknown kind is refused");
	unsigned char x[64];
	size_t len = acl_blob(x, systemd257, 5);
	struct sdcred sd = { .ok = 1, .uid = SVC_UID, .gid = SVC_GID };
	IS_INT(sdcred_acl_ok(x, len - 3, 0, &sd, WHY), -EBADMSG, "acl: a truncated one is refused");
	x[0] = 1;
	IS_INT(sdcred_acl_ok(x, len, 0, &sd, WHY), -EBADMSG, "acl: another version is refused");
	IS_INT(sdcred_acl_ok(x, 2, 0, &sd, WHY), -EBADMSG, "acl: no header is refused");
	static struct ace many[PACL_MAX + 1];
	static unsigned char big[4 + 8 * (PACL_MAX + 1)];
	for (size_t i = 0; i <= PACL_MAX; i++)
		many[i] = (struct ace){ PACL_USER, 0, 1000 + i };
	IS_INT(sdcred_acl_ok(big, acl_blob(big, many, PACL_MAX), 0, &sd, WHY), 0,
	       "acl: %d entries that grant nothing pass", PACL_MAX);
	IS_INT(sdcred_acl_ok(big, acl_blob(big, many, PACL_MAX + 1), 0, &sd, WHY),
	       -EBADMSG, "acl: more entries than argoweb reads are refused, not cut");
}

static void test_unit_of(void)
{
	char u[64];
	IS_INT(sdcred_unit_of("0::/system.slice/argoweb@web.service\n", u, sizeof u), 0, "unit: cgroup v2");
	IS_STR(u, "argoweb@web.service", "unit: cgroup v2's unit");
	IS_INT(sdcred_unit_of("12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/argoweb@a.service\n"
	                      "0::/system.slice/other.service\n", u, sizeof u), 0, "unit: hybrid");
	IS_STR(u, "argoweb@a.service", "unit: hybrid: name=systemd's line decides");
	IS_INT(sdcred_unit_of("0::/\n", u, sizeof u), -ENOENT, "unit: the root cgroup is no unit");
	IS_INT(sdcred_unit_of("", u, sizeof u), -ENOENT, "unit: nothing");
	IS_INT(sdcred_unit_of("0::/system.slice/a-very-long-unit-name-indeed-longer-than-the-buffer.service", u, 16),
	       -ENOENT, "unit: too long for the buffer");
}

/* --- real mounts (root, in a private mount namespace) ------------------ */

static char dir[256], file[300];

static int put_file(const char *content, mode_t mode, uid_t uid, gid_t gid, const struct ace *e, size_t n)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) < 0 || fchown(fd, uid, gid) || fchmod(fd, mode))
		return -1;
	unsigned char x[256];
	int rc = n ? fsetxattr(fd, PACL_XATTR, x, acl_blob(x, e, n), 0)
	           : fremovexattr(fd, PACL_XATTR) && errno != ENODATA ? -1 : 0;
	close(fd);
	return rc;
}

static int remount(int ro)
{
	return mount("tmpfs", dir, "tmpfs", MS_REMOUNT | (ro ? MS_RDONLY : 0), "mode=0550");
}

/* sdcred_dir's check of dir for unit, then the open as creds.c does it. */
static int open_as_unit(const char *unit, struct sdcred *sd)
{
	dir_of_unit(dir, unit, (*sd = (struct sdcred){ .uid = SVC_UID, .gid = SVC_GID }, sd));
	int fd = sf_open_secret(file, SVC_UID, sd, WHY);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

static void in_namespace(const char *unit)
{
	struct sdcred sd;
	OK(mount("tmpfs", dir, "tmpfs", 0, "mode=0550") == 0, "mount a tmpfs at %s", dir);
	chmod(dir, 0550);
	/* systemd 257's shape. */
	OK(put_file("{}", 0440, 0, 0, systemd257, 5) == 0, "257: a 0440 root:root file with the ACL");
	remount(1);
	IS_INT(open_as_unit(unit, &sd), 0, "257: accepted in the unit's read-only credential mount");
	OK(sd.ok, "257: the directory passed (%s)", sd.ok ? "ok" : sd.why_not.why);
	IS_INT(sf_open_secret(file, SVC_UID, NULL, WHY), -EPERM, "257: the strict rule (an admin's file) refuses it");
	OK(strstr(W.why, "mode 0440 is too open") != NULL, "257: ... as too open (%s)", W.why);
	IS_INT(open_as_unit("argoweb@other.service", &sd), -EPERM, "257: another unit's directory: refused");
	OK(strstr(W.why, "not this unit's credential directory") != NULL, "257: ... saying why (%s)", W.why);
	remount(0);
	IS_INT(open_as_unit(unit, &sd), -EPERM, "257: a writable mount: refused");
	OK(strstr(W.why, "not a read-only mount") != NULL, "257: ... saying why (%s)", W.why);
	/* Who else the file lets in. */
	/* (The kernel wants entries by kind, then id.) */
	const struct ace e[] = {
		{ PACL_USER_OBJ, 4, NOID }, { PACL_USER, 4, 1000 }, { PACL_USER, 4, SVC_UID },
		{ PACL_GROUP_OBJ, 0, NOID }, { PACL_MASK, 4, NOID }, { PACL_OTHER, 0, NOID },
	};
	OK(put_file("{}", 0440, 0, 0, e, 6) == 0, "a file whose ACL names one more user");
	remount(1);
	IS_INT(open_as_unit(unit, &sd), -EPERM, "257: an ACL naming another user: refused");
	OK(strstr(W.why, "its ACL lets uid 1000 read it") != NULL, "257: ... named (%s)", W.why);
	remount(0);
	OK(put_file("{}", 0440, 0, 0, NULL, 0) == 0, "a 0440 root:root file without an ACL");
	remount(1);
	IS_INT(open_as_unit(unit, &sd), -EPERM, "0440 root:root with no ACL (the root group reads it): refused");
	remount(0);
	put_file("{}", 0440, 0, SVC_GID, NULL, 0);
	remount(1);
	IS_INT(open_as_unit(unit, &sd), 0, "0440 root:SERVICE with no ACL: accepted");
	remount(0);
	put_file("{}", 0440, 0, 100, NULL, 0);
	remount(1);
	IS_INT(open_as_unit(unit, &sd), -EPERM, "0440 root:users: refused");
	remount(0);
	put_file("{}", 0444, 0, SVC_GID, NULL, 0);
	remount(1);
	IS_INT(open_as_unit(unit, &sd), -EPERM, "0444 even there: refused");
	remount(0);
	/* systemd 252's shape: the strict rule holds as it is. */
	put_file("{}", 0400, SVC_UID, 0, NULL, 0);
	remount(1);
	IS_INT(open_as_unit(unit, &sd), 0, "252: a 0400 file of the service user's: accepted");
	IS_INT(sf_open_secret(file, SVC_UID, NULL, WHY) >= 0, 1, "252: ... by the strict rule too");
	umount(dir);
}

static void test_mounts(void)
{
	if (geteuid() != 0) {
		OK(1, "credential mounts # SKIP needs root (a tmpfs in a mount namespace); CI runs as root");
		return;
	}
	char unit[64];
	snprintf(unit, sizeof unit, "argoweb-unit-test-%ld.service", (long)getpid());
	snprintf(dir, sizeof dir, "%s/%s", SDCRED_ROOT, unit);
	snprintf(file, sizeof file, "%s/argoweb.json", dir);
	int made_root = mkdir(SDCRED_ROOT, 0755) == 0;
	if (mkdir(dir, 0550)) {
		OK(0, "cannot make %s: %s", dir, strerror(errno));
		return;
	}
	/* The test's process alone is in the new namespace: the mounts go
	 * with it. */
	if (unshare(CLONE_NEWNS) || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL))
		OK(1, "credential mounts # SKIP no mount namespace here: %s", strerror(errno));
	else
		in_namespace(unit);
	rmdir(dir);
	if (made_root)
		rmdir(SDCRED_ROOT);
}

int main(void)
{
	test_acl();
	test_unit_of();
	test_mounts();
	return tap_done();
}
