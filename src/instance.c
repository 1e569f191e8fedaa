/* instance: see instance.h. */
#include <stdio.h>
#include <string.h>

#include "instance.h"

static int fits(int len, size_t n)
{
	return len >= 0 && (size_t)len < n ? 0 : -1;
}

int inst_config(const char *name, char *out, size_t n)
{
	return fits(snprintf(out, n, "%s/%s.yaml", ARGOWEB_CONFDIR, name), n);
}

/* prefix, separator of the unit that runs the tunnel; its hand-over
 * connector's. The first is the shipped unit's. */
static const char *const kinds[][3] = {
	{ "argoweb", "@", "argoweb-handover@" },
	{ "argoweb-active", "@", "argoweb-handover@" },
	{ "argoweb", "-", "argoweb-handover-" },
};

int inst_unit(const char *name, char *out, size_t n)
{
	return inst_unit_kind(name, 0, out, n, NULL, 0);
}

int inst_unit_kind(const char *name, size_t kind, char *unit, size_t n, char *helper, size_t hn)
{
	if (kind >= sizeof kinds / sizeof *kinds)
		return -1;
	int rc = fits(snprintf(unit, n, "%s%s%s.service", kinds[kind][0], kinds[kind][1], name), n);
	if (!rc && helper)
		rc = fits(snprintf(helper, hn, "%s%s.service", kinds[kind][2], name), hn);
	return rc;
}

int inst_connector(const char *name, int handover, char *out, size_t n)
{
	return fits(snprintf(out, n, "%s%s", name, handover ? INST_HANDOVER : ""), n);
}

int inst_rundir(const char *name, int handover, char *out, size_t n)
{
	return fits(snprintf(out, n, "%s/%s%s", ARGOWEB_RUNDIR, name, handover ? INST_HANDOVER : ""), n);
}

int inst_restart_lock(const char *name, char *out, size_t n)
{
	return fits(snprintf(out, n, "%s/%s.restart", ARGOWEB_RUNDIR, name), n);
}

int inst_kept_rules(const char *name, char *out, size_t n)
{
	return fits(snprintf(out, n, "%s.remote.yaml", name), n);
}

int inst_reserved(const char *name)
{
	size_t len = strlen(name), sl = sizeof INST_HANDOVER - 1;
	return len > sl && !strcmp(name + len - sl, INST_HANDOVER);
}
