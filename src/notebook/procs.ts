/**
 * Process housekeeping for the Jupyter servers nirkit starts: free local ports, descendants of a
 * process (Jupyter starts kernels in their own session, so killing the server's process group
 * does not reach them), and stopping a server with everything it started.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import type { ChildProcess } from "node:child_process";

/** A free TCP port on 127.0.0.1 (asks the OS for one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

/** The pid folders of /proc (empty where there is no /proc). */
function procEntries(): string[] {
  try {
    return readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
}

/** Parent pid of every live process (Linux /proc; empty elsewhere). */
function parentMap(): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of procEntries()) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(e), Number(rest[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** All live descendants of `pid` (children, grandchildren, …). */
export function descendants(pid: number): number[] {
  const parents = parentMap();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [c, pp] of parents) {
      if (pp === p && !out.includes(c)) {
        out.push(c);
        queue.push(c);
      }
    }
  }
  return out;
}

/** True while process `pid` exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Stops a server process started with `detached: true`: SIGTERM to its process group (Jupyter
 * then shuts its kernels down), wait up to `graceMs`, then SIGKILL the group and any descendant
 * still alive (kernels live in sessions of their own).
 */
export async function stopTree(child: ChildProcess, graceMs = 8000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  const kids = descendants(pid);
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signal(-pid, "SIGTERM");
  signal(pid, "SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  if ((await Promise.race([exited, timer])) === "timeout") signal(-pid, "SIGKILL");
  const deadline = Date.now() + 3000;
  for (;;) {
    const left = kids.filter(alive);
    if (!left.length) break;
    if (Date.now() > deadline) {
      for (const k of left) signal(k, "SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Synchronous last-resort kill of a server and its descendants (for process "exit" handlers). */
export function killTreeNow(pid: number): void {
  const kids = descendants(pid);
  signal(-pid, "SIGKILL");
  for (const k of kids) signal(k, "SIGKILL");
}

/**
 * Live processes whose environment holds `name=value` (Linux /proc; only processes of the same
 * user, or all for root, can be read). The workshop hub tags every process it starts this way, so
 * it finds single-user servers and kernels that outlived the hub process that started them.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const out: number[] = [];
  for (const e of procEntries()) {
    if (Number(e) === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${e}/environ`), Buffer.from([0])]);
      if (env.includes(needle) && alive(Number(e))) out.push(Number(e));
    } catch {
      /* exited meanwhile, or not ours */
    }
  }
  return out;
}

/** SIGTERM to every pid, then SIGKILL to those still alive after `graceMs`; resolves when all are gone or killed. */
export async function terminateAll(pids: number[], graceMs = 5000): Promise<void> {
  for (const p of pids) signal(p, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const p of pids.filter(alive)) signal(p, "SIGKILL");
}
