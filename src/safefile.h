/* File checks in OpenSSH's manner: open once, check the open descriptor,
 * and walk every parent directory from / without following links. Each
 * returns 0 (or a descriptor), or -errno with f filled, naming the path
 * and the fix: -ENOENT missing, -EPERM owner, mode, type or link
 * wrong, -ENOEXEC a binary that cannot be run, -EIO the system failed. */
#ifndef ARGOWEB_SAFEFILE_H
#define ARGOWEB_SAFEFILE_H
#include <stddef.h>
#include <sys/types.h>

struct fault;

/* Open path for reading from its parent as the walk holds it (the parents
 * checked as by sf_check_parents), without following a final symlink, and
 * check the descriptor: a regular file with one link, owned by root or
 * `owner`, mode 0600 or 0400; or 0440 when sd (not NULL) is the unit's own
 * credential mount it lies on and its ACL allows (sdcred.h). Returns the
 * fd, or -errno. */
struct sdcred;
int sf_open_secret(const char *path, uid_t owner, const struct sdcred *sd, struct fault *f);

/* Every directory from / down to path's parent: owned by root or `owner`
 * and not writable by group or others, walked from / with openat() and
 * checked while held; a symbolic link on the way is followed only when the
 * directory holding it has passed, and its target is walked likewise. */
int sf_check_parents(const char *path, uid_t owner, struct fault *f);

/* The cloudflared binary: resolved (a link to it is fine), a regular
 * executable file owned by root or `owner`, not group/other-writable, with
 * parents likewise. real receives the resolved path. Returns 0, or
 * -ENOENT (missing), -ENOEXEC (not an executable file) or -EPERM. */
int sf_check_binary(const char *path, uid_t owner, char *real, size_t reallen, struct fault *f);

/* Who must be able to read a file after the privilege drop. */
struct sf_reader {
	const char *path;       /* as the config names it, for messages */
	uid_t uid;
	gid_t gid;
};

/* A file cloudflared reads itself (cacert): resolved (a link to it is
 * fine), a regular file owned by root or `owner`, not group/other-
 * writable, parents likewise, and readable by the reader through every
 * directory. */
int sf_check_readable(const char *path, uid_t owner, const struct sf_reader *reader, struct fault *f);

/* The config file, before `run` (or `check`) trusts it with the choice of
 * a credential and a user: a regular file owned by root or `owner`, not
 * writable by group or others, in directories likewise; a symbolic link
 * only when root's (its target checked the same way). Returns a
 * descriptor open for reading (the file checked is the file read), or
 * -errno. */
int sf_open_config(const char *path, uid_t owner, struct fault *f);

/* A directory to write into after the drop (the rendered config's):
 * walked like the rest, itself owned by root or `owner` and writable by no
 * one else, and not a link. Returns an O_PATH descriptor of it, held from
 * the check to the write, or -errno. */
int sf_open_dir(const char *path, uid_t owner, struct fault *f);

#endif
