/* privdrop.c: resolving the service user, who may become it, and the drop
 * with its verification. The test process keeps the identity it started
 * with: whatever changes ids, capabilities, securebits or no_new_privs
 * runs in a fork()ed child that reports each case back over a pipe. What
 * the process holds is read independently from /proc/self/status. */
#define _GNU_SOURCE
#include "../../src/privdrop.c"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "tap.h"
#include "why.h"
#include "capture.h"

#define OTHER_UID ((uid_t)54321)        /* a made-up uid */

/* nobody, when the system has it: the usual service user of a test. */
static struct ids nobody;
static int have_nobody;

/* --- /proc/self/status -------------------------------------------------- */

struct procst {
	unsigned long uid[3], gid[3];
	int ngroups, group0;
	unsigned long long inh, prm, eff, bnd, amb;
	int nnp;
};

static int proc_status(struct procst *p)
{
	memset(p, 0, sizeof *p);
	p->nnp = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Uid: %lu %lu %lu", &p->uid[0], &p->uid[1], &p->uid[2]);
		sscanf(line, "Gid: %lu %lu %lu", &p->gid[0], &p->gid[1], &p->gid[2]);
		sscanf(line, "CapInh: %llx", &p->inh);
		sscanf(line, "CapPrm: %llx", &p->prm);
		sscanf(line, "CapEff: %llx", &p->eff);
		sscanf(line, "CapBnd: %llx", &p->bnd);
		sscanf(line, "CapAmb: %llx", &p->amb);
		sscanf(line, "NoNewPrivs: %d", &p->nnp);
		if (!strncmp(line, "Groups:", 7)) {
			char *s = line + 7, *end;
			for (;;) {
				unsigned long g = strtoul(s, &end, 10);
				if (end == s)
					break;
				p->ngroups++;
				p->group0 |= g == 0;
				s = end;
			}
		}
	}
	fclose(f);
	return 0;
}

/* What verify() must say for ids, by the drop's rules, from what
 * /proc/self/status says the process holds: "" when it must pass. */
static void expect_verify(const struct ids *ids, int was_root, char *want, size_t n)
{
	struct procst p;
	proc_status(&p);
	want[0] = 0;
	if (p.uid[0] != ids->uid || p.uid[1] != ids->uid || p.uid[2] != ids->uid)
		snprintf(want, n, "user ids are uid:%lu euid:%lu suid:%lu (should be %u)", p.uid[0],
		         p.uid[1], p.uid[2], (unsigned)ids->uid);
	else if (p.gid[0] != ids->gid || p.gid[1] != ids->gid || p.gid[2] != ids->gid)
		snprintf(want, n, "group ids are gid:%lu egid:%lu sgid:%lu (should be %u)", p.gid[0],
		         p.gid[1], p.gid[2], (unsigned)ids->gid);
	else if ((was_root && p.ngroups) || p.group0)
		snprintf(want, n, "%d supplementary groups remain%s (should be none)", p.ngroups,
		         p.group0 ? ", among them gid 0" : "");
	else if (ids->uid == 0 || ids->gid == 0 ||
	         (p.eff & (1ULL << CAP_SETUID | 1ULL << CAP_SETGID)))
		snprintf(want, n, "root could be regained: unexpected state");
	else if (p.inh || p.prm || p.eff || p.amb || (was_root && p.bnd))
		snprintf(want, n, "a capability remains: unexpected state");
	else if (p.nnp != 1)
		snprintf(want, n, "no_new_privs is not set: unexpected state");
	else if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		snprintf(want, n, "the process is dumpable: unexpected state");
}

/* --- cases run in a child ------------------------------------------------
 * The child writes "1 NAME" or "0 NAME\tDIAG" lines to a pipe; the parent
 * turns each into a case, so numbering and the summary stay the parent's. */
static int res_fd = -1;

__attribute__((format(printf, 4, 5)))
static void c_ok_at(int at_line, int cond, const char *diag, const char *fmt, ...)
{
	char line[3072];
	va_list ap;
	va_start(ap, fmt);
	int k = snprintf(line, sizeof line, "%d ", cond ? 1 : 0);
	k += vsnprintf(line + k, sizeof line - (size_t)k - 1, fmt, ap);
	va_end(ap);
	if (k > (int)sizeof line - 2)
		k = (int)sizeof line - 2;
	if (!cond && k < (int)sizeof line - 2)
		k += snprintf(line + k, sizeof line - (size_t)k - 1, "\t(child, %s:%d) %s",
		              __FILE__, at_line, diag ? diag : "");
	if (k > (int)sizeof line - 2)
		k = (int)sizeof line - 2;
	for (int i = 0; i < k; i++)
		if (line[i] == '\n')
			line[i] = ' ';
	line[k++] = '\n';
	if (write(res_fd, line, (size_t)k) != k)
		_exit(3);
}

#define c_ok(...) c_ok_at(__LINE__, __VA_ARGS__)

static void c_str_at(int at_line, const char *got, const char *want, const char *name)
{
	char d[2048];
	snprintf(d, sizeof d, "got \"%.900s\", want \"%.900s\"", got, want);
	c_ok_at(at_line, !strcmp(got, want), d, "%s", name);
}

static void c_int_at(int at_line, long long got, long long want, const char *name)
{
	char d[128];
	snprintf(d, sizeof d, "got %lld, want %lld", got, want);
	c_ok_at(at_line, got == want, d, "%s", name);
}
#define c_str(...) c_str_at(__LINE__, __VA_ARGS__)
#define c_int(...) c_int_at(__LINE__, __VA_ARGS__)

static void in_child(const char *label, void (*fn)(void))
{
	int p[2];
	if (pipe(p)) {
		OK(0, "%s: pipe: %s", label, strerror(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		res_fd = p[1];
		fn();
		close(res_fd);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		OK(0, "%s: fork: %s", label, strerror(errno));
		return;
	}
	FILE *f = fdopen(p[0], "r");
	char line[4096];
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *diag = strchr(line, '\t');
		if (diag)
			*diag++ = 0;
		OK(line[0] == '1', "%s: %s", label, line + 2);
		if (diag)
			printf("#   %s\n", diag);
		n++;
	}
	if (f)
		fclose(f);
	int st = 0;
	waitpid(pid, &st, 0);
	OK(n > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: the child ran %d cases and "
	   "exited 0", label, n);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("#   status %d\n", st);
}

/* In a child that started as root: become nobody the plain way (groups,
 * then gid, then uid), as a process started as the service user is. */
static int become_nobody_plainly(void)
{
	if (setgroups(0, NULL) || setresgid(nobody.gid, nobody.gid, nobody.gid) ||
	    setresuid(nobody.uid, nobody.uid, nobody.uid)) {
		c_ok(0, strerror(errno), "becoming nobody");
		return -1;
	}
	return 0;
}

static struct ids self_ids(void)
{
	struct ids me = { .uid = getuid(), .gid = getgid() };
	snprintf(me.user, sizeof me.user, "self");
	return me;
}

/* --- pd_lookup / pd_resolve ------------------------------------------- */

static void lookup_is(const char *user, const char *group, int want_rc, const char *want,
                      const char *label)
{
	struct ids ids;
	IS_INT(pd_lookup(user, group, &ids, WHY), want_rc, "lookup: %s: rc", label);
	IS_STR(W.why, want, "lookup: %s: message", label);
}

static void test_lookup(void)
{
	char want[512];
	lookup_is("root", NULL, -EPERM, "user root has uid 0: cloudflared never runs as root",
	          "root");
	lookup_is("root", "nogroup", -EPERM, "user root has uid 0: cloudflared never runs as root",
	          "root, whatever the group");
	lookup_is("argoweb-no-such-user", NULL, -ENOENT, "user argoweb-no-such-user: no such user "
	          "(the packages create the argoweb system user; or set user: to an existing one)",
	          "a user that does not exist");

	/* A name longer than the fault: cut, terminated, same verdict. */
	struct ids ids;
	char huge[2048];
	memset(huge, 'u', sizeof huge - 1);
	huge[sizeof huge - 1] = 0;
	IS_INT(pd_lookup(huge, NULL, &ids, WHY), -ENOENT, "lookup: a 2 KiB name: same verdict");
	IS_INT(strlen(W.why), sizeof W.why - 1, "lookup: a 2 KiB name: cut to the fault, terminated");

	if (!have_nobody) {
		OK(1, "lookup: nobody # SKIP the system has no user nobody");
		return;
	}
	lookup_is("nobody", "argoweb-no-such-group", -ENOENT,
	          "group argoweb-no-such-group: no such group", "a group that does not exist");

	struct passwd *pw = getpwnam("nobody");
	struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
	memset(&ids, 0x55, sizeof ids);
	int rc = pd_lookup("nobody", NULL, &ids, WHY);
	IS_INT(rc, pw && pw->pw_gid == 0 ? -EPERM : 0, "lookup: nobody");
	if (pw && pw->pw_gid != 0) {
		IS_INT(ids.uid, pw->pw_uid, "lookup: nobody: uid");
		IS_INT(ids.gid, pw->pw_gid, "lookup: nobody: gid, the primary group");
		IS_STR(ids.user, pw->pw_name, "lookup: nobody: user name");
		IS_STR(ids.home, pw->pw_dir, "lookup: nobody: home");
		/* Not looked up unless given: a start need not read /etc/group. */
		IS_STR(ids.group, "", "lookup: nobody: no group name unless one was given");
	}
	/* Its own group named explicitly; then another (non-zero) group. */
	if (gr && gr->gr_gid != 0) {
		char gname[64];
		snprintf(gname, sizeof gname, "%s", gr->gr_name);
		IS_INT(pd_lookup("nobody", gname, &ids, WHY), 0,
		       "lookup: nobody with group %s", gname);
		IS_STR(ids.group, gname, "lookup: the group named is the group");
	}
	struct group *other = NULL;
	setgrent();
	while ((other = getgrent()) && (other->gr_gid == 0 || (pw && other->gr_gid == pw->pw_gid)))
		;
	if (other) {
		char gname[64];
		gid_t gid = other->gr_gid;
		snprintf(gname, sizeof gname, "%s", other->gr_name);
		endgrent();
		rc = pd_lookup("nobody", gname, &ids, WHY);
		OK(rc == 0 && ids.gid == gid && !strcmp(ids.group, gname) && ids.uid == pw->pw_uid,
		   "lookup: group: %s overrides the primary group", gname);
	} else {
		endgrent();
		OK(1, "lookup: another group # SKIP the system has no other group");
	}

	/* gid 0, named or primary. */
	struct group *g0 = getgrgid(0);
	if (g0) {
		char gname[64];
		snprintf(gname, sizeof gname, "%s", g0->gr_name);
		snprintf(want, sizeof want, "group %s is gid 0: the service user needs a group of its own",
		         gname);
		lookup_is("nobody", gname, -EPERM, want, "group: gid 0 by name");
	}
	struct passwd *p0;
	char uname[64] = "";
	setpwent();
	while ((p0 = getpwent()))
		if (p0->pw_uid != 0 && p0->pw_gid == 0) {
			snprintf(uname, sizeof uname, "%s", p0->pw_name);
			break;
		}
	endpwent();
	if (uname[0]) {
		snprintf(want, sizeof want, "group %s is gid 0: the service user needs a group of its own",
		         uname);
		lookup_is(uname, NULL, -EPERM, want, "a user whose primary group is gid 0");
	} else {
		OK(1, "lookup: a user whose primary group is gid 0 # SKIP the system has none");
	}
}

static void resolve_is(const char *user, const char *group, int want_rc, const char *want,
                       const char *label)
{
	struct ids ids;
	cap_start();
	int rc = pd_resolve(user, group, &ids);
	const char *out = cap_end();
	msg_quiet = 1;
	IS_INT(rc, want_rc, "resolve: %s: exit code", label);
	IS_STR(out, want, "resolve: %s: printed", label);
}

static void test_resolve(void)
{
	resolve_is("root", NULL, EX_NOPERM,
	           "argoweb: user root has uid 0: cloudflared never runs as root\n", "root");
	resolve_is("argoweb-no-such-user", NULL, EX_NOPERM,
	           "argoweb: user argoweb-no-such-user: no such user (the packages create the "
	           "argoweb system user; or set user: to an existing one)\n", "a missing user");
	if (!have_nobody) {
		OK(1, "resolve: nobody # SKIP the system has no user nobody");
		return;
	}
	resolve_is("nobody", "argoweb-no-such-group", EX_NOPERM,
	           "argoweb: group argoweb-no-such-group: no such group\n", "a missing group");
	struct group *g0 = getgrgid(0);
	if (g0) {
		char want[512];
		snprintf(want, sizeof want, "argoweb: group %s is gid 0: the service user needs a "
		         "group of its own\n", g0->gr_name);
		resolve_is("nobody", g0->gr_name, EX_NOPERM, want, "group gid 0");
	}
	resolve_is("nobody", NULL, 0, "", "nobody: accepted, nothing printed");
}

/* --- pd_may_become ----------------------------------------------------- */

static const char *wrong_user_msg(uid_t running)
{
	static char w[512];
	snprintf(w, sizeof w, "argoweb: argoweb runs as uid %u but the config says user: someone "
	         "(uid %u): start it as root or as that user\n", (unsigned)running,
	         (unsigned)OTHER_UID);
	return w;
}

/* As an unprivileged process: its own uid, and another. */
static void may_become_unprivileged(void)
{
	struct ids me = self_ids(), other = { .uid = OTHER_UID, .gid = OTHER_UID };
	snprintf(other.user, sizeof other.user, "someone");
	cap_start();
	int rc = pd_may_become(&me);
	const char *out = cap_end();
	c_int(rc, 0, "may_become: unprivileged, its own uid: accepted");
	c_str(out, "", "may_become: unprivileged, its own uid: nothing printed");
	cap_start();
	rc = pd_may_become(&other);
	out = cap_end();
	c_int(rc, EX_NOPERM, "may_become: unprivileged, another uid: EX_NOPERM");
	c_str(out, wrong_user_msg(geteuid()), "may_become: unprivileged, another uid: the message "
	      "names both");
}

static void child_may_become(void)
{
	if (geteuid() == 0 && become_nobody_plainly())
		return;
	may_become_unprivileged();
}

static void test_may_become(void)
{
	if (geteuid() == 0) {
		struct ids other = { .uid = OTHER_UID, .gid = OTHER_UID };
		snprintf(other.user, sizeof other.user, "someone");
		cap_start();
		int rc = pd_may_become(&other);
		const char *out = cap_end();
		msg_quiet = 1;
		IS_INT(rc, 0, "may_become: root may become anyone");
		IS_STR(out, "", "may_become: root: nothing printed");
		if (have_nobody)
			IS_INT(pd_may_become(&nobody), 0, "may_become: root may become nobody");
	} else {
		OK(1, "may_become: as root # SKIP not root");
	}
	if (geteuid() == 0 && !have_nobody) {
		OK(1, "may_become: unprivileged # SKIP the system has no user nobody");
		return;
	}
	/* As root, in a child that became nobody first. */
	in_child(geteuid() == 0 ? "as nobody" : "unprivileged", child_may_become);
}

/* --- the static helpers ---------------------------------------------- */

static void test_helpers(void)
{
	struct procst p;
	if (proc_status(&p)) {
		OK(1, "helpers # SKIP no /proc/self/status");
		return;
	}
	IS_INT(has_group_zero(), p.group0, "has_group_zero: as /proc/self/status says (%s)",
	       p.group0 ? "gid 0 among the groups" : "no gid 0");
	int empty = !p.inh && !p.prm && !p.eff && !p.amb;
	IS_INT(caps_empty(0), empty, "caps_empty(0): %s", empty ? "nothing held" : "capabilities held");
	IS_INT(caps_empty(1), empty && !p.bnd, "caps_empty(1): with the bounding set (%s)",
	       p.bnd ? "not empty" : "empty");
}

/* --- verify ------------------------------------------------------------ */

static void test_verify_here(void)
{
	/* Mismatched ids fail before verify tries anything (no setuid), so
	 * these run in the test process itself. */
	char want[sizeof W.why];
	struct ids other = self_ids();
	other.uid = getuid() == 0 ? (have_nobody ? nobody.uid : OTHER_UID) : 0;
	expect_verify(&other, 0, want, sizeof want);
	IS_INT(verify(&other, geteuid() == 0, WHY), -EPERM, "verify: another uid fails");
	IS_STR(W.why, want, "verify: another uid: the ids seen");
	if (geteuid() == 0 && have_nobody) {
		snprintf(want, sizeof want, "user ids are uid:0 euid:0 suid:0 (should be %u)",
		         (unsigned)nobody.uid);
		IS_INT(verify(&nobody, 1, WHY), -EPERM, "verify: root against nobody fails");
		IS_STR(W.why, want, "verify: root against nobody: the message");
	}
	struct ids wrong_gid = self_ids();
	wrong_gid.gid = getgid() + 1;
	expect_verify(&wrong_gid, 0, want, sizeof want);
	IS_INT(verify(&wrong_gid, 0, WHY), -EPERM, "verify: our uid, another gid fails");
	IS_STR(W.why, want, "verify: another gid: the ids seen");
}

/* Our own ids as they are: the verdict the rules give for the state. */
static void child_verify_self(void)
{
	char want[sizeof W.why];
	struct ids me = self_ids();
	expect_verify(&me, 0, want, sizeof want);
	int rc = verify(&me, 0, WHY);
	c_int(rc, want[0] ? -EPERM : 0, "verify: our own ids, as the rules say");
	/* Found by this test: the message once carried a stale errno, "no_new_privs
	 * is not set: Invalid argument" (left by caps_empty's probes past the
	 * last capability), where "unexpected state" is meant. */
	c_str(W.why, want[0] ? want : "", "verify: our own ids: the message");
}

static void test_verify(void)
{
	test_verify_here();
	in_child(geteuid() == 0 ? "root, own ids" : "unprivileged, own ids", child_verify_self);
}

/* --- pd_drop, in children ---------------------------------------------- */

/* Started as the service user: no change of ids; capabilities shed,
 * no_new_privs set, verified. Another uid is refused with 77. */
static void child_drop_unprivileged(void)
{
	if (geteuid() == 0 && become_nobody_plainly())
		return;
	struct ids me = self_ids(), other = { .uid = OTHER_UID, .gid = OTHER_UID };
	snprintf(other.user, sizeof other.user, "someone");
	cap_start();
	int rc = pd_drop(&other);
	const char *out = cap_end();
	c_int(rc, EX_NOPERM, "drop: another uid: EX_NOPERM");
	c_str(out, wrong_user_msg(geteuid()), "drop: another uid: the message");
	struct procst p;
	proc_status(&p);
	c_int(p.nnp, 0, "drop: refused before anything changed (no_new_privs still off)");

	/* The drop sheds capabilities and sets no_new_privs; whether it then
	 * verifies depends on the ids we run with being all alike. */
	char want[sizeof W.why], full[sizeof W.why + 64];
	int ids_ok = p.uid[0] == me.uid && p.uid[1] == me.uid && p.uid[2] == me.uid &&
	             p.gid[0] == me.gid && p.gid[1] == me.gid && p.gid[2] == me.gid && !p.group0;
	cap_start();
	rc = pd_drop(&me);
	out = cap_end();
	if (ids_ok) {
		c_int(rc, 0, "drop: our own ids: done");
		c_str(out, "", "drop: our own ids: nothing printed");
	} else {
		expect_verify(&me, 0, want, sizeof want);
		snprintf(full, sizeof full, "argoweb: dropping privileges: %s\n", want);
		c_int(rc, EX_OSERR, "drop: our own ids, mixed: EX_OSERR");
		c_str(out, full, "drop: our own ids, mixed: the message");
	}
	proc_status(&p);
	c_int(p.nnp, 1, "drop: no_new_privs set");
	c_ok(!p.inh && !p.prm && !p.eff && !p.amb, NULL, "drop: no capability held");
	c_int(p.uid[0], me.uid, "drop: uid unchanged");
	if (ids_ok) {
		c_int(verify(&me, 0, WHY), 0, "drop: verify passes afterwards");
		c_str(W.why, "", "drop: verify afterwards: no message");
	}
}

/* Started as the service user, but the config names another group. */
static void child_drop_wrong_group(void)
{
	if (geteuid() == 0 && become_nobody_plainly())
		return;
	struct ids me = self_ids();
	me.gid = getgid() + 1;
	struct procst p;
	proc_status(&p);
	char want[sizeof W.why + 64];
	snprintf(want, sizeof want, "argoweb: dropping privileges: group ids are gid:%lu egid:%lu "
	         "sgid:%lu (should be %u)\n", p.gid[0], p.gid[1], p.gid[2], (unsigned)me.gid);
	cap_start();
	int rc = pd_drop(&me);
	const char *out = cap_end();
	if (p.uid[0] == me.uid && p.uid[1] == me.uid && p.uid[2] == me.uid) {
		c_int(rc, EX_OSERR, "drop: our uid, another gid: EX_OSERR");
		c_str(out, want, "drop: our uid, another gid: the message");
	} else {
		c_int(rc, EX_OSERR, "drop: our uid, another gid (uids mixed): EX_OSERR");
	}
}

/* Root -> nobody, the whole way, from root with supplementary groups
 * (gid 0 among them). */
static void child_drop_root(void)
{
	gid_t groups[] = { 0, 4242 };
	c_int(setgroups(2, groups), 0, "drop: root starts with groups 0 and 4242");
	cap_start();
	int rc = pd_drop(&nobody);
	const char *out = cap_end();
	c_int(rc, 0, "drop: root to nobody");
	c_str(out, "", "drop: root to nobody: nothing printed");
	struct procst p;
	proc_status(&p);
	c_ok(p.uid[0] == nobody.uid && p.uid[1] == nobody.uid && p.uid[2] == nobody.uid, NULL,
	     "drop: real, effective and saved uid are nobody's");
	c_ok(p.gid[0] == nobody.gid && p.gid[1] == nobody.gid && p.gid[2] == nobody.gid, NULL,
	     "drop: real, effective and saved gid are nobody's");
	c_int(p.ngroups, 0, "drop: no supplementary group");
	c_ok(!p.inh && !p.prm && !p.eff && !p.amb, NULL, "drop: no capability in any set");
	c_ok(!p.bnd, NULL, "drop: the bounding set is empty");
	c_int(p.nnp, 1, "drop: no_new_privs set");
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	c_ok(bits >= 0 && (bits & SECBIT_NOROOT) && (bits & SECBIT_NOROOT_LOCKED) &&
	     !(bits & SECBIT_KEEP_CAPS) && (bits & SECBIT_KEEP_CAPS_LOCKED) &&
	     (bits & SECBIT_NO_CAP_AMBIENT_RAISE) && (bits & SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED),
	     NULL, "drop: securebits: noroot, no keepcaps, no ambient raise, all locked");
	c_ok(setuid(0) && errno == EPERM, NULL, "drop: setuid(0) fails");
	c_ok(setgid(0) && errno == EPERM, NULL, "drop: setgid(0) fails");
	c_ok(setgroups(0, NULL) && errno == EPERM, NULL, "drop: setgroups fails");
	c_int(verify(&nobody, 1, WHY), 0, "drop: verify passes again");
	c_str(W.why, "", "drop: verify again: no message");
	c_int(caps_empty(1), 1, "drop: caps_empty(1)");
	c_int(has_group_zero(), 0, "drop: has_group_zero() is 0");
	c_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0, "drop: not dumpable");
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	c_int(verify(&nobody, 1, WHY), -EPERM, "verify: dumpable again: fails");
	c_str(W.why, "the process is dumpable: unexpected state", "verify: dumpable: the message");
}

/* The kernel resets dumpable to fs.suid_dumpable when the uid changes;
 * with 1 or 2 there (apport, systemd-coredump) the drop must set it back
 * to 0 itself. The parent sets the sysctl around this child. */
static void child_drop_root_suid_dumpable(void)
{
	cap_start();
	int rc = pd_drop(&nobody);
	const char *out = cap_end();
	c_int(rc, 0, "drop: root to nobody with fs.suid_dumpable set");
	c_str(out, "", "drop: with fs.suid_dumpable set: nothing printed");
	c_int(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0, "drop: with fs.suid_dumpable set: not dumpable");
}

/* Run child with fs.suid_dumpable at val, restored afterwards. */
static void with_suid_dumpable(const char *val, void (*child)(void))
{
	char old[8] = "";
	FILE *f = fopen("/proc/sys/fs/suid_dumpable", "r");
	if (!f || !fgets(old, sizeof old, f)) {
		if (f)
			fclose(f);
		OK(1, "drop: fs.suid_dumpable=%s # SKIP cannot read the sysctl", val);
		return;
	}
	fclose(f);
	f = fopen("/proc/sys/fs/suid_dumpable", "w");
	if (!f || fputs(val, f) < 0 || fclose(f)) {
		OK(1, "drop: fs.suid_dumpable=%s # SKIP cannot set the sysctl (a container?)", val);
		return;
	}
	char label[48];
	snprintf(label, sizeof label, "root, fs.suid_dumpable=%s", val);
	in_child(label, child);
	f = fopen("/proc/sys/fs/suid_dumpable", "w");
	if (f) {
		fputs(old, f);
		fclose(f);
	}
}

/* Root's own states that verify must refuse: groups, then a uid 0 that
 * can come back, then a uid change without the rest. */
static void child_verify_root_states(void)
{
	char want[sizeof W.why];
	struct ids root_ids = { .uid = 0, .gid = 0 };
	int n = getgroups(0, NULL);
	gid_t g[256];
	int has0 = 0, m = getgroups(256, g);
	for (int i = 0; i < m; i++)
		has0 |= g[i] == 0;
	snprintf(want, sizeof want, "%d supplementary groups remain%s (should be none)", n,
	         has0 ? ", among them gid 0" : "");
	if (n > 0) {
		c_int(verify(&root_ids, 1, WHY), -EPERM, "verify: root with groups fails");
		c_str(W.why, want, "verify: root with groups: how many, and gid 0");
	}
	gid_t one = 4242;
	if (setgroups(1, &one) == 0) {
		c_int(verify(&root_ids, 1, WHY), -EPERM, "verify: one group (not 0), started as root");
		c_str(W.why, "1 supplementary groups remain (should be none)",
		      "verify: one group: the message");
	}
	if (setgroups(0, NULL) == 0) {
		c_int(verify(&root_ids, 1, WHY), -EPERM, "verify: uid 0 without groups fails");
		c_str(W.why, "root could be regained: unexpected state", "verify: uid 0: root regained");
	}
	/* The ids changed, nothing else: the bounding set, no_new_privs. (A
	 * container may start us with a full inheritable set, which setuid
	 * keeps: empty it, as a host's root has it, so that only those two
	 * remain.) */
	cap_t inh = cap_get_proc();
	if (!inh || cap_clear_flag(inh, CAP_INHERITABLE) || cap_set_proc(inh))
		c_ok(0, strerror(errno), "emptying the inheritable set");
	cap_free(inh);
	if (setresgid(nobody.gid, nobody.gid, nobody.gid) ||
	    setresuid(nobody.uid, nobody.uid, nobody.uid)) {
		c_ok(0, strerror(errno), "becoming nobody");
		return;
	}
	c_int(verify(&nobody, 1, WHY), -EPERM, "verify: ids changed only: fails");
	c_str(W.why, "a capability remains: unexpected state",
	      "verify: ids changed only: the bounding set remains");
	c_int(verify(&nobody, 0, WHY), -EPERM, "verify: ids changed only, not started as root: fails");
	/* No stale errno in the message (see above). */
	c_str(W.why, "no_new_privs is not set: unexpected state",
	      "verify: ids changed only, not started as root: no_new_privs");
}

/* A drop that cannot happen: KEEPCAPS locked beforehand. */
static void child_drop_locked(void)
{
	if (prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0)) {
		c_ok(0, strerror(errno), "locking keepcaps first");
		return;
	}
	cap_start();
	int rc = pd_drop(&nobody);
	const char *out = cap_end();
	c_int(rc, EX_OSERR, "drop: keepcaps locked: EX_OSERR");
	c_str(out, "argoweb: dropping privileges: PR_SET_KEEPCAPS: Operation not permitted\n",
	      "drop: keepcaps locked: the message");
	c_int(getuid(), 0, "drop: keepcaps locked: still root");
}

static void test_drop(void)
{
	if (geteuid() == 0 && !have_nobody) {
		OK(1, "drop # SKIP the system has no user nobody");
		return;
	}
	in_child(geteuid() == 0 ? "as nobody" : "unprivileged", child_drop_unprivileged);
	in_child(geteuid() == 0 ? "as nobody" : "unprivileged", child_drop_wrong_group);
	if (geteuid() != 0) {
		OK(1, "drop: from root # SKIP not root");
		return;
	}
	in_child("root", child_drop_root);
	in_child("root", child_verify_root_states);
	in_child("root", child_drop_locked);
	with_suid_dumpable("1", child_drop_root_suid_dumpable);
	with_suid_dumpable("2", child_drop_root_suid_dumpable);
}

int main(void)
{
	msg_quiet = 1;
	have_nobody = pd_lookup("nobody", NULL, &nobody, WHY) == 0;
	uid_t uid0 = getuid(), euid0 = geteuid();
	gid_t gid0 = getgid();
	struct procst before, after;
	proc_status(&before);

	test_lookup();
	test_resolve();
	test_may_become();
	test_helpers();
	test_verify();
	test_drop();

	/* The test process itself is as it started. */
	proc_status(&after);
	OK(getuid() == uid0 && geteuid() == euid0 && getgid() == gid0 &&
	   before.eff == after.eff && before.bnd == after.bnd && before.nnp == after.nnp &&
	   before.ngroups == after.ngroups, "the test process kept its ids and capabilities");
	return tap_done();
}
