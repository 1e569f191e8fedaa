/* privgroup (pg_): may the service user keep this group?
 * The drop keeps one group (and, started as the service user, systemd
 * leaves it every group it is in), and a group shared with anyone or
 * anything is a privilege: disk hands out the disks, utmp the login
 * records, ssh_keys the host keys, a human's group their files. No list of
 * names knows every distribution's groups, so the rule runs the other way:
 * the group must be the service user's alone, and own nothing of the
 * system's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "posixacl.h"
#include "privgroup.h"

/* Where a system grants a group something: devices (/dev/bus/usb/001/002
 * is four levels down), configuration and keys, sockets, logs and spools
 * (/var/log/journal/ID/FILE, /var/spool/cron/crontabs), local software. */
static const struct pg_root system_roots[] = {
	{ "/dev", 4 }, { "/etc", 3 }, { "/run", 3 }, { "/var", 4 }, { "/usr/local", 3 },
	{ "/srv", 2 }, { "/opt", 2 }, { "/boot", 1 }, { NULL, 0 },
};

/* What argoweb itself gives its group: the configs (/etc/argoweb is
 * root:argoweb 0750), its runtime and state, the units' credentials.
 * Prefixes of names only root can make (/etc, /run, /var/lib and
 * /run/credentials are root's alone). */
static const char *const argoweb_own[] = {
	"/etc/argoweb", "/run/argoweb", "/var/lib/argoweb", "/run/credentials/argoweb", NULL,
};

struct scan {
	gid_t gid;
	uid_t uid;
	const char *const *own;
	struct fault *f;
	char *fuse;             /* FUSE mount points, a line each, or NULL */
};

static int is_own(const struct scan *s, const char *path)
{
	for (size_t i = 0; s->own[i]; i++)
		if (!strncmp(path, s->own[i], strlen(s->own[i])))
			return 1;
	return 0;
}

/* The bits (4 read, 2 write, 1 run or enter) st's ACL gives the group
 * beyond what others get; -1 when the ACL cannot be read. */
static int acl_more(const struct scan *s, const char *path, unsigned others)
{
	struct pacl_entry e[PACL_MAX];
	int count = pacl_get(-1, path, e);
	unsigned more = 0;
	if (count == -ENOENT || count == -ENOTDIR)
		return 0;       /* gone since the walk saw it: nothing there now */
	for (int i = 0; i < count; i++)
		if (e[i].tag == PACL_GROUP && e[i].id == (unsigned long)s->gid)
			more |= e[i].perm & 7 & ~others;
	return count < 0 ? -1 : (int)more;
}

/* The system's: owned by root or a system account (below 1000, as every
 * distribution's login.defs has it). A user's own file may name any group
 * in its ACL (and a setgid directory may give it one): counting it would
 * let any local user stop the tunnel from starting. Nor the overflow uid:
 * under PrivateUsers= every user's file reads as it. */
static int systems(uid_t uid)
{
	return uid < 1000 && uid != 65534;
}

/* Does the group get more than everyone to path (st: its lstat)? Only the
 * system's files count; the service user's own are its own business, and
 * a link has no access of its own. Fills s->f. */
static int grants(const struct scan *s, const char *path, const struct stat *st)
{
	if (!systems(st->st_uid) || st->st_uid == s->uid || S_ISLNK(st->st_mode) || is_own(s, path))
		return 0;
	unsigned others = st->st_mode & 7;
	int more = st->st_gid == s->gid ? (int)((st->st_mode >> 3) & 7 & ~others) : 0;
	const char *how = "";
	if (!more) {
		more = acl_more(s, path, others);
		how = " by its ACL";
	}
	if (more < 0)
		return fail(s->f, EPERM, "cannot be checked: the ACL of %s cannot be read", path);
	if (!more)
		return 0;
	const char *verb = (more & 6) == 6 ? "read and write" : more & 4 ? "read" : more & 2 ? "write"
	                 : S_ISDIR(st->st_mode) ? "enter" : "run";
	return fail(s->f, EPERM, "may %s %s%s", verb, path, how);
}

/* A directory whose entries are the system's to make: not a user's, not
 * one anyone may fill (/dev/shm, /run/lock, /var/tmp: a user could make
 * the walk as long as they like), not argoweb's own. */
static int worth_entering(const struct scan *s, const char *path, const struct stat *st)
{
	return S_ISDIR(st->st_mode) && systems(st->st_uid) &&
	       (st->st_mode & (S_ISVTX | S_IWOTH)) != (S_ISVTX | S_IWOTH) && !is_own(s, path);
}

/* A file system a user brings: removable media (udisks mounts them under
 * /run/media/USER) and FUSE, whose owners and modes are whatever the user
 * says. Neither is the system's. FUSE mount points come from mountinfo,
 * read once: opening one could hang the walk. */
static int users_mount(const struct scan *s, const char *path, const struct stat *st,
                       dev_t parent)
{
	if (!strncmp(path, "/run/media/", 11))
		return 1;
	if (st->st_dev == parent || !S_ISDIR(st->st_mode) || !s->fuse)
		return 0;
	size_t n = strlen(path);
	for (const char *l = s->fuse; (l = strstr(l, path)); l += n)
		if ((l == s->fuse || l[-1] == '\n') && l[n] == '\n')
			return 1;
	return 0;
}

/* Mountinfo writes a space, tab, newline or backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *o = s;
	for (; *s; s++) {
		int esc = s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		          s[3] >= '0' && s[3] <= '7';
		*o++ = esc ? (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')) : *s;
		s += esc ? 3 : 0;
	}
	*o = 0;
}

/* Mountinfo's FUSE mount points, one per line. */
static char *fuse_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *out = NULL;
	size_t cap = 0, olen = 0;
	FILE *o = open_memstream(&out, &olen);
	while (f && o && getline(&line, &cap, f) > 0) {
		char mnt[4096], type[64];
		const char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1 || strncmp(type, "fuse", 4))
			continue;
		unescape_octal(mnt);
		fprintf(o, "%s\n", mnt);
	}
	free(line);
	if (f)
		fclose(f);
	if (o)
		fclose(o);
	return out;
}

/* The entries of dir, and of the directories below it to depth levels. */
static int walk(const struct scan *s, const char *dir, int depth)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;       /* absent or closed to us: nothing there to reach */
	}
	struct dirent *e;
	struct stat here;
	int found = 0;
	if (fstat(dfd, &here))
		here.st_dev = 0;
	while (!found && (e = readdir(d))) {
		struct stat st;
		char path[4096];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    users_mount(s, path, &st, here.st_dev))
			continue;
		found = grants(s, path, &st) || (depth > 1 && worth_entering(s, path, &st) &&
		                                 walk(s, path, depth - 1));
	}
	closedir(d);
	return found;
}

static int scan_roots(const struct scan *s, const struct pg_root *roots)
{
	for (size_t i = 0; roots[i].path; i++) {
		struct stat st;
		if (!lstat(roots[i].path, &st) &&
		    (grants(s, roots[i].path, &st) || walk(s, roots[i].path, roots[i].depth)))
			return 1;
	}
	return 0;
}

/* Another user whose primary group gid is; *tied when it is the
 * service user's own. */
static int other_primary(gid_t gid, uid_t uid, const char *user, const char *file, int *tied,
                         struct fault *f)
{
	FILE *fp = file ? fopen(file, "re") : NULL;
	if (file && !fp)
		return fail(f, EPERM, "cannot be checked: %s: %s", file, strerror(errno));
	if (!fp)
		setpwent();
	struct passwd *pw;
	int found = 0;
	while (!found && (pw = fp ? fgetpwent(fp) : getpwent())) {
		if (pw->pw_gid != gid)
			continue;
		if (pw->pw_uid == uid && !strcmp(pw->pw_name, user))
			*tied = 1;
		else
			found = fail(f, EPERM, "is also the primary group of user %s", pw->pw_name);
	}
	if (fp)
		fclose(fp);
	else
		endpwent();
	return found;
}

/* Another member of gid, in any of its entries; *tied when the service
 * user is one. */
static int other_member(gid_t gid, const char *user, const char *file, int *tied,
                        struct fault *f)
{
	FILE *fp = file ? fopen(file, "re") : NULL;
	if (file && !fp)
		return fail(f, EPERM, "cannot be checked: %s: %s", file, strerror(errno));
	if (!fp)
		setgrent();
	struct group *gr;
	int found = 0;
	while (!found && (gr = fp ? fgetgrent(fp) : getgrent())) {
		for (char **m = gr->gr_mem; gr->gr_gid == gid && !found && *m; m++) {
			if (!strcmp(*m, user))
				*tied = 1;
			else
				found = fail(f, EPERM, "also has member %s", *m);
		}
	}
	if (fp)
		fclose(fp);
	else
		endgrent();
	return found;
}

int pg_check_in(gid_t gid, uid_t uid, const char *user, const struct pg_world *w,
                struct fault *f)
{
	int tied = 0;
	if (gid == 0)
		return fail(f, EPERM, "is gid 0");
	if (other_primary(gid, uid, user, w->passwd, &tied, f) ||
	    other_member(gid, user, w->group, &tied, f))
		return -EPERM;
	if (!tied)
		return fail(f, EPERM, "is not user %s's: neither its primary group nor one that lists it",
		            user);
	struct scan s = { gid, uid, w->own, f, fuse_mounts() };
	int found = scan_roots(&s, w->roots);
	free(s.fuse);
	return found ? -EPERM : 0;
}

int pg_check(gid_t gid, uid_t uid, const char *user, struct fault *f)
{
	const struct pg_world w = { NULL, NULL, system_roots, argoweb_own };
	return pg_check_in(gid, uid, user, &w, f);
}

int pg_mapped(gid_t gid, const char *map)
{
	unsigned long inside, outside, count;
	for (const char *l = map; *l;) {
		const char *end = strchrnul(l, '\n');
		if (sscanf(l, "%lu %lu %lu", &inside, &outside, &count) == 3 && gid >= inside &&
		    gid - inside < count)
			return 1;
		l = *end ? end + 1 : end;
	}
	return 0;
}

/* The gid an unmapped group reads as (65534 unless changed). */
static long overflow_gid(void)
{
	char text[32] = "";
	int fd = open("/proc/sys/kernel/overflowgid", O_RDONLY | O_CLOEXEC);
	ssize_t len = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
	if (fd >= 0)
		close(fd);
	return len > 0 ? strtol(text, NULL, 10) : 65534;
}

int pg_mapped_here(gid_t gid)
{
	char map[4096];
	/* Under PrivateUsers=identity (0-65535 mapped) a group above reads as
	 * 65534 too, which the map covers: the overflow gid itself is unknown. */
	if ((long)gid == overflow_gid())
		return 0;
	int fd = open("/proc/self/gid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;    /* ENOENT: a kernel without namespaces */
	ssize_t len = read(fd, map, sizeof map - 1);
	int e = errno;
	close(fd);
	if (len < 0)
		return -e;
	map[len] = 0;
	return pg_mapped(gid, map);
}
