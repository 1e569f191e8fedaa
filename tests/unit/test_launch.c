/* launch.c: cloudflared's argv and environment (allow-list, the secret in
 * its kind's variable, never NOTIFY_SOCKET), the plan printed without
 * values, the wipe, and exec failures as a shell reports them. */
#include <sys/wait.h>

#include "../../src/launch.c"
#include "tap.h"
#include "capture.h"

/* How a config names its tunnel: the file of a credential of one kind, a
 * quick tunnel, or neither (systemd's copy). */
enum how { ID_CREDDIR, ID_CREDFILE, ID_TOKENFILE, ID_QUICK };

static struct config cfg(enum how id)
{
	static const char *const key[] = { NULL, "credentials-file", "token-file", NULL };
	struct config c = { .cred_key = key[id], .cloudflared = "/usr/bin/cloudflared",
	                    .quick_url = id == ID_QUICK ? "http://localhost:8080" : NULL };
	return c;
}

static int has_env(const struct plan *p, const char *entry)
{
	for (int i = 0; i < p->nenv; i++)
		if (!strcmp(p->envp[i], entry))
			return 1;
	return 0;
}

static int has_name(const struct plan *p, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < p->nenv; i++)
		if (!strncmp(p->envp[i], name, n) && p->envp[i][n] == '=')
			return 1;
	return 0;
}

static void test_argv(void)
{
	struct plan p;
	struct config c = cfg(ID_CREDFILE);
	IS_INT(launch_build(&p, &c, "/real/cloudflared", SEC_JSON, "{}", "/run/x/config.yml", "/home/x"),
	       0, "named tunnel: built");
	IS_STR(p.exe, "/real/cloudflared", "the checked, resolved binary is what runs");
	const char *want[] = { "/usr/bin/cloudflared", "--no-autoupdate", "tunnel", "--config",
	                       "/run/x/config.yml", "run", NULL };
	int same = 1;
	for (int i = 0; want[i] || p.argv[i]; i++)
		same &= want[i] && p.argv[i] && !strcmp(want[i], p.argv[i]);
	OK(same, "argv: cloudflared --no-autoupdate tunnel --config RENDERED run");
	launch_free(&p);
	c = cfg(ID_QUICK);
	launch_build(&p, &c, "/real/cloudflared", SEC_ANY, "", "/run/q/config.yml", NULL);
	OK(!strcmp(p.argv[5], "--url") && !strcmp(p.argv[6], "http://localhost:8080") && !p.argv[7],
	   "quick tunnel: --url ORIGIN instead of run");
	OK(!has_name(&p, "TUNNEL_TOKEN") && !has_name(&p, "TUNNEL_CRED_CONTENTS") && !has_name(&p, "HOME"),
	   "quick tunnel: no secret; no HOME given, none set");
	launch_free(&p);
}

static void test_env(void)
{
	struct plan p;
	struct config c = cfg(ID_TOKENFILE);
	setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
	setenv("LANG", "C.UTF-8", 1);
	setenv("TZ", "UTC", 1);
	setenv("JOURNAL_STREAM", "8:123", 1);
	setenv("SECRET_THING", "leak", 1);
	setenv("LD_PRELOAD", "/evil.so", 1);
	launch_build(&p, &c, "/x", SEC_TOKEN, "TOKEN-VALUE", "/r", "/var/lib/argoweb");
	OK(has_env(&p, "TUNNEL_TOKEN=TOKEN-VALUE"), "a token goes in TUNNEL_TOKEN");
	OK(has_env(&p, "HOME=/var/lib/argoweb"), "HOME is the service user's");
	OK(has_env(&p, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), "a fixed PATH");
	OK(has_env(&p, "LANG=C.UTF-8") && has_env(&p, "TZ=UTC") && has_env(&p, "JOURNAL_STREAM=8:123"),
	   "LANG, TZ, JOURNAL_STREAM passed on");
	OK(!has_name(&p, "NOTIFY_SOCKET"), "never NOTIFY_SOCKET: the monitor speaks for the tunnel");
	OK(!has_name(&p, "SECRET_THING") && !has_name(&p, "LD_PRELOAD"), "nothing else passes");
	OK(p.envp[p.nenv] == NULL, "NULL-terminated");
	launch_free(&p);
	launch_build(&p, &c, "/x", SEC_JSON, "{\"a\":1}", "/r", NULL);
	OK(has_env(&p, "TUNNEL_CRED_CONTENTS={\"a\":1}"), "a credentials JSON goes in TUNNEL_CRED_CONTENTS");
	cap_start();
	FILE *f = tmpfile();
	launch_print(&p, f);
	rewind(f);
	char out[512] = "";
	size_t n = fread(out, 1, sizeof out - 1, f);
	out[n] = 0;
	fclose(f);
	cap_end();
	OK(strstr(out, "environment: PATH LANG TZ JOURNAL_STREAM TUNNEL_MANAGEMENT_DIAGNOSTICS TUNNEL_CRED_CONTENTS") &&
	   !strstr(out, "{\"a\":1}"), "the plan names the variables, never their values");
	launch_free(&p);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("SECRET_THING");
	unsetenv("LD_PRELOAD");
	unsetenv("JOURNAL_STREAM");
}

/* TUNNEL_MANAGEMENT_DIAGNOSTICS says what the rendering says: false
 * unless the config sets true (the file alone cannot say false). */
static void test_diagnostics(void)
{
	static const struct { const char *yaml, *want; } cases[] = {
		{ "token-file: /t\n", "TUNNEL_MANAGEMENT_DIAGNOSTICS=false" },
		{ "token-file: /t\nmanagement-diagnostics: false\n", "TUNNEL_MANAGEMENT_DIAGNOSTICS=false" },
		{ "token-file: /t\nmanagement-diagnostics: true\n", "TUNNEL_MANAGEMENT_DIAGNOSTICS=true" },
		{ "token-file: /t\nmanagement-diagnostics: TRUE\n", "TUNNEL_MANAGEMENT_DIAGNOSTICS=true" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config c = { 0 };
		struct plan p;
		int rc = cfg_load_buffer(&c, "t.yaml", cases[i].yaml, strlen(cases[i].yaml));
		if (rc) {
			OK(0, "diagnostics config %zu loads (rc %d)", i, rc);
			continue;
		}
		c.cloudflared = "/usr/bin/cloudflared";
		launch_build(&p, &c, "/x", SEC_TOKEN, "T", "/r", NULL);
		OK(has_env(&p, cases[i].want), "%s", cases[i].want);
		launch_free(&p);
		cfg_free(&c);
	}
	/* A config built by hand (no tree): false. */
	struct config c = cfg(ID_TOKENFILE);
	struct plan p;
	launch_build(&p, &c, "/x", SEC_TOKEN, "T", "/r", NULL);
	OK(has_env(&p, "TUNNEL_MANAGEMENT_DIAGNOSTICS=false"), "no tree: TUNNEL_MANAGEMENT_DIAGNOSTICS=false");
	launch_free(&p);
}

static void test_bounds(void)
{
	struct plan p;
	memset(&p, 0, sizeof p);
	int full = 0;
	for (int i = 0; i < 40 && !full; i++)
		full = add_env(&p, "X", "1") != 0;
	OK(full && p.nenv == (int)NENV - 1 && p.envp[p.nenv] == NULL,
	   "the environment stops at its bound (%d entries), NULL-terminated", p.nenv);
	launch_free(&p);
	memset(&p, 0, sizeof p);
	int n = 0;
	full = 0;
	for (int i = 0; i < 40 && !full; i++)
		full = add_arg(&p, &n, "a") != 0;
	OK(full && n == (int)NARGV - 1 && p.argv[n] == NULL, "argv stops at its bound (%d)", n);
}

/* launch_exec in a child: its exit code, as a shell's. */
static int exec_code(const char *exe)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct plan p;
		struct config c = cfg(ID_CREDFILE);
		launch_build(&p, &c, exe, SEC_ANY, "", "/r", NULL);
		_exit(launch_exec(&p));
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_exec(void)
{
	IS_INT(exec_code("/nonexistent/cloudflared"), EXIT_NOTFOUND, "not there: 127");
	IS_INT(exec_code("/etc/hostname"), EXIT_NOEXEC, "not executable: 126");
}

int main(void)
{
	test_argv();
	test_env();
	test_diagnostics();
	test_bounds();
	test_exec();
	return tap_done();
}
