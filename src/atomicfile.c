/* atomicfile: temp file + fsync + rename, the only way argoweb writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int atomic_write(const char *dir, const char *name, const char *buf, size_t len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int rc = atomic_write_at(dfd, name, buf, len);
	close(dfd);
	return rc;
}

int atomic_write_at(int dfd, const char *name, const char *buf, size_t len)
{
	return atomic_write_owned(dfd, name, buf, len, 0600, (uid_t)-1, (gid_t)-1);
}

int atomic_write_owned(int dfd, const char *name, const char *buf, size_t len, mode_t mode,
                       uid_t uid, gid_t gid)
{
	char tmp[64];
	/* The pid keeps two racing starts of one instance apart; O_EXCL and
	 * O_NOFOLLOW refuse anything planted under that name. */
	snprintf(tmp, sizeof tmp, ".%s.%ld.tmp", name, (long)getpid());
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int rc = fd < 0 ? -errno : 0;
	if (!rc)
		rc = write_all(fd, buf, len);
	if (!rc && (uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid))
		rc = -errno;
	/* After fchown, which clears set-id bits; umask may have cut the mode. */
	if (!rc && fchmod(fd, mode & 07777))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (fd >= 0 && close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, name))
		rc = -errno;
	if (rc && fd >= 0)
		unlinkat(dfd, tmp, 0);
	if (!rc)
		fsync(dfd);     /* make the rename itself durable */
	return rc;
}
