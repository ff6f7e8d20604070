# JupyterHub configuration for a nirkit workshop, read by Debian's JupyterHub 3.0.
# Start it with `npm run hub` (= `nir hub`): the launcher picks the ports, starts
# configurable-http-proxy (from npm, on the project's Node) itself, writes the login list and
# passes everything below through NIRKIT_HUB_* environment variables. Every address is 127.0.0.1.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nirkit_hub import WorkshopAuthenticator, WorkshopSpawner  # noqa: E402

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)
env = os.environ

# Addresses: the public proxy port, the hub's own API port and the proxy's API port, loopback only.
c.JupyterHub.bind_url = f"http://127.0.0.1:{env['NIRKIT_HUB_PORT']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env['NIRKIT_HUB_API_PORT']}"
# The launcher runs the proxy, so a hub restart does not interrupt participants' connections.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['NIRKIT_PROXY_API_PORT']}"
# State (sqlite database, cookie secret) lives in the launcher's state folder (the hub's cwd).
c.JupyterHub.db_url = f"sqlite:///{os.path.join(env['NIRKIT_HUB_STATE'], 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(env["NIRKIT_HUB_STATE"], "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(env["NIRKIT_HUB_STATE"], "jupyterhub.pid")
# Restarting the hub leaves single-user servers running; `nir hub` stops them itself on exit.
c.JupyterHub.cleanup_servers = False

# A participant whose server was culled or died gets it started again by their next visit.
c.JupyterHub.implicit_spawn_seconds = 2

c.JupyterHub.authenticator_class = WorkshopAuthenticator
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
if env.get("NIRKIT_HUB_ALLOWED"):
    c.Authenticator.allowed_users = set(env["NIRKIT_HUB_ALLOWED"].split(","))

c.JupyterHub.spawner_class = WorkshopSpawner
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [env.get("NIRKIT_PYTHON", "/usr/bin/python3"), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = env.get("NIRKIT_HUB_DEFAULT_URL", "/tree")
# A class spawning at once on a small machine: generous limits (seconds).
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {
    # the kernelspec is registered once, project-locally, for every participant
    "JUPYTER_PATH": env["JUPYTER_PATH"],
    "NIRKIT_HUB_TAG": env["NIRKIT_HUB_TAG"],
}
if env.get("NIRKIT_HUB_SINGLEUSER_APP"):
    c.Spawner.environment["JUPYTERHUB_SINGLEUSER_APP"] = env["NIRKIT_HUB_SINGLEUSER_APP"]
# Jupyter refuses to run as root without --allow-root; the hub's user is everyone's user here.
c.Spawner.args = ["--allow-root"] if os.getuid() == 0 else []
c.Spawner.args += [f"--MultiKernelManager.default_kernel_name={env.get('NIRKIT_KERNEL', 'nirkit')}"]

# The launcher's own token: it culls idle servers and stops every server at the end.
c.JupyterHub.services = [{"name": "nirkit-launcher", "api_token": env["NIRKIT_HUB_SERVICE_TOKEN"]}]
c.JupyterHub.load_roles = [{
    "name": "nirkit-launcher",
    "scopes": ["list:users", "read:users", "read:users:activity", "read:servers", "admin:servers", "admin:users"],
    "services": ["nirkit-launcher"],
}]
