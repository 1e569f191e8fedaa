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

void rundir_path(const struct config *c, char *dir, size_t n)
{
	const char *rd = getenv("RUNTIME_DIRECTORY");
	if (rd && rd[0] == '/')
		/* Several RuntimeDirectory= entries arrive colon-separated. */
		snprintf(dir, n, "%.*s", (int)strcspn(rd, ":"), rd);
	else
		snprintf(dir, n, "%s/%s", ARGOWEB_RUNDIR, c->name);
}

/* Fill why and return -e. */
static int fail(char *why, const char *dir, int e)
{
	snprintf(why, RUNDIR_WHYLEN, "%s: runtime directory: %s", dir, strerror(e));
	return -e;
}

/* Open what is there without following a link, and make it the service
 * user's: a directory we created, or one an earlier start created. */
static int own_dir(const char *dir, uid_t uid, gid_t gid, char *why)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(why, dir, errno);
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = fail(why, dir, errno);
	else if (geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid))
		rc = fail(why, dir, errno);
	else if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700))
		rc = fail(why, dir, errno);
	close(fd);
	return rc;
}

int rundir_prepare(const char *dir, int ours, uid_t uid, gid_t gid, char *why)
{
	if (!ours)
		return 0;       /* systemd made it, owned by User=, mode per unit */
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		/* The service user must pass through it, whatever our umask
		 * (the unit's is 0077): 0755 when we make it. */
		if (mkdir(parent, 0755) == 0) {
			if (chmod(parent, 0755))
				return fail(why, parent, errno);
		} else if (errno != EEXIST) {
			return fail(why, parent, errno);
		}
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail(why, dir, errno);
	return own_dir(dir, uid, gid, why);
}
