/* handoff.c: the paths and files both directions of argoweb adopt work
 * with. A path is split only when it is absolute and names a file; the
 * manifest takes a path only as one plain word; what a name holds is
 * nothing, these very bytes, or anything else (a link counts as that). */
#include "../../src/handoff.c"

#include "tap.h"
#include "scratch.h"

static void split_paths(void)
{
	char dir[64];
	const char *name = NULL;
	OK(!ho_split_path("/etc/cloudflared/config.yml", dir, sizeof dir, &name) &&
	   !strcmp(dir, "/etc/cloudflared") && !strcmp(name, "config.yml"), "split: directory and name");
	OK(!ho_split_path("/x", dir, sizeof dir, &name) && !strcmp(dir, "/") && !strcmp(name, "x"),
	   "split: a file in / has / for its directory");
	IS_INT(ho_split_path("etc/x", dir, sizeof dir, &name), -1, "split: a relative path: -1");
	IS_INT(ho_split_path("/etc/", dir, sizeof dir, &name), -1, "split: no file name: -1");
	IS_INT(ho_split_path("/a-directory-name-longer-than-the-buffer-given-here/x", dir, 16, &name), -1,
	       "split: a directory that does not fit: -1");
}

static void plain_paths(void)
{
	OK(ho_plain_path("/etc/default/cloudflared"), "plain_path: a plain absolute path");
	OK(!ho_plain_path("etc/x") && !ho_plain_path(""), "plain_path: a relative one is not");
	static const char *const bad[] = { "/a b", "/a\tb", "/a\vb", "/a\fb", "/a\rb", "/a\x7f" "b", "/a\x01" "b" };
	int none = 1;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		none &= !ho_plain_path(bad[i]);
	OK(none, "plain_path: white space or a control byte (\\v \\f \\r too) is not one word");
}

static void holds(void)
{
	int dfd = open(at(""), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	IS_INT(ho_holds(dfd, "absent", "x", 1), 0, "holds: nothing there: 0");
	scratch_put("same", "secret\n", 0600);
	IS_INT(ho_holds(dfd, "same", "secret\n", 7), 1, "holds: these very bytes: 1");
	IS_INT(ho_holds(dfd, "same", "secret!", 7), -1, "holds: other bytes: -1");
	IS_INT(ho_holds(dfd, "same", "secret\nmore", 11), -1, "holds: fewer bytes: -1");
	must(symlink(at("same"), at("link")), "symlink");
	IS_INT(ho_holds(dfd, "link", "secret\n", 7), -1, "holds: a link to the same bytes: -1 (not followed)");
	mkdir(at("dir"), 0700);
	IS_INT(ho_holds(dfd, "dir", "", 0), -1, "holds: a directory: -1");
	close(dfd);
	char *buf = NULL;
	size_t len = 0;
	OK(!ho_read_all(at("same"), &buf, &len) && len == 7 && !memcmp(buf, "secret\n", 7),
	   "read_all: the whole file");
	free(buf);
	buf = NULL;
	OK(ho_read_all(at("link"), &buf, &len) && !buf, "read_all: not through a final link");
}

int main(void)
{
	split_paths();
	plain_paths();
	scratch_run("handoff", holds);
	return tap_done();
}
