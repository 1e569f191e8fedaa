# NixOS module: services.argoWeb, Cloudflare Tunnels run by argoweb.
#
#   imports = [ ./path/to/argoweb/nix/module.nix ];
#   services.argoWeb.enable = true;
#
# Two ways to describe a tunnel, usable together:
#  - config = ./web.yaml: a hand-written argoweb/cloudflared config, as on
#    any other distribution (the classic setup);
#  - tunnels.<name> = { ... }: structured options, rendered to YAML by
#    nix/lib.nix and checked with `argoweb check --config-only` at build
#    time, so a mistake fails nixos-rebuild instead of the boot.
# Each tunnel NAME is a unit argoweb-NAME.service, started at boot, or with
# activeOnly = true part of argoweb-active.target, which the cluster manager
# of an active/standby pair starts on promotion. The secret is never in the
# Nix store, in argv or in an environment file: systemd copies it into
# $CREDENTIALS_DIRECTORY (LoadCredential=) for argoweb, which hands it to
# cloudflared in its environment.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption mkPackageOption mkIf types literalExpression
    mapAttrsToList nameValuePair optional optionals optionalAttrs concatLists hasPrefix;

  cfg = config.services.argoWeb;
  awlib = import ./lib.nix;
  json = pkgs.formats.json { };

  cloudflaredBin = "${cfg.cloudflaredPackage}/bin/cloudflared";

  # The build machine can run the package it builds (not when cross-compiling).
  canCheck = pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform;
  checkCmd = file:
    if canCheck then "${cfg.package}/bin/argoweb check --config-only ${file}"
    else "echo 'argoweb: cross-compiling: ${file} not checked at build time' >&2";

  # ... and not one another tunnel's units would take: argoweb-handover-NAME
  # and argoweb-apply-NAME are NAME's, NAME.handover its hand-over connector's.
  validName = n: builtins.match "[A-Za-z0-9_][A-Za-z0-9._-]{0,63}" n != null
    && builtins.match "(handover|apply)-.*|.*\\.handover" n == null;

  activeOnlyText = ''
    Run this tunnel on the active node of an active/standby pair only: its
    unit is wanted by and part of `argoweb-active.target`, which nothing
    starts at boot. The cluster manager (keepalived, Pacemaker, ...) runs
    `systemctl start argoweb-active.target` on promotion and
    `systemctl stop argoweb-active.target` on demotion.
  '';

  # ---- structured tunnels ----------------------------------------------------
  ruleModule = {
    options = {
      hostname = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "*.example.com";
        description = "Host name this rule matches; a wildcard only as a leading `*.`.";
      };
      path = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "^/api/";
        description = "Go (RE2) regular expression the request path must match.";
      };
      service = mkOption {
        type = types.str;
        example = "http://localhost:8080";
        description = ''
          Where matching requests go: `http`, `https`, `ws`, `wss`, `tcp`,
          `ssh`, `rdp`, `smb` URLs (`scheme://host[:port]`, no path),
          `unix:PATH`, `http_status:NNN`, `hello_world`, `bastion` or
          `socks-proxy`.
        '';
      };
      originRequest = mkOption {
        type = types.attrsOf json.type;
        default = { };
        example = { connectTimeout = "10s"; noTLSVerify = false; };
        description = "cloudflared's originRequest settings for this rule only (argoweb.yaml(5)).";
      };
    };
  };

  tunnelModule = { name, ... }: {
    options = {
      tunnel = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
        description = ''
          UUID or name of a locally-managed tunnel. Optional: the
          credentials JSON names its tunnel (`TunnelID`), and a name is
          replaced by that UUID anyway. Not with `tokenFile`.
        '';
      };
      credentialsFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/etc/argoweb/${name}.json";
        description = ''
          Path of the tunnel's credentials JSON (from `cloudflared tunnel
          create`), a string so that it is never copied into the Nix store;
          keep it root's, mode 0600. systemd hands it to the service
          (`LoadCredential=argoweb:PATH`). Exactly one of `credentialsFile`
          and `tokenFile`.
        '';
      };
      tokenFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/etc/argoweb/${name}.token";
        description = ''
          Path of a remotely-managed tunnel's token (from the dashboard), a
          string so that it is never copied into the Nix store; root's, mode
          0600. The token is never put on a command line.
        '';
      };
      ingress = mkOption {
        type = types.listOf (types.submodule ruleModule);
        default = [ ];
        example = literalExpression ''
          [
            { hostname = "ssh.example.com"; service = "ssh://localhost:22"; }
            { hostname = "*.example.com"; service = "http://localhost:8080"; }
          ]
        '';
        description = ''
          Ingress rules, matched in the order given: the first match wins, so
          `ssh.example.com` before `*.example.com`. A list on purpose (an
          attribute set would be sorted alphabetically). The catch-all
          (`default`) is added last; a tunnel with a token may leave this
          empty to use the rules set in the dashboard.
        '';
      };
      default = mkOption {
        type = types.str;
        default = "http_status:404";
        example = "http://localhost:8080";
        description = "Service for requests no rule matches (the last, catch-all rule).";
      };
      originRequest = mkOption {
        type = types.attrsOf json.type;
        default = { };
        example = { connectTimeout = "30s"; };
        description = "cloudflared's originRequest settings for every rule (argoweb.yaml(5)).";
      };
      health = mkOption {
        default = { };
        description = "argoweb's health monitor (what systemd's watchdog acts on).";
        type = types.submodule {
          options = {
            interval = mkOption {
              type = types.nullOr types.str;
              default = null;
              example = "5s";
              description = "How often the monitor asks cloudflared's /ready (argoweb's default: 5s).";
            };
            unhealthyAfter = mkOption {
              type = types.nullOr types.str;
              default = null;
              example = "60s";
              description = "No edge connection for this long: systemd restarts the tunnel (default: 60s).";
            };
          };
        };
      };
      activeOnly = mkOption {
        type = types.bool;
        default = false;
        description = activeOnlyText;
      };
      settings = mkOption {
        type = types.attrsOf json.type;
        default = { };
        example = { protocol = "quic"; loglevel = "info"; grace-period = "30s"; };
        description = ''
          Other keys of the config (argoweb.yaml(5)), checked by argoweb at
          build time: `protocol`, `edge-ip-version`, `grace-period`,
          `loglevel`, `metrics`, `warp-routing`, ... Not the keys the options
          above set, and never a secret.
        '';
      };
    };
  };

  # What nix/lib.nix renders for tunnel NAME.
  tunnelArgs = name: t: {
    inherit name;
    inherit (t) tunnel credentialsFile tokenFile ingress default originRequest health settings;
    cloudflared = cloudflaredBin;
    inherit (cfg) user group;
  };

  # A directory holding NAME.yaml: argoweb takes the instance name from the
  # file name, so the store path's hash does not become part of it.
  structuredDir = name: t:
    pkgs.runCommand "argoweb-${name}-config"
      {
        text = awlib.toYAML (tunnelArgs name t);
        passAsFile = [ "text" ];
        preferLocalBuild = true;
        allowSubstitutes = false;
      } ''
      mkdir -p "$out"
      cp "$textPath" "$out/${name}.yaml"
      ${checkCmd "\"$out/${name}.yaml\""}
    '';

  # ---- the classic config ----------------------------------------------------
  classicName = awlib.instanceName cfg.config;
  # A path literal or a store path can be read at build time: checked, and
  # completed with `cloudflared:` (NixOS has no /usr/bin/cloudflared) and
  # `user:` when it does not name them. Any other path (say
  # "/etc/argoweb/web.yaml", kept by hand) is run as it is.
  classicInStore = cfg.config != null
    && (builtins.isPath cfg.config || hasPrefix "${builtins.storeDir}/" (toString cfg.config));
  classicDir = pkgs.runCommand "argoweb-${classicName}-config"
    {
      src = cfg.config;
      preferLocalBuild = true;
      allowSubstitutes = false;
    } ''
    mkdir -p "$out"
    bash ${./complete-config.sh} "$src" "$out/${classicName}.yaml" \
      ${lib.escapeShellArg cloudflaredBin} ${lib.escapeShellArg cfg.user}
    ${checkCmd "\"$out/${classicName}.yaml\""}
  '';
  classicFile = if classicInStore then "${classicDir}/${classicName}.yaml" else toString cfg.config;

  # ---- units ------------------------------------------------------------------
  backoff = lib.versionAtLeast (lib.getVersion config.systemd.package) "254";
  stateUnderVarLib = hasPrefix "/var/lib/" cfg.dataDir;

  # The hardening of systemd/argoweb@.service, setting for setting.
  # handover: the second connector argoweb restart starts and stops
  # (argoweb-handover@.service's settings): never at boot, never restarted.
  # systemd/argoweb@.service's [Service] but what each unit here sets
  # itself: the program, user and group (the options), the credential (its
  # option's path, as systemd's credential argoweb), the runtime directory
  # (the tunnel's name, not %i), the state directory (dataDir) and
  # /etc/argoweb (made by tmpfiles, below). tests/system/140-nix.sh fails
  # when this file sets any other of the unit's directives itself.
  shippedService = removeAttrs (awlib.unitSection "Service" (builtins.readFile (../systemd + "/argoweb@.service")))
    [ "ExecStart" "User" "Group" "SetCredential" "LoadCredential" "RuntimeDirectory" "StateDirectory"
      "StateDirectoryMode" "ConfigurationDirectory" "ConfigurationDirectoryMode" ];
  # systemd >= 254's exponential back-off, from the drop-in the package
  # installs there.
  shippedBackoff = awlib.unitSection "Service" (builtins.readFile ../systemd/backoff.conf);

  mkUnit = name: { configFile, credentials, activeOnly, handover ? false }: {
    description = "Cloudflare Tunnel ${name}${lib.optionalString activeOnly ", on the active node only"}"
      + (if handover then ", hand-over connector (argoweb restart)" else " (argoweb)");
    documentation = [ "man:argoweb(1)" "man:argoweb.yaml(5)" ];
    after = [ "network-online.target" ];
    wants = [ "network-online.target" ];
    # argoweb-active.target (from the package) is started by the cluster
    # manager, never at boot.
    inherit (awlib.placement (activeOnly && !handover)) partOf;
    wantedBy = if handover then [ ] else (awlib.placement activeOnly).wantedBy;
    # Its hand-over connector never outlives it (argoweb restart's own
    # restart does not propagate: --job-mode=ignore-requirements).
    unitConfig = optionalAttrs (!handover) {
      PropagatesStopTo = "argoweb-handover-${name}.service";
    };
    # A changed config or package is handed over without a gap by
    # argoweb-apply-NAME (below), not restarted by the switch.
    restartIfChanged = handover;
    # Restart for ever with the tunnel's own back-off.
    startLimitIntervalSec = 0;
    # The shipped unit's [Service], directive for directive (the one
    # source: the sandbox, the watchdog, the restart policy); then what this
    # system sets otherwise.
    serviceConfig = shippedService // {
      ExecStart = "${cfg.package}/bin/argoweb run ${lib.optionalString handover "--handover "}${configFile}";
      User = cfg.user;
      Group = cfg.group;
      RuntimeDirectory = "argoweb/${name}${lib.optionalString handover ".handover"}";
    } // optionalAttrs handover {
      # As argoweb-handover@.service: never restarted, a shorter start, and
      # killed outright, argoweb restart leaves it at most this long.
      Restart = "no";
      TimeoutStartSec = "60s";
      RuntimeMaxSec = "10min";
    } // credentials
    // (if stateUnderVarLib then {
      StateDirectory = lib.removePrefix "/var/lib/" cfg.dataDir;
      StateDirectoryMode = "0700";
    } else {
      ReadWritePaths = [ cfg.dataDir ];
    })
    // optionalAttrs backoff shippedBackoff;
  };

  # A tunnel's three units: argoweb-NAME; argoweb-handover-NAME, the second
  # connector of argoweb restart; and argoweb-apply-NAME, which nixos-rebuild
  # switch reloads when the config or the package changed: its reload is
  # argoweb restart NAME, which checks the new config first and hands the
  # tunnel over with a connector registered throughout. (A reload of
  # argoweb-NAME itself could not wait on a restart of argoweb-NAME.)
  tunnelUnits = name: { configFile, credentials, activeOnly }: {
    "argoweb-${name}" = mkUnit name { inherit configFile credentials activeOnly; };
    "argoweb-handover-${name}" = mkUnit name { inherit configFile credentials activeOnly; handover = true; };
    "argoweb-apply-${name}" = {
      description = "Hand Cloudflare Tunnel ${name} over to a changed config or package (argoweb restart)";
      wantedBy = [ "multi-user.target" ];
      after = [ "argoweb-${name}.service" ];
      reloadTriggers = [ configFile cfg.package ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${pkgs.coreutils}/bin/true";
        # --if-running: a stopped tunnel stays stopped.
        # No credential: argoweb restart never reads it (the hand-over
        # connector's unit loads its own).
        ExecReload = "${pkgs.runtimeShell} -c '${pkgs.systemd}/bin/systemctl -q is-active argoweb-${name}.service || exit 0; exec ${cfg.package}/bin/argoweb restart ${name}'";
      };
    };
  };

  structuredUnits = lib.foldl' (acc: name: let t = cfg.tunnels.${name}; in acc // tunnelUnits name {
      configFile = "${structuredDir name t}/${name}.yaml";
      # $CREDENTIALS_DIRECTORY/argoweb: JSON or token, told apart by content.
      credentials.LoadCredential =
        optional (t.credentialsFile != null) "argoweb:${t.credentialsFile}"
        ++ optional (t.tokenFile != null) "argoweb:${t.tokenFile}";
      inherit (t) activeOnly;
    }) { } (lib.attrNames cfg.tunnels);

  # argoweb reads $CREDENTIALS_DIRECTORY/argoweb.json (argoweb.token) for a
  # config whose credentials-file (token-file) is exactly
  # /etc/argoweb/NAME.json (.token) or that names none; "absent" is the
  # shipped unit's word for "not this one" (src/creds.c).
  classicCredentials =
    if cfg.credentialsFile != null then { LoadCredential = [ "argoweb.json:${cfg.credentialsFile}" ]; }
    else if cfg.tokenFile != null then { LoadCredential = [ "argoweb.token:${cfg.tokenFile}" ]; }
    else {
      SetCredential = [ "argoweb.json:absent" "argoweb.token:absent" ];
      LoadCredential = [
        "argoweb.json:/etc/argoweb/${classicName}.json"
        "argoweb.token:/etc/argoweb/${classicName}.token"
      ];
    };

  classicUnits = lib.optionalAttrs (cfg.config != null) (tunnelUnits classicName {
    configFile = classicFile;
    credentials = classicCredentials;
    inherit (cfg) activeOnly;
  });

  # /etc/argoweb/NAME.yaml, so that `argoweb status NAME` and
  # `argoweb render NAME` work as on other systems.
  etcFiles = lib.mapAttrs' (name: t:
    nameValuePair "argoweb/${name}.yaml" { source = "${structuredDir name t}/${name}.yaml"; }) cfg.tunnels
    # (A config kept outside the store is linked there too: argoweb
    # restart, which the switch runs, restarts what /etc/argoweb names.)
    // optionalAttrs (cfg.config != null) {
      "argoweb/${classicName}.yaml".source = classicFile;
    };

  secretIsStore = p: p != null && hasPrefix "${builtins.storeDir}/" p;
in
{
  options.services.argoWeb = {
    enable = mkEnableOption "Cloudflare Tunnels run by argoweb";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = literalExpression "pkgs.callPackage ./nix/package.nix { }";
      description = "The argoweb package.";
    };

    cloudflaredPackage = mkPackageOption pkgs "cloudflared" { };

    user = mkOption {
      type = types.str;
      default = "argoweb";
      description = ''
        Service user of every tunnel (never root). The module creates the
        static system user `argoweb`; another name must exist already.
      '';
    };

    group = mkOption {
      type = types.str;
      default = "argoweb";
      description = "Group of the service user (created when it is `argoweb`).";
    };

    dataDir = mkOption {
      type = types.str;
      default = "/var/lib/argoweb";
      description = "Home and state directory of the service user (0700).";
    };

    config = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = literalExpression "./web.yaml";
      description = ''
        A hand-written argoweb config (any cloudflared config.yml is one:
        `tunnel`, `credentials-file`, `ingress` ending with
        `- service: http_status:404`). It runs as argoweb-NAME.service, NAME
        being the file's name without `.yaml`. A path in the Nix store (a
        path literal such as `./web.yaml`) is checked with
        `argoweb check --config-only` at build time and gets
        `cloudflared:` (this system's) and `user:` when it does not name
        them; any other path is run as it is, and must be readable by the
        service user.

        The secret: `credentials-file: /etc/argoweb/NAME.json`
        (`token-file: /etc/argoweb/NAME.token`), or none at all, takes
        /etc/argoweb/NAME.json (.token), root's and 0600, through systemd,
        as the shipped argoweb@.service does; `credentialsFile` or
        `tokenFile` names another place. The config holds no secret, so it
        may live in the store.
      '';
    };

    credentialsFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/argoweb-web.json";
      description = ''
        For `config`: where the credentials JSON is, if not
        /etc/argoweb/NAME.json. A string, never copied into the store.
        The config names `credentials-file: /etc/argoweb/NAME.json` or no
        credential at all.
      '';
    };

    tokenFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/run/secrets/argoweb-edge.token";
      description = ''
        For `config`: where the tunnel token is, if not
        /etc/argoweb/NAME.token. A string, never copied into the store.
      '';
    };

    activeOnly = mkOption {
      type = types.bool;
      default = false;
      description = "For `config`: " + activeOnlyText;
    };

    vrrpInstance = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "tunnel";
      description = ''
        Active/standby over keepalived: the name of the
        `services.keepalived.vrrpInstances` entry whose MASTER runs this
        machine's `activeOnly` tunnels. Its notify script becomes argoweb's
        (`libexec/argoweb/vrrp-notify` of the package, linked as
        /etc/argoweb/vrrp-notify): MASTER starts `argoweb-active.target`,
        any other state stops it, and keepalived's unit stops it too when
        keepalived ends, a crash included (a runtime ExecStopPost=). It
        must run as root: set no `keepalived_script` user. Use `noPreempt`
        and the same `state = "BACKUP"` on every node,
        so that a node coming back does not take the tunnel over.
        Replicas (the same tunnel serving from several machines at once)
        need none of this: give each machine the same tunnel.
      '';
    };

    tunnels = mkOption {
      type = types.attrsOf (types.submodule tunnelModule);
      default = { };
      example = literalExpression ''
        {
          web = {
            credentialsFile = "/etc/argoweb/web.json";
            ingress = [
              { hostname = "ssh.example.com"; service = "ssh://localhost:22"; }
              { hostname = "*.example.com"; service = "http://localhost:8080"; }
            ];
          };
        }
      '';
      description = ''
        Tunnels described in Nix, one argoweb-NAME.service each. Rendered
        to YAML (no secret and no credential path inside) and checked with
        `argoweb check --config-only` when the system is built.
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions =
      concatLists (mapAttrsToList (name: t:
        map (message: { assertion = false; inherit message; }) (awlib.problems (tunnelArgs name t))
        ++ [ {
          assertion = validName name;
          message = "services.argoWeb.tunnels.${name}: a tunnel name is letters, digits, '.', '_' and '-', at most 64, not starting with '.' or '-', nor with handover- or apply-, nor ending in .handover";
        } ]) cfg.tunnels)
      ++ optionals (cfg.config != null) [
        {
          assertion = validName classicName;
          message = "services.argoWeb.config: \"${classicName}\" (from the file name) is not a valid instance name: letters, digits, '.', '_' and '-'";
        }
        {
          assertion = !(cfg.tunnels ? ${classicName});
          message = "services.argoWeb: config and tunnels.${classicName} would both be argoweb-${classicName}.service";
        }
      ]
      ++ [
        {
          assertion = cfg.credentialsFile == null || cfg.tokenFile == null;
          message = "services.argoWeb: set credentialsFile or tokenFile, not both";
        }
        {
          assertion = (cfg.credentialsFile == null && cfg.tokenFile == null) || cfg.config != null;
          message = "services.argoWeb.credentialsFile and tokenFile are for `config`; a tunnel in `tunnels` has its own";
        }
        {
          assertion = !(secretIsStore cfg.credentialsFile || secretIsStore cfg.tokenFile);
          message = "services.argoWeb: the credential is in the Nix store, which every local user can read: keep it outside (root, 0600)";
        }
        {
          assertion = cfg.user != "root" && cfg.group != "root";
          message = "services.argoWeb: cloudflared never runs as root: keep user and group unprivileged";
        }
        {
          assertion = cfg.vrrpInstance == null || config.services.keepalived.enable;
          message = "services.argoWeb.vrrpInstance: set services.keepalived.enable and its vrrpInstances.${toString cfg.vrrpInstance}";
        }
      ];

    # keepalived.conf names a path that stays the same across argoweb's
    # upgrades: a store path there would restart keepalived (a failover)
    # at every switch that changes the package.
    services.keepalived.vrrpInstances = mkIf (cfg.vrrpInstance != null) {
      ${cfg.vrrpInstance}.extraConfig = ''
        notify /etc/argoweb/vrrp-notify
      '';
    };

    environment.systemPackages = [ cfg.package ];
    environment.etc = etcFiles // optionalAttrs (cfg.vrrpInstance != null) {
      "argoweb/vrrp-notify".source = "${cfg.package}/libexec/argoweb/vrrp-notify";
    };

    # The shipped templates too, for tunnels kept by hand in /etc/argoweb
    # (systemctl start argoweb@NAME, argoweb-active@NAME), and
    # argoweb-active.target.
    systemd.packages = [ cfg.package ];

    systemd.services = structuredUnits // classicUnits;

    systemd.tmpfiles.rules = [
      "d /etc/argoweb 0750 root ${cfg.group} -"
    ] ++ optional (!stateUnderVarLib) "d ${cfg.dataDir} 0700 ${cfg.user} ${cfg.group} -";

    users.users = mkIf (cfg.user == "argoweb") {
      argoweb = {
        isSystemUser = true;
        group = cfg.group;
        home = cfg.dataDir;
        description = "argoweb (Cloudflare Tunnel)";
      };
    };
    users.groups = mkIf (cfg.group == "argoweb") { argoweb = { }; };
  };
}
