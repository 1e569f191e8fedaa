/* goregex: validate a regular expression the way Go's regexp.Compile does.
 *
 * cloudflared compiles each ingress rule's `path:` with Go's regexp.Compile
 * (RE2 syntax, syntax.Perl flags). argoweb checks configs before cloudflared
 * sees them, so it needs to know, without a Go runtime, which patterns Go
 * accepts. This is only a validator: there is no matching engine. */
#ifndef ARGOWEB_GOREGEX_H
#define ARGOWEB_GOREGEX_H
#include <stddef.h>

/* The longest pattern goregex_check accepts. cloudflared matches `path:`
 * unanchored, anywhere in the request path, so no rule needs a long one;
 * and under this length Go's height limit is out of reach (it takes some
 * 1250 bytes), and so is its size limit for a pattern not already refused
 * for its repeat counts. */
#define GOREGEX_MAX_LEN 1024

/* Returns 0 when Go's regexp.Compile would accept the pattern, else -1 and a
 * short reason in err in Go's wording without Go's "error parsing regexp: "
 * prefix, e.g. "invalid or unsupported Perl syntax: `(?=`",
 * "missing closing ): `(abc`", "invalid repeat count: `{1001}`",
 * "invalid escape sequence: `\1`", "invalid character class range: `z-a`",
 * "missing argument to repetition operator: `*`",
 * "invalid nested repetition operator: `**`", "invalid UTF-8: `...`".
 * A pattern over GOREGEX_MAX_LEN bytes gets "pattern longer than 1024
 * bytes: " and advice instead, whatever it holds.
 * The quoted part is cut to 64 bytes of the pattern ("..." marks the cut) and
 * control bytes, bidi controls and invalid UTF-8 in it are shown as \xNN.
 * pat has len bytes and may contain NUL bytes; err (errlen bytes, always
 * NUL-terminated when errlen > 0) may be NULL. No allocation, about 40 KiB
 * of stack, and time at most quadratic in the capped length. Semantics are
 * those of Go 1.22 to 1.24; see goregex.c for what is and is not replicated. */
int goregex_check(const char *pat, size_t len, char *err, size_t errlen);

#endif
