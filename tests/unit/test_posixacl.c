/* posixacl.c: the kernel's ACL xattr, read without libacl: each entry as
 * written, a malformed or oversized value refused (never cut), and an
 * open file's own ACL (none on a plain file). */
#include "../../src/posixacl.c"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "aclblob.h"
#include "tap.h"

static void parse(void)
{
	static const struct ace acl[] = {
		{ PACL_USER_OBJ, 6, NOID }, { PACL_USER, 4, 1000 }, { PACL_GROUP_OBJ, 0, NOID },
		{ PACL_GROUP, 5, 4242 }, { PACL_MASK, 4, NOID }, { PACL_OTHER, 0, NOID },
	};
	unsigned char x[4 + 8 * (PACL_MAX + 1)];
	struct pacl_entry e[PACL_MAX];
	size_t len = acl_blob(x, acl, 6);
	IS_INT(pacl_parse(x, len, e), 6, "six entries");
	OK(e[1].tag == PACL_USER && e[1].perm == 4 && e[1].id == 1000, "a named user, its uid");
	OK(e[3].tag == PACL_GROUP && e[3].perm == 5 && e[3].id == 4242, "a named group, its gid");
	IS_INT(pacl_parse(x, len - 1, e), -EBADMSG, "a cut entry: refused");
	IS_INT(pacl_parse(x, 3, e), -EBADMSG, "no whole header: refused");
	x[0] = 1;
	IS_INT(pacl_parse(x, len, e), -EBADMSG, "version 1: refused");
	struct ace many[PACL_MAX + 1];
	for (size_t i = 0; i < PACL_MAX + 1; i++)
		many[i] = (struct ace){ PACL_USER, 4, 2000 + i };
	IS_INT(pacl_parse(x, acl_blob(x, many, PACL_MAX), e), PACL_MAX, "PACL_MAX entries: read");
	IS_INT(pacl_parse(x, acl_blob(x, many, PACL_MAX + 1), e), -EBADMSG, "one more: refused, not cut");
	IS_INT(pacl_parse(x, 4, e), 0, "a header alone: no entry");
}

static void of_a_file(void)
{
	char path[] = "/run/argoweb-test-posixacl.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		OK(1, "file # SKIP cannot make a file in /run");
		return;
	}
	struct pacl_entry e[PACL_MAX];
	IS_INT(pacl_get(fd, NULL, e), 0, "a plain file: no ACL");
	IS_INT(pacl_get(-1, path, e), 0, "... by its path too");
	unlink(path);
	close(fd);
	IS_INT(pacl_get(-1, path, e), -ENOENT, "a path that is not there: -ENOENT");
}

int main(void)
{
	parse();
	of_a_file();
	return tap_done();
}
