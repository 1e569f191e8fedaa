/* unitfile.c: unit files, environment files and ExecStart= read as
 * systemd reads them (systemd.syntax(7), systemd.service(5)'s "Command
 * lines", systemd.exec(5)'s Environment= and EnvironmentFile=), and what
 * argoweb cannot read so is refused, with where. */
#include "../../src/unitfile.c"

#include "tap.h"

static struct uf_service svc;

static int parse(const char *text, struct fault *f)
{
	memset(f, 0, sizeof *f);
	return uf_parse(text, strlen(text), &svc, f);
}

/* ExecStart= in force, split with env, compared word by word (| between). */
static void argv_is(const char *exec, const struct uf_vars *env, const char *want, const char *label)
{
	char *argv[UF_MAX_ARGS], got[2048] = "";
	int argc = 0;
	struct fault f = { 0 };
	if (uf_exec_argv(exec, env, argv, &argc, &f)) {
		snprintf(got, sizeof got, "error: %s", f.why);
	} else {
		for (int i = 0; i < argc; i++) {
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "|" : "", argv[i]);
			free(argv[i]);
		}
	}
	IS_STR(got, want, "%s", label);
}

static void test_units(void)
{
	struct fault f = { 0 };
	IS_INT(parse("[Unit]\nDescription=cloudflared\nExecStart=/not/this\n\n[Service]\n"
	             "TimeoutStartSec=0\nType=notify\n"
	             "ExecStart=/usr/bin/cloudflared --no-autoupdate tunnel run --token eyJhIjoi\n"
	             "Restart=on-failure\n[Install]\nWantedBy=multi-user.target\n", &f), 0,
	       "cloudflared service install's unit (2023.7.3)");
	IS_STR(svc.exec, "/usr/bin/cloudflared --no-autoupdate tunnel run --token eyJhIjoi",
	       "... ExecStart= of [Service] only");
	IS_INT(svc.exec_line, 8, "... at its line");
	IS_STR(svc.type, "notify", "... Type=");
	IS_INT(svc.exec_count, 1, "... one ExecStart=");
	/* A drop-in: an empty ExecStart= resets, the next one is in force. */
	IS_INT(parse("[Service]\nExecStart=\nExecStart = /usr/local/bin/cloudflared \\\n"
	             "# a comment inside the continuation\n"
	             "    tunnel run\n", &f), 0, "a drop-in resets ExecStart= and continues a line");
	IS_STR(svc.exec, "/usr/local/bin/cloudflared  tunnel run", "... joined with a space, the comment skipped");
	IS_INT(svc.exec_count, 1, "... still one ExecStart=");
	IS_INT(parse("[Service]\nExecStart=/bin/true\n", &f), 0, "a second ExecStart= without a reset");
	IS_INT(svc.exec_count, 2, "... counted: two (refused later for a notify service)");
	IS_INT(parse("[Service]\nEnvironment=\"TUNNEL_TOKEN=a b\" TUNNEL_METRICS=127.0.0.1:2000 'X=\\x41'\n"
	             "EnvironmentFile=-/etc/default/cloudflared\nUser=cf\n; comment\n# comment\n", &f), 0,
	       "Environment= with quotes and escapes");
	IS_STR(uf_get(&svc.env, "TUNNEL_TOKEN"), "a b", "... a quoted assignment keeps its space");
	IS_STR(uf_get(&svc.env, "TUNNEL_METRICS"), "127.0.0.1:2000", "... a bare one");
	IS_STR(uf_get(&svc.env, "X"), "A", "... \\x41 is A");
	IS_STR(svc.envfile[0], "-/etc/default/cloudflared", "EnvironmentFile= with its '-'");
	IS_STR(svc.user, "cf", "User=");
	IS_INT(parse("[Service]\nEnvironment=\n", &f), 0, "an empty Environment= resets");
	IS_INT(svc.env.n, 0, "... nothing left");
	IS_INT(parse("[Service]\nEnvironment=NOEQUALS\n", &f), -EINVAL, "an assignment without '=' is refused");
	IS_STR(f.why, "Environment=: not NAME=VALUE assignments systemd takes", "... saying so");
	IS_INT(f.line, 2, "... at its line");
	IS_INT(parse("[Service]\nEnvironment=\"A=unclosed\n", &f), -EINVAL, "an open quote is refused");
	IS_INT(parse("[Service]\nEnvironment=A=%i\n", &f), -EINVAL, "a specifier is refused");
	IS_STR(f.why, "Environment=: a specifier (%x) argoweb adopt does not expand", "... saying so");
	IS_INT(parse("[Service]\nEnvironment=A=100%%\n", &f), 0, "%% is a percent sign");
	IS_STR(uf_get(&svc.env, "A"), "100%", "... A=100%%");
	memset(&f, 0, sizeof f);
	IS_INT(uf_parse("[Service]\0ExecStart=x\n", 21, &svc, &f), -EINVAL, "a NUL byte is refused");
	/* Found by fuzz_unit: a last line of blanks, no newline, no NUL after
	 * it (under ASan a read past the end fails). */
	char *raw = xmalloc(12);
	memcpy(raw, "[Service]\n  ", 12);
	memset(&f, 0, sizeof f);
	IS_INT(uf_parse(raw, 12, &svc, &f), 0, "a last line of blanks, the buffer ending there");
	free(raw);
	uf_free(&svc);
}

static void test_exec(void)
{
	struct uf_vars env = { 0 };
	uf_set(&env, "TOKEN", 5, "eyJ0 b", 6);
	uf_set(&env, "FLAGS", 5, "--protocol http2 \"--loglevel\" debug", 35);
	argv_is("/usr/bin/cloudflared --no-autoupdate tunnel run --token abc", &env,
	        "/usr/bin/cloudflared|--no-autoupdate|tunnel|run|--token|abc", "plain words");
	argv_is("-/usr/bin/cloudflared tunnel run", &env, "/usr/bin/cloudflared|tunnel|run",
	        "the '-' prefix is not a word");
	argv_is("@/usr/bin/cloudflared cf tunnel run", &env, "/usr/bin/cloudflared|tunnel|run",
	        "'@': the second word is argv[0]'s name, dropped; the program stays");
	argv_is("+!/usr/bin/cloudflared tunnel run", &env, "/usr/bin/cloudflared|tunnel|run", "+ and !");
	argv_is("/usr/bin/cloudflared tunnel run --token ${TOKEN}", &env,
	        "/usr/bin/cloudflared|tunnel|run|--token|eyJ0 b", "${NAME}: one word, as it is");
	argv_is("/usr/bin/cloudflared tunnel $FLAGS run", &env,
	        "/usr/bin/cloudflared|tunnel|--protocol|http2|--loglevel|debug|run",
	        "$NAME alone: split into words, quotes taken off");
	argv_is("/usr/bin/cloudflared tunnel run $UNSET", &env, "/usr/bin/cloudflared|tunnel|run",
	        "$NAME unset: no word");
	argv_is("/usr/bin/cloudflared \"--token=${UNSET}x\" $$HOME", &env,
	        "/usr/bin/cloudflared|--token=x|$HOME", "${UNSET} is empty; $$ is $");
	argv_is("/usr/bin/cloudflared 'tunnel' \"run\" a\\sb \"c\\\"d\"", &env,
	        "/usr/bin/cloudflared|tunnel|run|a b|c\"d", "quotes and escapes as systemd undoes them");
	argv_is("/usr/bin/cloudflared tunnel run %n", &env,
	        "error: ExecStart=: a specifier (%x) argoweb adopt does not expand",
	        "a specifier is refused");
	argv_is("/usr/bin/cloudflared \"tunnel run", &env,
	        "error: ExecStart=: a quote that is not closed", "an open quote");
	argv_is("/usr/bin/cloudflared a\\qb", &env,
	        "error: ExecStart=: an escape systemd reads otherwise than argoweb would",
	        "an unknown escape");
	argv_is("/usr/bin/cloudflared a\\x00b", &env,
	        "error: ExecStart=: an escape systemd reads otherwise than argoweb would",
	        "a NUL escape");
	argv_is("@/usr/bin/cloudflared", &env,
	        "error: ExecStart=: no command, or too many words", "'@' without its name");
	/* The line may hold the secret: the error never quotes it. */
	argv_is("/usr/bin/cloudflared tunnel run --token eyJhSECRETSECRET \"open", &env,
	        "error: ExecStart=: a quote that is not closed", "a bad line with a token: not quoted");
	uf_vars_free(&env);
}

static void envfile_is(const char *text, const char *name, const char *want, const char *label)
{
	struct uf_vars v = { 0 };
	struct fault f = { 0 };
	int rc = uf_envfile(text, strlen(text), &v, &f);
	const char *got = rc ? f.why : uf_get(&v, name);
	IS_STR(got, want, "%s", label);
	uf_vars_free(&v);
}

static void test_envfile(void)
{
	envfile_is("# comment\nTUNNEL_TOKEN=eyJhIjoi\n", "TUNNEL_TOKEN", "eyJhIjoi", "a bare value");
	envfile_is("TUNNEL_TOKEN = eyJ  \n", "TUNNEL_TOKEN", "eyJ", "blanks around '=' and after the value");
	envfile_is("A='x \"y\" \\z'\n", "A", "x \"y\" \\z", "single quotes: as they are");
	envfile_is("A=\"x \\\"y\\\" \\z \\$\"\n", "A", "x \"y\" \\z $", "double quotes: \\ before \" \\ ` $ only");
	envfile_is("A=\"two\nlines\"\nB=1\n", "A", "two\nlines", "a quoted value over two lines");
	envfile_is("A=\"two\nlines\"\nB=1\n", "B", "1", "... and the next assignment after it");
	envfile_is("A=one\\\n two\n", "A", "one two", "a backslash continues a bare value");
	envfile_is("; comment\nnot an assignment\nA=1\n", "A", "1", "a line without '=' is skipped");
	envfile_is("A=1\nA=2\n", "A", "2", "the last assignment wins");
	envfile_is("1A=x\n", "1A", "not a NAME=VALUE assignment systemd takes", "a bad name is refused");
}

int main(void)
{
	test_units();
	test_exec();
	test_envfile();
	return tap_done();
}
