/* posixacl (pacl_): see posixacl.h. */
#include <errno.h>
#include <sys/xattr.h>

#include "posixacl.h"

#define PACL_VERSION 2

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
	       (unsigned long)p[3] << 24;
}

int pacl_parse(const unsigned char *x, size_t len, struct pacl_entry *e)
{
	if (len < 4 || (len - 4) % 8 || (len - 4) / 8 > PACL_MAX || le32(x) != PACL_VERSION)
		return -EBADMSG;
	int n = 0;
	for (size_t o = 4; o < len; o += 8, n++)
		e[n] = (struct pacl_entry){ le16(x + o), le16(x + o + 2), le32(x + o + 4) };
	return n;
}

int pacl_get(int fd, const char *path, struct pacl_entry *e)
{
	unsigned char x[4 + 8 * PACL_MAX];
	ssize_t len = fd >= 0 ? fgetxattr(fd, PACL_XATTR, x, sizeof x)
	                      : lgetxattr(path, PACL_XATTR, x, sizeof x);
	if (len >= 0)
		return pacl_parse(x, (size_t)len, e);
	if (errno == ENODATA || errno == ENOTSUP)
		return 0;
	return errno == ERANGE ? -EBADMSG : -errno;
}
