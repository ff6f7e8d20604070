/**
 * One simulated workshop participant on the hub, as the load test and the fault tests drive it:
 * log in through the REST API, start the server, open the nirkit kernel on a notebook in the
 * participant's own folder, and run that notebook cell by cell through @jupyterlab/services
 * (run.ts's `openKernel`), timing the spawn, the first output and the whole notebook. The cells
 * are read from the participant's copy when the run starts, never hard-coded.
 */
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import { cellSource, readNotebook } from "./ipynb.js";
import { loginToken, startServer } from "./hub-api.js";
import { openKernel, type KernelClient } from "./run.js";
import type { JupyterServer } from "./server.js";

/** How long a participant's new kernel may take to answer (ms): a class starting at once shares the CPU. */
export const KERNEL_READY_TIMEOUT_MS = 300_000;

/** A participant logged in, with a running server. */
export interface Participant {
  name: string;
  /** The participant's own API token. */
  token: string;
  /** `<hub>/user/<name>/`. */
  serverUrl: string;
  /** The participant's folder (their server's root). */
  dir: string;
}

/** What {@link runParticipant} measured (times in ms from the start of the login). */
export interface ParticipantRun {
  name: string;
  /** Login and server start until the hub reported the server ready. */
  spawnMs: number;
  /** Until the first output of the notebook's first code cell arrived (kernel start included). */
  firstOutputMs: number;
  /** From opening the kernel to the last cell's reply. */
  notebookMs: number;
  /** Code cells run with status ok. */
  cellsOk: number;
  cells: number;
  finished: boolean;
  /** Why the participant did not finish. */
  failure?: string;
}

/** Logs `name` in and starts their server; resolves once it is ready. */
export async function joinHub(hubUrl: string, usersDir: string, name: string, password: string, spawnTimeoutMs?: number): Promise<Participant> {
  const token = await loginToken(hubUrl, name, password);
  const serverUrl = await startServer(hubUrl, name, token, spawnTimeoutMs);
  return { name, token, serverUrl, dir: join(usersDir, name) };
}

/** Opens the nirkit kernel for `notebook` (relative to the participant's folder) on their server. */
export function openParticipantKernel(p: Participant, notebook: string, log: () => string = () => "", readyTimeoutMs = KERNEL_READY_TIMEOUT_MS): Promise<KernelClient> {
  // openKernel needs the server's URL, token, root folder and log, nothing else of a JupyterServer
  const server = { url: p.serverUrl, token: p.token, rootDir: p.dir, log } as unknown as JupyterServer;
  return openKernel(server, join(p.dir, notebook), { readyTimeoutMs });
}

/** The code cells of a notebook (non-empty sources, in order). */
export function codeCells(path: string): string[] {
  return readNotebook(path).cells.filter((c) => c.cell_type === "code").map(cellSource).filter((s) => s.trim());
}

/** Options of {@link runParticipant}. */
export interface ParticipantOptions {
  /** The notebook to run (default 00_welcome.ipynb). */
  notebook?: string;
  /** Per-cell limit (ms, default 300 000). */
  cellTimeoutMs?: number;
  /** Spawn limit (ms, default 300 000). */
  spawnTimeoutMs?: number;
  /** The hub's last log lines, for errors. */
  log?: () => string;
}

/** Logs in, starts the server and runs the notebook cell by cell (see the file comment); never throws. */
export async function runParticipant(hubUrl: string, usersDir: string, name: string, password: string, opts: ParticipantOptions = {}): Promise<ParticipantRun> {
  const t0 = performance.now();
  const out: ParticipantRun = { name, spawnMs: NaN, firstOutputMs: NaN, notebookMs: NaN, cellsOk: 0, cells: 0, finished: false };
  let client: KernelClient | null = null;
  try {
    const p = await joinHub(hubUrl, usersDir, name, password, opts.spawnTimeoutMs);
    out.spawnMs = performance.now() - t0;
    const notebook = opts.notebook ?? "00_welcome.ipynb";
    const cells = codeCells(join(p.dir, notebook));
    out.cells = cells.length;
    const k0 = performance.now();
    client = await openParticipantKernel(p, notebook, opts.log);
    for (const [i, code] of cells.entries()) {
      const r = await client.execute(code, {
        timeoutMs: opts.cellTimeoutMs,
        onIOPub: (m) => {
          if (Number.isNaN(out.firstOutputMs) && ["stream", "display_data", "execute_result", "error"].includes(m.msg_type)) out.firstOutputMs = performance.now() - t0;
        },
      });
      if (r.status !== "ok") {
        throw new NirError("kernel.setup", `code cell ${i + 1} of ${notebook}: ${r.error?.ename ?? r.status}: ${r.error?.evalue ?? ""}`, { field: name, hint: "run the notebook by hand on the hub to see the cell's output" });
      }
      out.cellsOk++;
    }
    out.notebookMs = performance.now() - k0;
    out.finished = true;
  } catch (e) {
    out.failure = `${name}: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    await client?.shutdown();
  }
  return out;
}
