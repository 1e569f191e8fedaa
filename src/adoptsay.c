/* adoptsay: argoweb adopt's plan, said (adoptsay.h): what it reads, writes,
 * stops and leaves, and never the secret, in any spelling the old unit
 * may have put it in. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "adopt.h"
#include "adoptsay.h"

/* A flag whose value is the secret itself, in any of the spellings urfave/cli
 * reads (-token, --token, either with =VALUE): 1 as a word before its
 * value, 2 with its value in it. */
static int secret_flag(const char *w)
{
	static const char *const names[] = { "token", "credentials-contents" };
	if (w[0] != '-')
		return 0;
	w += 1 + (w[1] == '-');
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t n = strlen(names[i]);
		if (!strncmp(w, names[i], n) && (w[n] == 0 || w[n] == '='))
			return w[n] ? 2 : 1;
	}
	return 0;
}

/* argv[i], unless it is or holds the secret. */
static const char *shown(const struct adopt *ad, int i)
{
	const char *w = ad->argv[i];
	if ((i > 1 && secret_flag(ad->argv[i - 1]) == 1) || secret_flag(w) == 2 || adopt_b64_run(w) ||
	    (ad->needle && memmem(w, strlen(w), ad->needle, ad->needle_len)))
		return "<the secret>";
	return w;
}

static const char *perms_of(const struct stat *st, char *buf, size_t n)
{
	snprintf(buf, n, "%04o uid %u", (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid);
	return buf;
}

void adopt_print(const struct adopt *ad, FILE *out)
{
	char m[64];
	fprintf(out, "adopt %s as argoweb@%s\n", ad->unit, ad->name);
	for (size_t i = 0; i < ad->nf; i++)
		fprintf(out, "reads: %s (%s)\n", ad->f[i].path, perms_of(&ad->f[i].st, m, sizeof m));
	fprintf(out, "runs: %s", ad->argv[0]);
	for (int i = 1; i < ad->argc; i++)
		fprintf(out, " %s", shown(ad, i));
	fputc('\n', out);
	if (ad->cred_path[0])
		fprintf(out, "credential: %s, from %s -> %s (0600 root)\n",
		         ad->sec.kind == SEC_TOKEN ? "a token" : "tunnel credentials", ad->secret_from,
		         ad->cred_path);
	if (ad->notes)
		fputs(ad->notes, out);
	fprintf(out, "writes: %s/%s.yaml (0640 root:argoweb):\n", ARGOWEB_CONFDIR, ad->name);
	for (const char *l = ad->yaml; l && *l;) {
		size_t len = strcspn(l, "\n");
		fprintf(out, "    %.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	fprintf(out, "starts: argoweb@%s, enabled, and waits until it serves\n", ad->name);
	fprintf(out, "then stops and disables: %s%s\n", ad->unit,
	        strcmp(ad->unit, "cloudflared.service") ? "" : ", and cloudflared-update.timer if it is there");
	for (size_t i = 0; i < ad->nf; i++)
		if (ad->f[i].exposed)
			fprintf(out, "moves (it holds the secret, readable by %s): %s -> %s/adopted/%s/ "
			        "(0600 root; argoweb adopt --undo %s puts it back)\n",
			        ad->f[i].st.st_uid ? "its owner" : "others", ad->f[i].path, ARGOWEB_CONFDIR,
			        ad->name, ad->name);
		else if (ad->f[i].holds_secret)
			fprintf(out, "leaves: %s (it holds the secret, root's alone)\n", ad->f[i].path);
}
