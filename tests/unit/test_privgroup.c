/* privgroup.c: which groups the service user may keep. Known names by
 * name; others by what their group bits give beyond everyone's, on files
 * and devices made in a scratch directory (devices only as root). */
#include "../../src/privgroup.c"

#include <sys/sysmacros.h>

#include "tap.h"
#include "scratch.h"

#define GID ((gid_t)54321)      /* nobody's group: a made-up gid */

static void is(gid_t gid, const char *name, const char *const *devs, const char *const *files,
               int want_rc, const char *want, const char *label)
{
	char why[256] = "";
	IS_INT(pg_check_in(gid, name, devs, files, why, sizeof why), want_rc, "%s: rc", label);
	if (want)
		IS_STR(why, want, "%s: why", label);
}

static void mkfile(const char *rel, gid_t gid, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");
	if (f)
		fclose(f);
	must(chown(at(rel), 0, gid), "chown");
	must(chmod(at(rel), mode), "chmod");
}

int main(void)
{
	static const char *const none[] = { NULL };
	char want[PATH_MAX + 64];
	if (scratch_open("privgroup")) {
		OK(1, "privgroup # SKIP cannot make a scratch directory: %s", strerror(errno));
		return tap_done();
	}
	/* By name, whatever this host has. */
	static const char *const names[] = { "disk", "shadow", "kmem", "sudo", "wheel", "adm",
	                                     "docker", "lxd", "libvirt", "systemd-journal", "root" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		is(GID, names[i], none, none, -EPERM, "is an administrator's or device group", names[i]);
	is(0, "whatever", none, none, -EPERM, "is gid 0", "gid 0 under another name");
	is(GID, "argoweb", none, none, 0, "", "a group of its own, nothing to look at");
	is(GID, NULL, none, none, 0, "", "a gid with no name");

	if (geteuid() != 0) {
		OK(1, "privgroup: files and devices # SKIP only root can chown to another group");
		scratch_close();
		return tap_done();
	}
	/* Secret files: the group's bits beyond the others'. */
	const char *files[] = { at("shadow"), NULL };
	mkfile("shadow", GID, 0640);
	snprintf(want, sizeof want, "may read %s", at("shadow"));
	is(GID, "argoweb", none, files, -EPERM, want, "a file its group may read");
	files[0] = at("shadow");
	is(GID + 1, "argoweb", none, files, 0, "", "the same file, another group");
	chmod(at("shadow"), 0644);
	files[0] = at("shadow");
	is(GID, "argoweb", none, files, 0, "", "group bits no more than everyone's");
	chmod(at("shadow"), 0660);
	files[0] = at("shadow");
	snprintf(want, sizeof want, "may read and write %s", at("shadow"));
	is(GID, "argoweb", none, files, -EPERM, want, "read and write");
	mkdir(at("sock-dir"), 0750);
	must(chown(at("sock-dir"), 0, GID), "chown");
	files[0] = at("sock-dir");
	snprintf(want, sizeof want, "may read %s", at("sock-dir"));
	is(GID, "argoweb", none, files, -EPERM, want, "a directory its group may read");
	chmod(at("sock-dir"), 0710);       /* as /etc/ssl/private: drwx--x--- root:ssl-cert */
	files[0] = at("sock-dir");
	snprintf(want, sizeof want, "may enter %s", at("sock-dir"));
	is(GID, "argoweb", none, files, -EPERM, want, "a directory its group may only enter");
	chmod(at("sock-dir"), 0711);
	files[0] = at("sock-dir");
	is(GID, "argoweb", none, files, 0, "", "a directory everyone may enter");
	files[0] = at("absent");
	is(GID, "argoweb", none, files, 0, "", "a file this host does not have");

	/* Devices, in the directory and one level below (as /dev/snd). */
	mkdir(at("dev"), 0755);
	mkdir(at("dev/snd"), 0755);
	const char *devs[] = { at("dev"), NULL };
	if (mknod(at("dev/snd/pcm"), S_IFCHR | 0660, makedev(1, 3))) {
		OK(1, "privgroup: devices # SKIP mknod: %s", strerror(errno));
	} else {
		must(chown(at("dev/snd/pcm"), 0, GID), "chown");
		must(chmod(at("dev/snd/pcm"), 0660), "chmod");
		snprintf(want, sizeof want, "may read and write %s", at("dev/snd/pcm"));
		devs[0] = at("dev");
		is(GID, "audio-ish", devs, none, -EPERM, want, "a device one level down");
		chmod(at("dev/snd/pcm"), 0666);
		devs[0] = at("dev");
		is(GID, "audio-ish", devs, none, 0, "", "a device anyone may use (as /dev/null)");
		must(mknod(at("dev/sdz"), S_IFBLK | 0640, makedev(7, 0)), "mknod");
		must(chown(at("dev/sdz"), 0, GID), "chown");
		must(chmod(at("dev/sdz"), 0640), "chmod");
		devs[0] = at("dev");
		snprintf(want, sizeof want, "may read %s", at("dev/sdz"));
		is(GID, "disk-ish", devs, none, -EPERM, want, "a block device");
	}
	/* The real thing: this host's nogroup owns no device or secret. */
	char why[256] = "";
	struct group *ng = getgrnam("nogroup");
	if (ng)
		IS_INT(pg_check(ng->gr_gid, why, sizeof why), 0, "pg_check: nogroup passes (%s)", why);
	struct group *dk = getgrnam("disk");
	if (dk)
		IS_INT(pg_check(dk->gr_gid, why, sizeof why), -EPERM, "pg_check: disk is refused");
	scratch_close();
	return tap_done();
}
