/* giveback.c's manifest: what adopt --apply wrote down for --undo, read
 * back only from a directory and a file of root's alone, a line at a time;
 * a moved file's line is believed only with an absolute path and a backup
 * named fN; a manifest that names no unit is no manifest. */
#include "../../src/giveback.c"

#include "tap.h"
#include "scratch.h"

#define MANIFEST "unit cloudflared.service enabled active\n"                          \
	"timer cloudflared-update.timer enabled active\n"                              \
	"kind token\nconns 4\nlend /etc/cloudflared/config.yml\n"                      \
	"wrote /etc/argoweb/web.token\nwrote /etc/argoweb/web.yaml\n"                   \
	"moved /etc/default/cloudflared 644 0 0 f0\n"

static int read_in(const char *rel, const char *text, mode_t mode, struct undo *u)
{
	char file[PATH_MAX];
	mkdir(at(rel), 0700);
	snprintf(file, sizeof file, "%s/manifest", rel);
	scratch_put(file, text, mode);
	*u = (struct undo){ 0 };
	return read_manifest(at(rel), u);
}

static void manifest(void)
{
	struct undo u;
	IS_INT(read_in("good", MANIFEST, 0600, &u), 0, "manifest: read");
	OK(!strcmp(u.unit, "cloudflared.service") && !strcmp(u.unit_en, "enabled") &&
	   !strcmp(u.unit_act, "active"), "... the unit, enabled and active as it was");
	OK(u.has_timer && !strcmp(u.timer_en, "enabled") && !strcmp(u.timer_act, "active"),
	   "... its update timer, as it was");
	OK(u.token && u.conns == 4 && !strcmp(u.lend, "/etc/cloudflared/config.yml"),
	   "... a token's tunnel, 4 connections, where its rules are lent");
	OK(u.nwrote == 2 && !strcmp(u.wrote[1], "/etc/argoweb/web.yaml"), "... the two files adopt wrote");
	OK(u.nmoved == 1 && !strcmp(u.moved[0].path, "/etc/default/cloudflared") &&
	   u.moved[0].mode == 0644 && !strcmp(u.moved[0].file, "f0"), "... the file it moved, and how it was");

	IS_INT(read_in("loose", MANIFEST, 0644, &u), -1, "manifest: readable by others: refused");
	IS_INT(read_in("nounit", "kind token\n", 0600, &u), -1, "manifest: no unit line: refused");
	read_in("odd", "unit a.service disabled inactive\nmoved etc/x 644 0 0 f0\n"
	        "moved /etc/x 644 0 0 ../f0\nlend relative\n", 0600, &u);
	OK(u.nmoved == 0 && !u.lend[0], "manifest: a relative path or a backup not fN: ignored");
	mkdir(at("open"), 0755);
	scratch_put("open/manifest", MANIFEST, 0600);
	IS_INT(read_manifest(at("open"), &u), -1, "manifest: in a directory others may read: refused");
}

int main(void)
{
	if (geteuid() != 0) {
		OK(1, "giveback # SKIP not root: a manifest is believed only when root's");
		return tap_done();
	}
	scratch_run("giveback", manifest);
	return tap_done();
}
