/**
 * Entry point of the `nir` command. Dispatches to one module per subcommand (loaded lazily so
 * `nir dump` does not load vega), prints only the message of a NirError (exit 1) and adds the
 * stack with `--debug`.
 */
import { isNirError } from "../ir/errors.js";
import type { Command } from "./command.js";

/** Subcommands, in the order `nir --help` lists them; each is `cli/commands/<name>.ts`, loaded lazily. */
const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  dump: () => import("./commands/dump.js"),
  build: () => import("./commands/build.js"),
  inspect: () => import("./commands/inspect.js"),
  validate: () => import("./commands/validate.js"),
  simulate: () => import("./commands/simulate.js"),
  grad: () => import("./commands/grad.js"),
  train: () => import("./commands/train.js"),
  data: () => import("./commands/data.js"),
  plot: () => import("./commands/plot.js"),
  explore: () => import("./commands/explore.js"),
  fit: () => import("./commands/fit.js"),
  export: () => import("./commands/export.js"),
  emulate: () => import("./commands/emulate.js"),
  kernel: () => import("./commands/kernel.js"),
  notebook: () => import("./commands/notebook.js"),
  workshop: () => import("./commands/workshop.js"),
  hub: () => import("./commands/hub.js"),
  reproduce: () => import("./commands/reproduce.js"),
};

async function load(name: string): Promise<Command | null> {
  const loader = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return loader ? (await loader()).command : null;
}

async function help(): Promise<string> {
  const lines = ["usage: nir <command> [options]   (nir <command> --help for details)", ""];
  for (const name of Object.keys(COMMANDS)) {
    const c = await load(name).catch(() => null);
    if (c) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  }
  lines.push("", "Add --debug to any command to see stack traces.");
  return lines.join("\n");
}

/** Runs `nir` with the given arguments and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const name = args[0];
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write((await help()) + "\n");
    return name ? 0 : 2;
  }
  try {
    const cmd = await load(name);
    if (!cmd) {
      process.stderr.write(`nir: unknown command "${name}". Run "nir --help" for the list.\n`);
      return 2;
    }
    if (args.includes("--help") || args.includes("-h")) {
      process.stdout.write(cmd.usage.trimEnd() + "\n");
      return 0;
    }
    return await cmd.run(args.slice(1));
  } catch (e) {
    if (isNirError(e)) {
      process.stderr.write(`nir ${name}: ${(e as Error).message}\n`);
      if (debug) process.stderr.write(((e as Error).stack ?? "") + "\n");
      return 1;
    }
    process.stderr.write(`nir ${name}: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.stderr.write(debug ? ((e as Error)?.stack ?? "") + "\n" : "(run again with --debug for the stack trace, and please report it)\n");
    return 1;
  }
}
