/** `nir workshop` (what `npm start` runs): serves notebooks/ in Jupyter with the nirkit kernel until Ctrl-C. */
import { NirError } from "../../ir/errors.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { startWorkshop, workshopBanner } from "../../notebook/workshop.js";

const usage = `nir workshop [--port N] [--token T]

Registers the "TypeScript (NIR)" kernel, starts Jupyter (JupyterLab if installed, else the
classic notebook; as root installs Debian's jupyter-notebook when neither is found) on
127.0.0.1 only, serving notebooks/, and prints the URL with its token. Ctrl-C stops it and
its kernels. Environment: NIR_PORT, NIR_TOKEN (defaults: first free port from 8888, random).
The server log goes to .jupyter/workshop.log.
`;

/** The `nir workshop` subcommand. */
export const command: Command = {
  summary: "open the workshop notebooks in Jupyter (npm start)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["port", "token"] }, usage);
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
    const w = await startWorkshop({ port, token: a.values.token, signal: starting.signal }).catch((e) => {
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
