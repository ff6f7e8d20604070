/**
 * A private, token-protected Jupyter server for headless runs: Debian's jupyter_server
 * (`/usr/bin/python3 -m jupyter_server`, which has no `jupyter server` script) on a free
 * 127.0.0.1 port, with the project-local kernelspec on JUPYTER_PATH. `stop()` ends it together
 * with its kernels; a process "exit" hook does the same if the caller forgets or crashes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { NirError } from "../ir/errors.js";
import { installKernel } from "./kernelspec.js";
import { jupyterEnv, jupyterPython, projectRoot } from "./paths.js";
import { privateRuntimeDir, removeRuntimeDir, watchedModuleArgs } from "./parent-watch.js";
import { freePort, killTreeNow, stopTree } from "./procs.js";

/** A running Jupyter server. */
export interface JupyterServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  port: number;
  token: string;
  /** The folder the server serves (notebook paths are relative to it). */
  rootDir: string;
  process: ChildProcess;
  /** The last lines the server printed (kernel starts, restarts, deaths, warnings). */
  log(lines?: number): string;
  /** Stops the server and its kernels (idempotent). */
  stop(): Promise<void>;
}

/** Options of {@link startJupyterServer}. */
export interface ServerOptions {
  /** Folder to serve (default: the project root). */
  rootDir?: string;
  /** Port (default: a free one). */
  port?: number;
  /** Token (default: random). */
  token?: string;
  /** Give up waiting for the server after this many ms (default 60 000). */
  timeoutMs?: number;
}

/** True when Debian's jupyter_server can be imported by {@link jupyterPython}. */
export function hasJupyterServer(): boolean {
  const r = spawnSync(jupyterPython(), ["-c", "import jupyter_server"], { stdio: "ignore" });
  return r.status === 0;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** Kills every server started here and its kernels, synchronously (for signal handlers). */
export function killAllServersNow(): void {
  for (const c of running) if (c.pid) killTreeNow(c.pid);
  running.clear();
}

/** How many ports {@link startJupyterServer} tries when it picks them itself. */
const PORT_TRIES = 3;

/**
 * Starts a jupyter_server and resolves once its REST API answers. When it picked the port itself
 * and another process took that port before the server bound it, it tries again on a new one.
 */
export async function startJupyterServer(opts: ServerOptions = {}): Promise<JupyterServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      const lost = e instanceof NirError && /port \d+ is not available/.test(e.message);
      if (!lost || opts.port !== undefined || attempt >= PORT_TRIES) throw e;
    }
  }
}

async function startOnce(opts: ServerOptions): Promise<JupyterServer> {
  const root = projectRoot();
  installKernel({}, root);
  if (!hasJupyterServer()) {
    throw new NirError("kernel.setup", `${jupyterPython()} cannot import jupyter_server`, {
      hint: "install it: sudo apt-get install -y --no-install-recommends python3-jupyter-server jupyter-nbconvert",
    });
  }
  const rootDir = opts.rootDir ?? root;
  const port = opts.port ?? (await freePort());
  const token = opts.token ?? randomBytes(24).toString("hex");
  // the token goes through JUPYTER_TOKEN, not argv (visible in ps): see parent-watch.ts
  const args = [
    "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0",
    `--ServerApp.root_dir=${rootDir}`, "--ServerApp.open_browser=False",
    "--MultiKernelManager.default_kernel_name=nirkit",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const runtimeDir = privateRuntimeDir();
  const env = jupyterEnv(root, { JUPYTER_TOKEN: token, JUPYTER_RUNTIME_DIR: runtimeDir });
  const child = spawn(jupyterPython(), watchedModuleArgs("jupyter_server", args), { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  child.once("exit", () => removeRuntimeDir(runtimeDir));
  let log = "";
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-20000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", killAllServersNow);
  }
  const url = `http://127.0.0.1:${port}/`;
  let stopped: Promise<void> | null = null;
  const server: JupyterServer = {
    url, port, token, rootDir, process: child,
    log: (lines = 40) => log.trimEnd().split("\n").slice(-lines).join("\n"),
    stop: () => (stopped ??= stopTree(child)),
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new NirError("kernel.setup", `jupyter_server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log.trim()}`, { hint: "read the server log above" });
    }
    try {
      // Bounded: whatever else listens on the port (if the server lost it) may never answer.
      const r = await fetch(`${url}api/status`, { headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(2000) });
      if (r.ok) return server;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new NirError("kernel.setup", `jupyter_server did not answer on ${url} within ${opts.timeoutMs ?? 60_000} ms:\n${log.trim()}`, { hint: "check the log above; is the machine very busy?" });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
