/* adoptsay.c: the plan is printed, the secret never is: not as a flag's
 * value in any spelling urfave/cli reads, not inside another word, not as
 * a long base64 run, whatever the word. */
#include "../../src/adoptsay.c"

#include "tap.h"

static void spellings(void)
{
	IS_INT(secret_flag("--token"), 1, "--token: the value is the next word");
	IS_INT(secret_flag("-token"), 1, "-token: likewise");
	IS_INT(secret_flag("--token=eyJh"), 2, "--token=VALUE: the word holds it");
	IS_INT(secret_flag("-credentials-contents={}"), 2, "-credentials-contents=VALUE: likewise");
	IS_INT(secret_flag("--token-file"), 0, "--token-file: a path, not the secret");
	IS_INT(secret_flag("token"), 0, "a word that is not a flag");
}

static void runs(void)
{
	char w[64];
	memset(w, 'A', 39);
	w[39] = 0;
	IS_INT(adopt_b64_run(w), 0, "39 base64 characters: not a secret's run");
	memset(w, 'A', 40);
	w[40] = 0;
	IS_INT(adopt_b64_run(w), 1, "40: one");
	char s[] = "token eyJhIjoiMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAiLCJ0Ijoi end";
	adopt_scrub(s);
	IS_STR(s, "token ... end", "scrub: the run becomes ...");
}

static void shown_words(void)
{
	static char *argv[] = { "cloudflared", "tunnel", "run", "--token", "abc", "--protocol",
	                        "quic", "--x=pre-SECRETVALUE-post", NULL };
	struct adopt ad = { .argc = 8, .needle = "SECRETVALUE", .needle_len = 11 };
	memcpy(ad.argv, argv, sizeof argv);
	IS_STR(shown(&ad, 4), "<the secret>", "the word after --token: masked");
	IS_STR(shown(&ad, 6), "quic", "another flag's value: shown");
	IS_STR(shown(&ad, 7), "<the secret>", "a word with the secret's bytes inside: masked");
	IS_STR(shown(&ad, 1), "tunnel", "the command: shown");
}

int main(void)
{
	spellings();
	runs();
	shown_words();
	return tap_done();
}
