# argoweb for Nixpkgs: `pkgs.callPackage ./nix/package.nix { }`.
{ lib
, stdenv
, pkg-config
, libyaml
, libcap
, systemd
}:

let
  root = ../.;
  # The version is the Makefile's, so that the two never disagree.
  version = builtins.head (builtins.match ".*\nVERSION[[:space:]]*:=[[:space:]]*([^\n[:space:]]+).*"
    (builtins.readFile (root + "/Makefile")));
  # The checkout without what is not source: build output, Nix results, the
  # Nix files themselves (editing the module must not rebuild the binary),
  # and a worktree's .git file.
  excluded = [ "build" "nix" "flake.nix" "flake.lock" ".git" ".github" ];
  src = lib.cleanSourceWith {
    name = "argoweb-source";
    src = lib.cleanSource root;
    filter = path: type:
      let rel = lib.removePrefix (toString root + "/") (toString path);
      in !(lib.elem rel excluded) && !(lib.hasPrefix "result" (baseNameOf path));
  };
in
stdenv.mkDerivation {
  pname = "argoweb";
  inherit version src;

  strictDeps = true;
  enableParallelBuilding = true;

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ libyaml libcap systemd ];

  postPatch = ''
    patchShebangs tests examples
  '';

  makeFlags = [
    "PREFIX=$(out)"
    "UNITDIR=$(out)/lib/systemd/system"
    "SYSUSERSDIR=$(out)/lib/sysusers.d"
    "TMPFILESDIR=$(out)/lib/tmpfiles.d"
    # RestartSteps=/RestartMaxDelaySec= (backoff.conf) from systemd 254 on.
    "SYSTEMD_VERSION=${lib.versions.major systemd.version}"
    # The health monitor dlopen()s sd_notify's library; NixOS has no
    # library search path to find it by name.
    "LIBSYSTEMD=${lib.getLib systemd}/lib/libsystemd.so.0"
    # A newer compiler's new warnings must not break a distribution build;
    # the project's own CI keeps -Werror.
    "WERROR="
  ];

  # The unit-level tests (the system tests need root, systemd and a network
  # namespace; nix/tests/argoweb.nix runs the module in a VM instead).
  doCheck = true;
  checkTarget = "check-unit";

  meta = {
    description = "Launcher for Cloudflare Tunnel's cloudflared: checked config, guarded secret, no privilege, real health";
    longDescription = ''
      argoweb reads /etc/argoweb/NAME.yaml (a superset of cloudflared's
      config.yml), refuses anything wrong with file:line:col and the fix,
      checks the tunnel's credential, renders cloudflared's own config and
      execs cloudflared without privilege, with the secret in its
      environment and never in its argv. A health monitor tells systemd
      whether the tunnel really has edge connections (READY, STATUS,
      watchdog).
    '';
    homepage = "https://example.invalid/argoweb"; # placeholder until the project is published
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "argoweb";
    maintainers = [ ];
  };
}
