/* A systemd service's command line and environment, read from its unit
 * files as systemd reads them (systemd.syntax(7), systemd.service(5),
 * systemd.exec(5)), as far as argoweb adopt needs: [Service]'s
 * ExecStart=, Environment=, EnvironmentFile=, User= and Type=. */
#ifndef ARGOWEB_UNITFILE_H
#define ARGOWEB_UNITFILE_H
#include <stddef.h>

#include "msg.h"

#define UF_MAX_VARS 256
#define UF_MAX_ARGS 256
#define UF_MAX_FILES 16

/* Environment variables, later assignments replacing earlier ones. */
struct uf_vars {
	char *name[UF_MAX_VARS], *value[UF_MAX_VARS];
	size_t n;
};

/* What the unit's files say, the fragment first, then each drop-in. */
struct uf_service {
	char *exec;             /* the ExecStart= in force (its prefixes kept), or NULL */
	unsigned exec_line;
	struct uf_vars env;     /* Environment= */
	char *envfile[UF_MAX_FILES];    /* EnvironmentFile=, a leading '-' kept */
	size_t nenvfile;
	char *user, *type;
	int exec_count;         /* ExecStart= lines in force: one for a notify service */
};

/* Add what one unit file (text, len bytes) says to s. 0, or -EINVAL with f
 * (line, column and why) for what argoweb cannot read as systemd would. */
int uf_parse(const char *text, size_t len, struct uf_service *s, struct fault *f);
void uf_free(struct uf_service *s);

/* An EnvironmentFile= (text, len bytes): its assignments into v. 0, or -EINVAL
 * with f. */
int uf_envfile(const char *text, size_t len, struct uf_vars *v, struct fault *f);

/* ExecStart='s value as systemd runs it: prefixes (-, @, :, +, !) taken
 * off, words split and unquoted, C escapes and %% undone, ${NAME} and a
 * word that is $NAME replaced from env (a word $NAME splits on
 * whitespace). argv[0] is the program (with '@', the name it is given
 * goes). *argc words, each malloc'ed, into argv (UF_MAX_ARGS); 0, or -EINVAL
 * with f: a specifier other than %%, a bad escape, an open quote. */
int uf_exec_argv(const char *exec, const struct uf_vars *env, char **argv, int *argc,
                 struct fault *f);

/* Set name=value in v (copies); 0, or -1 when v is full. */
int uf_set(struct uf_vars *v, const char *name, size_t nlen, const char *value, size_t vlen);
/* The value of name in v, or NULL. */
const char *uf_get(const struct uf_vars *v, const char *name);
void uf_vars_free(struct uf_vars *v);

#endif
