/**
 * One record-spec grammar (src/sim/record.ts) for `nir simulate` and `nir emulate`: NODE and
 * NODE:out are the node's output (a spiking neuron's spikes), NODE:spikes its spikes, NODE:v and
 * NODE:i its state; each is written as <node>.<out|spikes|v|i>.npy by both commands. The graph
 * is the CubaLIF of loihi2-fixed-point.test.ts, so the loihi2 profile and the Loihi 2 emulator
 * also agree on every value.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { command as emulateCmd } from "../../src/cli/commands/emulate.js";
import { command as exportCmd } from "../../src/cli/commands/export.js";
import { command as simulateCmd } from "../../src/cli/commands/simulate.js";
import { dt, wrapGraph } from "./loihi-wrap-fixture.js";
import { readNpy, write, writeNpy } from "../../src/io/index.js";
import { parseRecordSpec } from "../../src/sim/index.js";

beforeEach(() => {
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());


describe("record specs", () => {
  it("parse as node and kind, the node being everything before a known kind", () => {
    expect(["n", "n:out", "n:spikes", "n:v", "n:i", "a:b:v", "n:x"].map(parseRecordSpec)).toEqual([
      { node: "n", what: "out", key: "n.out" },
      { node: "n", what: "out", key: "n.out" },
      { node: "n", what: "spikes", key: "n.spikes" },
      { node: "n", what: "v", key: "n.v" },
      { node: "n", what: "i", key: "n.i" },
      { node: "a:b", what: "v", key: "a:b.v" },
      { node: "n:x", what: "out", key: "n:x.out" },
    ]);
  });

  it("mean the same in nir simulate and nir emulate: same files, output = spikes for a neuron, same values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-records-"));
    const nir = join(dir, "cuba.nir");
    await write(nir, wrapGraph());
    const cfg = join(dir, "cuba.loihi2.json");
    expect(await exportCmd.run([nir, "--chip", "loihi2", "--dt", String(dt), "--reset", "zero", "--out", cfg])).toBe(0);
    const T = 900;
    const input = join(dir, "in.npy");
    writeNpy(input, { dtype: "float64", shape: [T, 1], data: new Float64Array(T).fill(1) });
    const specs = ["lif", "lif:spikes", "lif:v", "lif:i"].flatMap((s) => ["--record", s]);
    expect(await simulateCmd.run([nir, "--input", input, "--dt", String(dt), "--profile", "loihi2", ...specs, "--out", join(dir, "sim")])).toBe(0);
    expect(await emulateCmd.run([cfg, "--input", input, ...specs, "--out", join(dir, "chip")])).toBe(0);
    const files = ["lif.i.npy", "lif.out.npy", "lif.spikes.npy", "lif.v.npy"];
    expect(readdirSync(join(dir, "sim")).sort()).toEqual(files);
    expect(readdirSync(join(dir, "chip")).sort()).toEqual(files);
    const values = (tool: string, f: string): number[] => Array.from(readNpy(join(dir, tool, f)).data as Float64Array, Number);
    for (const tool of ["sim", "chip"]) expect(values(tool, "lif.out.npy")).toEqual(values(tool, "lif.spikes.npy"));
    expect(values("sim", "lif.spikes.npy").some((s) => s === 1)).toBe(true);
    for (const f of files) expect([f, values("chip", f)]).toEqual([f, values("sim", f)]);
  });
});
