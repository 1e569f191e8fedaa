/* rundir: the runtime directory that holds cloudflared's rendered config. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "rundir.h"
#include "safefile.h"

void rundir_path(const struct config *c, char *dir, size_t n)
{
	const char *rd = getenv("RUNTIME_DIRECTORY");
	if (rd && rd[0] == '/')
		/* Several RuntimeDirectory= entries arrive colon-separated. */
		snprintf(dir, n, "%.*s", (int)strcspn(rd, ":"), rd);
	else
		inst_rundir(c->name, c->handover, dir, n);
}

static int dir_fail(struct fault *f, const char *dir, int e)
{
	return fail(f, e, "%s: runtime directory: %s", dir, strerror(e));
}

/* Walk to dir as safefile walks to a credential (every directory root's
 * or the service user's, writable by no one else, no link), hold it, and
 * make it the service user's 0700 through the descriptor held. */
static int hold_dir(const char *dir, uid_t uid, gid_t gid, int ours, struct fault *f)
{
	struct fault walk = { 0 };
	int pfd = sf_open_dir(dir, uid, &walk);
	if (pfd < 0)
		return fail(f, -pfd, "runtime directory: %s", walk.why);
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	close(pfd);
	if (fd < 0)
		return dir_fail(f, dir, e);
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = dir_fail(f, dir, errno);
	else if (ours && geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid) &&
	         fchown(fd, uid, gid))
		rc = dir_fail(f, dir, errno);
	else if (ours && (st.st_mode & 07777) != 0700 && fchmod(fd, 0700))
		rc = dir_fail(f, dir, errno);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int rundir_open(const char *dir, int ours, uid_t uid, gid_t gid, struct fault *f)
{
	if (!ours)      /* systemd made it, owned by User=: checked, held, left as it is */
		return hold_dir(dir, uid, gid, 0, f);
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		/* The service user must pass through it, whatever our umask
		 * (the unit's is 0077): 0755 when we make it. */
		if (mkdir(parent, 0755) == 0) {
			if (chmod(parent, 0755))
				return dir_fail(f, parent, errno);
		} else if (errno != EEXIST) {
			return dir_fail(f, parent, errno);
		}
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return dir_fail(f, dir, errno);
	return hold_dir(dir, uid, gid, 1, f);
}
