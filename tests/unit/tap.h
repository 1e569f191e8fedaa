/* Minimal TAP producer for the unit tests: "ok N - name" lines and a final
 * "N passed, N failed" summary that CI reads. Unit tests #include the module
 * under test to reach its static functions (chrony's habit). */
#ifndef ARGOWEB_TAP_H
#define ARGOWEB_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define OK(cond, ...) do {                                              \
	tap_n++;                                                        \
	if (cond) { printf("ok %d - ", tap_n); }                        \
	else { tap_fail++; printf("not ok %d - %s:%d: ", tap_n,         \
	       __FILE__, __LINE__); }                                   \
	printf(__VA_ARGS__); putchar('\n');                             \
} while (0)

#define IS_INT(got, want, ...) do {                                     \
	long long g_ = (long long)(got), w_ = (long long)(want);        \
	OK(g_ == w_, __VA_ARGS__);                                      \
	if (g_ != w_) printf("#   got %lld, want %lld\n", g_, w_);      \
} while (0)

#define IS_STR(got, want, ...) do {                                     \
	const char *g_ = (got), *w_ = (want);                           \
	int eq_ = g_ && w_ && strcmp(g_, w_) == 0;                      \
	OK(eq_, __VA_ARGS__);                                           \
	if (!eq_) printf("#   got \"%s\", want \"%s\"\n",               \
	                 g_ ? g_ : "(null)", w_ ? w_ : "(null)");       \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n%d passed, %d failed\n", tap_n, tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}
#endif
