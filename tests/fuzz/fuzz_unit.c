/* libFuzzer target: a unit file as argoweb adopt reads it (unitfile.c),
 * its ExecStart= split with its Environment=, the words read as
 * cloudflared's command line (cfargv.c); the same bytes as an
 * EnvironmentFile=. A unit file is root's, but what is in it may be
 * anything a package or an admin wrote: read it or refuse it, never more.
 * What is read is well-formed: words without NUL, every variable a valid
 * name, and a refusal always says why. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cfargv.h"
#include "../../src/unitfile.h"

static void valid_vars(const struct uf_vars *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (!v->name[i][0] || strspn(v->name[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                                         "0123456789_") != strlen(v->name[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uf_service s = { 0 };
	struct fault f = { 0 };
	msg_quiet = 1;
	if (uf_parse((const char *)data, size, &s, &f) == 0) {
		valid_vars(&s.env);
		char *argv[UF_MAX_ARGS];
		int argc = 0;
		memset(&f, 0, sizeof f);
		if (s.exec && uf_exec_argv(s.exec, &s.env, argv, &argc, &f) == 0) {
			if (argc < 1 || argc > UF_MAX_ARGS)
				abort();
			struct cfa a = { 0 };
			memset(&f, 0, sizeof f);
			if (cfa_argv(&a, argv, argc, &f) && !f.why[0])
				abort();        /* refused without a reason */
			if (!cfa_get(&a, "config") && a.n > CFA_MAX)
				abort();
			cfa_free(&a);
			for (int i = 0; i < argc; i++)
				free(argv[i]);
		} else if (s.exec && !f.why[0]) {
			abort();
		}
	} else if (!f.why[0]) {
		abort();
	}
	uf_free(&s);
	struct uf_vars v = { 0 };
	memset(&f, 0, sizeof f);
	if (uf_envfile((const char *)data, size, &v, &f) == 0)
		valid_vars(&v);
	else if (!f.why[0])
		abort();
	uf_vars_free(&v);
	return 0;
}
