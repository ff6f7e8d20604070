/**
 * The headless notebook runner, on @jupyterlab/services: starts (or reuses) a token-protected
 * jupyter_server, opens a session on the `nirkit` kernel, executes a notebook cell by cell,
 * collects the outputs as a front end would, and writes the executed `.ipynb` plus HTML
 * (Debian's nbconvert). After a failed cell it waits 250 ms before the next request, because
 * tslab aborts requests that arrive within 200 ms of an error.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { KernelMessage, Session } from "@jupyterlab/services";
import { NirError } from "../ir/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { cellSource, outputCollector, readNotebook, stripAnsi, type CellOutput, type IOPubMessage, type Notebook } from "./ipynb.js";
import { KERNEL_NAME } from "./kernelspec.js";
import { jupyterEnv, jupyterPython } from "./paths.js";
import { startJupyterServer, type JupyterServer } from "./server.js";


/** How long {@link openKernel} waits for a new kernel's first answer (ms). */
export const READY_TIMEOUT_MS = 120_000;

/** True when the server no longer lists kernel `id` (it died for good); false when it does or cannot tell. */
async function kernelGone(server: JupyterServer, id: string): Promise<boolean> {
  try {
    const r = await fetch(`${server.url}api/kernels/${id}`, { headers: { Authorization: `token ${server.token}` }, signal: AbortSignal.timeout(2000) });
    return r.status === 404;
  } catch {
    return false;
  }
}

/** The result of executing one piece of code. */
export interface CellResult {
  status: "ok" | "error" | "abort" | "timeout";
  outputs: CellOutput[];
  executionCount: number | null;
  /** ename/evalue/traceback of a failed cell (traceback without colour codes). */
  error?: { ename: string; evalue: string; traceback: string[] };
  /** Wall time in ms. */
  ms: number;
}

/** Options of {@link KernelClient.execute}. */
export interface ExecuteOptions {
  /** Time limit in ms (default 300 000); the kernel is interrupted after it. */
  timeoutMs?: number;
  /** Collect outputs into this list (default: a new one). */
  outputs?: CellOutput[];
  /** Sees every IOPub message of the request (msg_type and content), e.g. update_display_data. */
  onIOPub?: (msg: IOPubMessage) => void;
}

/** A live kernel session. */
export interface KernelClient {
  /** Executes code and resolves when the kernel is idle again. */
  execute(code: string, opts?: ExecuteOptions): Promise<CellResult>;
  /** Interrupts the kernel (the notebook's stop button: the server sends it SIGINT). */
  interrupt(): Promise<void>;
  /** Shuts the kernel and session down. */
  shutdown(): Promise<void>;
}

type Services = typeof import("@jupyterlab/services");

let quiet = false;

/** @jupyterlab/services logs "Starting WebSocket: …" with console.debug on every connect. */
function quietServices(): void {
  if (quiet) return;
  quiet = true;
  // A kernel that restarts while @jupyterlab/services still waits for its kernel_info reply makes
  // services cancel that request, whose promise nobody inside services awaits: without this the
  // rejection would end the process. openKernel sees the restart through `kernel.info` instead.
  // Any other rejection ends the process as Node would, unless someone else listens (a test runner).
  process.on("unhandledRejection", (reason) => {
    if (reason instanceof Error && reason.message.startsWith("Canceled future for kernel_info_request")) return;
    if (process.listenerCount("unhandledRejection") === 1) throw reason;
  });
  const debug = console.debug;
  console.debug = (...args: unknown[]) => {
    if (typeof args[0] === "string" && args[0].startsWith("Starting WebSocket")) return;
    debug(...args);
  };
}

async function loadServices(): Promise<Services> {
  quietServices();
  const m = (await import("@jupyterlab/services")) as Services & { default?: Services };
  return "ServerConnection" in m && m.ServerConnection ? m : (m.default as Services);
}

/**
 * Opens a session for notebook `path` (relative to the server root, or absolute under it) on
 * the nirkit kernel. The kernel's working folder is the notebook's folder.
 */
export async function openKernel(server: JupyterServer, path: string, opts: { kernelName?: string; readyTimeoutMs?: number } = {}): Promise<KernelClient> {
  const S = await loadServices();
  const { default: WebSocket } = await import("ws");
  const rel = relative(server.rootDir, resolve(server.rootDir, path)).split(sep).join("/");
  const serverSettings = S.ServerConnection.makeSettings({
    baseUrl: server.url,
    wsUrl: server.url.replace(/^http/, "ws"),
    token: server.token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const kernelManager = new S.KernelManager({ serverSettings });
  const sessionManager = new S.SessionManager({ kernelManager, serverSettings });
  const session: Session.ISessionConnection = await sessionManager.startNew({
    path: rel,
    type: "notebook",
    name: basename(rel),
    kernel: { name: opts.kernelName ?? KERNEL_NAME },
  });
  const kernel = session.kernel;
  if (!kernel) throw new NirError("kernel.setup", `the server started no kernel for ${rel}`, { hint: "run `nir kernel install` and check JUPYTER_PATH" });
  /** Where the kernel stands, and what the server printed last: for errors that say why. */
  const state = () => `kernel status ${kernel.status}, connection ${kernel.connectionStatus}; the server's last lines:\n${server.log(30)}`;
  // The first request goes out only once the kernel has answered kernel_info (it is running
  // and its channels are connected), so a kernel that never starts fails here, with the log.
  // A kernel that exits at start (e.g. a port taken, see kernel/preload.cjs) is restarted by the
  // server, and the connection then waits on a new info promise: look again each second.
  const readyBy = Date.now() + (opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  let ready = false;
  // A kernel that keeps dying is given up by the server after its restarts and removed from its
  // list (the connection never hears of it): asking the server each second ends the wait then.
  let gone = false;
  while (!ready && !gone && Date.now() < readyBy) {
    const wait = Math.min(1000, readyBy - Date.now());
    ready = await Promise.race([kernel.info.then(() => true, () => false), new Promise<false>((r) => setTimeout(() => r(false), wait).unref())]);
    if (!ready) gone = kernel.status === "dead" || (await kernelGone(server, kernel.id));
  }
  if (!ready) {
    const why = state();
    await session.shutdown().catch(() => undefined);
    sessionManager.dispose();
    kernelManager.dispose();
    const what = gone ? "died before it answered (the server gave up restarting it)" : `did not answer within ${(opts.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s`;
    throw new NirError("kernel.setup", `the nirkit kernel for ${rel} ${what} (${why})`, {
      hint: "the server's last lines are in this message; on a very busy machine try again",
    });
  }
  const collect = outputCollector();
  let closed = false;

  return {
    async execute(code, eopts = {}) {
      const outputs = eopts.outputs ?? [];
      const t0 = performance.now();
      const future = kernel.requestExecute({ code, stop_on_error: false, store_history: true, allow_stdin: false });
      future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
        const m = { msg_type: msg.header.msg_type, content: msg.content as Record<string, unknown> } as IOPubMessage;
        collect(outputs, m);
        eopts.onIOPub?.(m);
      };
      const timeoutMs = eopts.timeoutMs ?? 300_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), timeoutMs)));
      let reply: KernelMessage.IExecuteReplyMsg | "timeout";
      try {
        reply = await Promise.race([future.done as Promise<KernelMessage.IExecuteReplyMsg>, timedOut]);
      } finally {
        clearTimeout(timer);
      }
      if (reply === "timeout") {
        await kernel.interrupt().catch(() => undefined);
        future.dispose();
        const evalue = `the cell did not finish within ${timeoutMs} ms`;
        return { status: "timeout", outputs, executionCount: null, ms: performance.now() - t0, error: { ename: "Timeout", evalue, traceback: [`Timeout: ${evalue}`, ...state().split("\n")] } };
      }
      const c = reply.content as unknown as { status: CellResult["status"]; execution_count?: number | null; ename?: string; evalue?: string; traceback?: string[] };
      const result: CellResult = { status: c.status, outputs, executionCount: c.execution_count ?? null, ms: performance.now() - t0 };
      if (c.status === "error") {
        const errOut = outputs.find((o) => o.output_type === "error");
        const stderr = outputs.filter((o) => o.name === "stderr").map((o) => o.text ?? "").join("");
        result.error = {
          ename: c.ename || errOut?.ename || "Error",
          evalue: c.evalue || errOut?.evalue || stripAnsi(stderr).trim(),
          traceback: (c.traceback ?? errOut?.traceback ?? []).map(stripAnsi),
        };
      }
      return result;
    },
    async interrupt() {
      await kernel.interrupt();
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      try {
        await session.shutdown();
      } catch {
        /* the server may already be gone */
      }
      sessionManager.dispose();
      kernelManager.dispose();
    },
  };
}

/** One executed cell of a notebook run. */
export interface CellRun {
  /** Index in the notebook's cell list (0-based, markdown cells included). */
  index: number;
  status: CellResult["status"] | "skipped";
  ms: number;
}

/** Where and why a notebook run failed. */
export interface FailedCell {
  /** Index in the notebook's cell list (0-based); the message says "cell N" 1-based. */
  index: number;
  /** First line of the cell's source. */
  firstLine: string;
  ename: string;
  evalue: string;
  /** One line for humans: `cell 3 ("const g = …"): NirError: …`. */
  message: string;
}

/** The result of {@link runNotebook}. */
export interface NotebookRun {
  path: string;
  cells: CellRun[];
  failedCell?: FailedCell;
  /** The executed notebook written. */
  ipynbPath: string;
  /** The HTML written, or null when nbconvert is not available (see `htmlError`). */
  htmlPath: string | null;
  htmlError?: string;
  /** Wall time in ms, kernel start included. */
  ms: number;
}

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** Output folder for the executed .ipynb and .html (default `out/` in the current folder). */
  outDir?: string;
  /** A server to reuse (default: start one for this run, rooted at the notebook's folder's ancestor). */
  server?: JupyterServer;
  /** Keep executing after a failed cell (default false: stop at the first failure). */
  allowErrors?: boolean;
  /** Per-cell time limit in ms (default 300 000). */
  cellTimeoutMs?: number;
  /** Write HTML via nbconvert (default true). */
  html?: boolean;
  /** Called after each cell (progress reporting). */
  onCell?: (cell: CellRun, total: number) => void;
}

/** The folder all `paths` share (the server root for a multi-notebook run). */
export function commonDir(paths: string[]): string {
  const parts = paths.map((p) => dirname(resolve(p)).split(sep));
  const out: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) out.push(parts[0][i]);
  return out.join(sep) || sep;
}

/** Executes one notebook (see the file comment) and writes `<outDir>/<name>.ipynb` and `.html`. */
export async function runNotebook(path: string, opts: RunOptions = {}): Promise<NotebookRun> {
  const abs = resolve(path);
  const nb: Notebook = readNotebook(abs);
  const own = opts.server ? null : await startJupyterServer({ rootDir: dirname(abs) });
  const server = opts.server ?? own!;
  const t0 = performance.now();
  const cells: CellRun[] = [];
  let failedCell: FailedCell | undefined;
  let client: KernelClient | null = null;
  // Shutting the kernel (and an own server) down overlaps with writing the HTML.
  const close = async () => {
    await client?.shutdown();
    await own?.stop();
  };
  try {
    if (!abs.startsWith(resolve(server.rootDir))) {
      throw new NirError("cli.usage", `the notebook is outside the server's folder ${server.rootDir}`, { file: abs, hint: "start the server on a folder containing the notebook" });
    }
    client = await openKernel(server, abs);
    const code = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === "code");
    for (const { c, i } of code) {
      c.outputs = [];
      c.execution_count = null;
      const src = cellSource(c);
      if (failedCell && !opts.allowErrors) {
        cells.push({ index: i, status: "skipped", ms: 0 });
        continue;
      }
      if (!src.trim()) {
        cells.push({ index: i, status: "ok", ms: 0 });
        continue;
      }
      const r = await client.execute(src, { timeoutMs: opts.cellTimeoutMs, outputs: c.outputs });
      c.execution_count = r.executionCount;
      const run: CellRun = { index: i, status: r.status, ms: r.ms };
      cells.push(run);
      opts.onCell?.(run, code.length);
      if (r.status !== "ok" && !failedCell) {
        const firstLine = src.split("\n").find((l) => l.trim()) ?? "";
        const err = r.error ?? { ename: r.status, evalue: `the cell was ${r.status === "abort" ? "aborted" : "not run"}`, traceback: [] };
        const short = firstLine.length > 50 ? firstLine.slice(0, 47) + "…" : firstLine;
        failedCell = { index: i, firstLine, ename: err.ename, evalue: err.evalue, message: `cell ${i + 1} ("${short}"): ${err.ename}: ${err.evalue}` };
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  const closing = close();
  const outDir = resolve(opts.outDir ?? "out");
  mkdirSync(outDir, { recursive: true });
  const name = basename(abs, ".ipynb");
  const ipynbPath = join(outDir, `${name}.ipynb`);
  if (ipynbPath === abs) {
    await closing;
    throw new NirError("cli.usage", "the output would overwrite the notebook itself", { file: abs, hint: "pass a different --out folder" });
  }
  // nbformat 4.5 requires cell ids; add them where the source notebook had none.
  if (nb.nbformat_minor >= 5) nb.cells.forEach((c, i) => (c.id ??= `cell-${i + 1}`));
  writeFileAtomic(ipynbPath, JSON.stringify(nb, null, 1) + "\n");
  let htmlPath: string | null = null;
  let htmlError: string | undefined;
  if (opts.html !== false) {
    try {
      htmlPath = await toHtml(ipynbPath, outDir);
    } catch (e) {
      htmlError = (e as Error).message;
    }
  }
  await closing;
  return { path: abs, cells, failedCell, ipynbPath, htmlPath, htmlError, ms: performance.now() - t0 };
}

/** Converts an executed notebook to HTML with Debian's nbconvert; resolves to the .html path. */
export function toHtml(ipynbPath: string, outDir: string): Promise<string> {
  const name = basename(ipynbPath, ".ipynb");
  return new Promise((resolveHtml, reject) => {
    const p = spawn(jupyterPython(), ["-m", "nbconvert", "--to", "html", "--log-level=WARN", "--output-dir", outDir, "--output", name, ipynbPath], { env: jupyterEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    p.on("error", (e) => reject(new NirError("kernel.setup", `could not run nbconvert: ${e.message}`, { hint: "install jupyter-nbconvert" })));
    p.on("exit", (code) => {
      const out = join(outDir, `${name}.html`);
      if (code === 0 && existsSync(out)) resolveHtml(out);
      else reject(new NirError("kernel.setup", `nbconvert failed (exit ${code}): ${err.trim()}`, { file: ipynbPath, hint: "install jupyter-nbconvert (apt-get install jupyter-nbconvert)" }));
    });
  });
}

/** Runs several notebooks on one shared server (rooted at their common folder). */
export async function runNotebooks(paths: string[], opts: Omit<RunOptions, "server"> & { onNotebook?: (r: NotebookRun) => void } = {}): Promise<NotebookRun[]> {
  if (!paths.length) return [];
  for (const p of paths) readNotebook(resolve(p)); // fail on a bad path before starting a server
  const server = await startJupyterServer({ rootDir: commonDir(paths) });
  const out: NotebookRun[] = [];
  try {
    for (const p of paths) {
      const r = await runNotebook(p, { ...opts, server });
      opts.onNotebook?.(r);
      out.push(r);
    }
  } finally {
    await server.stop();
  }
  return out;
}
