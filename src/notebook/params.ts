/**
 * Notebook parameters: a notebook cell reads `nir.notebookParam("epochs", 15)`; a headless run
 * sets it with `nir notebook run --param epochs=1` or `nir reproduce --param epochs=1`, which put
 * `NIRKIT_PARAM_EPOCHS=1` into the environment the Jupyter server and its kernels inherit.
 * Setting that variable by hand before `npm start` does the same.
 */
import { NirError } from "../ir/errors.js";

/** The environment variable of parameter `name`: `NIRKIT_PARAM_<NAME>` (upper case, `_` for other characters). */
export function paramEnvName(name: string): string {
  return `NIRKIT_PARAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** The number given for parameter `name`, or `fallback` when none is set. */
export function notebookParam(name: string, fallback: number): number {
  const env = paramEnvName(name);
  const raw = process.env[env];
  if (raw === undefined || raw.trim() === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new NirError("cli.usage", `notebook parameter ${name} (${env}) must be a number, got "${raw}"`, { field: name, hint: `e.g. --param ${name}=${fallback}` });
  return v;
}

/** Parses `NAME=VALUE` pairs (as `--param` gives them) into a record. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new NirError("cli.usage", `--param takes NAME=VALUE, got "${p}"`, { hint: "e.g. --param epochs=1" });
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** Runs `fn` with the parameters in the environment (for the server and kernels it starts), then restores it. */
export async function withNotebookParams<T>(params: Record<string, string | number> | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(params ?? {})) {
    const env = paramEnvName(k);
    saved.set(env, process.env[env]);
    process.env[env] = String(v);
  }
  try {
    return await fn();
  } finally {
    for (const [env, v] of saved) {
      if (v === undefined) delete process.env[env];
      else process.env[env] = v;
    }
  }
}
