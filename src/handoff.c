/* handoff: see handoff.h. systemd does the starting and stopping,
 * through systemctl: each step is a job it knows how to wait for. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adopt.h"
#include "atomicfile.h"
#include "creds.h"
#include "handoff.h"
#include "listeners.h"
#include "osutil.h"
#include "ready.h"
#include "safefile.h"
#include "seed.h"
#include "units.h"
#include "xalloc.h"

int ho_systemctl(const char *verb, const char *a, const char *b)
{
	const char *args[] = { verb, a, b, NULL };
	return units_systemctl(NULL, 0, args);
}

void ho_prop(const char *unit, const char *p, char *out, size_t n)
{
	const char *args[] = { "show", "-p", p, "--value", unit, NULL };
	if (units_systemctl(out, n, args) != 0)
		out[0] = 0;
}

void ho_step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int ho_split_path(const char *path, char *dir, size_t n, const char **base)
{
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || !slash[1] || (size_t)(slash - path) >= n)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = 0;
	if (!dir[0])
		strcpy(dir, "/");
	*base = slash + 1;
	return 0;
}

int ho_plain_path(const char *p)
{
	if (p[0] != '/')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

int ho_root_dir(const char *path, const char **base, struct fault *f)
{
	char dir[4200];
	if (ho_split_path(path, dir, sizeof dir, base))
		return fail(f, EINVAL, "%.300s: not an absolute path to a file", path);
	int pfd = sf_open_dir(dir, 0, f);
	if (pfd < 0)
		return pfd;
	int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(pfd);
	return dfd < 0 ? fail(f, e, "%.300s: %s", dir, strerror(e)) : dfd;
}

int ho_write_file(const char *path, const char *buf, size_t len, mode_t mode, uid_t uid, gid_t gid,
                  struct fault *f)
{
	const char *base;
	int dfd = ho_root_dir(path, &base, f);
	if (dfd < 0)
		return dfd;
	int e = atomic_write_owned(dfd, base, buf, len, mode, uid, gid);
	close(dfd);
	return e ? fail(f, -e, "%.300s: %s", path, strerror(-e)) : 0;
}

/* A regular file's bytes, from fd (closed here). 0, or -1. */
static int read_fd(int fd, char **buf, size_t *len)
{
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > ADOPT_FILE_MAX) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*buf = xmalloc((size_t)st.st_size + 1);
	ssize_t got = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	*len = got > 0 ? (size_t)got : 0;
	(*buf)[*len] = 0;
	return got == st.st_size ? 0 : -1;
}

int ho_read_all(const char *path, char **buf, size_t *len)
{
	return read_fd(open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), buf, len);
}

int ho_holds(int dfd, const char *base, const char *buf, size_t len)
{
	char *now = NULL;
	size_t nlen = 0;
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	int same = !read_fd(fd, &now, &nlen) && nlen == len && !memcmp(now, buf, len);
	if (now)
		explicit_bzero(now, nlen);
	free(now);
	return same ? 1 : -1;
}

int ho_restore_file(const char *bdir, const char *path, const char *file, mode_t mode, uid_t uid,
                    gid_t gid)
{
	char src[4300], *buf = NULL;
	struct fault f = { 0 };
	const char *base;
	size_t len;
	snprintf(src, sizeof src, "%s/%s", bdir, file);
	if (ho_read_all(src, &buf, &len)) {
		msg("%s: cannot read the backup of %s", src, path);
		return EX_NOINPUT;
	}
	int dfd = ho_root_dir(path, &base, &f), rc = 0;
	int there = dfd < 0 ? 0 : ho_holds(dfd, base, buf, len);
	if (dfd < 0)
		msg("%s: cannot put it back: %s", path, f.why);
	else if (there < 0)
		msg("%s exists again: move it away, then argoweb adopt --undo again", path);
	else if (!there && (rc = atomic_write_owned(dfd, base, buf, len, mode & 0777, uid, gid)))
		msg("%s: cannot put it back: %s", path, strerror(-rc));
	else if (!there)
		ho_step("put back %s", path);
	explicit_bzero(buf, len);
	free(buf);
	if (dfd >= 0)
		close(dfd);
	return dfd < 0 || there < 0 || rc ? EX_CANTCREAT : 0;
}

void ho_backup_dir(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", TAKEOVER_DIR, name);
}

int ho_make_backup_dir(const char *bdir)
{
	for (int tries = 0; tries < 3; tries++) {
		if (mkdir(TAKEOVER_DIR, 0700) && errno != EEXIST)
			return -1;
		if (!mkdir(bdir, 0700))
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	return -1;
}

int ho_metrics_of(const char *unit, struct hostport *hp, uid_t *uid)
{
	char pid[32], addr[80];
	struct lis_socket l[16];
	ho_prop(unit, "MainPID", pid, sizeof pid);
	size_t n = atoi(pid) > 0 ? lis_of_pid((pid_t)atoi(pid), l, 16) : 0;
	for (size_t i = 0; i < n; i++) {
		static const unsigned char any6[16];
		int wild = l[i].v6 ? !memcmp(l[i].addr, any6, 16) : !memcmp(l[i].addr, any6, 4);
		if (l[i].v6 && !wild)
			snprintf(addr, sizeof addr, "[::1]:%u", l[i].port);
		else
			snprintf(addr, sizeof addr, "127.0.0.1:%u", l[i].port);
		struct fault not_loopback = { 0 };
		if (!val_loopback_addr(addr, hp, &not_loopback) && ready_count(hp, l[i].uid, "root", 2000) > 0) {
			*uid = l[i].uid;
			return 0;
		}
	}
	return -1;
}

/* A remotely-managed tunnel serves once the edge pushed its rules. */
static int has_config(const struct hostport *hp, uid_t uid)
{
	char *body = NULL;
	struct fault distrust = { 0 };
	size_t len;
	long long version = -1;
	int waiting = 1;
	if (ready_get(hp, uid, "root", 2000, "/config", 1 << 20, &body, &len, &distrust) == 0)
		seed_served(body, len, &version, &waiting);
	free(body);
	return version >= 0;
}

int ho_old_serves(const char *unit, int want, int token)
{
	struct hostport hp;
	uid_t uid = 0;
	long long end = os_now_ms() + SERVE_WAIT_MS;
	while (ho_metrics_of(unit, &hp, &uid) && os_now_ms() < end)
		usleep(200000);
	if (os_now_ms() >= end)
		return -1;
	if (ready_wait(&hp, uid, "root", want, SERVE_WAIT_MS) < 1)
		return -1;
	while (token && !has_config(&hp, uid) && os_now_ms() < end)
		usleep(200000);
	return token && !has_config(&hp, uid) ? -1 : 0;
}

void ho_kept_rules(const char *name, char *out, size_t n)
{
	char dir[4096], file[128];
	seed_where(name, dir, sizeof dir, file, sizeof file);
	snprintf(out, n, "%.4000s/%.127s", dir, file);
}

char *ho_rules_of(const struct hostport *hp, uid_t uid, const char *user, long long *version,
                  size_t *len)
{
	char *body = NULL, *yaml = NULL;
	size_t blen;
	struct fault f = { 0 };
	if (ready_get(hp, uid, user, 2000, "/config", SEED_MAX, &body, &blen, &f) == 0 &&
	    seed_from_config(body, blen, version, &yaml, len, &f)) {
		free(yaml);
		yaml = NULL;
	}
	free(body);
	return yaml;
}

int ho_seeded(const char *conf, struct config *c, struct ids *ids)
{
	return !cfg_load(c, conf) && creds_may_be_token(c) && !c->nrules &&
	       c->seed_remote && !pd_resolve(c->user, c->group, ids);
}
