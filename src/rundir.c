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

static int fail(const char *dir, const char *why)
{
	msg_at(dir, 0, 0, "runtime directory: %s", why);
	return EX_CANTCREAT;
}

/* Open what is there without following a link, and make it the service
 * user's: a directory we created, or one an earlier start created. */
static int own_dir(const char *dir, uid_t uid, gid_t gid)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(dir, strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st))
		rc = fail(dir, strerror(errno));
	else if (geteuid() == 0 && (st.st_uid != uid || st.st_gid != gid) && fchown(fd, uid, gid))
		rc = fail(dir, strerror(errno));
	else if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700))
		rc = fail(dir, strerror(errno));
	close(fd);
	return rc;
}

int rundir_prepare(const char *dir, int ours, uid_t uid, gid_t gid)
{
	if (!ours)
		return 0;       /* systemd made it, owned by User=, mode per unit */
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir(parent, 0755) && errno != EEXIST)
			return fail(parent, strerror(errno));
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail(dir, strerror(errno));
	return own_dir(dir, uid, gid);
}
