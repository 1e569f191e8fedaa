/* A POSIX ACL in the kernel's xattr form (system.posix_acl_access,
 * version 2), built by hand so that the parser under test is not also
 * the one that wrote it. */
#ifndef ARGOWEB_TEST_ACLBLOB_H
#define ARGOWEB_TEST_ACLBLOB_H
#include <stddef.h>

#define NOID 0xffffffffUL       /* the id of an entry that has none */

struct ace { unsigned tag, perm; unsigned long id; };

/* x must hold 4 + 8 * n bytes; returns that length. */
static size_t acl_blob(unsigned char *x, const struct ace *e, size_t n)
{
	x[0] = 2;
	x[1] = x[2] = x[3] = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = x + 4 + 8 * i;
		p[0] = (unsigned char)e[i].tag;
		p[1] = (unsigned char)(e[i].tag >> 8);
		p[2] = (unsigned char)e[i].perm;
		p[3] = 0;
		for (int b = 0; b < 4; b++)
			p[4 + b] = (unsigned char)(e[i].id >> (8 * b));
	}
	return 4 + 8 * n;
}

#endif
