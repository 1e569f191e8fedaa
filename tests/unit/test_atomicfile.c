/* atomicfile.c: a whole file or the old one. The bytes and mode 0600
 * whatever the umask, a replacement by rename (the old inode untouched),
 * no temp file left, and anything planted at the temp name refused. */
#define _GNU_SOURCE     /* nftw */
#include "../../src/atomicfile.c"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>

#include "tap.h"

#include "scratch.h"

static void put(const char *rel, const char *content, mode_t mode)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	must(fd < 0, "open");
	if (fd < 0)
		return;
	must(write(fd, content, strlen(content)) != (ssize_t)strlen(content), "write");
	close(fd);
	must(chmod(at(rel), mode), "chmod");
}

/* Is rel exactly these len bytes? */
static int holds(const char *rel, const char *want, size_t len)
{
	int fd = open(at(rel), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	char *buf = malloc(len + 1);      /* one more: a longer file shows */
	size_t got = 0;
	ssize_t n;
	while (got < len + 1 && (n = read(fd, buf + got, len + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	int same = got == len && !memcmp(buf, want, len);
	free(buf);
	return same;
}


/* Temp files (".NAME.PID.tmp") left in base/rel. */
static int temps_in(const char *rel)
{
	DIR *d = opendir(at(rel));
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		n += e->d_name[0] == '.' && l > 4 && !strcmp(e->d_name + l - 4, ".tmp");
	}
	closedir(d);
	return n;
}

/* The temp name atomic_write uses for name, in base/dir. */
static const char *temp_for(const char *dir, const char *name)
{
	static char t[PATH_MAX];
	snprintf(t, sizeof t, "%s/.%s.%ld.tmp", dir, name, (long)getpid());
	return t;
}

static void test_write(void)
{
	mode_t old_umask = umask(0);
	must(mkdir(at("d"), 0700), "mkdir");
	const char *d = at("d");
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", d);     /* at()'s buffers rotate */

	/* New file: the bytes, 0600, under umask 0. */
	IS_INT(atomic_write(dir, "config.yml", "tunnel: x\n", 10), 0, "write: new file: 0");
	OK(holds("d/config.yml", "tunnel: x\n", 10), "write: new file: exactly the bytes");
	mode_is("d/config.yml", 0600, "write: new file: mode 0600 under umask 0");
	struct stat st;
	OK(lstat(at("d/config.yml"), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	   st.st_uid == geteuid(), "write: new file: a regular file of ours, one link");
	IS_INT(temps_in("d"), 0, "write: new file: no temp file left");

	/* A umask that would leave the owner nothing: fchmod puts 0600 back. */
	umask(0777);
	IS_INT(atomic_write(dir, "masked", "x", 1), 0, "write: umask 0777: 0");
	mode_is("d/masked", 0600, "write: umask 0777: mode 0600 all the same");
	umask(022);

	/* Replacing: the new bytes only, by rename (a hard link to the old
	 * file, the old inode, keeps the old content). */
	put("d/config.yml", "old content, longer than the new\n", 0644);
	must(link(at("d/config.yml"), at("d/old-inode")), "link");
	struct stat before;
	lstat(at("d/config.yml"), &before);
	IS_INT(atomic_write(dir, "config.yml", "new\n", 4), 0, "write: replace: 0");
	OK(holds("d/config.yml", "new\n", 4), "write: replace: the new bytes, no old tail");
	mode_is("d/config.yml", 0600, "write: replace: mode 0600 (the old file was 0644)");
	OK(lstat(at("d/config.yml"), &st) == 0 && st.st_ino != before.st_ino,
	   "write: replace: a new inode, renamed in");
	OK(holds("d/old-inode", "old content, longer than the new\n", 33),
	   "write: replace: the old inode never written");
	IS_INT(temps_in("d"), 0, "write: replace: no temp file left");
	OK(access(temp_for(dir, "config.yml"), F_OK) != 0,
	   "write: replace: no .config.yml.PID.tmp");

	/* Zero bytes, large, binary. */
	IS_INT(atomic_write(dir, "empty", "", 0), 0, "write: zero length: 0");
	OK(lstat(at("d/empty"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
	   "write: zero length: an empty file");
	mode_is("d/empty", 0600, "write: zero length: mode 0600");
	put("d/was-full", "something", 0600);
	IS_INT(atomic_write(dir, "was-full", "", 0), 0, "write: zero length over a file: 0");
	OK(lstat(at("d/was-full"), &st) == 0 && st.st_size == 0,
	   "write: zero length over a file: now empty");
	size_t big = (1 << 20) + 3;
	char *buf = malloc(big);
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)(i * 7 + i / 251);
	IS_INT(atomic_write(dir, "big", buf, big), 0, "write: 1 MiB + 3: 0");
	OK(holds("d/big", buf, big), "write: 1 MiB + 3: exactly the bytes");
	free(buf);
	IS_INT(atomic_write(dir, "bin", "a\0b\0\n\xff", 6), 0, "write: NUL and high bytes: 0");
	OK(holds("d/bin", "a\0b\0\n\xff", 6), "write: NUL and high bytes: kept");

	/* A 100-byte name: the temp name is cut to fit, the file is whole. */
	char longname[101];
	memset(longname, 'n', 100);
	longname[100] = 0;
	IS_INT(atomic_write(dir, longname, "long\n", 5), 0, "write: a 100-byte name: 0");
	char rel[120];
	snprintf(rel, sizeof rel, "d/%s", longname);
	OK(holds(rel, "long\n", 5), "write: a 100-byte name: the bytes");
	IS_INT(temps_in("d"), 0, "write: a 100-byte name: no temp file left");

	/* No directory, or not a directory. */
	IS_INT(atomic_write(at("absent"), "config.yml", "x", 1), -ENOENT, "write: missing directory");
	OK(access(at("absent"), F_OK) != 0, "write: missing directory: not made");
	IS_INT(atomic_write(at("d/empty"), "config.yml", "x", 1), -ENOTDIR,
	       "write: a file as the directory");

	/* The name is a directory: the rename fails, the temp file goes. */
	must(mkdir(at("d/adir"), 0700), "mkdir");
	IS_INT(atomic_write(dir, "adir", "x", 1), -EISDIR, "write: onto a directory: -EISDIR");
	OK(lstat(at("d/adir"), &st) == 0 && S_ISDIR(st.st_mode), "write: onto a directory: it stays");
	IS_INT(temps_in("d"), 0, "write: onto a directory: the temp file removed");

	/* atomic_write_at: the directory held, whatever its path now names. */
	must(mkdir(at("held"), 0700), "mkdir");
	int dfd = open(at("held"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	must(rename(at("held"), at("moved")), "rename");
	must(mkdir(at("held"), 0700), "mkdir");
	IS_INT(atomic_write_at(dfd, "config.yml", "held\n", 5), 0, "write_at: 0");
	OK(holds("moved/config.yml", "held\n", 5), "write_at: into the directory held");
	OK(access(at("held/config.yml"), F_OK) != 0, "write_at: not into what the path names now");
	IS_INT(temps_in("moved"), 0, "write_at: no temp file left");
	OK(fcntl(dfd, F_GETFD) >= 0, "write_at: the descriptor stays the caller's to close");
	close(dfd);
	umask(old_umask);
}

static void test_planted(void)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	must(mkdir(at("p"), 0700), "mkdir");
	snprintf(dir, sizeof dir, "%s", at("p"));
	put("p/config.yml", "old\n", 0600);
	put("victim", "victim\n", 0644);

	/* A symlink at the temp name, to a file elsewhere. */
	snprintf(tmp, sizeof tmp, "%s", temp_for(dir, "config.yml"));
	must(symlink(at("victim"), tmp), "symlink");
	IS_INT(atomic_write(dir, "config.yml", "new\n", 4), -EEXIST,
	       "planted: a symlink at the temp name: refused (-EEXIST)");
	OK(holds("victim", "victim\n", 7), "planted: the link's target untouched");
	mode_is("victim", 0644, "planted: the link's target keeps its mode");
	OK(holds("p/config.yml", "old\n", 4), "planted: the old file intact");
	OK(lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode), "planted: the link is not removed");
	must(unlink(tmp), "unlink");

	/* A dangling one: nothing made at its target. */
	must(symlink(at("made-by-link"), tmp), "symlink");
	IS_INT(atomic_write(dir, "config.yml", "new\n", 4), -EEXIST,
	       "planted: a dangling symlink: refused");
	OK(access(at("made-by-link"), F_OK) != 0, "planted: a dangling symlink: its target not made");
	must(unlink(tmp), "unlink");

	/* A regular file there: not written, not removed. */
	put("p/keep", "mine\n", 0644);
	snprintf(tmp, sizeof tmp, "%s", temp_for(dir, "keep"));
	must(rename(at("p/keep"), tmp), "rename");
	IS_INT(atomic_write(dir, "keep", "new\n", 4), -EEXIST, "planted: a file at the temp name");
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	char b[16] = "";
	OK(fd >= 0 && read(fd, b, sizeof b) == 5 && !memcmp(b, "mine\n", 5),
	   "planted: that file untouched");
	if (fd >= 0)
		close(fd);
	OK(access(at("p/keep"), F_OK) != 0, "planted: nothing written under the name");
	must(unlink(tmp), "unlink");

	/* With the way clear again, it works. */
	IS_INT(atomic_write(dir, "config.yml", "new\n", 4), 0, "planted: cleared: 0");
	OK(holds("p/config.yml", "new\n", 4), "planted: cleared: written");
}

static void test_unwritable(void)
{
	if (geteuid() == 0) {
		OK(1, "unwritable directory # SKIP root writes anywhere");
		return;
	}
	char dir[PATH_MAX];
	must(mkdir(at("ro"), 0700), "mkdir");
	snprintf(dir, sizeof dir, "%s", at("ro"));
	put("ro/config.yml", "old\n", 0600);
	must(chmod(dir, 0500), "chmod");
	IS_INT(atomic_write(dir, "config.yml", "new\n", 4), -EACCES, "unwritable directory: -EACCES");
	OK(holds("ro/config.yml", "old\n", 4), "unwritable directory: the old file intact");
	IS_INT(temps_in("ro"), 0, "unwritable directory: no temp file");
	must(chmod(dir, 0700), "chmod");
}

int main(void)
{
	if (scratch_open("atomicfile")) {
		OK(1, "atomicfile # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	int fds0 = nfds();
	test_write();
	test_planted();
	test_unwritable();
	IS_INT(nfds(), fds0, "no descriptor left open");
	scratch_close();
	return tap_done();
}
