/* Messages and exit codes. Two conventions, one for each layer:
 *
 * - A step, a function main() calls as one line of its checklist (cfg_load,
 *   creds_load, pd_drop, ...), prints what went wrong once, as
 *   "argoweb: FILE:LINE:COL: text", and returns an exit code: 0, or one of
 *   <sysexits.h>'s (systemctl status shows 78/CONFIG), or EXIT_NOEXEC,
 *   EXIT_NOTFOUND when the exec itself fails, as a shell's are.
 * - Everything below a step prints nothing. It returns 0, or -errno with a
 *   struct fault filled (where and why) by fail() or fault(); the step
 *   prints the fault (msg_fault) and chooses the exit code, usually
 *   exit_for() of the -errno (OpenSSH's safe_path + fatal). */
#ifndef ARGOWEB_MSG_H
#define ARGOWEB_MSG_H
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sysexits.h>

#define EXIT_NOEXEC 126         /* cloudflared is there but cannot be executed */
#define EXIT_NOTFOUND 127       /* cloudflared vanished between check and exec */

/* Where and why something below a step failed. line/col: 1-based in the
 * config, 0 when the fault is not about a place in it. Start it empty
 * (= {0}): only the first fault is kept, as later ones follow from it. */
struct fault {
	unsigned line, col;
	char why[768];
};

/* Fill f, at LINE:COL of the config when not 0, and return -err. */
int fail_at(struct fault *f, int err, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Something failed, not at a place in the config: -err. */
#define fail(f, err, ...) fail_at((f), (err), 0, 0, __VA_ARGS__)
/* The config is wrong at LINE:COL: -EINVAL (exit_for: EX_CONFIG). */
#define fault(f, line, col, ...) fail_at((f), EINVAL, (line), (col), __VA_ARGS__)
/* The caller's own words instead of a callee's fault (a plainer message
 * for a common case, such as a file that is not there): -err. */
int fail_anew(struct fault *f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* What failed, in the system's words (strerror(errno), or "unexpected
 * state" when errno says nothing): -errno, or -EPERM. */
int fail_sys(struct fault *f, const char *what);
/* Fold FILE (and the fault's line) into the fault's text, "FILE:LINE:
 * why", for a step that prints no file of its own: -EINVAL. */
int fault_of(struct fault *f, const char *file);
/* Forget a fault that was handled (a fallback was taken instead). */
void fault_clear(struct fault *f);

/* -ENOENT: EX_NOINPUT (something that must exist does not); -EPERM,
 * -EACCES, -ELOOP: EX_NOPERM (owner, mode, link, identity); -EBADMSG:
 * EX_DATAERR (a credential's content); -EINVAL: EX_CONFIG; anything else
 * EX_OSERR (the system failed us). */
int exit_for(int neg_errno);

/* Set by callers that only want the verdict (the fuzzers). */
extern int msg_quiet;
/* Set when stderr is the journal: each line then carries its priority. */
extern int msg_journal;
/* Where messages go: stderr, or, once cloudflared's stderr is the health
 * monitor's pipe, the journal's own stream, kept apart (close-on-exec):
 * a line's priority is then argoweb's to give, never one the relay takes
 * on trust from the pipe. */
extern int msg_fd;
/* Where messages go instead, when set: the health monitor queues its own
 * lines behind the relayed ones (relay_say), so that one never lands in
 * the middle of a line of cloudflared's still waiting for the journal. */
extern void (*msg_sink)(const char *line, size_t len);

/* "argoweb: FILE:LINE:COL: text" (LINE/COL omitted when 0, FILE when NULL). */
void msg_at(const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void msg_warn(const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define msg(...) msg_at(NULL, 0, 0, __VA_ARGS__)
/* in, with every rune a terminal or log reader would act on (C0, DEL, C1,
 * bidirectional controls, line separators) escaped as \xNN below 0x80,
 * else \uNNNN, and every byte that is not UTF-8 as \xNN: a value from
 * the config reaches the terminal and the journal as text only. out holds
 * cap bytes (4 times in's length suffices). */
void msg_escape(const char *in, char *out, size_t cap);
/* A fault, as the step prints it. */
void msg_fault(const char *file, const struct fault *f);

#include "xalloc.h"

#endif
