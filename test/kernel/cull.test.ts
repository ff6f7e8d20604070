// The workshop server shuts down a kernel that was left idle with no tab connected: a real
// Jupyter UI server (as `npm start` runs it) with a 3 s idle limit, one kernel started over REST.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findJupyterUI, startWorkshop, type Workshop } from "../../src/notebook/workshop.js";
import { ensureBuilt } from "./setup.js";
import { ROOT } from "../support/index.js";

const skip = findJupyterUI() ? ensureBuilt() : "no Jupyter UI (JupyterLab or notebook) importable by the Jupyter Python";
if (skip) console.warn(`[skip] idle-kernel culling test: ${skip}`);

describe.skipIf(!!skip)("idle kernels", () => {
  const dir = mkdtempSync(join(tmpdir(), "nirkit-cull-"));
  let w: Workshop | undefined;
  afterAll(async () => {
    await w?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("are shut down after the configured idle time", async () => {
    w = await startWorkshop({ notebookDir: dir, cullIdleSeconds: 3, log: () => undefined });
    expect(w.cullIdleSeconds).toBe(3);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${w!.port}/api/${path}`, { ...init, headers: { Authorization: `token ${w!.token}`, "Content-Type": "application/json" } });
    const started = await api("kernels", { method: "POST", body: JSON.stringify({ name: "nirkit" }) });
    expect(started.status).toBe(201);
    const id = ((await started.json()) as { id: string }).id;
    const listed = (await (await api("kernels")).json()) as { id: string }[];
    expect(listed.map((k) => k.id)).toContain(id);
    // culled: gone from the list within the idle time plus a few check intervals (bounded wait, not a timing claim)
    let gone = false;
    for (let i = 0; i < 120 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 500));
      gone = !((await (await api("kernels")).json()) as { id: string }[]).some((k) => k.id === id);
    }
    expect(gone).toBe(true);
    // and gone because the culler shut it down (the server logs why), not because it died
    const log = join(ROOT, ".jupyter", "workshop.log");
    let why = "";
    for (let i = 0; i < 20 && !why.includes(id); i++) {
      if (existsSync(log)) why = readFileSync(log, "utf8").split("\n").filter((l) => /cull/i.test(l)).join("\n");
      if (!why.includes(id)) await new Promise((r) => setTimeout(r, 250));
    }
    expect(why).toContain(id);
    expect(why).toMatch(/inactivity/);
  }, 180_000);
});
