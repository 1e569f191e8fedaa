/* gounicode: the Unicode that Go 1.22 to 1.24 bring to regexp.Compile, for
 * goregex.c: UTF-8 as Go decodes it and the names \p{...} knows. */
#ifndef ARGOWEB_GOUNICODE_H
#define ARGOWEB_GOUNICODE_H
#include <stddef.h>
#include <stdint.h>

/* One rune from the n bytes at s, as utf8.DecodeRune reads it: returns its
 * length, or 0 when n is 0 or Go would see RuneError (surrogates, overlong
 * forms, values over U+10FFFF, a cut sequence). */
size_t gounicode_decode(const unsigned char *s, size_t n, uint32_t *r);

/* Whether the n bytes at s (NULs allowed) are a \p name of Go 1.21-1.24:
 * "Any", a general category or a script of Unicode 15.0.0. Exact and
 * case-sensitive: Go 1.25's aliases (\p{Letter}) and folding are not yet
 * what cloudflared's Go accepts. */
int gounicode_is_class(const unsigned char *s, size_t n);

#endif
