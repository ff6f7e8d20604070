// `nir workshop` killed with SIGKILL (no exit hook runs): its Jupyter server and a running kernel
// end within a few seconds (the parent watch sees the stdin pipe close), and the token never
// appears on any process's command line.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alive, descendants, freePort, portOpen } from "../../src/notebook/procs.js";
import { ROOT } from "../support/index.js";
import { ensureBuilt, ensureJupyterServer } from "./setup.js";

const skip = ensureJupyterServer() ?? ensureBuilt();
if (skip) console.warn(`[skip] workshop SIGKILL test: ${skip}`);

/** Every process's command line (arguments joined by spaces). */
function commandLines(): string[] {
  const out: string[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      out.push(readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // the process ended while the list was read
    }
  }
  return out;
}

describe.skipIf(!!skip)("nir workshop and SIGKILL", () => {
  it("leaves no Jupyter server or kernel behind and keeps the token off the command line", async () => {
    const port = await freePort();
    const cwd = mkdtempSync(join(tmpdir(), "nirkit-ws-"));
    const env = { ...process.env, NIR_PORT: String(port) };
    delete env.NIR_TOKEN;
    const child = spawn(process.execPath, [join(ROOT, "bin", "nir.js"), "workshop"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const t0 = Date.now();
    while (!/token=([0-9a-f]+)/.test(out) && Date.now() - t0 < 120_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    const token = /token=([0-9a-f]+)/.exec(out)?.[1];
    expect(token, out).toBeTruthy();

    // a kernel, so there is more than the server to clean up
    const r = await fetch(`http://127.0.0.1:${port}/api/kernels`, { method: "POST", headers: { Authorization: `token ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "nirkit" }) });
    expect(r.status).toBe(201);
    const tree = descendants(child.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(2); // the server and its kernel

    const leaked = commandLines().filter((c) => c.includes(token!));
    expect(leaked).toEqual([]);

    child.kill("SIGKILL");
    const killedAt = Date.now();
    while ((tree.some(alive) || (await portOpen(port))) && Date.now() - killedAt < 15_000) await new Promise((r) => setTimeout(r, 200));
    const left = tree.filter(alive);
    console.log(`[workshop SIGKILL] ${tree.length} processes (server + kernel) gone after ${((Date.now() - killedAt) / 1000).toFixed(1)} s; left: ${left.length}`);
    expect(left).toEqual([]);
    expect(await portOpen(port)).toBe(false);
  }, 240_000);
});
