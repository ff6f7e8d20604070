/** `nir workshop` (what `npm start` runs): serves workspace/ (a copy of notebooks/) in Jupyter with the nirkit kernel until Ctrl-C. */
import { NirError } from "../../ir/errors.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { startWorkshop, workshopBanner } from "../../notebook/workshop.js";

const usage = `nir workshop [--port N] [--token T] [--fresh] [--cull-idle SECONDS]

Registers the "TypeScript (NIR)" kernel, starts Jupyter (JupyterLab if installed, else the
classic notebook; as root installs Debian's jupyter-notebook when neither is found) on
127.0.0.1 only, serving workspace/, your working copy of notebooks/ (git-ignored; a notebook
is copied when its copy is absent), and prints the URL with its token and the notebook to
open first. Ctrl-C stops it and its kernels.
  --fresh            replace the working copies with the originals (old ones kept as *.old.ipynb)
  --cull-idle S      shut a kernel down after S seconds idle with no tab open (default 1800; 0 = never)
Environment: NIR_PORT, NIR_TOKEN (defaults: first free port from 8888, random), NIR_CULL_IDLE,
NIR_WORKSPACE (the working-copy folder, default workspace/).
The server log goes to .jupyter/workshop.log. With npm: npm start -- --fresh
`;

/** The `nir workshop` subcommand. */
export const command: Command = {
  summary: "open the workshop notebooks in Jupyter (npm start)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["port", "token", "cull-idle"], flags: ["fresh"] }, usage);
    const cull = a.values["cull-idle"] === undefined ? undefined : Number(a.values["cull-idle"]);
    const port = a.values.port === undefined ? undefined : Number(a.values.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new NirError("cli.usage", `--port must be a TCP port number, got ${a.values.port}`, { hint: "e.g. --port 8888" });
    }
    // Signals are handled from the start: Ctrl-C while Jupyter starts must not leave it running.
    let onSignal: (why: string) => void = () => undefined;
    const starting = new AbortController();
    const handler = (why: string) => () => onSignal(why);
    const handlers: [NodeJS.Signals, () => void][] = [["SIGINT", handler("interrupted")], ["SIGTERM", handler("terminated")], ["SIGHUP", handler("hang-up")]];
    for (const [sig, h] of handlers) process.on(sig, h);
    onSignal = () => starting.abort();
    const w = await startWorkshop({ port, token: a.values.token, fresh: a.flags.fresh, cullIdleSeconds: cull, signal: starting.signal }).catch((e) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      throw e;
    });
    process.stdout.write(workshopBanner(w) + "\n");
    return await new Promise<number>((resolve) => {
      let done = false;
      const stop = (why: string) => {
        if (done) return;
        done = true;
        process.stderr.write(`\nnirkit: ${why}; stopping Jupyter…\n`);
        w.stop().then(() => {
          process.stderr.write("nirkit: stopped.\n");
          resolve(0);
        });
      };
      onSignal = stop;
      w.process.once("exit", (code, sig) => {
        if (done) return;
        done = true;
        process.stderr.write(`nirkit: Jupyter exited (${code ?? sig}).\n`);
        w.stop().then(() => resolve(code ? 1 : 0));
      });
    });
  },
};
