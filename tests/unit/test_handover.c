/* handover.c: argoweb restart's steps as it drives systemd, against a
 * systemctl stand-in on PATH that logs each call and answers as the case
 * needs (ACTIVE: which unit is active). No instance running: 69, nothing
 * started. No systemctl: 71. A hand-over connector that never connects
 * (nothing listens at its metrics address): 69, it is stopped again and
 * the tunnel's unit never restarted. Another restart of the tunnel
 * running (its lock held by another process): 75, and ho_restart_running
 * says so while it is held and not after. The lock lives in /run/argoweb:
 * root only. */
#include "../../src/handover.c"

#include <signal.h>
#include <stdlib.h>

#include "capture.h"
#include "tap.h"
#include "scratch.h"

static char name[64], logpath[PATH_MAX];

static int logged(const char *what)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(logpath, "r");
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, what) != NULL;
	if (f)
		fclose(f);
	return n;
}

static int load(struct config *c)
{
	static const char yaml[] = "tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef\n"
	                           "metrics: 127.0.0.1:1\ningress:\n  - service: http_status:404\n";
	struct fault f = { 0 };
	char path[300];
	memset(c, 0, sizeof *c);
	snprintf(path, sizeof path, "/etc/argoweb/%s.yaml", name);
	c->path = xstrdup(path);
	c->name = xstrdup(name);
	return cfg_parse(c, yaml, sizeof yaml - 1, &f);
}

static int restart(struct config *c, const char *active, const char **said)
{
	struct ids ids = { .uid = 0, .gid = 0, .user = "root", .group = "root" };
	setenv("ACTIVE", active, 1);
	unlink(logpath);
	cap_start();
	/* A process of its own, as argoweb restart is: its lock goes with it
	 * (and none of our TAP lines in its buffers). */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(ho_restart(c, &ids));
	int st = 0;
	waitpid(pid, &st, 0);
	*said = cap_end();
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	if (geteuid() != 0) {
		OK(1, "handover # SKIP not root: its lock lives in /run/argoweb");
		return tap_done();
	}
	if (scratch_open("handover")) {
		OK(1, "handover # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	snprintf(name, sizeof name, "hotest-%ld", (long)getpid());
	snprintf(logpath, sizeof logpath, "%s", at("systemctl.log"));
	char script[PATH_MAX + 256];
	snprintf(script, sizeof script,
	         "#!/bin/sh\necho \"$*\" >>%s\n"
	         "case \"$*\" in\n"
	         "*is-active*\" $ACTIVE\") exit 0 ;;\n"
	         "*is-active*) exit 3 ;;\n"
	         "*StatusText*) echo activating ;;\n"
	         "esac\nexit 0\n", logpath);
	scratch_stub("systemctl", script);

	struct config c;
	IS_INT(load(&c), 0, "a tunnel's config");
	const char *said;
	char unit[128], helper[128], lock[300];
	snprintf(unit, sizeof unit, "argoweb@%s.service", name);
	snprintf(helper, sizeof helper, "argoweb-handover@%s.service", name);

	IS_INT(restart(&c, "none", &said), EX_UNAVAILABLE, "no instance running: 69");
	OK(strstr(said, "nothing to hand over"), "... said (%s)", said);
	OK(!logged(" start "), "... nothing started");

	IS_INT(restart(&c, unit, &said), EX_UNAVAILABLE, "a hand-over connector that never connects: 69");
	OK(strstr(said, "did not connect (activating)") && strstr(said, "the tunnel runs on as it was"),
	   "... said, with its status (%s)", said);
	OK(logged("start argoweb-handover@") == 1 && logged("stop argoweb-handover@") == 1,
	   "... started, then stopped again");
	OK(!logged("try-restart"), "... the tunnel's unit never restarted");

	inst_restart_lock(name, lock, sizeof lock);
	int held[2];
	must(pipe(held), "pipe");
	fflush(stdout);
	pid_t other = fork();
	if (other == 0) {
		int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		flock(fd, LOCK_EX);
		if (write(held[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char x;
	OK(read(held[0], &x, 1) == 1, "another process holds the tunnel's restart lock");
	OK(ho_restart_running(&c) == 1, "ho_restart_running: yes, while it is held");
	IS_INT(restart(&c, unit, &said), EX_TEMPFAIL, "a second restart of the tunnel: 75");
	OK(strstr(said, "another argoweb restart") != NULL, "... said (%s)", said);
	OK(!logged(" start "), "... nothing started");
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	OK(ho_restart_running(&c) == 0, "ho_restart_running: no, once its holder is gone");

	setenv("PATH", "/nonexistent", 1);
	IS_INT(restart(&c, unit, &said), EX_OSERR, "no systemctl: 71");
	OK(strstr(said, "cannot run systemctl") != NULL, "... said (%s)", said);

	unlink(lock);
	cfg_free(&c);
	scratch_close();
	return tap_done();
}
