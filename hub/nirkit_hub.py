"""The workshop's JupyterHub pieces, loaded by hub/jupyterhub_config.py.

WorkshopAuthenticator: participants need not be Unix users. Two ways to log in:
  * one shared password (NIRKIT_HUB_PASSWORD): any allowed name with that password;
  * a login list (NIRKIT_HUB_LOGINS, a JSON file {name: token} written by `nir hub` and printed
    for the organiser): each name logs in with its own token only.
Passwords are compared in constant time; names must match `username_pattern`.

WorkshopSpawner: every single-user server runs as the hub's own Unix user (no setuid, so the hub
needs no root), with HOME, TMPDIR and the served folder in the participant's own folder
`<NIRKIT_HUB_USERS>/<name>/`, which holds a private copy of notebooks/ made by nirkit's own
workspace code (dist/notebook/workspace.js) before the server starts.
"""

import asyncio
import hmac
import json
import os

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

#: How long preparing a participant's folder may take (seconds) before the spawn fails.
PREPARE_TIMEOUT_S = 120

# Runs prepareWorkspace() from the compiled nirkit: argv[1] = module URL, argv[2] = folder.
PREPARE_JS = (
    "const m = await import(process.argv[1]);"
    " const w = m.prepareWorkspace({ target: process.argv[2] });"
    " console.log(JSON.stringify({ copied: w.copied, kept: w.kept }));"
)


def _read_logins(path):
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object {{name: token}}")
    return {str(k): str(v) for k, v in data.items()}


class WorkshopAuthenticator(Authenticator):
    """Shared password or per-participant tokens (see the module comment)."""

    shared_password = Unicode(os.environ.get("NIRKIT_HUB_PASSWORD", ""), config=True, help="the one password every participant types")
    logins_file = Unicode(os.environ.get("NIRKIT_HUB_LOGINS", ""), config=True, help="JSON file {name: token}: one login per participant")

    async def authenticate(self, handler, data):
        if not isinstance(data, dict):
            return None
        name = self.normalize_username(str(data.get("username", "")))
        given = str(data.get("password", ""))
        if not name or not given or not self.validate_username(name):
            return None
        if self.logins_file:
            expected = _read_logins(self.logins_file).get(name)
        else:
            expected = self.shared_password or None
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            self.log.warning("failed login for %r", name)
            return None
        return name


class WorkshopSpawner(LocalProcessSpawner):
    """Single-user servers as the hub's Unix user, each in its own folder (see the module comment)."""

    users_dir = Unicode(os.environ.get("NIRKIT_HUB_USERS", ""), config=True, help="the folder holding one folder per participant")
    node = Unicode(os.environ.get("NIRKIT_NODE", "node"), config=True, help="the Node.js that runs nirkit")
    workspace_module = Unicode(os.environ.get("NIRKIT_WORKSPACE_MODULE", ""), config=True, help="file URL of dist/notebook/workspace.js")

    def participant_dir(self):
        base = os.path.realpath(self.users_dir)
        path = os.path.realpath(os.path.join(base, self.user.name))
        if os.path.dirname(path) != base:
            raise ValueError(f"participant name {self.user.name!r} leaves {base}")
        return path

    def make_preexec_fn(self, name):
        # LocalProcessSpawner would switch to the Unix user `name`; participants are not Unix users.
        return None

    def user_env(self, env):
        home = self.participant_dir()
        env["USER"] = self.user.name
        env["HOME"] = home
        env["TMPDIR"] = os.path.join(home, ".tmp")
        return env

    async def prepare(self, home):
        os.makedirs(os.path.join(home, ".tmp"), mode=0o700, exist_ok=True)
        os.chmod(home, 0o700)
        proc = await asyncio.create_subprocess_exec(
            self.node, "--input-type=module", "-e", PREPARE_JS, self.workspace_module, home,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), PREPARE_TIMEOUT_S)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"copying notebooks/ into {home} took more than {PREPARE_TIMEOUT_S} s")
        if proc.returncode != 0:
            raise RuntimeError(f"copying notebooks/ into {home} failed: {err.decode(errors='replace')[-2000:]}")
        self.log.info("participant %s: folder %s %s", self.user.name, home, out.decode().strip())

    async def start(self):
        home = self.participant_dir()
        await self.prepare(home)
        self.notebook_dir = home
        self.popen_kwargs = {**self.popen_kwargs, "cwd": home}
        return await super().start()
