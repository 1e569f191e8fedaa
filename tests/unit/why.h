/* The fault a test hands to the function under test: WHY clears it for
 * each call, W.why is what the last call said. A fault keeps its first
 * reason (msg.h), so one reused across calls would show a stale one. */
#ifndef ARGOWEB_TEST_WHY_H
#define ARGOWEB_TEST_WHY_H
#include "../../src/msg.h"

static struct fault W;
#define WHY (fault_clear(&W), &W)

#endif
