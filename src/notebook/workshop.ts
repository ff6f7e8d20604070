/**
 * The workshop launcher behind `npm start`: registers the kernel, finds a Jupyter UI (JupyterLab
 * if installed, else the classic notebook; as root with none found it installs Debian's
 * `jupyter-notebook`), serves the participant's working copy `workspace/` (copied from
 * `notebooks/`, see workspace.ts) on 127.0.0.1 only with a token, culls kernels left idle, prints
 * the URL, and stops the server and its kernels on SIGINT/SIGTERM so no process or port is left behind.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import { installKernel, KERNEL_DISPLAY_NAME, KERNEL_NAME } from "./kernelspec.js";
import { jupyterEnv, jupyterPython, projectRoot } from "./paths.js";
import { privateRuntimeDir, removeRuntimeDir, watchedModuleArgs } from "./parent-watch.js";
import { freePort, portOpen, stopTree } from "./procs.js";
import { missingDataLines } from "./use-data.js";
import { FIRST_NOTEBOOK, prepareWorkspace, type Workspace } from "./workspace.js";

/** Which Jupyter UI serves the workshop. */
export type JupyterUI = "lab" | "notebook";

function canImport(mod: string): boolean {
  return spawnSync(jupyterPython(), ["-c", `import ${mod}`], { stdio: "ignore" }).status === 0;
}

/** The installed Jupyter UI: JupyterLab first, then the classic notebook; null if neither. */
export function findJupyterUI(): JupyterUI | null {
  if (canImport("jupyterlab")) return "lab";
  if (canImport("notebook")) return "notebook";
  return null;
}

/** Installs Debian's jupyter-notebook with apt (root only); throws NirError when it cannot. */
export function installNotebookUI(log: (line: string) => void = (l) => process.stderr.write(l + "\n")): void {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    throw new NirError("kernel.setup", "no Jupyter UI found (neither JupyterLab nor the notebook is importable by " + jupyterPython() + ")", {
      hint: "install one, e.g. `sudo apt-get install -y jupyter-notebook` (or set NIR_PYTHON to a Python that has JupyterLab)",
    });
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  log("nirkit: no Jupyter UI found; installing Debian's jupyter-notebook (apt-get)…");
  const steps: string[][] = [
    ["apt-get", "-q", "-o", "DPkg::Lock::Timeout=300", "update"],
    ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "--no-install-recommends", "jupyter-notebook"],
  ];
  for (const cmd of steps) {
    const r = spawnSync(cmd[0], cmd.slice(1), { env, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) {
      throw new NirError("kernel.setup", `\`${cmd.join(" ")}\` failed (exit ${r.status})`, { hint: "fix apt (network, locks) or install jupyter-notebook yourself" });
    }
  }
  if (!canImport("notebook")) throw new NirError("kernel.setup", "jupyter-notebook was installed but `import notebook` still fails", { hint: `check ${jupyterPython()}` });
}

/** Options of {@link startWorkshop}. */
export interface WorkshopOptions {
  /** Port (default $NIR_PORT, else the first free one from 8888). */
  port?: number;
  /** Token (default $NIR_TOKEN, else random). */
  token?: string;
  /** Folder served (default: the working copy `<root>/workspace`, prepared from `notebooks/`). */
  notebookDir?: string;
  /** Replace the working copy's notebooks with fresh copies of the originals (`--fresh`). */
  fresh?: boolean;
  /**
   * Shut down a kernel after it has been idle (no cell running) with no browser tab connected for
   * this many seconds (default $NIR_CULL_IDLE, else {@link DEFAULT_CULL_IDLE_S}; 0 never culls).
   */
  cullIdleSeconds?: number;
  /** Where messages go (default stderr; the URL goes to stdout). */
  log?: (line: string) => void;
  /** Aborting it while the server starts stops the server and rejects (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

/** Default idle time (s) after which a kernel without an open tab is shut down. */
export const DEFAULT_CULL_IDLE_S = 1800;

/** The idle-kernel culling setting: the option, else $NIR_CULL_IDLE, else the default (seconds). */
export function cullIdleSeconds(option?: number): number {
  const raw = option ?? (process.env.NIR_CULL_IDLE !== undefined ? Number(process.env.NIR_CULL_IDLE) : DEFAULT_CULL_IDLE_S);
  if (!(Number.isFinite(raw) && raw >= 0)) {
    throw new NirError("cli.usage", `the idle-kernel time must be a number of seconds >= 0, got ${option ?? process.env.NIR_CULL_IDLE}`, {
      field: "NIR_CULL_IDLE", hint: "e.g. NIR_CULL_IDLE=1800 (30 min), or 0 to keep idle kernels",
    });
  }
  return raw;
}

/**
 * The Jupyter options that cull idle kernels (MappingKernelManager, the same class in the classic
 * notebook 6 and in jupyter_server): checked every min(60, timeout) s; kernels with a connected tab
 * or a running cell are kept.
 */
export function cullArgs(seconds: number): string[] {
  if (seconds <= 0) return [];
  const every = Math.max(1, Math.min(60, Math.round(seconds)));
  return [
    `--MappingKernelManager.cull_idle_timeout=${Math.round(seconds)}`,
    `--MappingKernelManager.cull_interval=${every}`,
    "--MappingKernelManager.cull_connected=False",
    "--MappingKernelManager.cull_busy=False",
  ];
}

/** A running workshop server. */
export interface Workshop {
  ui: JupyterUI;
  /** The folder served. */
  dir: string;
  /** The served working copy, when the default one was prepared (null with `notebookDir`). */
  workspace: Workspace | null;
  /** Idle-kernel culling time in seconds (0: off). */
  cullIdleSeconds: number;
  /** The URL of the notebook to open first. */
  firstUrl: string;
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  /** Stops the UI server and its kernels; resolves when all are gone and the port is closed. */
  stop(): Promise<void>;
}

/** The port NIR_PORT names; anything but an integer 1..65535 is a usage error. */
function portFromEnv(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new NirError("cli.usage", `NIR_PORT must be a TCP port number (1-65535), got "${text}"`, { field: "NIR_PORT", hint: "e.g. NIR_PORT=8888, or unset it to use the first free port from 8888" });
  }
  return port;
}

async function pickPort(): Promise<number> {
  for (let p = 8888; p < 8988; p++) if (!(await portOpen(p))) return p;
  return freePort();
}

/** Registers the kernel, launches the UI and resolves once it answers (see the file comment). */
export async function startWorkshop(opts: WorkshopOptions = {}): Promise<Workshop> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const root = projectRoot();
  installKernel({}, root);
  let ui = findJupyterUI();
  if (!ui) {
    installNotebookUI(log);
    ui = findJupyterUI()!;
  }
  const port = opts.port ?? (process.env.NIR_PORT ? portFromEnv(process.env.NIR_PORT) : await pickPort());
  // Never an empty token: Jupyter would then serve without authentication.
  const token = opts.token || process.env.NIR_TOKEN || randomBytes(24).toString("hex");
  const workspace = opts.notebookDir ? null : prepareWorkspace({ fresh: opts.fresh });
  const dir = opts.notebookDir ?? workspace!.dir;
  const cull = cullIdleSeconds(opts.cullIdleSeconds);
  const common = ["--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", ...cullArgs(cull)];
  // the token goes through JUPYTER_TOKEN (read by notebook 6 and jupyter_server), not argv: see parent-watch.ts
  const args = ui === "lab"
    ? [...common, `--ServerApp.root_dir=${dir}`, `--MultiKernelManager.default_kernel_name=${KERNEL_NAME}`]
    : // notebook 6 (Debian) reads NotebookApp options, notebook 7 (jupyter_server based) ServerApp ones
      [...common, `--notebook-dir=${dir}`, `--ServerApp.root_dir=${dir}`, `--MultiKernelManager.default_kernel_name=${KERNEL_NAME}`];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const runtimeDir = privateRuntimeDir();
  mkdirSync(join(root, ".jupyter"), { recursive: true });
  const logPath = join(root, ".jupyter", "workshop.log");
  const logFile = createWriteStream(logPath, { flags: "w" }); // one log per run
  const env = jupyterEnv(root, { JUPYTER_TOKEN: token, JUPYTER_RUNTIME_DIR: runtimeDir });
  const child = spawn(jupyterPython(), watchedModuleArgs(ui === "lab" ? "jupyterlab" : "notebook", args), { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  const base = `http://127.0.0.1:${port}/`;
  let stopping: Promise<void> | null = null;
  const workshop: Workshop = {
    ui, port, token, process: child, dir, workspace, cullIdleSeconds: cull,
    url: `${base}${ui === "lab" ? "lab" : "tree"}?token=${token}`,
    firstUrl: `${base}${ui === "lab" ? "lab/tree" : "notebooks"}/${FIRST_NOTEBOOK}?token=${token}`,
    stop: () =>
      (stopping ??= (async () => {
        await stopTree(child);
        removeRuntimeDir(runtimeDir);
        for (let i = 0; i < 50 && (await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 100));
        logFile.end();
      })()),
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (opts.signal?.aborted) {
      await workshop.stop();
      throw new NirError("kernel.setup", "interrupted while Jupyter was starting", { hint: "run `npm start` again" });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      removeRuntimeDir(runtimeDir);
      throw new NirError("kernel.setup", `the Jupyter ${ui} server exited (${child.exitCode ?? child.signalCode}) before it was ready`, { file: logPath, hint: `read ${logPath}; is port ${port} taken? (set NIR_PORT)` });
    }
    try {
      const r = await fetch(`${base}api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(2000) });
      if (r.ok) return workshop;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await workshop.stop();
      throw new NirError("kernel.setup", `the Jupyter ${ui} server did not answer on ${base} within 90 s`, { file: logPath, hint: `read ${logPath}` });
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

function minutes(s: number): string {
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

/** The banner `npm start` prints once the UI is up. */
export function workshopBanner(w: Workshop): string {
  const ws = w.workspace;
  const served = ws ? `${ws.dir} (your working copy of notebooks/)` : w.dir;
  const lines = [
    `nirkit workshop: Jupyter ${w.ui === "lab" ? "Lab" : "Notebook"} with the "${KERNEL_DISPLAY_NAME}" kernel, serving ${served}`,
    `  open ${w.url}`,
    `  start with ${FIRST_NOTEBOOK}: ${w.firstUrl}`,
  ];
  if (ws?.copied.length) lines.push(`  copied from notebooks/: ${ws.copied.join(", ")}`);
  if (ws?.replaced.length) lines.push(`  --fresh: your edited copies were renamed, not deleted: ${ws.replaced.join(", ")} (in ${ws.dir})`);
  if (ws && ws.kept.length) lines.push(`  your edited copies are kept (\`npm start -- --fresh\` replaces them with the originals)`);
  lines.push(w.cullIdleSeconds > 0
    ? `  a kernel whose tab is closed shuts down after ${minutes(w.cullIdleSeconds)} idle (NIR_CULL_IDLE=seconds, 0 = never)`
    : "  idle kernels are kept (NIR_CULL_IDLE=0)");
  lines.push(`  (listening on 127.0.0.1:${w.port} only; Ctrl-C stops the server and its kernels)`);
  lines.push(...missingDataLines());
  return lines.join("\n");
}
