/* goscan: the lexical part of Go's regexp syntax, for goregex.c: runes as
 * Go decodes them, escapes, \p names, bracketed classes, {n,m} and group
 * names. Errors are recorded, not worded: Go's code and the span of the
 * pattern Go quotes with it. */
#ifndef ARGOWEB_GOSCAN_H
#define ARGOWEB_GOSCAN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Go's ErrorCode strings. */
#define E_RANGE "invalid character class range"
#define E_ESCAPE "invalid escape sequence"
#define E_NAMED "invalid named capture"
#define E_PERL "invalid or unsupported Perl syntax"
#define E_NESTED "invalid nested repetition operator"
#define E_COUNT "invalid repeat count"
#define E_UTF8 "invalid UTF-8"
#define E_BRACKET "missing closing ]"
#define E_PAREN "missing closing )"
#define E_ARG "missing argument to repetition operator"
#define E_BACKSLASH "trailing backslash at end of expression"
#define E_UNEXPECTED "unexpected )"
#define E_DEEP "expression nests too deeply"
#define E_LARGE "expression too large"

struct goscan {
	const unsigned char *s;
	size_t len;
	const char *code;       /* the error, an E_* string; NULL if none */
	size_t from, to;        /* the bytes of s Go quotes with it */
};

/* Each int function returns 0, or -1 with the error recorded; positions
 * are offsets into s. */
int goscan_fail(struct goscan *g, const char *code, size_t from, size_t to);
/* The rune at *t, decoded up to end (the end of the string Go reads). */
int goscan_rune(struct goscan *g, size_t *t, size_t end, uint32_t *r);
/* Go's checkUTF8 over s[from, to). */
int goscan_utf8(struct goscan *g, size_t from, size_t to);
/* Go's parseEscape: *t at a backslash, moved past the escape; the rune in *r. */
int goscan_escape(struct goscan *g, size_t *t, uint32_t *r);
/* \d \D \s \S \w \W: c is the letter. */
bool goscan_perl_class(unsigned char c);
/* \p or \P at `at`; *end just after it. */
int goscan_unicode_class(struct goscan *g, size_t at, size_t *end);
/* '[' at `at`; *end just after the ']'. *n is the number of single runes in
 * the class, kept in one[] (3: anything else), for gotree_class. */
int goscan_class(struct goscan *g, size_t at, size_t *end, int *n, uint32_t one[2]);
/* '{' at `at`: 1 with the counts (max -1: unbounded) and *end just after the
 * '}' if it is a repeat, 0 if the '{' is a literal, -1 for a bad count. */
int goscan_repeat(struct goscan *g, size_t at, int *min, int *max, size_t *end);
/* A group name from name_at up to the first '>' anywhere after; `at` is the
 * "(?" Go quotes from. *end just after the '>'. */
int goscan_group_name(struct goscan *g, size_t at, size_t name_at, size_t *end);

#endif
