/** `nir hub` (what `npm run hub` runs): a JupyterHub for a whole class on this machine, until Ctrl-C. */
import { NirError } from "../../ir/errors.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { DEFAULT_HUB_CULL_S, hubBanner, startHub } from "../../notebook/hub.js";

const usage = `nir hub [--port N] [--participants N | --names a,b,c] [--cull-idle SECONDS]

Starts Debian's JupyterHub (hub/jupyterhub_config.py) on 127.0.0.1 only, with
configurable-http-proxy from npm. Each participant logs in and gets a Jupyter server on the
"TypeScript (NIR)" kernel in hub/users/<name>/, a private copy of notebooks/ (git-ignored).
Logins: with NIR_HUB_PASSWORD set, every participant types that one password (with any name,
or one of --names); without it, each participant gets a token of their own, printed here
and kept in hub/.state/logins.json. Ctrl-C stops the hub, the proxy and every server;
SIGUSR1 (kill -USR1 <pid>) restarts the hub alone, leaving participants' servers running.
  --participants N   how many tokens to make (names p01…pNN; default 30)
  --names a,b,c      the participants' names instead
  --cull-idle S      stop a participant's server after S seconds idle (default ${DEFAULT_HUB_CULL_S}; 0 = never)
Environment: NIR_HUB_PORT (default: the first free port from 8000), NIR_HUB_PASSWORD,
NIR_HUB_USERS and NIR_HUB_STATE (the participants' folders and the hub's state; defaults
hub/users and hub/.state).
The hub log goes to hub/.state/jupyterhub.log. With npm: npm run hub -- --participants 12
`;

function intOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(/^\d+$/.test(text) && v >= min && v <= max)) {
    throw new NirError("cli.usage", `--${name} must be a whole number from ${min} to ${max}, got ${text}`, { field: name, hint: `e.g. --${name} ${Math.max(min, 30)}` });
  }
  return v;
}

/** The `nir hub` subcommand. */
export const command: Command = {
  summary: "serve the workshop to a class through JupyterHub (npm run hub)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["port", "participants", "names", "cull-idle"] }, usage);
    const port = intOption("port", a.values.port, 1, 65535);
    const participants = intOption("participants", a.values.participants, 1, 999);
    const cullIdleSeconds = intOption("cull-idle", a.values["cull-idle"], 0, 10_000_000);
    const names = a.values.names === undefined ? undefined : a.values.names.split(",").map((s) => s.trim()).filter(Boolean);
    const hub = await startHub({ port, participants, names, cullIdleSeconds });
    process.stdout.write(hubBanner(hub) + "\n");
    return await new Promise<number>((resolve) => {
      let done = false;
      const stop = (why: string, code: number) => {
        if (done) return;
        done = true;
        process.stderr.write(`\nnirkit hub: ${why}; stopping every server, the hub and the proxy…\n`);
        hub.stop().then(() => {
          process.stderr.write("nirkit hub: stopped.\n");
          resolve(code);
        });
      };
      for (const [sig, why] of [["SIGINT", "interrupted"], ["SIGTERM", "terminated"], ["SIGHUP", "hang-up"]] as const) process.once(sig, () => stop(why, 0));
      // SIGUSR1: restart the hub process (e.g. after editing hub/jupyterhub_config.py); servers keep running
      let restarting = false;
      process.on("SIGUSR1", () => {
        if (done || restarting) return;
        restarting = true;
        process.stderr.write("nirkit hub: restarting the hub (servers keep running)…\n");
        hub.restartHub()
          .then(() => process.stderr.write("nirkit hub: the hub is back.\n"))
          .catch((e: Error) => process.stderr.write(`nirkit hub: the restart failed: ${e.message}\n`))
          .finally(() => (restarting = false));
      });
      hub.proxyProcess.once("exit", (code) => stop(`the proxy exited (${code})`, 1));
    });
  },
};
