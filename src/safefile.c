/* safefile (sf_): is this file, and every directory above it, under the
 * control of root or the service user only? After OpenSSH's safe_path and
 * sshkey_perm_ok, tied to the open: the walk goes from / with openat(),
 * one component at a time, checking each directory while it holds it, and
 * the file is opened from the last directory held. A symbolic link on the
 * way is followed only once the directory holding it has passed (then no
 * one else can swap it), and its target is walked the same way: the chain
 * checked is the chain opened. */
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
#include "sdcred.h"

#define MAX_LINKS 40    /* as the kernel's own limit: a loop ends here */

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
	     : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link"
	     : "not a regular file";
}

/* Owner of one directory, link or file, with the fix spelled out. */
static int owner_ok(const struct stat *st, uid_t owner, const char *path, struct fault *f)
{
	char who[64], want[64];
	if (st->st_uid == 0 || st->st_uid == owner)
		return 0;
	if (owner == 0)
		return fail(f, EPERM, "%s is owned by %s, not by root: run chown root %s", path,
		            user_name(st->st_uid, who, sizeof who), path);
	return fail(f, EPERM, "%s is owned by %s, not by root or %s: run chown root %s",
	            path, user_name(st->st_uid, who, sizeof who), user_name(owner, want, sizeof want),
	            path);
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

/* The errno of a failed open/openat as the exit code will see it: missing,
 * the system out of something (71, so the unit retries), or refused. */
static int open_errno(int e)
{
	return e == ENOENT ? ENOENT : e == EMFILE || e == ENFILE || e == ENOMEM ? EIO : EPERM;
}

struct walker {
	uid_t owner;
	const struct sf_reader *reader; /* NULL: nobody else must get through */
	struct fault *f;
	const char *given, *noun;       /* for "GIVEN: cannot open NOUN: ..." */
	int links;
	char at[PATH_MAX];              /* the directory held, as a path, for messages */
};

static void at_append(struct walker *w, const char *name, size_t n)
{
	size_t len = strlen(w->at);
	snprintf(w->at + len, sizeof w->at - len, "%s%.*s", len > 1 ? "/" : "", (int)n, name);
}

static void at_up(struct walker *w)
{
	char *slash = strrchr(w->at, '/');
	if (slash)
		slash[slash == w->at] = 0;
}

/* The directory we hold: owned by root or the owner, writable by no one
 * else, and open to the reader, if any. */
static int check_dir(struct walker *w, int fd)
{
	struct stat st;
	if (fstat(fd, &st))
		return fail(w->f, EIO, "%s: fstat: %s", w->at, strerror(errno));
	int rc = owner_ok(&st, w->owner, w->at, w->f);
	if (!rc && (st.st_mode & 022) && !sticky_group_dir(&st))
		rc = fail(w->f, EPERM, "parent directory %s is writable by %s (mode %04o): "
		          "keep credentials and cloudflared where only root can write, e.g. "
		          "run chmod go-w %s", w->at, st.st_mode & 002 ? "others" : "its group",
		          (unsigned)(st.st_mode & 07777), w->at);
	if (!rc && w->reader && !user_may(&st, w->reader, 1))
		rc = fail(w->f, EPERM, "%s: the service user (uid %u) cannot enter %s "
		          "(mode %04o): run chmod o+x %s, or keep the file elsewhere",
		          w->reader->path, (unsigned)w->reader->uid, w->at,
		          (unsigned)(st.st_mode & 07777), w->at);
	return rc;
}

/* Start over from / (an absolute path, or an absolute link's target). */
static int from_root(struct walker *w, int *dirfd)
{
	if (*dirfd >= 0)
		close(*dirfd);
	*dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(w->at, sizeof w->at, "/");
	if (*dirfd < 0)
		return fail(w->f, EIO, "cannot open /: %s", strerror(errno));
	return check_dir(w, *dirfd);
}

/* A symbolic link `name` in the directory held (which has passed: only
 * root or the owner could have put it there): owned by root or the owner,
 * its target read into target. */
static int read_link(struct walker *w, int dirfd, const char *name, char *target, size_t n)
{
	struct stat st;
	char shown[PATH_MAX + NAME_MAX + 2];
	snprintf(shown, sizeof shown, "%s%s%s", w->at, strcmp(w->at, "/") ? "/" : "", name);
	if (++w->links > MAX_LINKS)
		return fail(w->f, EPERM, "%s: too many symbolic links", shown);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return fail(w->f, open_errno(errno), "%s: %s", shown, strerror(errno));
	int rc = owner_ok(&st, w->owner, shown, w->f);
	if (rc)
		return rc;
	ssize_t len = readlinkat(dirfd, name, target, n - 1);
	if (len <= 0)
		return fail(w->f, EPERM, "%s: cannot read the link", shown);
	target[len] = 0;
	return 0;
}

/* Put the link's target in front of what is left of the path. */
static int put_target(struct walker *w, char *path, size_t cap, const char *target, const char *rest)
{
	char tmp[PATH_MAX * 2];
	int n = snprintf(tmp, sizeof tmp, "%s%s%s", target, *rest ? "/" : "", rest);
	if (n < 0 || (size_t)n >= cap)
		return fail(w->f, EPERM, "%s: path too long", w->at);
	memcpy(path, tmp, (size_t)n + 1);
	return 0;
}

/* One step down into component c (n bytes) of the directory held: 0 when
 * it was a directory (now held), 1 when it was a symbolic link (path now
 * holds its target and the rest, to walk from the directory held, or from
 * / when the target is absolute), or -errno. */
static int step_into(struct walker *w, int *dirfd, const char *c, size_t n, const char *rest,
                     char *path, size_t cap)
{
	char name[NAME_MAX + 1];
	if (n > NAME_MAX)
		return fail(w->f, EPERM, "%s: a name longer than %d bytes", w->at, NAME_MAX);
	memcpy(name, c, n);
	name[n] = 0;
	int next = openat(*dirfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (next >= 0) {
		close(*dirfd);
		*dirfd = next;
		if (strcmp(name, ".."))
			at_append(w, name, n);
		else
			at_up(w);
		return check_dir(w, next);
	}
	int e = errno;
	struct stat st;
	if ((e == ENOTDIR || e == ELOOP) && !fstatat(*dirfd, name, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		int rc = read_link(w, *dirfd, name, target, sizeof target);
		if (!rc)
			rc = put_target(w, path, cap, target, rest);
		if (!rc && target[0] == '/')
			rc = from_root(w, dirfd);
		return rc ? rc : 1;
	}
	return fail(w->f, e == ENOTDIR ? EPERM : open_errno(e), "%s%s%s: %s", w->at,
	            strcmp(w->at, "/") ? "/" : "", name,
	            e == ENOTDIR ? "not a directory" : strerror(e));
}

/* Walk path (absolute; rewritten as links are followed) down to the
 * directory holding its last component, checking each directory on the
 * way. Returns that directory's descriptor, the last component in base,
 * or -errno. */
static int descend(struct walker *w, char *path, size_t cap, char *base)
{
	int dirfd = -1;
	if (path[0] != '/')
		return fail(w->f, EPERM, "%s: not an absolute path", path);
	int rc = from_root(w, &dirfd);
	char *p = path;
	while (!rc) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		char *rest = p + n;
		while (*rest == '/')
			rest++;
		if (!*rest) {
			if (n == 0 || n > NAME_MAX || (p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.')))) {
				close(dirfd);
				return fail(w->f, EPERM, "%s: not the name of a file", path);
			}
			memcpy(base, p, n);
			base[n] = 0;
			return dirfd;
		}
		if (n == 1 && p[0] == '.') {
			p = rest;
			continue;
		}
		rc = step_into(w, &dirfd, p, n, rest, path, cap);
		if (rc == 1)
			rc = 0, p = path;
		else if (rc == 0)
			p = rest;
	}
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

/* descend, for a path that is not needed afterwards. */
static int descend_path(struct walker *w, const char *path, char *base)
{
	char buf[PATH_MAX * 2];
	snprintf(buf, sizeof buf, "%s", path);
	return descend(w, buf, sizeof buf, base);
}

/* fd when its checks passed (rc 0), else rc, fd closed. */
static int fd_or(int fd, int rc)
{
	if (rc)
		close(fd);
	return rc ? rc : fd;
}

/* Whose final symbolic link the walk follows: none (a secret), root's (the
 * config, which chooses the credential and the user), or also the owner's
 * (a file cloudflared reads, the binary). Only ever one its directory
 * vouches for. */
enum links { LINKS_NONE, LINKS_ROOTS, LINKS_OWNERS };

/* The file at the end: open name in the directory held, following a final
 * link as links allows. Returns the open descriptor (flags | O_NOFOLLOW),
 * with w->at naming the file; or -errno. */
static int open_final(struct walker *w, const char *path, int flags, enum links links)
{
	char buf[PATH_MAX * 2], base[NAME_MAX + 1];
	snprintf(buf, sizeof buf, "%s", path);
	for (;;) {
		int dirfd = descend(w, buf, sizeof buf, base);
		if (dirfd < 0)
			return dirfd;
		int fd = openat(dirfd, base, flags | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		struct stat st;
		int is_link = fd < 0 && e == ELOOP &&
		              !fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode);
		if (fd >= 0 && (flags & O_PATH) && !fstat(fd, &st) && S_ISLNK(st.st_mode)) {
			close(fd);
			fd = -1;
			is_link = 1;
		}
		at_append(w, base, strlen(base));
		if (fd >= 0 || !is_link || links == LINKS_NONE) {
			close(dirfd);
			if (fd < 0 && is_link)
				return fail(w->f, ELOOP, "%s is a symbolic link", w->at);
			if (fd < 0 && w->noun)
				return fail(w->f, open_errno(e), "%s: cannot open %s: %s", w->given,
				            w->noun, strerror(e));
			if (fd < 0)
				return fail(w->f, open_errno(e), "%s: %s", w->at, strerror(e));
			return fd;
		}
		/* A final link: the directory holding it has passed. */
		at_up(w);
		uid_t owner = w->owner;
		if (links == LINKS_ROOTS)
			w->owner = 0;
		char target[PATH_MAX];
		int rc = read_link(w, dirfd, base, target, sizeof target);
		w->owner = owner;
		if (!rc && target[0] != '/') {
			char dir[PATH_MAX];
			snprintf(dir, sizeof dir, "%s", w->at);
			rc = snprintf(buf, sizeof buf, "%s/%s", dir, target) >= (int)sizeof buf
			     ? fail(w->f, EPERM, "%s: path too long", dir) : 0;
		} else if (!rc) {
			snprintf(buf, sizeof buf, "%s", target);
		}
		close(dirfd);
		if (rc)
			return rc;
	}
}

/* systemd's own copy at 0440 (sdcred.h): its ACL decides. */
static int systemd_copy_ok(int fd, const struct stat *st, const struct sdcred *sd, const char *path,
                           struct fault *f)
{
	struct fault detail = { 0 };
	if (!sdcred_file_ok(fd, st, sd, &detail))
		return 0;
	return fail(f, EPERM, "%s: mode 0440 is too open: only systemd's own copy, in the "
	            "unit's credential mount and readable by the service alone, may be; here %s",
	            path, detail.why);
}

int sf_open_secret(const char *path, uid_t owner, const struct sdcred *sd, struct fault *f)
{
	struct walker w = { .owner = owner, .f = f, .given = path, .noun = "the credential" };
	/* O_NONBLOCK: a FIFO must fail the checks, not hang the open. */
	int fd = open_final(&w, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, LINKS_NONE);
	if (fd == -ELOOP)
		return fail_anew(f, EPERM, "%s is a symbolic link: name the file itself "
		                 "(links let someone else swap the secret)", path);
	if (fd == -ENOENT)
		return fail_anew(f, ENOENT, "%s: cannot open the credential: %s", path, strerror(ENOENT));
	if (fd < 0)
		return fd;
	struct stat st;
	int rc = 0;
	unsigned mode = 0;
	if (fstat(fd, &st))
		rc = fail(f, EIO, "%s: fstat: %s", path, strerror(errno));
	else if (mode = st.st_mode & 07777, !S_ISREG(st.st_mode))
		rc = fail(f, EPERM, "%s is %s, not a credential file", path, kind_of(st.st_mode));
	else if (st.st_nlink != 1)
		rc = fail(f, EPERM, "%s has %lu hard links: give the credential a file of "
		          "its own (cp it, then rm the links)", path, (unsigned long)st.st_nlink);
	else if ((rc = owner_ok(&st, owner, path, f)))
		;
	else if (mode == 0440 && sd)
		rc = systemd_copy_ok(fd, &st, sd, path, f);
	else if (mode & 077)
		rc = fail(f, EPERM, "%s: mode %04o is too open: run chmod 600 %s", path, mode, path);
	else if (mode != 0600 && mode != 0400)
		rc = fail(f, EPERM, "%s: mode %04o is not 0600 or 0400: run chmod 600 %s",
		          path, mode, path);
	if (rc)
		return fd_or(fd, rc);
	/* The descriptor, not the name, is what the caller reads. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

int sf_check_parents(const char *path, uid_t owner, struct fault *f)
{
	struct walker w = { .owner = owner, .f = f };
	char base[NAME_MAX + 1];
	int dirfd = descend_path(&w, path, base);
	if (dirfd < 0)
		return dirfd;
	close(dirfd);
	return 0;
}

/* Owned by root or `owner`, and not writable by group or others. */
static int owned_unwritable(const struct stat *st, uid_t owner, const char *label,
                            const char *path, struct fault *f)
{
	int rc = owner_ok(st, owner, path, f);
	if (!rc && (st->st_mode & 022))
		rc = fail(f, EPERM, "%s%s is writable by %s (mode %04o): run chmod go-w %s",
		          label, path, st->st_mode & 002 ? "others" : "its group",
		          (unsigned)(st->st_mode & 07777), path);
	return rc;
}

/* A file reached through the walk (a final link followed), held as an
 * O_PATH descriptor, with its stat. */
static int open_checked(struct walker *w, const char *path, enum links links, struct stat *st)
{
	int fd = open_final(w, path, O_PATH, links);
	if (fd < 0)
		return fd;
	if (fstat(fd, st)) {
		int e = errno;
		close(fd);
		return fail(w->f, EIO, "%s: fstat: %s", w->at, strerror(e));
	}
	return fd;
}

int sf_check_binary(const char *path, uid_t owner, char *real, size_t reallen, struct fault *f)
{
	struct walker w = { .owner = owner, .f = f };
	struct stat st;
	int fd = open_checked(&w, path, LINKS_OWNERS, &st);
	if (fd == -ENOENT)
		return fail_anew(f, ENOENT, "cloudflared not found at %s (install it from "
		                 "Cloudflare's package repository, or set cloudflared: to where it is)", path);
	if (fd < 0)
		return fd;
	close(fd);
	snprintf(real, reallen, "%s", w.at);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return fail(f, ENOEXEC, "cloudflared at %s is not an executable file", w.at);
	return owned_unwritable(&st, owner, "cloudflared at ", w.at, f);
}

int sf_check_readable(const char *path, uid_t owner, const struct sf_reader *reader, struct fault *f)
{
	struct walker w = { .owner = owner, .reader = reader, .f = f };
	struct stat st;
	int fd = open_checked(&w, path, LINKS_OWNERS, &st);
	if (fd == -ENOENT)
		return fail_anew(f, ENOENT, "%s: %s", path, strerror(ENOENT));
	if (fd < 0)
		return fd;
	close(fd);
	if (!S_ISREG(st.st_mode))
		return fail(f, EPERM, "%s is %s", w.at, kind_of(st.st_mode));
	int rc = owned_unwritable(&st, owner, "", w.at, f);
	if (!rc && !user_may(&st, reader, 4))
		rc = fail(f, EPERM, "%s: the service user (uid %u) cannot read it (mode %04o): "
		          "run chmod 644 %s", w.at, (unsigned)reader->uid,
		          (unsigned)(st.st_mode & 07777), w.at);
	return rc;
}

int sf_open_config(const char *path, uid_t owner, struct fault *f)
{
	struct walker w = { .owner = owner, .f = f, .given = path, .noun = "the config" };
	/* A relative path (argoweb run ./web.yaml) is walked from / through
	 * the working directory: those directories chose the file too. */
	char abs[PATH_MAX * 2], cwd[PATH_MAX];
	if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
		return fail(f, EIO, "%s: cannot tell the working directory: %s", path,
		            strerror(errno));
	snprintf(abs, sizeof abs, "%s%s%s", path[0] == '/' ? "" : cwd,
	         path[0] == '/' || !strcmp(cwd, "/") ? "" : "/", path);
	/* O_NONBLOCK: a FIFO must fail the checks, not hang the open. */
	int fd = open_final(&w, abs, O_RDONLY | O_NOCTTY | O_NONBLOCK, LINKS_ROOTS);
	if (fd == -ENOENT)
		return fail_anew(f, ENOENT, "%s: cannot open the config: %s", path, strerror(ENOENT));
	if (fd < 0)
		return fd;
	struct stat st;
	int rc = fstat(fd, &st) ? fail(f, EIO, "%s: fstat: %s", w.at, strerror(errno))
	         : !S_ISREG(st.st_mode) ? fail(f, EINVAL, "%s: not a regular file (%s)", w.at,
	                                       kind_of(st.st_mode))
	         : owned_unwritable(&st, owner, "", w.at, f);
	return fd_or(fd, rc);
}

int sf_open_dir(const char *path, uid_t owner, struct fault *f)
{
	struct walker w = { .owner = owner, .f = f };
	char base[NAME_MAX + 1];
	int dirfd = descend_path(&w, path, base);
	if (dirfd < 0)
		return dirfd;
	int fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(dirfd);
	at_append(&w, base, strlen(base));
	if (fd < 0)
		return fail(f, e == ENOTDIR || e == ELOOP ? EPERM : open_errno(e), "%s: %s", w.at,
		            e == ENOTDIR || e == ELOOP ? "not a directory (or a symbolic link)"
		            : strerror(e));
	return fd_or(fd, check_dir(&w, fd));
}
