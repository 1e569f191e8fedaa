#!/usr/bin/env python3
"""cloud-init, as far as argoweb's examples use it: for one user-data file,
prints a shell script doing what cloud-init would, stage by stage
(write_files, packages, write_files with defer, runcmd), placeholders
replaced by test values given as NAME=VALUE; `lint` instead checks the
example's shape, `package-files` lists the .deb files it installs.
Used by tests/system/130-cloud-init.sh and 170-multihost.sh."""
import base64, os, re, shlex, sys, yaml

mode, path = sys.argv[1], sys.argv[2]
subst = dict(a.split("=", 1) for a in sys.argv[3:])
doc = yaml.safe_load(open(path))

def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)

if mode == "package-files":
    print("\n".join(p for p in doc.get("packages", []) if str(p).startswith("/")))
    sys.exit(0)

if mode == "lint":
    problems = []
    run = yaml.safe_dump(doc.get("runcmd", []))
    for p in ("<", "TOKEN", "SECRET", "TUNNEL_", "--token", "--cred"):
        if p in run:
            problems.append("runcmd mentions %r" % p)
    for f in doc.get("write_files", []):
        owner = f.get("owner", "root:root")
        perms = f.get("permissions", "0644")
        if owner.split(":")[0] != "root" or owner.split(":")[-1] != "root":
            if not f.get("defer"):
                problems.append("%s belongs to %s but is not deferred" % (f["path"], owner))
        if f["path"].endswith((".json", ".token")) and (perms != "0600" or owner != "root:root"):
            problems.append("%s: a credential must be root:root 0600 (is %s %s)" % (f["path"], owner, perms))
    if not any("argoweb" in str(p) for p in doc.get("packages", [])):
        problems.append("no argoweb package in packages:")
    # Root installs what it finds at these paths: a world-writable
    # directory would let any user put the file there first.
    files = [p for p in doc.get("packages", []) if str(p).startswith("/")]
    for p in files:
        if p.startswith(("/tmp/", "/var/tmp/", "/dev/shm/", "/run/user/")):
            problems.append("%s: a package in a directory anyone may write" % p)
    # The commented-out bootcmd must download to where packages: reads,
    # after making that directory root's.
    text = open(path).read()
    made = re.findall(r"^#\s+- \[cloud-init-per, once, \S+, install, -d, .*?(/\S+)\]$", text, re.M)
    got = re.findall(r"^#\s+- \[cloud-init-per, once, \S+, curl, .*?-o, (/[^,]+),", text, re.M)
    if sorted(got) != sorted(files):
        problems.append("bootcmd downloads %s, packages: installs %s" % (got, files))
    if any(os.path.dirname(p) not in made for p in got):
        problems.append("bootcmd downloads into a directory it does not make root's first: %s" % got)
    # A new tunnel is enabled and started; an existing one taken over; or
    # one node of an active/standby pair enabled, for its MASTER to start.
    if not any(c[:3] == ["systemctl", "enable", "--now"] or c[:3] == ["argoweb", "adopt", "--apply"]
               or (c[:2] == ["systemctl", "enable"] and str(c[2:3]).startswith("['argoweb-active@"))
               for c in doc.get("runcmd", []) if isinstance(c, list)):
        problems.append("neither systemctl enable --now, enable argoweb-active@ nor argoweb adopt --apply in runcmd")
    print("\n".join(problems))
    sys.exit(1 if problems else 0)

def content(f):
    data = f.get("content", "")
    enc = f.get("encoding", "text")
    if enc in ("b64", "base64"):
        data = base64.b64decode(data).decode()
    elif enc not in ("text", "text/plain"):
        fail("%s: encoding %s is not supported by this driver" % (f["path"], enc))
    for k, v in subst.items():
        data = data.replace(k, v)
    if "<" in data and ">" in data.split("<", 1)[1]:
        fail("%s: a placeholder is left: %s" % (f["path"], data))
    return data.encode()

def write_files(deferred):
    out = []
    for f in doc.get("write_files", []):
        if bool(f.get("defer", False)) != deferred:
            continue
        p = shlex.quote(f["path"])
        b = base64.b64encode(content(f)).decode()
        op = ">>" if f.get("append") else ">"
        # As cloud-init: parents 0755, the content, then owner, then mode;
        # the first failure ends the stage.
        out.append("mkdir -p \"$(dirname %s)\" || exit 1" % p)
        out.append("echo %s | base64 -d %s %s || exit 1" % (b, op, p))
        out.append("chown %s %s || exit 1" % (shlex.quote(f.get("owner", "root:root")), p))
        out.append("chmod %s %s || exit 1" % (shlex.quote(str(f.get("permissions", "0644"))), p))
    return out

stage = {
    "write_files": lambda: write_files(False),
    # cloud-init's own command (distros/debian.py), without its apt-get
    # update (the test bed has no network; the .debs are local files).
    "packages": lambda: ["DEBIAN_FRONTEND=noninteractive apt-get --option=Dpkg::Options::=--force-confold "
                         "--option=Dpkg::options::=--force-unsafe-io --assume-yes --quiet install "
                         + " ".join(shlex.quote(p) for p in doc.get("packages", []))] if doc.get("packages") else [],
    "write_files_deferred": lambda: write_files(True),
    # runcmd becomes a shell script, one line per entry, run without -e.
    "runcmd": lambda: [" ".join(shlex.quote(a) for a in c) if isinstance(c, list) else c
                       for c in doc.get("runcmd", [])],
}[mode]
print("\n".join(stage()))
