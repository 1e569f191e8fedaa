/* sdcred: systemd's credentials as they are. A file in the unit's own
 * credential mount is systemd's copy of what root loaded for the unit:
 * only root can make that read-only mount, and systemd makes it per unit.
 * What may differ from the strict rule there is the mode: 0440, with an
 * ACL naming the service user, since systemd 254. It passes when the ACL
 * (and the group bits) let no one but the service's user and group in. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "posixacl.h"
#include "sdcred.h"

/* The rule of sdcred_acl_ok over parsed entries. */
static int entries_ok(const struct pacl_entry *e, int count, gid_t file_gid,
                      const struct sdcred *sd, struct fault *f)
{
	for (int i = 0; i < count; i++) {
		unsigned perm = e[i].perm;
		unsigned long id = e[i].id;
		switch (e[i].tag) {
		case PACL_USER_OBJ:     /* the owner: root or the service user, checked apart */
		case PACL_MASK:
			break;
		case PACL_USER:
			if (perm && id != (unsigned long)sd->uid)
				return fail(f, EPERM, "its ACL lets uid %lu read it", id);
			break;
		case PACL_GROUP_OBJ:
			if (perm && (file_gid == 0 || file_gid != sd->gid))
				return fail(f, EPERM, "its ACL lets its group (gid %u) read it",
				            (unsigned)file_gid);
			break;
		case PACL_GROUP:
			if (perm && id != (unsigned long)sd->gid)
				return fail(f, EPERM, "its ACL lets gid %lu read it", id);
			break;
		case PACL_OTHER:
			if (perm)
				return fail(f, EPERM, "its ACL lets others read it");
			break;
		default:
			return fail(f, EBADMSG, "its ACL has an entry of unknown kind %#x", e[i].tag);
		}
	}
	return 0;
}

int sdcred_acl_ok(const unsigned char *x, size_t len, gid_t file_gid, const struct sdcred *sd,
                  struct fault *f)
{
	struct pacl_entry e[PACL_MAX];
	int count = pacl_parse(x, len, e);
	if (count < 0)
		return fail(f, EBADMSG, "its ACL is not one argoweb can read (%zu bytes)", len);
	return entries_ok(e, count, file_gid, sd, f);
}

/* The ACL of fd, if it has one, by sdcred_acl_ok: 0, 1 when it has none,
 * or -errno with f saying why. */
static int acl_of(int fd, struct fault *f, gid_t file_gid, const struct sdcred *sd)
{
	struct pacl_entry e[PACL_MAX];
	int count = pacl_get(fd, NULL, e);
	if (count == -EBADMSG)
		return fail(f, EBADMSG, "its ACL is not one argoweb can read");
	if (count < 0)
		return fail(f, EPERM, "its ACL cannot be read: %s", strerror(-count));
	return count ? entries_ok(e, count, file_gid, sd, f) : 1;
}

int sdcred_file_ok(int fd, const struct stat *st, const struct sdcred *sd, struct fault *f)
{
	if (!sd->ok)
		return fail(f, EPERM, "%s", sd->why_not.why);
	if (st->st_dev != sd->dev)
		return fail(f, EPERM, "it is not on the unit's credential mount");
	if (st->st_gid != 0 && st->st_gid != sd->gid)
		return fail(f, EPERM, "its group (gid %u) is not the service's", (unsigned)st->st_gid);
	int rc = acl_of(fd, f, st->st_gid, sd);
	if (rc <= 0)
		return rc;
	/* No ACL: the group bits are the group's own. */
	if (st->st_gid == 0)
		return fail(f, EPERM, "it is readable by the root group");
	return 0;
}

/* The last component of a cgroup path (len bytes) into unit. */
static int last_component(const char *path, size_t len, char *unit, size_t n)
{
	size_t i = len;
	while (i > 0 && path[i - 1] != '/')
		i--;
	if (len - i == 0 || len - i >= n)
		return -ENOENT;
	memcpy(unit, path + i, len - i);
	unit[len - i] = 0;
	return 0;
}

int sdcred_unit_of(const char *text, char *unit, size_t n)
{
	/* Lines are ID:CONTROLLERS:PATH. cgroup v1's systemd hierarchy
	 * (legacy, hybrid) names the unit, else v2's 0:: line does. */
	const char *v2 = NULL;
	size_t v2len = 0;
	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");
		const char *c1 = memchr(l, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - l)) : NULL;
		if (c2) {
			const char *path = c2 + 1;
			size_t plen = len - (size_t)(path - l);
			if (c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12))
				return last_component(path, plen, unit, n);
			if (c1 - l == 1 && *l == '0' && c2 == c1 + 1) {
				v2 = path;
				v2len = plen;
			}
		}
		l += len + (l[len] == '\n');
	}
	return v2 ? last_component(v2, v2len, unit, n) : -ENOENT;
}

static int own_unit(char *unit, size_t n)
{
	char text[4096];
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	ssize_t len = read(fd, text, sizeof text - 1);
	close(fd);
	if (len <= 0)
		return -ENOENT;
	text[len] = 0;
	return sdcred_unit_of(text, unit, n);
}

/* The directory itself: a read-only mount of its own, root's or uid's,
 * group root or gid, its ACL (if any) granting no one else. */
static int check_mount(int fd, const char *dir, const struct sdcred *sd, struct stat *st,
                       struct fault *f)
{
	struct statvfs vfs;
	struct stat up;
	struct fault acl = { 0 };
	int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int failed = fstat(fd, st) || fstatvfs(fd, &vfs) || parent < 0 || fstat(parent, &up);
	int e = errno;
	if (parent >= 0)
		close(parent);
	if (failed)
		return fail(f, EPERM, "%s: %s", dir, strerror(e));
	if (!(vfs.f_flag & ST_RDONLY) || up.st_dev == st->st_dev)
		return fail(f, EPERM, "%s: not a read-only mount of its own", dir);
	if ((st->st_uid != 0 && st->st_uid != sd->uid) ||
	    (st->st_gid != 0 && st->st_gid != sd->gid) || (st->st_mode & 022))
		return fail(f, EPERM, "%s: owner uid %u gid %u mode %04o: not systemd's", dir,
		            (unsigned)st->st_uid, (unsigned)st->st_gid, (unsigned)(st->st_mode & 07777));
	if (acl_of(fd, &acl, st->st_gid, sd) < 0)
		return fail(f, EPERM, "%s: %s", dir, acl.why);
	return 0;
}

/* sdcred_dir for the unit named. */
static void dir_of_unit(const char *dir, const char *unit, struct sdcred *sd)
{
	char want[sizeof SDCRED_ROOT + 256];
	if (snprintf(want, sizeof want, "%s/%s", SDCRED_ROOT, unit) >= (int)sizeof want ||
	    strcmp(dir, want)) {
		fail(&sd->why_not, EPERM, "%s is not this unit's credential directory (%s/%s)", dir,
		     SDCRED_ROOT, unit);
		return;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail(&sd->why_not, EPERM, "%s: %s", dir, strerror(errno));
		return;
	}
	struct stat st;
	sd->ok = !check_mount(fd, dir, sd, &st, &sd->why_not);
	sd->dev = st.st_dev;
	close(fd);
}

void sdcred_dir(const char *dir, uid_t uid, gid_t gid, struct sdcred *sd)
{
	char unit[256];
	*sd = (struct sdcred){ .uid = uid, .gid = gid };
	if (own_unit(unit, sizeof unit))
		fail(&sd->why_not, EPERM, "this process runs in no systemd unit");
	else
		dir_of_unit(dir, unit, sd);
}
