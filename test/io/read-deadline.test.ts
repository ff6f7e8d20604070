// The read deadline, through the compiled package (the read worker exists only in dist/): a file
// whose global heap objects are zeroed sends HDF5 into an endless loop; the read is stopped with
// io.timeout, and the next read (in a fresh worker) works.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../kernel/setup.js";

const skip = ensureBuilt();
if (skip) console.warn(`[skip] read deadline test: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), "nirkit-deadline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!!skip)("reads with a deadline", () => {
  it("stops a read that HDF5 loops in, and reads the next file normally", async () => {
    const nir = await import("nirkit");
    const f64 = (n: number, x: number) => ({ dtype: "float64" as const, shape: [n], data: new Float64Array(n).fill(x) });
    const g = nir.fromList(nir.Input({ shape: [2] }), nir.LIF({ tau: f64(2, 0.02), r: f64(2, 1), v_leak: f64(2, 0), v_threshold: f64(2, 1) }), nir.Output({ shape: [2] }));
    const good = join(dir, "good.nir");
    await nir.write(good, g);
    const bytes = readFileSync(good);
    const heap = bytes.indexOf("GCOL");
    expect(heap).toBeGreaterThan(0); // variable-length strings (type, edges) live in the global heap
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, heap + 16, heap + 16 + 64); // keep the collection header, zero its first objects
    const bad = join(dir, "zeroed-heap.nir");
    writeFileSync(bad, zeroed);

    const t0 = performance.now();
    const err = await nir.read(bad, { timeoutMs: 3000 }).then(() => null, (e: unknown) => e);
    console.log(`[read deadline] zeroed global heap: ${(err as Error | null)?.message ?? "read"} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(err).toMatchObject({ name: "NirError", code: "io.timeout", file: bad });

    const back = await nir.read(good, { timeoutMs: 30_000 });
    expect([...back.nodes.keys()].sort()).toEqual(["input", "lif", "output"]);
    await nir.stopReadWorker();
  }, 120_000);
});
