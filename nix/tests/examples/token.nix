# A remotely-managed tunnel: the token names the tunnel and the dashboard
# holds its hostnames, so no tunnel and no ingress are rendered.
{
  name = "edge";
  tokenFile = "/etc/argoweb/edge.token";
  health = { interval = "5s"; unhealthyAfter = "2m"; };
  settings = { protocol = "quic"; loglevel = "info"; "no-autoupdate" = true; };
  cloudflared = "/nix/store/00000000000000000000000000000000-cloudflared-2024.8.2/bin/cloudflared";
}
