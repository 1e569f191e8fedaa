/* POSIX ACLs as the kernel hands them over (system.posix_acl_access,
 * linux/posix_acl_xattr.h): read without libacl, whose only use here
 * would be this parse. */
#ifndef ARGOWEB_POSIXACL_H
#define ARGOWEB_POSIXACL_H
#include <stddef.h>

#define PACL_XATTR "system.posix_acl_access"
#define PACL_MAX 128    /* entries; a larger ACL is refused, not cut */

enum { PACL_USER_OBJ = 0x01, PACL_USER = 0x02, PACL_GROUP_OBJ = 0x04, PACL_GROUP = 0x08,
       PACL_MASK = 0x10, PACL_OTHER = 0x20 };

struct pacl_entry {
	unsigned tag, perm;     /* perm: 4 read, 2 write, 1 execute/search */
	unsigned long id;       /* uid or gid for PACL_USER, PACL_GROUP */
};

/* The entries of a value (len bytes: a u32 version 2, then {u16 tag, u16
 * perm, u32 id}, little-endian) into e (PACL_MAX): their count, or
 * -EBADMSG when it is not that. */
int pacl_parse(const unsigned char *x, size_t len, struct pacl_entry *e);

/* The ACL of the open fd, or else of path (a link is not followed): its
 * entry count, 0 when it has none, -errno when it cannot be read. */
int pacl_get(int fd, const char *path, struct pacl_entry *e);

#endif
