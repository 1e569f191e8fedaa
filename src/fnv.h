/* FNV-1a, 32 bits: a small, stable hash for hash tables and for the
 * per-instance metrics address (whose values must never change). */
#ifndef ARGOWEB_FNV_H
#define ARGOWEB_FNV_H
#include <stddef.h>
#include <stdint.h>

static inline uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#endif
