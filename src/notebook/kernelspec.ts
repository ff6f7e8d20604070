/**
 * Registering the "TypeScript (NIR)" Jupyter kernel without IPython or jupyter-client: a
 * kernelspec is just `kernels/nirkit/kernel.json` in a folder Jupyter searches. The template in
 * `kernel/kernel.json` gets the project's absolute path written in, so the kernel always runs the
 * project's own tslab with `kernel/preload.cjs` (readable errors). Also makes `nirkit` resolvable
 * from notebooks (`node_modules/nirkit` → project root), which tslab's CommonJS require needs.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { homedir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { NirError } from "../ir/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { localJupyterPath, projectRoot } from "./paths.js";

/** The kernelspec name (used in notebook metadata and by the runner). */
export const KERNEL_NAME = "nirkit";
/** The name shown in the Jupyter UI. */
export const KERNEL_DISPLAY_NAME = "TypeScript (NIR)";

/** Where to register: project-local (default), the user's Jupyter, or `<prefix>/share/jupyter`. */
export interface KernelTarget {
  /** Register for the current user (`~/.local/share/jupyter`, or `~/Library/Jupyter` on macOS). */
  user?: boolean;
  /** Register under `<prefix>/share/jupyter/kernels` (e.g. a virtualenv or /usr/local). */
  prefix?: string;
}

/** The Jupyter data folder a target means (the folder containing `kernels/`). */
export function jupyterDataDir(target: KernelTarget = {}, root = projectRoot()): string {
  if (target.user && target.prefix) {
    throw new NirError("cli.usage", "--user and --prefix exclude each other", { hint: "pass only one of them" });
  }
  if (target.prefix) return join(resolve(target.prefix), "share", "jupyter");
  if (target.user) {
    if (process.env.JUPYTER_DATA_DIR) return resolve(process.env.JUPYTER_DATA_DIR);
    if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
    return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
  }
  return localJupyterPath(root);
}

/** The kernelspec folder (`…/kernels/nirkit`) for a target. */
export function kernelSpecDir(target: KernelTarget = {}, root = projectRoot()): string {
  return join(jupyterDataDir(target, root), "kernels", KERNEL_NAME);
}

/**
 * The kernel's JavaScript heap limit in MiB: three quarters of the machine's RAM (rounded down to
 * 256 MiB), at least V8's usual 2048. A notebook then runs out of memory near where the machine
 * does, not at V8's default of about 2 GiB.
 */
export function kernelHeapLimitMB(totalBytes = totalmem()): number {
  return Math.max(2048, Math.floor((totalBytes * 0.75) / 2 ** 20 / 256) * 256);
}

/** The kernel.json content for this project: the template with the project path and heap limit. */
export function kernelSpec(root = projectRoot()): Record<string, unknown> {
  const templatePath = join(root, "kernel", "kernel.json");
  const text = readFileSync(templatePath, "utf8")
    .split("@ROOT@")
    .join(root.replace(/\\/g, "/").replace(/"/g, '\\"'))
    .split("@HEAP_MB@")
    .join(String(kernelHeapLimitMB()));
  const spec = JSON.parse(text) as Record<string, unknown>;
  delete spec.metadata;
  spec.metadata = { nirkit: { root } };
  return spec;
}

/** Result of {@link installKernel}. */
export interface KernelInstall {
  /** The kernelspec folder written. */
  dir: string;
  /** The value to put on JUPYTER_PATH for the default (project-local) target, else null. */
  jupyterPath: string | null;
  /** True when kernel.json was (re)written, false when it was already current. */
  changed: boolean;
}

/**
 * Writes the kernelspec (idempotent: leaves an identical kernel.json alone) and the
 * `node_modules/nirkit` link. Throws NirError("kernel.setup") when tslab is not installed.
 */
export function installKernel(target: KernelTarget = {}, root = projectRoot()): KernelInstall {
  const tslab = join(root, "node_modules", ".bin", "tslab");
  if (!existsSync(tslab)) {
    throw new NirError("kernel.setup", `tslab is not installed (${tslab} is missing)`, { hint: "run `npm ci` (or `npm start`) in the project folder first" });
  }
  ensurePackageLink(root);
  const dir = kernelSpecDir(target, root);
  const file = join(dir, "kernel.json");
  const text = JSON.stringify(kernelSpec(root), null, 1) + "\n";
  const old = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (old !== text) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, text);
  }
  return { dir, jupyterPath: target.user || target.prefix ? null : jupyterDataDir(target, root), changed: old !== text };
}

/** Removes the kernelspec of a target; resolves to the folder removed, or null if none was there. */
export function removeKernel(target: KernelTarget = {}, root = projectRoot()): string | null {
  const dir = kernelSpecDir(target, root);
  if (!existsSync(join(dir, "kernel.json"))) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/**
 * Makes `require("nirkit")` and `import … from "nirkit"` work from any notebook under the
 * project: tslab resolves packages the Node10 way from the notebook folder upwards, so
 * `<root>/node_modules/nirkit` must point at the project itself.
 */
export function ensurePackageLink(root = projectRoot()): void {
  const link = join(root, "node_modules", "nirkit");
  try {
    const st = lstatSync(link);
    if (st.isSymbolicLink() && resolve(join(root, "node_modules"), readlinkSync(link)) === resolve(root)) return;
    throw new NirError("kernel.setup", `${link} exists but does not link to the project`, { hint: `remove it and run \`nir kernel install\` again` });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync("..", link, "dir");
}
