/**
 * Must show: `nir export --chip spinnaker2` and `--chip loihi2` accept the paper CNN
 * (cnn_sinabs.nir) as conv blocks, and each emulated chip classifies the 100 N-MNIST test
 * recordings with accuracy ≥ 0.95, printed beside the paper's SpiNNaker2 figure.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as exportCmd } from "../../src/cli/commands/export.js";
import { loadNmnist, toFrame } from "../../src/data/index.js";
import { convScatter, foldPool, type ConvSynapse } from "../../src/hw/conv-chain.js";
import { emulate, exportTo, type Loihi2Config, type S2Config, type S2ConvProjection } from "../../src/hw/index.js";
import { read, readNpy } from "../../src/io/index.js";
import { refFile, runCaptured } from "../support/index.js";

const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const s2Accuracy = refFile("paper", "02_cnn", "s2_accuracy.npy");
let nmnistMissing: string | null = null;
try {
  loadNmnist({ split: "test", limit: 1 });
} catch (e) {
  nmnistMissing = (e as Error).message;
  console.warn(`[skip] N-MNIST test recordings not found: ${nmnistMissing}`);
}
const dir = mkdtempSync(join(tmpdir(), "nir-cnn-chips-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pooled conv folding", () => {
  it("conv(sumpool₂(x)) equals the folded conv of x (kernel, stride and padding ×2)", () => {
    // x: 1×4×4 ramp; pool 2 → 1×2×2; conv 3×3 pad 1 with weights 1..9 → 1×2×2
    const x = Float64Array.from({ length: 16 }, (_, i) => (i * 7) % 5);
    const pooled = new Float64Array(4);
    for (let y = 0; y < 4; y++) for (let z = 0; z < 4; z++) pooled[(y >> 1) * 2 + (z >> 1)] += x[y * 4 + z];
    const syn: ConvSynapse = {
      kind: "conv", node: "c", weight: Float64Array.from({ length: 9 }, (_, i) => i + 1), bias: null, pool: { node: "p", kernel: [2, 2], inShape: [1, 4, 4] },
      inShape: [1, 2, 2], outShape: [1, 2, 2], kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1,
    };
    const direct = new Float64Array(4);
    convScatter(syn, syn.weight, pooled, direct);
    // by hand: out[0,0] = Σ w[1+dy][1+dx]·pooled[dy][dx] over dy,dx ∈ {0,1}
    expect(direct[0]).toBe(5 * pooled[0] + 6 * pooled[1] + 8 * pooled[2] + 9 * pooled[3]);
    const folded = foldPool(syn);
    expect([folded.kernel, folded.stride, folded.padding]).toEqual([[6, 6], [2, 2], [2, 2]]);
    const viaFold = new Float64Array(4);
    convScatter(folded, folded.weight, x, viaFold);
    expect(Array.from(viaFold)).toEqual(Array.from(direct));
  });
});

describe.skipIf(!cnn)("the paper CNN exports to SpiNNaker2 and Loihi 2 as conv blocks", () => {
  it("nir export --chip spinnaker2 writes Conv2DProjections (s2_nir params, int8 weights ≤ 127)", async () => {
    const out = join(dir, "s2.json");
    const r = await runCaptured(() => exportCmd.run([cnn!, "--chip", "spinnaker2", "--dt", "1e-3", "--reset", "zero", "--out", out]));
    expect(r.code).toBe(0);
    const cfg = JSON.parse(readFileSync(out, "utf8")) as S2Config;
    expect(cfg.conversion.conn_delay).toBe(0);
    expect(cfg.populations.map((p) => [p.name, p.neuron_model, p.size])).toEqual([
      ["input", "spike_list", 2 * 34 * 34], ["1", "lif_conv2d", 16 * 16 * 16], ["3", "lif_conv2d", 16 * 16 * 16], ["6", "lif_conv2d", 8 * 8 * 8], ["10", "lif_no_delay", 256], ["12", "lif_no_delay", 10],
    ]);
    const convs = cfg.projections.filter((p) => "projection_type" in p) as S2ConvProjection[];
    expect(convs.map((p) => [p.name, p.weights_shape, p.conv_params.in_height, p.conv_params.stride_x, p.conv_params.pool_x, p.conv_params.pad_top])).toEqual([
      ["0", [2, 16, 5, 5], 34, 2, 1, 1], ["2", [16, 16, 3, 3], 16, 1, 1, 1], ["5", [16, 8, 3, 3], 16, 1, 2, 1],
    ]);
    for (const p of convs) expect(p.weights.reduce((a, w) => Math.max(a, Math.abs(w)), 0)).toBe(127);
    // the pooled Flatten → Affine is one connection list over the 8×8×8 pre-pool layer (s2_nir joins them)
    const fc = cfg.projections.find((p) => p.name === "9")!;
    expect(fc.pre).toBe("6");
    expect(fc.connections.reduce((a, c) => Math.max(a, c[0]), 0)).toBe(511);
  });

  it("nir export --chip loihi2 writes netx conv, flatten and dense layers (and a netx HDF5 file)", async () => {
    const out = join(dir, "l2.json");
    const r = await runCaptured(() => exportCmd.run([cnn!, "--chip", "loihi2", "--dt", "1e-3", "--reset", "zero", "--out", out, "--h5", join(dir, "l2.h5")]));
    expect(r.code).toBe(0);
    const cfg = JSON.parse(readFileSync(out, "utf8")) as Loihi2Config;
    expect(cfg.layer.map((l) => [l.type, l.shape])).toEqual([
      ["input", [34, 34, 2]], ["conv", [16, 16, 16]], ["conv", [16, 16, 16]], ["conv", [8, 8, 8]], ["flatten", [1, 1, 512]], ["dense", [1, 1, 256]], ["dense", [1, 1, 10]],
    ]);
    // the pool before conv 5 is folded: 3×3 → 6×6, stride 2, padding 2
    expect([cfg.layer[3].kernelSize, cfg.layer[3].stride, cfg.layer[3].padding]).toEqual([[6, 6], [2, 2], [2, 2]]);
    // IF → CUBA with no current memory and no leak; threshold 1 → vThMant int(131071)>>9
    expect(cfg.layer[1].neuron).toMatchObject({ type: "CUBA", iDecay: 4095, vDecay: 0, vThMant: 131071 >> 9 });
  });
});

describe.skipIf(!cnn || nmnistMissing !== null)("emulated chips on the 100 N-MNIST test recordings", () => {
  it("SpiNNaker2 and Loihi 2 each reach accuracy ≥ 0.95 (paper SpiNNaker2: 0.982)", async () => {
    const g = await read(cnn!);
    const s2 = exportTo("spinnaker2", g, { dt: 1e-3, reset: "zero" });
    const l2 = exportTo("loihi2", g, { dt: 1e-3, reset: "zero" });
    const ds = loadNmnist({ split: "test", limit: 100 });
    expect(ds.samples.length).toBe(100);
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    const counts = (t: { data: ArrayLike<number>; shape: number[] }) => {
      const n = t.data.length / t.shape[0];
      const s = new Array<number>(n).fill(0);
      for (let i = 0; i < t.data.length; i++) s[i % n] += Number(t.data[i]);
      return s;
    };
    let okS2 = 0, okL2 = 0;
    for (const s of ds.samples) {
      const frames = toFrame(s.events, { timeWindow: 1000 });
      if (argmax(counts(emulate(s2, frames).output)) === s.label) okS2++;
      if (argmax(counts(emulate(l2, frames).output)) === s.label) okL2++;
    }
    const paper = s2Accuracy ? Number(readNpy(s2Accuracy).data[0]) : NaN;
    console.log(`[cnn chips] 100 N-MNIST test recordings: emulated SpiNNaker2 ${okS2 / 100}, emulated Loihi 2 ${okL2 / 100}; paper SpiNNaker2 (10,000 recordings, chip/Brian2) ${paper}`);
    expect(okS2 / 100).toBeGreaterThanOrEqual(0.95);
    expect(okL2 / 100).toBeGreaterThanOrEqual(0.95);
  }, 600_000);
});
