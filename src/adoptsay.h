/* argoweb adopt's plan, said: what it reads, writes, stops and leaves. */
#ifndef ARGOWEB_ADOPTSAY_H
#define ARGOWEB_ADOPTSAY_H
#include <stdio.h>

#include "adopt.h"

/* The plan, for the dry run and before --apply acts: never the secret
 * (a flag's value in any spelling, a word holding its bytes, a long
 * base64 run). */
void adopt_print(const struct adopt *ad, FILE *out);

#endif
