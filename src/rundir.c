/* rundir: the runtime directory that holds cloudflared's rendered config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int rundir_prepare(const char *dir)
{
	char parent[4096];
	snprintf(parent, sizeof parent, "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir(parent, 0755) && errno != EEXIST)
			goto fail;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	msg_at(dir, 0, 0, "cannot create the runtime directory: %s", strerror(errno));
	return EX_CANTCREAT_;
}
