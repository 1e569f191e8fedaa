# Without flakes:
#   nix-build nix -A argoweb       the package (pkgs.callPackage ./package.nix { })
#   nix-build nix -A test          the NixOS VM test (nix/tests/argoweb.nix)
#   imports = [ ./nix/module.nix ]; in a NixOS configuration
{ pkgs ? import <nixpkgs> { } }:
{
  argoweb = pkgs.callPackage ./package.nix { };
  module = ./module.nix;
  test = import ./tests/argoweb.nix { inherit pkgs; };
}
