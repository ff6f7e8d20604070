/**
 * plan.explain() names how each node runs, and NIRKIT_DUMP_WAT writes every generated module's
 * text, which the project's assembler turns back into the bytes that ran (their sha-256 is in
 * the file name). Fixtures: a conv → IF → pool → Linear → IF graph (one wasm chain with wasm
 * kernels) and the synthetic recurrent graph of recurrent-fixture.ts (one small-graph module).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { command as simulateCmd } from "../../src/cli/commands/simulate.js";
import { read, write } from "../../src/io/index.js";
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { compile, type SimInput } from "../../src/sim/index.js";
import { assemble } from "../../src/sim/wasm/assemble.js";
import { wasmSimd } from "../../src/sim/wasm/instance.js";
import { rng, smallRecurrentGraph } from "./recurrent-fixture.js";

const t64 = (shape: number[], f: (k: number) => number): Tensor => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => f(k)) });

/** Input (2, 6, 6) → Conv2d 4×2×3×3 → IF → SumPool2d 2×2 → Flatten → Linear 10×16 → IF → Output. */
function convChainGraph(): ir.NIRGraph {
  const r = rng(7);
  const ifn = (n: number[]) => ir.IF({ r: t64(n, () => 1), v_threshold: t64(n, () => 1), v_reset: t64(n, () => 0) });
  return ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, 6, 6] }),
      conv: ir.Conv2d({ weight: t64([4, 2, 3, 3], () => r() - 0.3), stride: [1, 1], padding: [0, 0] }),
      if1: ifn([4, 4, 4]),
      pool: ir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2] }),
      flat: ir.Flatten({ start_dim: 0, end_dim: -1 }),
      fc: ir.Linear({ weight: t64([10, 16], () => r() - 0.2) }),
      if2: ifn([10]),
      output: ir.Output({ shape: [10] }),
    },
    edges: [["input", "conv"], ["conv", "if1"], ["if1", "pool"], ["pool", "flat"], ["flat", "fc"], ["fc", "if2"], ["if2", "output"]],
  });
}

/** Spiky input of T steps for a per-sample shape. */
function spikes(T: number, shape: number[], seed: number): SimInput {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: "float32", shape: [T, ...shape], data: Float32Array.from({ length: T * n }, () => (r() < 0.3 ? 1 : 0)) };
}

describe("plan.explain", () => {
  it.skipIf(!wasmSimd)("shows conv → IF → pool → Linear → IF as one wasm chain, each layer fused with its IF", () => {
    const rows = compile(convChainGraph(), { dt: 1e-3 }).explain();
    expect(rows.map((r) => r.node)).toEqual(["input", "conv", "if1", "pool", "flat", "fc", "if2", "output"]);
    const byNode = Object.fromEntries(rows.map((r) => [r.node, r]));
    for (const n of ["conv", "if1", "pool", "fc", "if2"]) expect([n, byNode[n].engine, byNode[n].segment]).toEqual([n, "wasm", "chain 1"]);
    expect([byNode.conv.fusedWith, byNode.if1.fusedWith, byNode.fc.fusedWith]).toEqual(["if1", "conv", "if2"]);
    expect([byNode.conv.family, byNode.pool.family, byNode.fc.family, byNode.if2.family, byNode.flat.family]).toEqual(["conv", "pool", "affine", "neuron", "io"]);
  });

  it("says why with kernels: \"js\", and a record that splits the chain", () => {
    const js = compile(convChainGraph(), { dt: 1e-3, kernels: "js" }).explain();
    const conv = js.find((r) => r.node === "conv")!;
    expect([conv.engine, conv.segment, conv.fusedWith]).toEqual(["js", "fused pair", "if1"]);
    expect(js.find((r) => r.node === "fc")!.why).toMatch(/kernels/);
    const recorded = compile(convChainGraph(), { dt: 1e-3, kernels: "js" }).explain(["conv"]);
    expect(recorded.find((r) => r.node === "conv")!).toMatchObject({ segment: "js", why: '"conv" is recorded' });
  });

  it.skipIf(!wasmSimd)("shows the recurrent graph as one small-graph module", () => {
    const rows = compile(smallRecurrentGraph(rng(3)), { dt: 1e-4, profile: "snntorch" }).explain();
    const stepping = rows.filter((r) => r.segment !== "none");
    expect(stepping.map((r) => r.node).sort()).toEqual(["fc1", "fc2", "lif", "out", "rec"]);
    for (const r of stepping) expect([r.node, r.engine, r.segment]).toEqual([r.node, "wasm", "small graph"]);
  });
});

describe("nir simulate --explain", () => {
  it("prints one row per node with its kernel family, engine and segment, and runs nothing without --input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-explain-"));
    const file = join(dir, "rnn.nir");
    await write(file, smallRecurrentGraph(rng(3)));
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    try {
      expect(await simulateCmd.run([file, "--dt", "1e-4", "--profile", "snntorch", "--explain"])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const rows = out.trim().split("\n").slice(2).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual(compile(await read(file), { dt: 1e-4 }).order);
    const lif = rows.find((r) => r[0] === "lif")!;
    expect(lif.slice(1, 5)).toEqual(wasmSimd ? ["CubaLIF", "neuron", "wasm", "small graph"] : ["CubaLIF", "neuron", "js", "js"]);
    expect(readdirSync(dir)).toEqual(["rnn.nir"]);
  });
});

describe.skipIf(!wasmSimd)("NIRKIT_DUMP_WAT", () => {
  it("writes each generated module once; assembling the file gives the bytes that ran", () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-wat-"));
    const before = process.env.NIRKIT_DUMP_WAT;
    process.env.NIRKIT_DUMP_WAT = dir;
    try {
      compile(convChainGraph(), { dt: 1e-3 }).run(spikes(5, [2, 6, 6], 1));
      compile(smallRecurrentGraph(rng(3)), { dt: 1e-4, profile: "snntorch" }).run(spikes(5, [5], 2));
    } finally {
      if (before === undefined) delete process.env.NIRKIT_DUMP_WAT;
      else process.env.NIRKIT_DUMP_WAT = before;
    }
    const files = readdirSync(dir).sort();
    expect(files.some((f) => f.startsWith("chain-"))).toBe(true);
    expect(files.some((f) => f.startsWith("small-graph-"))).toBe(true);
    for (const f of files) {
      const bytes = assemble(readFileSync(join(dir, f), "utf8"));
      expect(`${f.replace(/-[0-9a-f]{16}\.wat$/, "")}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.wat`).toBe(f);
    }
  });
});
