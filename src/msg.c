/* msg: the one shape of every message, and the fault a lower layer hands
 * up to the step that prints it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"

int msg_quiet;

__attribute__((format(printf, 5, 0)))
static void vreport(const char *kind, const char *file, unsigned line,
                    unsigned col, const char *fmt, va_list ap)
{
	if (msg_quiet)
		return;
	/* stderr is unbuffered, but journald reads a stream line by line:
	 * build the line first, then write it once. */
	char buf[2048];
	int n = snprintf(buf, sizeof buf, "argoweb: %s", kind);
	if (file && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, "%s:", file);
	if (file && line && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, "%u:%u:", line, col);
	if (file && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, " ");
	if (n < (int)sizeof buf)
		vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	fprintf(stderr, "%s\n", buf);
}

void msg_at(const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", file, line, col, fmt, ap);
	va_end(ap);
}

void msg_warn(const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", file, line, col, fmt, ap);
	va_end(ap);
}

void msg_fault(const char *file, const struct fault *f)
{
	msg_at(file, f->line, f->col, "%s", f->why);
}

int fault(struct fault *f, unsigned line, unsigned col, const char *fmt, ...)
{
	if (f->why[0])
		return -1;      /* the first fault is the cause; later ones follow from it */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof f->why, fmt, ap);
	va_end(ap);
	f->line = line;
	f->col = col;
	if (!f->why[0])
		snprintf(f->why, sizeof f->why, "unknown error");
	return -1;
}

int exit_for(int neg_errno)
{
	switch (-neg_errno) {
	case 0: return 0;
	case ENOENT: return EX_NOINPUT;
	case EPERM: case EACCES: case ELOOP: return EX_NOPERM;
	case EBADMSG: return EX_DATAERR;
	case EINVAL: return EX_CONFIG;
	default: return EX_OSERR;
	}
}
