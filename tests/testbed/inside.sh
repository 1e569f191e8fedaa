# Helpers that run inside a booted test bed (110, 120 and tb_real_copy_in
# copy this file and tests/waitfor.sh to /testbed), where lib.sh is not:
# the state of argoweb@NAME as systemd has it, and the test's own units.

# prop NAME PROPERTY: argoweb@NAME.service's property, its value only
prop() { systemctl show -p "$2" --value "argoweb@$1.service"; }
. /testbed/waitfor.sh
state() { echo "$(prop "$1" ActiveState)/$(prop "$1" SubState)"; }
is_active() { [ "$(state "$1")" = active/running ]; }
# is_connected NAME [N]: READY's status, Connected (with N edge connections;
# a token tunnel's says which configuration it serves after a "; ")
is_connected() {
	_st=$(prop "$1" StatusText)
	if [ -z "${2:-}" ]; then
		case $_st in Connected:*) return 0 ;; esac
		return 1
	fi
	case $_st in "Connected: $2 edge connections" | "Connected: $2 edge connections; "*) return 0 ;; esac
	return 1
}
# simple_unit NAME DESCRIPTION COMMAND...: /etc/systemd/system/NAME.service
# running COMMAND, wanted by multi-user.target (a test's edges and origin)
simple_unit() {
	_un=$1 _ud=$2
	shift 2
	printf '[Unit]\nDescription=%s\n[Service]\nExecStart=%s\n[Install]\nWantedBy=multi-user.target\n' \
		"$_ud" "$*" >"/etc/systemd/system/$_un.service"
}
