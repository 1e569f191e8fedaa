/* Messages and exit codes: one shape for every error, one table of codes. */
#ifndef ARGOWEB_MSG_H
#define ARGOWEB_MSG_H
#include <stdarg.h>

/* BSD sysexits, so `systemctl status` shows e.g. 78/CONFIG. */
enum {
	EX_OK_ = 0,
	EX_USAGE_ = 64,
	EX_DATAERR_ = 65,   /* bad credential content */
	EX_NOINPUT_ = 66,   /* a file that must exist does not */
	EX_UNAVAIL_ = 69,   /* cloudflared missing, or nothing answers */
	EX_SOFTWARE_ = 70,  /* internal error */
	EX_OSERR_ = 71,
	EX_CANTCREAT_ = 73, /* cannot write the rendered config */
	EX_NOPERM_ = 77,    /* ownership, mode, identity */
	EX_CONFIG_ = 78,
	EX_NOEXEC_ = 126,
	EX_NOTFOUND_ = 127,
};

/* Set by the fuzzer and by callers that only want the verdict. */
extern int msg_quiet;

/* "argoweb: FILE:LINE:COL: text" (LINE/COL omitted when 0, FILE when NULL). */
void msg_at(const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void msg_warn(const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define msg(...) msg_at(NULL, 0, 0, __VA_ARGS__)

/* Allocation failure is not recoverable in a launcher: report and exit 71. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
