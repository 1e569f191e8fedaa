/* privgroup (pg_): is the service user's group a privilege in itself?
 * The drop clears supplementary groups but keeps the one the config
 * names (or the user's own), and `group: disk` would hand cloudflared
 * every block device. A group is refused when its name is a known
 * administrator's or device group, or when it grants more than others get
 * to a device under /dev or to a file that holds secrets. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privgroup.h"

/* Groups that are a privilege by definition, whether or not this host
 * has the devices or files that make them one (a container, a later
 * package). */
static const char *const known[] = {
	"root", "wheel", "sudo", "admin", "adm", "shadow", "disk", "kmem", "mem", "docker",
	"lxd", "libvirt", "kvm", "systemd-journal", "tty", "input", "video", "render", "ssl-cert",
};

static const char *const secret_files[] = {
	"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/etc/ssl/private",
	"/run/docker.sock", "/var/run/docker.sock", "/var/log/journal", "/run/log/journal",
	"/root", NULL,
};

static const char *const dev_dirs[] = { "/dev", NULL };

/* What st's group may do beyond what everyone may: "read", "write",
 * "read and write", "enter" (a directory: its files are then open to
 * whoever their own bits allow), or NULL. */
static const char *extra(const struct stat *st)
{
	unsigned g = (st->st_mode >> 3) & 7, o = st->st_mode & 7, more = g & ~o;
	if (more & 6)
		return (more & 6) == 6 ? "read and write" : more & 4 ? "read" : "write";
	return S_ISDIR(st->st_mode) && (more & 1) ? "enter" : NULL;
}

static int grants(const struct stat *st, gid_t gid, const char *path, const char *what,
                  char *why, size_t n)
{
	const char *how = st->st_gid == gid ? extra(st) : NULL;
	if (!how)
		return 0;
	snprintf(why, n, "may %s %s%s", how, path, what);
	return 1;
}

/* A device in dir, or in a directory right below it (/dev/snd, /dev/dri). */
static int scan_devices(const char *dir, gid_t gid, int depth, char *why, size_t n)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;       /* no such directory: nothing granted there */
	}
	struct dirent *e;
	int found = 0;
	while (!found && (e = readdir(d))) {
		struct stat st;
		char path[512];
		if (e->d_name[0] == '.' || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			found = grants(&st, gid, path, "", why, n);
		else if (S_ISDIR(st.st_mode) && depth > 0)
			found = scan_devices(path, gid, depth - 1, why, n);
	}
	closedir(d);
	return found;
}

int pg_check_in(gid_t gid, const char *name, const char *const *devdirs,
                const char *const *files, char *why, size_t n)
{
	for (size_t i = 0; name && i < sizeof known / sizeof *known; i++)
		if (!strcmp(name, known[i]))
			return snprintf(why, n, "is an administrator's or device group"), -EPERM;
	if (gid == 0)
		return snprintf(why, n, "is gid 0"), -EPERM;
	for (size_t i = 0; files[i]; i++) {
		struct stat st;
		if (!lstat(files[i], &st) && grants(&st, gid, files[i], "", why, n))
			return -EPERM;
	}
	for (size_t i = 0; devdirs[i]; i++)
		if (scan_devices(devdirs[i], gid, 1, why, n))
			return -EPERM;
	return 0;
}

int pg_check(gid_t gid, char *why, size_t n)
{
	struct group *gr = getgrgid(gid);
	return pg_check_in(gid, gr ? gr->gr_name : NULL, dev_dirs, secret_files, why, n);
}
