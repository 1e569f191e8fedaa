/* msg.c: the one message shape, faults handed up, and the exit code a
 * step chooses for an -errno. */
#include <errno.h>

#include "../../src/msg.c"
#include "tap.h"
#include "capture.h"

static void test_shape(void)
{
	cap_start();
	msg_at("/etc/argoweb/web.yaml", 7, 5, "ingress[1].service: unknown scheme \"%s\"", "htp");
	IS_STR(cap_end(), "argoweb: /etc/argoweb/web.yaml:7:5: ingress[1].service: unknown scheme \"htp\"\n",
	       "FILE:LINE:COL: text");
	cap_start();
	msg_at("/x.json", 0, 0, "mode 0644 is too open");
	IS_STR(cap_end(), "argoweb: /x.json: mode 0644 is too open\n", "no line: FILE: text");
	cap_start();
	msg("no file at all");
	IS_STR(cap_end(), "argoweb: no file at all\n", "no file: text");
	cap_start();
	msg_warn("/w.yaml", 0, 0, "origin also listens on 0.0.0.0:80");
	IS_STR(cap_end(), "argoweb: warning: /w.yaml: origin also listens on 0.0.0.0:80\n", "a warning");
	char big[4000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	cap_start();
	msg("%s", big);
	const char *out = cap_end();
	OK(strlen(out) < 2100 && out[strlen(out) - 1] == '\n', "a long message is cut, still one line");
	msg_quiet = 1;
	cap_start();
	msg_quiet = 1;
	msg("hidden");
	IS_STR(cap_end(), "", "msg_quiet: nothing");
	msg_quiet = 0;
}

static void test_fault(void)
{
	struct fault f = { 0 };
	IS_INT(fault(&f, 3, 9, "first %d", 1), -EINVAL, "fault: the config is wrong, -EINVAL");
	IS_INT(fail(&f, EIO, "second"), -EIO, "fail: -err, whatever the fault held");
	OK(f.line == 3 && f.col == 9 && !strcmp(f.why, "first 1"), "the first fault is kept");
	cap_start();
	msg_fault("t.yaml", &f);
	IS_STR(cap_end(), "argoweb: t.yaml:3:9: first 1\n", "printed as the step prints it");
	struct fault g = { 0 };
	fail(&g, EINVAL, "%s", "");
	IS_STR(g.why, "unknown error", "an empty reason is never printed as nothing");
	fault_clear(&g);
	fail(&g, EPERM, "after a fallback");
	IS_STR(g.why, "after a fallback", "fault_clear: the next fault is kept");
	IS_INT(fault_of(&f, "/etc/x.yaml"), -EINVAL, "fault_of: -EINVAL");
	OK(!strcmp(f.why, "/etc/x.yaml:3: first 1") && !f.line && !f.col,
	   "fault_of: the file and line folded into the text (%s)", f.why);
}

/* what failed, in the system's words: what privdrop says at each step. */
static void test_fail_sys(void)
{
	struct fault f = { 0 };
	errno = ENOENT;
	IS_INT(fail_sys(&f, "setresuid"), -ENOENT, "fail_sys: -errno");
	IS_STR(f.why, "setresuid: No such file or directory", "fail_sys: what, then strerror(errno)");
	fault_clear(&f);
	errno = EPERM;
	fail_sys(&f, "setgroups");
	IS_STR(f.why, "setgroups: Operation not permitted", "fail_sys: EPERM");
	fault_clear(&f);
	errno = 0;
	IS_INT(fail_sys(&f, "a capability remains"), -EPERM, "fail_sys: no errno: -EPERM");
	IS_STR(f.why, "a capability remains: unexpected state", "fail_sys: no errno: unexpected state");
}

static void test_exit_for(void)
{
	IS_INT(exit_for(0), 0, "0: success");
	IS_INT(exit_for(-ENOENT), EX_NOINPUT, "-ENOENT: 66");
	IS_INT(exit_for(-EPERM), EX_NOPERM, "-EPERM: 77");
	IS_INT(exit_for(-EACCES), EX_NOPERM, "-EACCES: 77");
	IS_INT(exit_for(-ELOOP), EX_NOPERM, "-ELOOP: 77");
	IS_INT(exit_for(-EBADMSG), EX_DATAERR, "-EBADMSG: 65");
	IS_INT(exit_for(-EINVAL), EX_CONFIG, "-EINVAL: 78");
	IS_INT(exit_for(-EIO), EX_OSERR, "-EIO: 71");
	IS_INT(exit_for(-EMFILE), EX_OSERR, "anything else: 71");
}

/* What came from the config is shown, never acted on. */
static void test_escape(void)
{
	static const struct { const char *in, *want, *label; } cases[] = {
		{ "a\x1b[31mred", "argoweb: a\\x1b[31mred\n", "ESC: no terminal escape" },
		{ "x\nargoweb: forged", "argoweb: x\\x0aargoweb: forged\n", "newline: no second line" },
		{ "cr\rtab\tdel\x7f", "argoweb: cr\\x0dtab\\x09del\\x7f\n", "CR, TAB, DEL" },
		{ "c1\xc2\x9b", "argoweb: c1\\u009b\n", "C1 CSI" },
		{ "bidi\xe2\x80\xae" "evil", "argoweb: bidi\\u202e" "evil\n", "a right-to-left override" },
		{ "iso\xe2\x81\xa6x", "argoweb: iso\\u2066x\n", "an isolate" },
		{ "ls\xe2\x80\xa8x", "argoweb: ls\\u2028x\n", "a line separator" },
		{ "bad\xff\xc3", "argoweb: bad\\xff\\xc3\n", "bytes that are not UTF-8" },
		{ "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80", "argoweb: caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80\n",
		  "printable UTF-8 kept" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cap_start();
		msg("%s", cases[i].in);
		IS_STR(cap_end(), cases[i].want, "escaped: %s", cases[i].label);
	}
	cap_start();
	msg_at("/etc/argoweb/we\x1b]0;b.yaml", 1, 2, "x");
	IS_STR(cap_end(), "argoweb: /etc/argoweb/we\\x1b]0;b.yaml:1:2: x\n", "escaped: the file name too");
}

int main(void)
{
	test_shape();
	test_escape();
	test_fault();
	test_fail_sys();
	test_exit_for();
	return tap_done();
}
