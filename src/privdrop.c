/* privdrop (pd_): root -> service user with no capability left anywhere,
 * in the order setpriv and OpenSSH use, verified afterwards the way
 * OpenSSH's permanently_set_uid does: try to get root back, die if it works. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "msg.h"
#include "privdrop.h"

int pd_lookup(const char *user, const char *group, struct ids *ids, struct fault *f)
{
	memset(ids, 0, sizeof *ids);
	/* getpwnam leaves errno alone for "no such user": clear it first so a
	 * real lookup failure can be told apart. */
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		int e = errno;
		return fail(f, e ? EIO : ENOENT, "user %s: %s (the packages create the argoweb system "
		            "user; or set user: to an existing one)", user, e ? strerror(e) : "no such user");
	}
	if (pw->pw_uid == 0)
		return fail(f, EPERM, "user %s has uid 0: cloudflared never runs as root", user);
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	snprintf(ids->user, sizeof ids->user, "%s", pw->pw_name);
	snprintf(ids->home, sizeof ids->home, "%s", pw->pw_dir);
	if (group) {
		errno = 0;
		struct group *gr = getgrnam(group);
		if (!gr) {
			int e = errno;
			return fail(f, e ? EIO : ENOENT, "group %s: %s", group,
			            e ? strerror(e) : "no such group");
		}
		ids->gid = gr->gr_gid;
	}
	if (ids->gid == 0)
		return fail(f, EPERM, "group %s is gid 0: the service user needs a group of its own",
		            group ? group : user);
	/* The group's name only when it was given: otherwise only the dry
	 * run's plan needs it, and a lookup costs every start a file read. */
	snprintf(ids->group, sizeof ids->group, "%s", group ? group : "");
	return 0;
}

int pd_resolve(const char *user, const char *group, struct ids *ids)
{
	struct fault f = { 0 };
	if (pd_lookup(user, group, ids, &f) == 0)
		return 0;
	/* A user that is not there, or is root, is a permission matter: the
	 * unit must not restart into it (77 is RestartPreventExitStatus=). */
	msg_fault(NULL, &f);
	return EX_NOPERM;
}

/* The bounding and ambient sets survive setuid and exec; the kernel only
 * lets us shrink them while we still hold CAP_SETPCAP, i.e. now. */
static int clear_bounding_and_ambient(struct fault *f)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return fail_sys(f, "clearing the ambient set");
	/* Up to 63, not libcap's compile-time count: a newer kernel may know
	 * capabilities this build does not; EINVAL marks the end. */
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return fail_sys(f, "clearing the bounding set");
	return 0;
}

/* KEEPCAPS off and locked, so setuid clears permitted/effective; NOROOT
 * locked, so uid 0 and setuid-root files never grant capabilities again;
 * ambient raising disabled and locked. */
static int lock_securebits(struct fault *f)
{
	int bits = SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
	           SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	           SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0))
		return fail_sys(f, "locking securebits");
	return 0;
}

static int clear_caps(struct fault *f)
{
	cap_t now = cap_get_proc(), none = cap_init();    /* every set empty */
	int rc = 0;
	/* Nothing to clear is the usual case under systemd's User=, whose
	 * seccomp filter (~@privileged) refuses capset() itself. */
	if (!now || !none || cap_compare(now, none) != 0)
		rc = none && cap_set_proc(none) == 0 ? 0 : fail_sys(f, "clearing capabilities");
	cap_free(now);
	cap_free(none);
	return rc;
}

/* Effective, permitted, inheritable and ambient empty; the bounding set
 * too when we could clear it (only root can). */
/* CapAmb and CapBnd from /proc/self/status, in one read (64 prctl calls
 * each otherwise: a start's worth of time). -1 when unreadable. */
static int read_cap_sets(unsigned long long *amb, unsigned long long *bnd)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int got = 0;
	while (f && got != 3 && fgets(line, sizeof line, f)) {
		if (sscanf(line, "CapAmb: %llx", amb) == 1)
			got |= 1;
		else if (sscanf(line, "CapBnd: %llx", bnd) == 1)
			got |= 2;
	}
	if (f)
		fclose(f);
	return got == 3 ? 0 : -1;
}

/* Effective, permitted, inheritable and ambient empty; the bounding set
 * too when we could clear it (only root can). */
static int caps_empty(int check_bounding)
{
	cap_t now = cap_get_proc(), none = cap_init();
	int same = now && none && cap_compare(now, none) == 0;
	cap_free(now);
	cap_free(none);
	unsigned long long amb = 0, bnd = 0;
	if (same && read_cap_sets(&amb, &bnd) == 0)
		return !amb && (!check_bounding || !bnd);
	for (int c = 0; same && c < 64; c++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) > 0 ||
		    (check_bounding && prctl(PR_CAPBSET_READ, c, 0, 0, 0) > 0))
			same = 0;
	return same;
}

static int has_group_zero(void)
{
	gid_t g[256];
	int n = getgroups(256, g);
	if (n < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (g[i] == 0)
			return 1;
	return 0;
}

/* Everything the drop promised, checked from the outside in. The ids seen
 * go into the message (OpenSSH's "uid:%u euid:%u (should be %u)"). */
static int verify(const struct ids *ids, int was_root, struct fault *f)
{
	uid_t r = 0, e = 0, s = 0;
	gid_t rg = 0, eg = 0, sg = 0;
	errno = 0;
	if (getresuid(&r, &e, &s) || r != ids->uid || e != ids->uid || s != ids->uid)
		return fail(f, EPERM, "user ids are uid:%u euid:%u suid:%u (should be %u)",
		            (unsigned)r, (unsigned)e, (unsigned)s, (unsigned)ids->uid);
	if (getresgid(&rg, &eg, &sg) || rg != ids->gid || eg != ids->gid || sg != ids->gid)
		return fail(f, EPERM, "group ids are gid:%u egid:%u sgid:%u (should be %u)",
		            (unsigned)rg, (unsigned)eg, (unsigned)sg, (unsigned)ids->gid);
	int ngroups = getgroups(0, NULL);
	if ((was_root && ngroups != 0) || has_group_zero())
		return fail(f, EPERM, "%d supplementary groups remain%s (should be none)",
		            ngroups, has_group_zero() ? ", among them gid 0" : "");
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
		return fail(f, EPERM, "root could be regained: unexpected state");
	if (!caps_empty(was_root))
		return fail(f, EPERM, "a capability remains: unexpected state");
	errno = 0;      /* the capability probes above leave EINVAL behind */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return fail_sys(f, "no_new_privs is not set");
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return fail_sys(f, "the process is dumpable");
	return 0;
}

static int drop_from_root(const struct ids *ids, struct fault *f)
{
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0))
		return fail_sys(f, "PR_SET_KEEPCAPS");
	int rc = clear_bounding_and_ambient(f);
	if (rc || (rc = lock_securebits(f)))
		return rc;
	/* Groups first: once the uid changes we can no longer shed root's. */
	if (setgroups(0, NULL))
		return fail_sys(f, "setgroups");
	if (setresgid(ids->gid, ids->gid, ids->gid))
		return fail_sys(f, "setresgid");
	if (setresuid(ids->uid, ids->uid, ids->uid))
		return fail_sys(f, "setresuid");
	return 0;
}

/* Root may still be unable to switch users: SECBIT_NOROOT (locked) or a
 * bounding set leaves it uid 0 without CAP_SETUID or CAP_SETGID. */
static int root_can_switch(void)
{
	cap_t now = cap_get_proc();
	cap_flag_value_t u = CAP_CLEAR, g = CAP_CLEAR;
	if (now) {
		cap_get_flag(now, CAP_SETUID, CAP_EFFECTIVE, &u);
		cap_get_flag(now, CAP_SETGID, CAP_EFFECTIVE, &g);
		cap_free(now);
	}
	return u == CAP_SET && g == CAP_SET;
}

int pd_may_become(const struct ids *ids)
{
	if ((geteuid() == 0 || getuid() == 0) && !root_can_switch()) {
		msg("argoweb runs as root without CAP_SETUID and CAP_SETGID (securebits noroot, or "
		    "a bounding set without them), so it cannot become user %s: start it as root "
		    "with them, or as that user", ids->user);
		return EX_OSERR;
	}
	if (geteuid() == 0 || getuid() == 0)
		return 0;
	if (getuid() == ids->uid && geteuid() == ids->uid)
		return 0;
	msg("argoweb runs as uid %u but the config says user: %s (uid %u): start it as "
	    "root or as that user", (unsigned)geteuid(), ids->user, (unsigned)ids->uid);
	return EX_NOPERM;
}

/* The drop itself, printing nothing: 0 or -errno with f saying why. */
static int drop(const struct ids *ids, int was_root, struct fault *f)
{
	int rc = was_root ? drop_from_root(ids, f) : 0;
	if (rc)
		return rc;
	/* Unprivileged with capabilities (say, ambient ones from a unit):
	 * shed them; what cannot be shed fails the verification. */
	if (!was_root)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if ((rc = clear_caps(f)))
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail_sys(f, "PR_SET_NO_NEW_PRIVS");
	/* The uid change reset dumpable to fs.suid_dumpable: with 1 the
	 * service user could ptrace us (or pidfd_getfd) while we hold the
	 * secret, with 2 a crash would write it to a core. The monitor
	 * forked after this inherits the 0. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return fail_sys(f, "PR_SET_DUMPABLE");
	return verify(ids, was_root, f);
}

int pd_drop(const struct ids *ids)
{
	struct fault f = { 0 };
	int was_root = geteuid() == 0 || getuid() == 0;
	int rc = pd_may_become(ids);
	if (rc)
		return rc;
	if (drop(ids, was_root, &f) == 0)
		return 0;
	msg("dropping privileges: %s", f.why);
	return EX_OSERR;
}
