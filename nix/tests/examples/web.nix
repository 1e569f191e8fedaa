# A locally-managed tunnel whose rule order matters: nixpkgs'
# services.cloudflared takes ingress as an attribute set, sorted
# alphabetically, so "*.example.com" would come first and capture
# ssh.example.com (NixOS/nixpkgs#417377). Here ssh.example.com stays first.
{
  name = "web";
  tunnel = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
  credentialsFile = "/etc/argoweb/web.json";
  ingress = [
    { hostname = "ssh.example.com"; service = "ssh://localhost:22"; }
    { hostname = "*.example.com"; path = "^/api/"; service = "http://localhost:9000";
      originRequest = { connectTimeout = "10s"; noTLSVerify = false; }; }
    { hostname = "www.example.com"; service = "http://localhost:4430"; }
    { hostname = "app.example.com"; service = "http://localhost:8080"; originRequest = { }; }
  ];
  default = "http_status:404";
  originRequest = { keepAliveConnections = 100; access = { required = false; }; };
  health = { interval = "5s"; unhealthyAfter = "2m"; };
  settings = {
    protocol = "quic";
    edge-ip-version = "4";
    retries = 5;
    grace-period = "30s";
    tag = [ "env=prod" "owner=ops" ];
    warp-routing = { enabled = false; };
  };
  cloudflared = "/nix/store/00000000000000000000000000000000-cloudflared-2024.8.2/bin/cloudflared";
  user = "argoweb";
  group = "argoweb";
}
