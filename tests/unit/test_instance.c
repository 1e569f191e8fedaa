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
	OK(inst_reserved("web.handover") && !inst_reserved("web") && !inst_reserved(".handover") &&
	   !inst_reserved("web.handover.x"), "reserved: NAME.handover only");
	return tap_done();
}
