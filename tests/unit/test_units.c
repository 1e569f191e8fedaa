/* units.c: systemctl as a child (its first line, its exit status, -1
 * when it cannot be run), systemd's timespans read as systemctl show
 * writes them, and the unit that runs a tunnel found among the kinds
 * instance.c names. systemctl is a stand-in on PATH. */
#include "../../src/units.c"

#include "tap.h"
#include "scratch.h"

static void timespans(void)
{
	long long ms = -1;
	OK(!units_timespan_ms("3min 20s", &ms) && ms == 200000, "3min 20s: 200 000 ms");
	OK(!units_timespan_ms("1min 30.500000s", &ms) && ms == 90500, "1min 30.500000s: 90 500 ms");
	OK(!units_timespan_ms("500ms", &ms) && ms == 500, "500ms");
	OK(!units_timespan_ms("1h 1us", &ms) && ms == 3600000, "1h 1us: microseconds round down");
	OK(!units_timespan_ms("infinity", &ms) && ms > 1LL << 61, "infinity: longer than any grace period");
	IS_INT(units_timespan_ms("", &ms), -1, "empty: -1");
	IS_INT(units_timespan_ms("5x", &ms), -1, "an unknown unit: -1");
	IS_INT(units_timespan_ms("-1s", &ms), -1, "negative: -1");
}

static void running(void)
{
	/* Only argoweb-active@web is active; show prints its first line. */
	scratch_stub("systemctl", "#!/bin/sh\n"
	             "case \"$*\" in\n"
	             "*'is-active --quiet argoweb-active@web.service') exit 0;;\n"
	             "*is-active*) exit 3;;\n"
	             "*show*) printf 'first\\nsecond\\n'; exit 0;;\n"
	             "esac\nexit 1\n");
	struct config c = { .name = "web" };
	char unit[128], helper[128], out[64];
	IS_INT(units_running(&c, unit, sizeof unit, helper, sizeof helper), 0, "running: found");
	IS_STR(unit, "argoweb-active@web.service", "... the active/standby node's unit");
	IS_STR(helper, "argoweb-handover@web.service", "... and its hand-over connector");
	c.name = "other";
	IS_INT(units_running(&c, unit, sizeof unit, NULL, 0), 1, "running: none: 1");
	const char *show[] = { "show", "-p", "X", NULL };
	IS_INT(units_systemctl(out, sizeof out, show), 0, "systemctl: its exit status");
	IS_STR(out, "first", "... its first line only");
	setenv("PATH", at("nowhere"), 1);
	IS_INT(units_systemctl(out, sizeof out, show), -1, "no systemctl: -1");
	IS_INT(units_running(&c, unit, sizeof unit, NULL, 0), -1, "running: no systemctl: -1");
}

int main(void)
{
	timespans();
	scratch_run("units", running);
	return tap_done();
}
