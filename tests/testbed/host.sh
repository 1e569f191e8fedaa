# What the booted tests ask of the test bed from the host (testbed.sh
# sources this): a unit's state as its systemd has it, and cf-edge's
# control API, edge N answering on 127.0.N.1:9999 inside (N 0: 127.0.0.1).
# Inside the test bed, inside.sh asks the same of argoweb@NAME.

# tb_prop UNIT PROPERTY: its value only
tb_prop() { tb_exec systemctl show -p "$2" --value "$1"; }
# tb_state UNIT: ActiveState/SubState, e.g. active/running
tb_state() { echo "$(tb_prop "$1" ActiveState)/$(tb_prop "$1" SubState)"; }
# tb_is_status UNIT TEXT: its StatusText= is TEXT
tb_is_status() { [ "$(tb_prop "$1" StatusText)" = "$2" ]; }
# tb_connected UNIT N: READY's StatusText, with N edge connections (a
# token tunnel's says which configuration it serves after a "; ")
tb_connected() {
	case $(tb_prop "$1" StatusText) in
	"Connected: $2 edge connections" | "Connected: $2 edge connections; "*) return 0 ;;
	esac
	return 1
}
# tb_why UNIT: what systemctl status and the journal say of it, as TAP comments
tb_why() {
	tb_exec systemctl status --no-pager --lines=0 "$1" 2>&1 | grep -E "Active:|Process:|Status:" | show
	tb_exec journalctl -b -u "$1" --no-pager -o cat 2>&1 | grep -v '^\s' | tail -n 8 | show
}
# tb_h FUNCTION ARG...: a function of the test's own /testbed/h.sh, inside
tb_h() { tb_exec /bin/sh -c '. /testbed/h.sh; "$@"' h "$@"; }
# tb_no_user: the test bed has no user argoweb (before the package, after its purge)
tb_no_user() { ! tb_exec id argoweb >/dev/null 2>&1; }

# edge_ctl N PATH [curl-args...]: edge N's control API
edge_ctl() {
	_n=$1 _p=$2
	shift 2
	nsenter -t "$TB_PID1" -n curl -s -m 90 "$@" "http://127.0.$_n.1:9999$_p"
}
# edge_live N [TUNNEL]: how many connections edge N has registered (for TUNNEL)
edge_live() { edge_ctl "$1" "/connections?live=1${2:+&tunnel=$2}" | grep -c '"registered": true'; }
# edge_load N SECONDS FILE: 20 requests a second for www.example.com through
# edge N, in the background (LOADPID); its answer (JSON) into FILE
edge_load() {
	edge_ctl "$1" "/load?host=www.example.com&path=/load&rps=20&seconds=$2&timeout=20s" >"$3" &
	LOADPID=$!
}
# edge_eyeball N HOST PATH [TUNNEL] -> "STATUS BODY": one request through
# edge N (to TUNNEL), as a visitor's
edge_eyeball() {
	edge_ctl "$1" "/proxy?host=$2&path=$3&raw=1${4:+&tunnel=$4}" -o "$T/eyeball.$1.body" \
		-D "$T/eyeball.$1.hdr"
	echo "$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$T/eyeball.$1.hdr") $(cat "$T/eyeball.$1.body" 2>/dev/null)"
}
# load_field FILE KEY: a number from a /load answer (errors.KEY too; a
# map, its size); ? when there is none
load_field() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
k = sys.argv[2]
v = d.get("errors", {}).get(k[7:], 0) if k.startswith("errors.") else d.get(k)
v = len(v) if isinstance(v, dict) else v
print(0 if v is None else v)' "$1" "$2" 2>/dev/null || echo "?"
}
# load_summary FILE: one line of a /load answer
load_summary() {
	echo "sent $(load_field "$1" sent), ok $(load_field "$1" ok), no connector $(load_field "$1" no_connector), connection closed $(load_field "$1" errors.connection_closed), failed $(load_field "$1" failed), longest gap $(load_field "$1" longest_gap_ms) ms"
}
