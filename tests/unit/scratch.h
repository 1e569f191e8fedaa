/* A scratch directory for the unit tests that touch files: not under /tmp
 * (the parent walk refuses it, rightly): as root under /run, otherwise
 * under $HOME/.cache. base is its resolved path, as messages print it. */
#ifndef ARGOWEB_SCRATCH_H
#define ARGOWEB_SCRATCH_H
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[PATH_MAX], made_cache[PATH_MAX];

static int scratch_open(const char *tag)
{
	char tmpl[PATH_MAX];
	const char *home = getenv("HOME");
	if (geteuid() == 0 || !home || home[0] != '/') {
		snprintf(tmpl, sizeof tmpl, "/run/argoweb-test-%.32s.XXXXXX", tag);
	} else {
		char cache[PATH_MAX];
		snprintf(cache, sizeof cache, "%.3000s/.cache", home);
		if (mkdir(cache, 0700) == 0)
			snprintf(made_cache, sizeof made_cache, "%s", cache);
		snprintf(tmpl, sizeof tmpl, "%.3000s/argoweb-test-%.32s.XXXXXX", cache, tag);
	}
	return mkdtemp(tmpl) && realpath(tmpl, base) ? 0 : -1;
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void scratch_close(void)
{
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	OK(access(base, F_OK) != 0, "scratch directory removed");
	if (made_cache[0])
		rmdir(made_cache);
}

/* body in a scratch directory of its own (tag names it), removed after;
 * one skip saying why when none can be made. */
__attribute__((unused)) static void scratch_run(const char *tag, void (*body)(void))
{
	if (scratch_open(tag)) {
		OK(1, "%s # SKIP cannot make a scratch directory: %s", tag, strerror(errno));
		return;
	}
	body();
	scratch_close();
}

/* base/rel, in one of eight rotating buffers. */
static const char *at(const char *rel)
{
	static char b[8][PATH_MAX];
	static unsigned i;
	char *p = b[i++ % 8];
	snprintf(p, PATH_MAX, "%.3000s/%.1000s", base, rel);
	return p;
}

__attribute__((unused)) static void must(int rc, const char *what)
{
	if (rc)
		OK(0, "setup: %s: %s", what, strerror(errno));
}

/* base/rel written with text, then given mode. */
__attribute__((unused)) static void scratch_put(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	must(chmod(at(rel), mode), "chmod");
}

/* A stand-in for the command name (script, the whole file) in base/bin,
 * first on PATH from now on. */
__attribute__((unused)) static void scratch_stub(const char *name, const char *script)
{
	char rel[256], path[PATH_MAX + 32];
	mkdir(at("bin"), 0755);
	snprintf(rel, sizeof rel, "bin/%.200s", name);
	scratch_put(rel, script, 0755);
	snprintf(path, sizeof path, "%s:/usr/bin:/bin", at("bin"));
	setenv("PATH", path, 1);
}

__attribute__((unused)) static int nfds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Mode bits of rel (not following a link), or -1. */
__attribute__((unused)) static int mode_of(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) ? -1 : (int)(st.st_mode & 07777);
}

__attribute__((unused)) static void mode_is(const char *rel, int want, const char *label)
{
	int got = mode_of(rel);
	OK(got == want, "%s", label);
	if (got != want)
		printf("#   got %04o, want %04o\n", (unsigned)got, (unsigned)want);
}

#endif
