// Training in the nirkit kernel through @jupyterlab/services (a real jupyter_server): the live chart
// is ONE display_data followed by update_display_data messages with the same display_id (never more
// than one display per epoch), and the stop button (a kernel interrupt) ends the training cell
// within 5 s at a batch boundary, keeps the weights, and the next cell continues the same session.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJupyterServer, type JupyterServer } from "../../src/notebook/server.js";
import { openKernel, type CellResult, type KernelClient } from "../../src/notebook/run.js";
import type { IOPubMessage } from "../../src/notebook/ipynb.js";
import { ROOT } from "../support/index.js";
import { ensureBuilt, ensureJupyterServer } from "./setup.js";

const skip = ensureJupyterServer() ?? ensureBuilt();
if (skip) console.warn(`[skip] live training in the kernel: ${skip}`);

/** A toy task built in the kernel: 3 classes of 12 input channels, 120 samples of 40 steps. */
const SETUP = `import * as nir from "nirkit";
function toy(n: number, seed: number) {
  let a = seed >>> 0;
  const r = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 4294967296);
  const labels = Array.from({ length: n }, (_, k) => k % 3);
  const T = 40, C = 12, x = new Float32Array(T * n * C);
  for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) x[(t * n + b) * C + c] = r() < (Math.floor(c / 4) === labels[b] ? 0.5 : 0.05) ? 1 : 0;
  return nir.tensorSet(nir.tensor(x, "float32", [T, n, C]), labels);
}
const data = { name: "toy", train: toy(120, 1), test: toy(30, 2), dt: 1e-4, classes: 3 };
const net = () => nir.recurrentCuba({ inputs: 12, hidden: 32, classes: 3, seed: 0 });
const weights = (g: nir.NIRGraph) => Array.from((g.nodes.get("fc1") as nir.Linear).weight.data as Float32Array);`;

/** The stdout text of an executed cell. */
const stdout = (r: CellResult): string => r.outputs.filter((o) => o.name === "stdout").map((o) => [o.text ?? ""].flat().join("")).join("");

describe.skipIf(!!skip)("live training in the nirkit kernel", () => {
  let server: JupyterServer;
  let kernel: KernelClient;
  const dir = mkdtempSync(join(ROOT, "notebooks", ".train-live-"));

  beforeAll(async () => {
    server = await startJupyterServer({ rootDir: ROOT });
    kernel = await openKernel(server, join(dir, "train-live.ipynb"));
    const r = await kernel.execute(SETUP, { timeoutMs: 120_000 });
    expect(r.error).toBeUndefined();
  }, 240_000);

  afterAll(async () => {
    await kernel?.shutdown();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("updates one display in place: display_data, then update_display_data with the same id, at most one display per epoch", async () => {
    const msgs: IOPubMessage[] = [];
    const epochs = 3;
    const r = await kernel.execute(`const s1 = nir.trainingSession(net(), data, { epochs: ${epochs}, batch: 8, seed: 0 });\nawait nir.trainLive(s1, { updateMs: 0 });`, { timeoutMs: 240_000, onIOPub: (m) => msgs.push(m) });
    expect(r.error).toBeUndefined();
    const id = (m: IOPubMessage) => (m.content.transient as { display_id?: string } | undefined)?.display_id;
    const displays = msgs.filter((m) => m.msg_type === "display_data");
    const updates = msgs.filter((m) => m.msg_type === "update_display_data");
    expect(displays.length).toBeGreaterThanOrEqual(1);
    expect(displays.length).toBeLessThanOrEqual(epochs);
    expect(id(displays[0])).toMatch(/^nirkit-training-/);
    expect(updates.length).toBeGreaterThan(0);
    expect(new Set(updates.map(id))).toEqual(new Set([id(displays[0])]));
    expect(msgs.indexOf(updates[0])).toBeGreaterThan(msgs.indexOf(displays[0]));
    const final = updates[updates.length - 1].content.data as Record<string, string>;
    expect(final["text/plain"]).toMatch(new RegExp(`^done: epoch ${epochs}/${epochs} · batch 15/15`)); // 120 samples / 8
    expect((final["text/html"].match(/<circle [^>]*r="3"/g) ?? []).length).toBe(3 * epochs); // loss, train, test per epoch
    // the runner's collector kept the one display, with its last state
    expect(r.outputs.filter((o) => o.output_type === "display_data")).toHaveLength(1);
  }, 300_000);

  it("stops on an interrupt within 5 s at a batch boundary, keeps the weights, and the next cell continues", async () => {
    const before = await kernel.execute(`const s2 = nir.trainingSession(net(), data, { epochs: 1000, batch: 8, seed: 0 });\nconst w0 = weights(s2.graph);`, { timeoutMs: 60_000 });
    expect(before.error).toBeUndefined();
    let sawUpdate!: () => void;
    const running = new Promise<void>((r) => (sawUpdate = r));
    const training = kernel.execute(`await nir.trainLive(s2, { updateMs: 0 });`, {
      timeoutMs: 240_000,
      onIOPub: (m) => { if (m.msg_type === "update_display_data") sawUpdate(); },
    });
    await running; // training is under way
    const t0 = performance.now();
    await kernel.interrupt();
    const r = await training;
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(r.status).toBe("error");
    expect(r.error!.ename).toBe("NirError");
    expect(r.error!.evalue).toMatch(/^Training interrupted at epoch (\d+), batch (\d+) of 15\. /);
    const [, epoch, batch] = /epoch (\d+), batch (\d+)/.exec(r.error!.evalue)!.map(Number);
    // the cell after it sees the kept state: where it stopped, and trained weights
    const state = await kernel.execute(`console.log(JSON.stringify({ position: s2.position, epochs: s2.records.length, moved: weights(s2.graph).some((w, i) => w !== w0[i]) }));`, { timeoutMs: 60_000 });
    const kept = JSON.parse(stdout(state)) as { position: { epoch: number; batch: number } | null; epochs: number; moved: boolean };
    expect(kept.moved).toBe(true);
    if (batch > 0) expect(kept.position).toMatchObject({ epoch, batch });
    expect(kept.epochs).toBe(epoch - 1);
    // continue: finish the interrupted epoch; its display starts where training stopped
    const msgs: IOPubMessage[] = [];
    const next = await kernel.execute(`s2.targetEpochs = s2.epoch + 1;\nawait nir.trainLive(s2, { updateMs: 0 });\nconsole.log(s2.records.length);`, { timeoutMs: 240_000, onIOPub: (m) => msgs.push(m) });
    expect(next.error).toBeUndefined();
    const first = msgs.find((m) => m.msg_type === "display_data")!.content.data as Record<string, string>;
    expect(first["text/plain"]).toContain(`epoch ${epoch}/${epoch} · batch ${batch}/15`);
    expect(stdout(next).trim()).toBe(String(epoch));
  }, 300_000);
});
