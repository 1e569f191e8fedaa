/* safefile (sf_): is this file, and every directory above it, under the
 * control of root or the service user only? After OpenSSH's safe_path and
 * sshkey_perm_ok: check what was opened, not what a path names later. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "safefile.h"

/* Fill why and return -e. */
__attribute__((format(printf, 3, 4)))
static int why_fail(char *why, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, SF_WHYLEN, fmt, ap);
	va_end(ap);
	return -e;
}

static const char *user_name(uid_t uid, char *buf, size_t n)
{
	struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(buf, n, "%s", pw->pw_name);
	else
		snprintf(buf, n, "uid %u", (unsigned)uid);
	return buf;
}

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	     : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Owner and write bits of one directory or file, with the fix spelled out. */
static int owner_ok(const struct stat *st, uid_t owner, const char *path, char *why)
{
	char who[64], want[64];
	if (st->st_uid != 0 && st->st_uid != owner)
		return why_fail(why, EPERM, "%s is owned by %s, not by root or %s: run chown root %s",
		                path, user_name(st->st_uid, who, sizeof who),
		                user_name(owner, want, sizeof want), path);
	return 0;
}

int sf_open_secret(const char *path, uid_t owner, char *why)
{
	/* O_NONBLOCK: a FIFO must fail the checks, not hang the open. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return why_fail(why, EPERM, "%s is a symbolic link: name the file itself "
		                "(links let someone else swap the secret)", path);
	if (fd < 0)
		return why_fail(why, errno == ENOENT ? ENOENT : EPERM,
		                "%s: cannot open the credential: %s", path, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = why_fail(why, EIO, "%s: fstat: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = why_fail(why, EPERM, "%s is %s, not a credential file", path, kind_of(st.st_mode));
	else if (st.st_nlink != 1)
		rc = why_fail(why, EPERM, "%s has %lu hard links: give the credential a file of "
		              "its own (cp it, then rm the links)", path, (unsigned long)st.st_nlink);
	else if ((rc = owner_ok(&st, owner, path, why)))
		;
	else if (st.st_mode & 077)
		rc = why_fail(why, EPERM, "%s: mode %04o is too open: run chmod 600 %s",
		              path, (unsigned)(st.st_mode & 07777), path);
	if (rc) {
		close(fd);
		return rc;
	}
	/* The descriptor, not the name, is what the caller reads. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/* Root's, sticky, and writable by its group only: the Nix store (root:nixbld
 * 1775). Group members may add entries but not rename or remove root's,
 * and the next component is owner-checked anyway. /tmp (1777) stays
 * refused: there anyone may add. */
static int sticky_group_dir(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & S_ISVTX) &&
	       !(st->st_mode & 002);
}

/* May uid:gid do all of `want` (4 read, 1 search) on st? No supplementary
 * groups: the privilege drop clears them. */
static int user_may(const struct stat *st, const struct sf_reader *r, unsigned want)
{
	unsigned bits = st->st_uid == r->uid ? st->st_mode >> 6
	              : st->st_gid == r->gid ? st->st_mode >> 3 : st->st_mode;
	return (bits & want) == want;
}

/* Walk an absolute, resolved directory path component by component with
 * O_PATH|O_NOFOLLOW|O_DIRECTORY from /, checking each as we hold it; with
 * a reader, each must also let that user through. */
static int walk_dirs(const char *dir, uid_t owner, const struct sf_reader *reader, char *why)
{
	char sofar[PATH_MAX] = "/";
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return why_fail(why, EIO, "%s: cannot open /: %s", dir, strerror(errno));
	const char *p = dir;
	for (;;) {
		struct stat st;
		if (fstat(fd, &st)) {
			close(fd);
			return why_fail(why, EIO, "%s: fstat: %s", sofar, strerror(errno));
		}
		int rc = owner_ok(&st, owner, sofar, why);
		if (!rc && (st.st_mode & 022) && !sticky_group_dir(&st))
			rc = why_fail(why, EPERM, "parent directory %s is writable by %s (mode %04o): "
			              "keep credentials and cloudflared where only root can write, e.g. "
			              "run chmod go-w %s", sofar, st.st_mode & 002 ? "others" : "its group",
			              (unsigned)(st.st_mode & 07777), sofar);
		if (!rc && reader && !user_may(&st, reader, 1))
			rc = why_fail(why, EPERM, "%s: the service user (uid %u) cannot enter %s "
			              "(mode %04o): run chmod o+x %s, or keep the file elsewhere",
			              reader->path, (unsigned)reader->uid, sofar,
			              (unsigned)(st.st_mode & 07777), sofar);
		while (*p == '/')
			p++;
		if (rc || !*p) {
			close(fd);
			return rc;
		}
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		size_t len = strlen(sofar);
		snprintf(sofar + len, sizeof sofar - len, "%s%s", len > 1 ? "/" : "", name);
		int next = openat(fd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return why_fail(why, errno == ENOENT ? ENOENT : EPERM,
			                "%s: %s", sofar, errno == ENOTDIR ? "changed while being checked"
			                                                : strerror(errno));
		fd = next;
		p += n;
	}
}

static int check_parents(const char *path, uid_t owner, const struct sf_reader *reader, char *why)
{
	char dir[PATH_MAX], real[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || dir[0] != '/')
		return why_fail(why, EPERM, "%s: not an absolute path", path);
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	if (!realpath(dir, real))
		return why_fail(why, errno == ENOENT ? ENOENT : EPERM, "%s: %s", dir,
		                strerror(errno));
	return walk_dirs(real, owner, reader, why);
}

int sf_check_parents(const char *path, uid_t owner, char *why)
{
	return check_parents(path, owner, NULL, why);
}

/* Stat a resolved path without following anything more. 0, or -errno. */
static int stat_nofollow(const char *path, struct stat *st)
{
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	int rc = fd < 0 || fstat(fd, st) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Owned by root or `owner`, and not writable by group or others. */
static int owned_unwritable(const struct stat *st, uid_t owner, const char *label,
                            const char *path, char *why)
{
	int rc = owner_ok(st, owner, path, why);
	if (!rc && (st->st_mode & 022))
		rc = why_fail(why, EPERM, "%s%s is writable by %s (mode %04o): run chmod go-w %s",
		              label, path, st->st_mode & 002 ? "others" : "its group",
		              (unsigned)(st->st_mode & 07777), path);
	return rc;
}

int sf_check_binary(const char *path, uid_t owner, char *real, size_t reallen, char *why)
{
	char buf[PATH_MAX];
	struct stat st;
	if (!realpath(path, buf))
		return why_fail(why, ENOENT, "cloudflared not found at %s (install it from "
		                "Cloudflare's package repository, or set cloudflared: to where it is)", path);
	int e = stat_nofollow(buf, &st);
	if (e)
		return why_fail(why, ENOEXEC, "cloudflared at %s: %s", buf, strerror(-e));
	snprintf(real, reallen, "%s", buf);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return why_fail(why, ENOEXEC, "cloudflared at %s is not an executable file", buf);
	int rc = owned_unwritable(&st, owner, "cloudflared at ", buf, why);
	return rc ? rc : sf_check_parents(buf, owner, why);
}

int sf_check_readable(const char *path, uid_t owner, const struct sf_reader *reader, char *why)
{
	char buf[PATH_MAX];
	struct stat st;
	int e = realpath(path, buf) ? stat_nofollow(buf, &st) : -errno;
	if (e)
		return why_fail(why, e == -ENOENT ? ENOENT : EPERM, "%s: %s", path, strerror(-e));
	if (!S_ISREG(st.st_mode))
		return why_fail(why, EPERM, "%s is %s", buf, kind_of(st.st_mode));
	int rc = owned_unwritable(&st, owner, "", buf, why);
	if (!rc && !user_may(&st, reader, 4))
		rc = why_fail(why, EPERM, "%s: the service user (uid %u) cannot read it (mode %04o): "
		              "run chmod 644 %s", buf, (unsigned)reader->uid,
		              (unsigned)(st.st_mode & 07777), buf);
	return rc ? rc : check_parents(buf, owner, reader, why);
}
