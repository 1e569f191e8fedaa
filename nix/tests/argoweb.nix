# NixOS VM test of nix/module.nix, with the test suite's stand-in cloudflared
# (tests/fake-cloudflared.c: /ready, sd_notify READY=1, a connection
# schedule), as tests/system/110-systemd.sh does for argoweb@.service under
# systemd-nspawn. Cloudflare's edge is never contacted.
#
#   nix-build nix/tests/argoweb.nix                       # <nixpkgs> from NIX_PATH
#   nix-build nix/tests/argoweb.nix --arg pkgs 'import /path/to/nixpkgs { }'
#   nix-build nix/tests/argoweb.nix -A driverInteractive  # then ./result/bin/nixos-test-driver
#
# Two machines, because the stand-in's behaviour (its control file) belongs
# to its binary and cloudflaredPackage is one per machine:
#  - machine: a structured tunnel with a credentials JSON (web), one with a
#    token (edge), a classic hand-written config (mytunnel), and a config
#    error through the shipped argoweb@.service template (broken);
#  - flaky: a tunnel whose edge connections drop, for the watchdog.
# The secrets are made up at run time by the test script, so none of them
# can be in the Nix store; the script checks argv, the environment systemd
# shows, the unit files, the rendered config and the journal.
{ pkgs ? import <nixpkgs> { } }:

let
  inherit (pkgs) lib;

  # The stand-in, with its control file beside the binary (it reads
  # /proc/self/exe's directory; argoweb passes it no environment of ours).
  fakeCloudflared = name: control: pkgs.stdenv.mkDerivation {
    pname = "fake-cloudflared-${name}";
    version = "0";
    src = ../../tests/fake-cloudflared.c;
    dontUnpack = true;
    strictDeps = true;
    nativeBuildInputs = [ pkgs.pkg-config ];
    buildInputs = [ pkgs.libyaml ];
    buildPhase = ''
      runHook preBuild
      $CC -std=gnu11 -O2 -Wall -o cloudflared "$src" $(pkg-config --cflags --libs yaml-0.1)
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      install -D -m 0755 cloudflared "$out/bin/cloudflared"
      printf '%s\n' ${lib.escapeShellArg control} >"$out/bin/fake-cloudflared.conf"
      runHook postInstall
    '';
    meta.mainProgram = "cloudflared";
  };

  # Every unit is started by the test script, once the secrets exist.
  noAutostart = names: lib.genAttrs names (n: { wantedBy = lib.mkForce [ ]; });

  classicConfig = pkgs.writeText "mytunnel.yaml" ''
    # The classic hand-written config (examples/classic.yaml): no
    # cloudflared:, no user: (the module adds this system's).
    tunnel: mytunnel
    credentials-file: /etc/argoweb/mytunnel.json
    ingress:
      - hostname: example.com
        service: https://localhost:4430
      - service: http_status:404
  '';
in
pkgs.testers.runNixOSTest {
  name = "argoweb";

  nodes.machine = { ... }: {
    imports = [ ../module.nix ];
    services.argoWeb = {
      enable = true;
      cloudflaredPackage = fakeCloudflared "steady" "schedule=0@0 4@500";
      config = classicConfig;
      tunnels.web = {
        credentialsFile = "/etc/argoweb/web.json";
        ingress = [
          { hostname = "ssh.example.com"; service = "ssh://localhost:22"; }
          { hostname = "*.example.com"; service = "http://localhost:8080"; }
        ];
        health = { interval = "1s"; unhealthyAfter = "10s"; };
      };
      tunnels.edge = {
        tokenFile = "/etc/argoweb/edge.token";
        settings.loglevel = "info";
      };
    };
    systemd.services = noAutostart [ "argoweb-web" "argoweb-edge" "argoweb-mytunnel" ];
  };

  nodes.flaky = { ... }: {
    imports = [ ../module.nix ];
    services.argoWeb = {
      enable = true;
      # 4 connections from 1 s, none from 6 s; the monitor gives up 3 s later.
      cloudflaredPackage = fakeCloudflared "flaky" "schedule=0@0 4@1000 0@6000";
      tunnels.wd = {
        credentialsFile = "/etc/argoweb/wd.json";
        ingress = [ { hostname = "www.example.com"; service = "http://localhost:8080"; } ];
        health = { interval = "1s"; unhealthyAfter = "3s"; };
      };
    };
    systemd.services = noAutostart [ "argoweb-wd" ];
  };

  testScript = ''
    import base64
    import json
    import os

    UUID = "6ff42ae2-765d-4adf-8112-31c55c1551ef"
    ACCOUNT = "0123456789abcdef0123456789abcdef"
    # Made up now: a secret found anywhere below cannot have come from the store.
    SECRET = base64.b64encode(os.urandom(32)).decode()
    CRED = json.dumps({"AccountTag": ACCOUNT, "TunnelSecret": SECRET, "TunnelID": UUID})
    TOKEN = base64.b64encode(
        json.dumps({"a": ACCOUNT, "t": UUID, "s": SECRET}).encode()
    ).decode()
    # What a leak would show: the tunnel secret, or the whole token.
    NEEDLES = [SECRET, TOKEN]


    def put_secret(m, path, content):
        m.succeed(f"install -m 0600 /dev/null {path} && printf '%s\\n' '{content}' >{path}")


    def show(m, unit, prop):
        return m.succeed(f"systemctl show -p {prop} --value {unit}").strip()


    def connected(m, unit, count=4):
        m.wait_until_succeeds(
            f"test \"$(systemctl show -p StatusText --value {unit})\" = 'Connected: {count} edge connections'",
            timeout=30,
        )


    def no_secret_in(m, what):
        for n in NEEDLES:
            m.fail(f"{what} | grep -qF -- '{n}'")


    start_all()
    machine.wait_for_unit("multi-user.target")
    flaky.wait_for_unit("multi-user.target")

    with subtest("the static service user and /etc/argoweb"):
        machine.succeed("id argoweb")
        machine.succeed("test \"$(stat -c '%a %U %G' /etc/argoweb)\" = '750 root argoweb'")

    # A test VM's /nix/store is an overlay that only nix-daemon would turn
    # into what every NixOS system has: root:nixbld, mode 1775. argoweb
    # checks cloudflared's parent directories, so give it the real thing.
    for m in [machine, flaky]:
        m.succeed("chgrp nixbld /nix/store && chmod 1775 /nix/store")

    put_secret(machine, "/etc/argoweb/web.json", CRED)
    put_secret(machine, "/etc/argoweb/mytunnel.json", CRED)
    put_secret(machine, "/etc/argoweb/edge.token", TOKEN)
    put_secret(flaky, "/etc/argoweb/wd.json", CRED)

    with subtest("a structured tunnel (credentials JSON): READY and Connected"):
        machine.succeed("systemctl start argoweb-web.service")  # Type=notify: returns at READY=1
        machine.wait_for_unit("argoweb-web.service")
        connected(machine, "argoweb-web.service")
        machine.succeed("argoweb status web | grep -qx 'web: connected, 4 edge connections'")

    with subtest("cloudflared runs as argoweb without privilege"):
        pid = show(machine, "argoweb-web.service", "MainPID")
        uid = machine.succeed("id -u argoweb").strip()
        machine.succeed(f"grep -qP '^Uid:\\t{uid}\\t{uid}\\t{uid}\\t{uid}$' /proc/{pid}/status")
        for cap in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]:
            machine.succeed(f"grep -qP '^{cap}:\\t0000000000000000$' /proc/{pid}/status")
        machine.succeed(f"grep -qP '^NoNewPrivs:\\t1$' /proc/{pid}/status")

    with subtest("the secret: in cloudflared's environment only"):
        pid = show(machine, "argoweb-web.service", "MainPID")
        machine.succeed(f"tr '\\0' '\\n' </proc/{pid}/environ | grep -qx 'TUNNEL_CRED_CONTENTS=.*{SECRET}.*'")
        no_secret_in(machine, f"tr '\\0' ' ' </proc/{pid}/cmdline")
        no_secret_in(machine, "systemctl show argoweb-web.service")
        no_secret_in(machine, "cat /etc/systemd/system/argoweb-web.service")
        no_secret_in(machine, "cat /etc/argoweb/web.yaml /run/argoweb/web/config.yml")
        machine.fail("grep -q 'web.json' /etc/argoweb/web.yaml /run/argoweb/web/config.yml")
        machine.succeed("grep -qx 'LoadCredential=argoweb:/etc/argoweb/web.json' /etc/systemd/system/argoweb-web.service")

    with subtest("ingress order is kept and the catch-all is last"):
        machine.succeed(
            "grep -o 'ssh.example.com\\|\\*.example.com\\|http_status:404' /run/argoweb/web/config.yml"
            " | tr '\\n' ' ' | grep -qx 'ssh.example.com \\*.example.com http_status:404 '"
        )

    with subtest("a token tunnel: LoadCredential=, never argv"):
        machine.succeed("systemctl start argoweb-edge.service")
        connected(machine, "argoweb-edge.service")
        pid = show(machine, "argoweb-edge.service", "MainPID")
        machine.succeed(f"tr '\\0' '\\n' </proc/{pid}/environ | grep -qx 'TUNNEL_TOKEN={TOKEN}'")
        no_secret_in(machine, f"tr '\\0' ' ' </proc/{pid}/cmdline")
        no_secret_in(machine, "systemctl show argoweb-edge.service")
        machine.succeed("grep -qx 'LoadCredential=argoweb:/etc/argoweb/edge.token' /etc/systemd/system/argoweb-edge.service")

    with subtest("the classic config: /etc/argoweb/mytunnel.json through systemd"):
        machine.succeed("systemctl start argoweb-mytunnel.service")
        connected(machine, "argoweb-mytunnel.service")
        machine.succeed("argoweb status mytunnel | grep -qx 'mytunnel: connected, 4 edge connections'")

    with subtest("the exposure of the module's units"):
        for u in ["argoweb-web", "argoweb-edge", "argoweb-mytunnel"]:
            machine.succeed(f"systemd-analyze security --threshold=13 {u}.service")

    with subtest("a config error: 78/CONFIG once, no restart loop"):
        machine.succeed(
            "printf '%s\\n' 'ingress:' '  - hostname: www.example.com' '    service: htps://localhost:9000'"
            " '  - service: http_status:404' >/etc/argoweb/broken.yaml"
            " && chown root:argoweb /etc/argoweb/broken.yaml && chmod 0640 /etc/argoweb/broken.yaml"
        )
        machine.fail("systemctl start argoweb@broken.service")
        machine.succeed("test \"$(systemctl show -p ExecMainStatus --value argoweb@broken.service)\" = 78")
        machine.succeed("journalctl -u argoweb@broken.service -o cat | grep -q '^argoweb: /etc/argoweb/broken.yaml:3:'")
        machine.sleep(8)  # RestartSec=5s has passed
        machine.succeed("test \"$(systemctl show -p NRestarts --value argoweb@broken.service)\" = 0")
        machine.succeed("test \"$(systemctl show -p ActiveState --value argoweb@broken.service)\" = failed")

    with subtest("the watchdog restarts a tunnel whose connections drop"):
        flaky.succeed("systemctl start argoweb-wd.service")
        connected(flaky, "argoweb-wd.service")
        pid0 = show(flaky, "argoweb-wd.service", "MainPID")
        flaky.wait_until_succeeds(
            "test \"$(systemctl show -p NRestarts --value argoweb-wd.service)\" -ge 1", timeout=60
        )
        flaky.succeed("journalctl -u argoweb-wd.service -o cat | grep -q 'No edge connection for'")
        flaky.succeed("journalctl -u argoweb-wd.service -o cat | grep -q \"Failed with result 'watchdog'\"")
        flaky.wait_for_unit("argoweb-wd.service")
        flaky.wait_until_succeeds(
            f"test \"$(systemctl show -p MainPID --value argoweb-wd.service)\" != {pid0}", timeout=30
        )

    with subtest("no secret in the journal"):
        no_secret_in(machine, "journalctl -b -o cat")
        no_secret_in(flaky, "journalctl -b -o cat")
  '';
}
