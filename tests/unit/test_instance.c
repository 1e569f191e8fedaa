/* instance.c: the names of one tunnel, each worked out once. */
#include "../../src/instance.c"

#include "tap.h"

int main(void)
{
	char out[64], tiny[8];
	IS_INT(inst_config("web", out, sizeof out), 0, "config: fits");
	IS_STR(out, "/etc/argoweb/web.yaml", "config: /etc/argoweb/NAME.yaml");
	IS_INT(inst_unit("web", out, sizeof out), 0, "unit: fits");
	IS_STR(out, "argoweb@web.service", "unit: argoweb@NAME.service");
	inst_connector("web", 0, out, sizeof out);
	IS_STR(out, "web", "connector: the tunnel's own is NAME");
	inst_connector("web", 1, out, sizeof out);
	IS_STR(out, "web.handover", "connector: the hand-over connector's is NAME.handover");
	inst_rundir("web", 0, out, sizeof out);
	IS_STR(out, "/run/argoweb/web", "rundir: /run/argoweb/NAME");
	inst_rundir("web", 1, out, sizeof out);
	IS_STR(out, "/run/argoweb/web.handover", "rundir: the hand-over connector's apart");
	inst_restart_lock("web", out, sizeof out);
	IS_STR(out, "/run/argoweb/web.restart", "restart lock: /run/argoweb/NAME.restart");
	inst_kept_rules("web", out, sizeof out);
	IS_STR(out, "web.remote.yaml", "kept rules: NAME.remote.yaml");
	IS_INT(inst_config("web", tiny, sizeof tiny), -1, "a name that does not fit: -1");
	IS_INT(inst_unit("web", tiny, sizeof tiny), -1, "... for the unit too");
	/* The units that may run a tunnel, each with its hand-over connector:
	 * the shipped unit, an active/standby node's, NixOS's. */
	static const char *const want[][2] = {
		{ "argoweb@web.service", "argoweb-handover@web.service" },
		{ "argoweb-active@web.service", "argoweb-handover@web.service" },
		{ "argoweb-web.service", "argoweb-handover-web.service" },
	};
	char helper[64];
	size_t k = 0;
	for (; !inst_unit_kind("web", k, out, sizeof out, helper, sizeof helper); k++)
		OK(k < 3 && !strcmp(out, want[k][0]) && !strcmp(helper, want[k][1]),
		   "unit kind %zu: %s, its hand-over connector %s", k, out, helper);
	IS_INT(k, 3, "unit kinds: three, then -1");
	IS_INT(inst_unit_kind("web", 0, out, sizeof out, NULL, 0), 0, "unit kind: no helper asked");
	IS_INT(inst_unit_kind("web", 0, out, sizeof out, tiny, sizeof tiny), -1,
	       "unit kind: a helper name that does not fit: -1");
	OK(inst_reserved("web.handover") && !inst_reserved("web") && !inst_reserved(".handover") &&
	   !inst_reserved("web.handover.x"), "reserved: NAME.handover only");
	return tap_done();
}
