/* launch: the exact command line and environment cloudflared gets, and the
 * exec itself. The secret travels in the environment (readable only by the
 * same user), never in argv (readable by everyone in /proc). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "launch.h"
#include "msg.h"

#define FIXED_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Passed through from argoweb's own environment when set. Not
 * NOTIFY_SOCKET: where it is set, the health monitor speaks for the tunnel
 * alone, so that READY=1 arrives with the STATUS= that explains it
 * (cloudflared's own READY=1 would make the unit active while its status
 * still said "Connecting"). */
static const char *const pass_env[] = {
	"LANG", "TZ", "JOURNAL_STREAM", NULL,
};

static void add_env(struct plan *p, char *entry)
{
	p->envp[p->nenv++] = entry;
	p->envp[p->nenv] = NULL;
}

static char *env_pair(const char *name, const char *val)
{
	size_t n = strlen(name) + strlen(val) + 2;
	char *e = xmalloc(n);
	snprintf(e, n, "%s=%s", name, val);
	return e;
}

/* home: the service user's home when we switch users, else our own. */
void launch_build(struct plan *p, const struct config *c, const char *exe,
                  enum secret_kind kind, const char *secret, const char *rendered,
                  const char *home)
{
	memset(p, 0, sizeof *p);
	p->exe = exe;
	int n = 0;
	p->argv[n++] = (char *)c->cloudflared;
	/* Global flags must precede the `tunnel` command. */
	p->argv[n++] = "--no-autoupdate";
	p->argv[n++] = "tunnel";
	p->argv[n++] = "--config";
	p->argv[n++] = (char *)rendered;
	if (c->id == ID_QUICK) {
		p->argv[n++] = "--url";
		p->argv[n++] = (char *)c->quick_url;
	} else {
		p->argv[n++] = "run";
	}
	p->argv[n] = NULL;

	add_env(p, xstrdup(FIXED_PATH));
	if (home)
		add_env(p, env_pair("HOME", home));
	for (int i = 0; pass_env[i]; i++)
		if (getenv(pass_env[i]))
			add_env(p, env_pair(pass_env[i], getenv(pass_env[i])));
	if (kind != SEC_NONE) {
		add_env(p, env_pair(kind == SEC_TOKEN ? "TUNNEL_TOKEN" : "TUNNEL_CRED_CONTENTS", secret));
	}
}

void launch_print(const struct plan *p, FILE *out)
{
	fprintf(out, "exec:");
	for (int i = 0; p->argv[i]; i++)
		fprintf(out, " %s", p->argv[i]);
	fprintf(out, "\nenvironment:");
	for (int i = 0; i < p->nenv; i++)
		fprintf(out, " %.*s", (int)strcspn(p->envp[i], "="), p->envp[i]);
	fputc('\n', out);
}

void launch_free(struct plan *p)
{
	for (int i = 0; i < p->nenv; i++) {
		explicit_bzero(p->envp[i], strlen(p->envp[i]));
		free(p->envp[i]);
	}
	p->nenv = 0;
}

static void close_other_fds(void)
{
	/* close_range needs Linux 5.9; older kernels get the slow loop. */
	if (close_range(3, ~0U, 0) == 0)
		return;
	long max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
		close((int)fd);
}

int launch_exec(struct plan *p)
{
	close_other_fds();
	execve(p->exe, p->argv, p->envp);
	int e = errno;
	launch_free(p);
	msg("cannot execute %s: %s", p->exe, strerror(e));
	/* As a shell does: 127 when it is not there, 126 when it won't run. */
	return e == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
}
