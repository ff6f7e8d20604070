/**
 * Entry point of the `nir` command. Dispatches to one module per subcommand (loaded lazily so
 * `nir dump` does not load vega), prints only the message of a NirError (exit 1) and adds the
 * stack with `--debug`.
 */
import { isNirError } from "../ir/errors.js";
import type { Command } from "./command.js";

/** Subcommands, in the order `nir --help` lists them; each is `cli/commands/<name>.ts`. */
const COMMANDS = [
  "dump", "build", "inspect", "validate", "simulate", "data", "plot",
  "fit", "export", "emulate", "kernel", "notebook", "workshop", "reproduce",
] as const;

async function load(name: string): Promise<Command | null> {
  if (!(COMMANDS as readonly string[]).includes(name)) return null;
  try {
    const mod = (await import(`./commands/${name}.js`)) as { command: Command };
    return mod.command;
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(`commands/${name}.js`)) return null;
    throw e;
  }
}

async function help(): Promise<string> {
  const lines = ["usage: nir <command> [options]   (nir <command> --help for details)", ""];
  for (const name of COMMANDS) {
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
