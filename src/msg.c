/* Error output and allocation helpers shared by every module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int msg_quiet;

__attribute__((format(printf, 5, 0)))
static void vreport(const char *kind, const char *file, unsigned line,
                    unsigned col, const char *fmt, va_list ap)
{
	if (msg_quiet)
		return;
	/* One fprintf per piece is fine: stderr is unbuffered, but journald
	 * reads a stream line by line, so build the line first. */
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

static void *oom(void)
{
	fputs("argoweb: out of memory\n", stderr);
	exit(EX_OSERR_);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	return p ? p : oom();
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	return p ? p : oom();
}
