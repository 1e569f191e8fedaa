# Optional: the same as nix/default.nix for flake users. Nothing else in the
# repository depends on it (nix/package.nix leaves it out of the source).
#   nix build .#argoweb        nix flake check (builds the VM test)
#   inputs.argoweb.url = "...";  modules = [ argoweb.nixosModules.default ];
{
  description = "argoweb: Cloudflare Tunnel's cloudflared with a checked config, a guarded secret and real health";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        argoweb = pkgs.callPackage ./nix/package.nix { };
        default = argoweb;
      });

      overlays.default = final: _prev: {
        argoweb = final.callPackage ./nix/package.nix { };
      };

      nixosModules.default = ./nix/module.nix;
      nixosModules.argoweb = ./nix/module.nix;

      checks = forAllSystems (pkgs: {
        argoweb = self.packages.${pkgs.stdenv.hostPlatform.system}.argoweb;
        vm = import ./nix/tests/argoweb.nix { inherit pkgs; };
      });
    };
}
