# The least a locally-managed tunnel needs: its credentials JSON (which
# names the tunnel) and one rule; the catch-all is the default.
{
  name = "blog";
  credentialsFile = "/run/secrets/blog.json";
  ingress = [ { hostname = "blog.example.org"; service = "http://127.0.0.1:2368"; } ];
  cloudflared = "/nix/store/00000000000000000000000000000000-cloudflared-2024.8.2/bin/cloudflared";
}
