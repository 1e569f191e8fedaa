/* Allocation that cannot fail: a launcher has nothing better to do on
 * out-of-memory than to say so and exit 71 (EX_OSERR). */
#ifndef ARGOWEB_XALLOC_H
#define ARGOWEB_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
