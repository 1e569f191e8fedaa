# argoweb's config generation for Nix, with builtins only (no Nixpkgs), so
# that it can be tested anywhere with `nix-instantiate --eval` and `nix eval`
# (tests/system/140-nix.sh) and used by nix/module.nix.
#
#   render t       the argoweb config (an attribute set) for tunnel t
#   toYAML t       that config as YAML text (block style, JSON scalars)
#   problems t     what is wrong with t, as a list of messages (the module's
#                  assertions); [ ] when nothing is
#   checked t      t, or an error with the first of its problems
#   instanceName p the instance name argoweb derives from a config's file name
#   placement a    wantedBy and partOf of a tunnel's unit: multi-user.target,
#                  or with a = true (activeOnly) argoweb-active.target
#   unitSection s text  section s of a unit file's text, as an attribute set
#                  (the module takes argoweb@.service's [Service] from it)
#
# A tunnel t, as nix/module.nix's tunnels.<name> gives it (missing attributes
# take the module's defaults):
#   { name, tunnel ? null, credentialsFile ? null, tokenFile ? null,
#     ingress ? [ ], default ? "http_status:404", originRequest ? { },
#     health ? { }, settings ? { }, cloudflared, user ? "argoweb",
#     group ? "argoweb" }
# An ingress rule: { hostname ? null, path ? null, service, originRequest ? { } }.
#
# Nothing secret is rendered: neither credentialsFile nor tokenFile appears in
# the config. systemd hands the secret over (LoadCredential=argoweb:PATH) and
# argoweb reads $CREDENTIALS_DIRECTORY/argoweb, JSON or token by its content.
let
  inherit (builtins) attrNames concatStringsSep elem filter genList head isAttrs isBool
    isFloat isInt isList isPath isString length listToAttrs match sort substring tail toJSON;

  concatMap = f: l: builtins.concatLists (map f l);
  imap0 = f: l: genList (i: f i (builtins.elemAt l i)) (length l);
  removeNulls = a: listToAttrs (concatMap (k: if a.${k} == null then [ ] else [ { name = k; value = a.${k}; } ]) (attrNames a));
  nonEmpty = v: v != null && v != { } && v != [ ] && v != "";
  orNull = a: k: if a ? ${k} then a.${k} else null;

  # Keys the module (or argoweb) owns: `settings` may not set them.
  reserved = [
    "tunnel" "credentials-file" "token-file" "quick" "token" "credentials-contents"
    "ingress" "originRequest" "health" "cloudflared" "user" "group"
  ];

  isCatchAll = r: let h = orNull r "hostname"; p = orNull r "path"; in
    (h == null || h == "" || h == "*") && (p == null || p == "");

  defaults = t: {
    tunnel = null; credentialsFile = null; tokenFile = null; ingress = [ ];
    default = "http_status:404"; originRequest = { }; health = { }; settings = { };
    user = "argoweb"; group = "argoweb";
  } // t;

  renderRule = r: removeNulls {
    hostname = orNull r "hostname";
    path = orNull r "path";
    service = r.service;
    originRequest = if nonEmpty (orNull r "originRequest") then r.originRequest else null;
  };

  renderHealth = h: removeNulls {
    interval = orNull h "interval";
    unhealthy-after = orNull h "unhealthyAfter";
  };

  render = t0:
    let
      t = defaults t0;
      # A remotely-managed tunnel (a token) may leave its ingress to the
      # dashboard; anything else ends with the catch-all.
      ingress =
        if t.ingress == [ ] && t.tokenFile != null then null
        else map renderRule (if isList t.ingress then t.ingress else [ ]) ++ [ { service = t.default; } ];
      health = renderHealth t.health;
    in
    t.settings // removeNulls {
      tunnel = t.tunnel;
      inherit ingress;
      originRequest = if nonEmpty t.originRequest then t.originRequest else null;
      health = if health != { } then health else null;
      cloudflared = t.cloudflared;
      user = t.user;
      group = t.group;
    };

  # Where local files reach the world-readable Nix store in v, as option
  # paths: a path literal (copied when rendered, before anything could
  # check that it is no secret: an origin certificate, a key), or a string
  # made from one ("${./cert.pem}", already copied). A package's output
  # (pkgs.cacert) is no secret.
  copiesFile = s: builtins.hasContext s
    && builtins.any (c: c.path or false) (builtins.attrValues (builtins.getContext s));
  pathsIn = at: v:
    if isPath v || (isString v && copiesFile v) then [ at ]
    else if isAttrs v then concatMap (k: pathsIn "${at}.${k}" v.${k}) (attrNames v)
    else if isList v then builtins.concatLists (imap0 (i: x: pathsIn "${at}.${toString i}" x) v)
    else [ ];

  problems = t0:
    let
      t = defaults t0;
      n = "services.argoWeb.tunnels.${t.name or "?"}";
      secretProblems = what: p:
        if p == null then [ ]
        else if !(isString p) then [ "${n}.${what} must be a string (a path literal would copy the secret into the world-readable Nix store)" ]
        else if substring 0 1 p != "/" then [ "${n}.${what} must be an absolute path, not ${p}" ]
        else if match "/nix/store/.*" p != null then [ "${n}.${what} is in the Nix store, which every local user can read: keep the secret outside it (e.g. /etc/argoweb/${t.name or "NAME"}.json, root, 0600)" ]
        else [ ];
      rules = if isList t.ingress then t.ingress else [ ];
      badSettings = filter (k: elem k reserved) (attrNames t.settings);
    in
    (if (t.credentialsFile == null) == (t.tokenFile == null) then
      [ "${n}: set exactly one of credentialsFile (a locally-managed tunnel's JSON) and tokenFile (a remotely-managed tunnel's token)" ]
    else [ ])
    ++ secretProblems "credentialsFile" t.credentialsFile
    ++ secretProblems "tokenFile" t.tokenFile
    ++ map (at: "${n}.${at} puts a local file into the world-readable Nix store (a path literal, or \"\${./file}\"): write its path as a plain string (\"/etc/argoweb/...\")")
      (concatMap (k: pathsIn k t.${k}) [ "ingress" "default" "originRequest" "health" "settings" ])
    ++ (if t.tokenFile != null && t.tunnel != null then
      [ "${n}.tunnel: a token names its tunnel itself: remove tunnel" ] else [ ])
    ++ (if !(isList t.ingress) then
      [ "${n}.ingress must be a list: rules are matched in order, first match wins" ] else [ ])
    ++ concatMap (x: x) (imap0 (i: r:
      if !(isAttrs r) || !(r ? service) then [ "${n}.ingress.${toString i}: service is required (e.g. http://localhost:8080)" ]
      else if isCatchAll r then [ "${n}.ingress.${toString i} (service ${toJSON r.service}) has no hostname and no path, so it matches everything and no later rule would ever be used: set `default` for the catch-all instead" ]
      else [ ]) rules)
    ++ (if badSettings != [ ] then
      [ "${n}.settings may not set ${concatStringsSep ", " badSettings}: use the tunnel's own options (secrets are never written in the config)" ] else [ ]);

  # ---- YAML text -----------------------------------------------------------
  # Block mappings and lists of mappings; every scalar as JSON (valid YAML,
  # and quoted strings stay strings: "4" is not a number, "no" not false).
  plainKey = k: match "[A-Za-z][A-Za-z0-9_-]*" k != null
    && !(elem k [ "y" "Y" "n" "N" "yes" "Yes" "YES" "no" "No" "NO" "on" "On" "ON" "off" "Off" "OFF"
                  "true" "True" "TRUE" "false" "False" "FALSE" "null" "Null" "NULL" ]);
  key = k: if plainKey k then k else toJSON k;
  isMap = v: isAttrs v && !(v ? outPath) && attrNames v != [ ];
  blocky = v: isMap v || (isList v && v != [ ] && builtins.all isMap v);
  scalar = v:
    if v == null then "null"
    else if isBool v then (if v then "true" else "false")
    else if isInt v || isFloat v || isString v then toJSON v
    else toJSON v;   # paths, derivations, empty or inline collections

  # Keys in a useful order: these first, then the rest alphabetically.
  first = [ "tunnel" "ingress" "hostname" "path" "service" "originRequest" ];
  last = [ "health" "cloudflared" "user" "group" ];
  ordered = m:
    let ks = attrNames m; in
    filter (k: m ? ${k}) first
    ++ sort builtins.lessThan (filter (k: !(elem k first) && !(elem k last)) ks)
    ++ filter (k: m ? ${k}) last;

  mapLines = ind: m: concatMap (k:
    let v = m.${k}; in
    if isMap v then [ "${ind}${key k}:" ] ++ mapLines "${ind}  " v
    else if blocky v then [ "${ind}${key k}:" ] ++ listLines "${ind}  " v
    else [ "${ind}${key k}: ${scalar v}" ]) (ordered m);

  listLines = ind: l: concatMap (item:
    let ls = mapLines "${ind}  " item; in
    [ "${ind}- ${substring (builtins.stringLength ind + 2) (-1) (head ls)}" ] ++ tail ls) l;

  toYAML = t:
    concatStringsSep "\n" ([
      "# argoweb config for the tunnel ${t.name or "?"}, generated by the NixOS module"
      "# services.argoWeb: change the Nix configuration, not this file."
    ] ++ mapLines "" (render t)) + "\n";

  # argoweb's own rule (src/config.c resolve()): the base name without
  # .yaml/.yml; a store path's hash is dropped here so that
  # /nix/store/<hash>-web.yaml is "web".
  instanceName = p:
    let
      base = baseNameOf (toString p);
      unhashed = match "[0-9a-z]{32}-(.*)" base;
      b = if unhashed != null then head unhashed else base;
      m = match "(.*)\\.(yaml|yml)" b;
    in
    if m != null then head m else b;

  # Section `section` of a unit file: each directive's value, or the list
  # of its values when the section gives it more than once (as
  # SystemCallFilter=). Comments, blank lines and other sections are
  # skipped; a line continued with \ is not read (the shipped units have
  # none).
  unitSection = section: text:
    let
      lines = filter isString (builtins.split "\n" text);
      add = d: k: v: d // {
        ${k} = if !(d ? ${k}) then v else if isList d.${k} then d.${k} ++ [ v ] else [ d.${k} v ];
      };
      step = acc: line:
        let
          sec = match "\\[(.*)]" line;
          kv = match "([A-Za-z]+)[ \t]*=[ \t]*(.*)" line;
        in
        if sec != null then acc // { inside = head sec == section; }
        else if acc.inside && kv != null then acc // { d = add acc.d (head kv) (builtins.elemAt kv 1); }
        else acc;
    in
    (builtins.foldl' step { inside = false; d = { }; } lines).d;

  # A tunnel that runs on the active node only belongs to the package's
  # argoweb-active.target (systemd/argoweb-active.target), which nothing
  # starts at boot; any other starts at boot.
  activeTarget = "argoweb-active.target";
  placement = activeOnly:
    if activeOnly then { wantedBy = [ activeTarget ]; partOf = [ activeTarget ]; }
    else { wantedBy = [ "multi-user.target" ]; partOf = [ ]; };
in
{
  inherit render toYAML problems instanceName isCatchAll reserved placement activeTarget unitSection;
  checked = t: let p = problems t; in if p == [ ] then t else throw (head p);
}
