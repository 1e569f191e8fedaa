/* msg: the one shape of every message, and the fault a lower layer hands
 * up to the step that prints it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gounicode.h"
#include "msg.h"

int msg_quiet;
int msg_journal;
int msg_fd = 2;
void (*msg_sink)(const char *line, size_t len);

/* Runes a terminal or a log reader would act on rather than show: C0
 * and DEL (escape sequences, a forged second journal line), C1, the
 * bidirectional overrides and isolates, and the line separators. */
static int unsafe(uint32_t r)
{
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x061c || r == 0x200e || r == 0x200f ||
	       (r >= 0x2028 && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069);
}

void msg_escape(const char *in, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), o = 0;
	while (n && o + 7 < cap) {
		uint32_t r;
		size_t len = gounicode_decode(p, n, &r);
		if (len && !unsafe(r)) {
			memcpy(out + o, p, len);
			o += len;
		} else {
			o += (size_t)snprintf(out + o, cap - o, len && r >= 0x80 ? "\\u%04x" : "\\x%02x",
			                      len ? (unsigned)r : (unsigned)*p);
			len = len ? len : 1;
		}
		p += len;
		n -= len;
	}
	out[o] = 0;
}

__attribute__((format(printf, 5, 0)))
static void vreport(const char *kind, const char *file, unsigned line,
                    unsigned col, const char *fmt, va_list ap)
{
	if (msg_quiet)
		return;
	/* stderr is unbuffered, but journald reads a stream line by line:
	 * build the line first, then write it once. */
	char buf[2048];
	/* journald's priority: err, or warning (msg_warn). */
	int n = snprintf(buf, sizeof buf, "%sargoweb: %s", !msg_journal ? "" : *kind ? "<4>" : "<3>",
	                 kind);
	if (file && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, "%s:", file);
	if (file && line && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, "%u:%u:", line, col);
	if (file && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - n, " ");
	if (n < (int)sizeof buf)
		vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	char shown[sizeof buf * 2];
	msg_escape(buf, shown, sizeof shown);
	/* One write: a line, whole, to a stream that may be the journal's. */
	size_t len = strlen(shown);
	shown[len] = '\n';
	if (msg_sink)
		msg_sink(shown, len + 1);
	else
		(void)!write(msg_fd, shown, len + 1);
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

__attribute__((format(printf, 5, 0)))
static int vfail(struct fault *f, int err, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	vsnprintf(f->why, sizeof f->why, fmt, ap);
	f->line = line;
	f->col = col;
	if (!f->why[0])
		snprintf(f->why, sizeof f->why, "unknown error");
	return -err;
}

int fail_at(struct fault *f, int err, unsigned line, unsigned col, const char *fmt, ...)
{
	if (f->why[0])
		return -err;    /* the first fault is the cause; later ones follow from it */
	va_list ap;
	va_start(ap, fmt);
	vfail(f, err, line, col, fmt, ap);
	va_end(ap);
	return -err;
}

int fail_anew(struct fault *f, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(f, err, 0, 0, fmt, ap);
	va_end(ap);
	return -err;
}

int fail_sys(struct fault *f, const char *what)
{
	int e = errno;
	return fail(f, e ? e : EPERM, "%s: %s", what, e ? strerror(e) : "unexpected state");
}

int fault_of(struct fault *f, const char *file)
{
	char why[2 * sizeof f->why + 64];
	if (f->line)
		snprintf(why, sizeof why, "%.*s:%u: %s", (int)sizeof f->why / 2, file, f->line, f->why);
	else
		snprintf(why, sizeof why, "%.*s: %s", (int)sizeof f->why / 2, file, f->why);
	memcpy(f->why, why, sizeof f->why - 1);
	f->why[sizeof f->why - 1] = 0;
	f->line = f->col = 0;
	return -EINVAL;
}

void fault_clear(struct fault *f)
{
	*f = (struct fault){ 0 };
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
