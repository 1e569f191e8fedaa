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
#include "osutil.h"
#include "values.h"

#define FIXED_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Passed through from argoweb's own environment when set. Not
 * NOTIFY_SOCKET: where it is set, the health monitor speaks for the tunnel
 * alone, so that READY=1 arrives with the STATUS= that explains it
 * (cloudflared's own READY=1 would make the unit active while its status
 * still said "Connecting"). */
static const char *const pass_env[] = {
	"LANG", "TZ", "JOURNAL_STREAM", NULL,
};

#define NARGV (sizeof ((struct plan *)0)->argv / sizeof (char *))
#define NENV (sizeof ((struct plan *)0)->envp / sizeof (char *))

/* Append to the NULL-terminated argv; -1 when it is full. */
static int add_arg(struct plan *p, int *n, const char *a)
{
	if ((size_t)*n + 1 >= NARGV)
		return -1;
	p->argv[(*n)++] = (char *)a;
	p->argv[*n] = NULL;
	return 0;
}

/* Append NAME=VALUE to the environment; -1 when it is full. */
static int add_env(struct plan *p, const char *name, const char *val)
{
	if ((size_t)p->nenv + 1 >= NENV)
		return -1;
	size_t n = strlen(name) + strlen(val) + 2;
	char *e = xmalloc(n);
	snprintf(e, n, "%s=%s", name, val);
	p->envp[p->nenv++] = e;
	p->envp[p->nenv] = NULL;
	return 0;
}

static int build_argv(struct plan *p, const struct config *c, const char *rendered)
{
	int n = 0;
	/* Global flags must precede the `tunnel` command. */
	if (add_arg(p, &n, c->cloudflared) || add_arg(p, &n, "--no-autoupdate") ||
	    add_arg(p, &n, "tunnel") || add_arg(p, &n, "--config") || add_arg(p, &n, rendered))
		return -1;
	if (c->quick_url)
		return add_arg(p, &n, "--url") || add_arg(p, &n, c->quick_url) ? -1 : 0;
	return add_arg(p, &n, "run");
}

/* management-diagnostics as rendered: the config's value, else false. */
static const char *diagnostics(const struct config *c)
{
	const struct ynode *v = ymap_get(c->tree.root, "management-diagnostics");
	int on = 0;
	return v && val_bool(v->str, &on) == 0 && on ? "true" : "false";
}

static int build_env(struct plan *p, const struct config *c, enum secret_kind kind,
                     const char *secret, const char *home)
{
	const struct cred_kind *k = cred_kind(kind);
	if (add_env(p, "PATH", FIXED_PATH) || (home && add_env(p, "HOME", home)))
		return -1;
	for (int i = 0; pass_env[i]; i++)
		if (getenv(pass_env[i]) && add_env(p, pass_env[i], getenv(pass_env[i])))
			return -1;
	/* cloudflared's config file cannot turn a boolean flag off (its altsrc
	 * applies true values only), and from 2024.2 on this one defaults to
	 * true. The environment outranks both the file and the default. */
	if (add_env(p, "TUNNEL_MANAGEMENT_DIAGNOSTICS", diagnostics(c)))
		return -1;
	return k && add_env(p, k->env, secret) ? -1 : 0;
}

int launch_build(struct plan *p, const struct config *c, const char *exe,
                 enum secret_kind kind, const char *secret, const char *rendered,
                 const char *home)
{
	memset(p, 0, sizeof *p);
	p->exe = exe;
	if (build_argv(p, c, rendered) == 0 && build_env(p, c, kind, secret, home) == 0)
		return 0;
	launch_free(p);
	msg("internal error: cloudflared's command line or environment does not fit");
	return EX_SOFTWARE;
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

int launch_exec(struct plan *p)
{
	/* All but the journal's own stream (close-on-exec: cloudflared never
	 * gets it), for the message should the exec fail. */
	os_close_fds(msg_fd > 2 ? msg_fd : -1);
	execve(p->exe, p->argv, p->envp);
	int e = errno;
	launch_free(p);
	msg("cannot execute %s: %s", p->exe, strerror(e));
	/* As a shell does: 127 when it is not there, 126 when it won't run. */
	return e == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
}
