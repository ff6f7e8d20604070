/**
 * Where the workshop's pieces live: the project root (found from this compiled file, so it also
 * works through the `node_modules/nirkit` link), the project-local Jupyter data folder, and
 * Debian's Python (pyenv's `python3` on PATH has no Jupyter).
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The nirkit project folder (the one holding package.json, kernel/ and notebooks/). */
export function projectRoot(): string {
  let dir = dirname(realpathSync(fileURLToPath(import.meta.url)));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "kernel", "kernel.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
    dir = up;
  }
}

/** The project-local Jupyter data folder put on JUPYTER_PATH: `<root>/.jupyter/share/jupyter`. */
export function localJupyterPath(root = projectRoot()): string {
  return join(root, ".jupyter", "share", "jupyter");
}

/** The Python that has Debian's Jupyter packages: $NIR_PYTHON, else /usr/bin/python3. */
export function jupyterPython(): string {
  return process.env.NIR_PYTHON ?? "/usr/bin/python3";
}

/** The environment for Jupyter processes: JUPYTER_PATH starts with the project-local folder. */
export function jupyterEnv(root = projectRoot(), extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const local = localJupyterPath(root);
  const prev = process.env.JUPYTER_PATH;
  return { ...process.env, JUPYTER_PATH: prev ? `${local}:${prev}` : local, ...extra };
}
