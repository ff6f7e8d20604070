/**
 * A small argument parser for `nir` subcommands: positionals, `--flag`, `--key value`,
 * `--key=value`, and repeatable options. Unknown options are a usage error.
 */
import { NirError } from "../ir/errors.js";

/** Declares the options a command accepts. */
export interface ArgSpec {
  /** Options that take a value. */
  values?: string[];
  /** Options that may repeat (values collected in order). */
  repeat?: string[];
  /** Boolean flags. */
  flags?: string[];
}

/** Parsed arguments. */
export interface ParsedArgs {
  positional: string[];
  values: Record<string, string | undefined>;
  repeated: Record<string, string[]>;
  flags: Record<string, boolean>;
}

/** Parses `argv` against `spec`; throws a NirError("cli.usage") naming the bad option. */
export function parseArgs(argv: string[], spec: ArgSpec, usage = ""): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: {}, repeated: {}, flags: {} };
  for (const r of spec.repeat ?? []) out.repeated[r] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--") || a === "--") {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const key = (eq > 0 ? a.slice(2, eq) : a.slice(2));
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    if (spec.flags?.includes(key)) {
      out.flags[key] = true;
      continue;
    }
    const isValue = spec.values?.includes(key);
    const isRepeat = spec.repeat?.includes(key);
    if (!isValue && !isRepeat) {
      throw new NirError("cli.usage", `unknown option --${key}`, { hint: usage ? `usage: ${usage.split("\n")[0]}` : "see --help" });
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new NirError("cli.usage", `option --${key} needs a value`, { hint: "see --help" });
    if (isRepeat) out.repeated[key].push(v);
    else out.values[key] = v;
  }
  return out;
}
