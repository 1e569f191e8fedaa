# Nix cannot tell a bad hostname; argoweb check --config-only can, at build
# time, so nixos-rebuild fails instead of the tunnel at boot.
{
  name = "bad";
  credentialsFile = "/etc/argoweb/bad.json";
  ingress = [ { hostname = "www..example.com"; service = "http://localhost:8080"; } ];
  cloudflared = "/nix/store/00000000000000000000000000000000-cloudflared-2024.8.2/bin/cloudflared";
}
