/**
 * Bit-exactness of the Xylo and Loihi 2 emulators on hand-computed multi-step examples.
 * Every expected number is derived in the comments from the documented rules
 * (hardware-and-peers.md §2.2 xylosim, §2.3 Lava bit-accurate LIF/Dense), not from the emulator.
 */
import { describe, expect, it } from "vitest";
import { emulate, lavaWrapU, type Loihi2Config, type XyloSpec } from "../../src/hw/index.js";

const input = (rows: number[][]) => ({ dtype: "float64" as const, shape: [rows.length, rows[0].length], data: Float64Array.from(rows.flat()) });
const col = (t: { data: ArrayLike<number> }) => Array.from(t.data, Number);

describe("Xylo (xylosim rules)", () => {
  const spec = (over: Partial<XyloSpec>): XyloSpec => ({
    weights_in: [[127]], weights_rec: [[0]], weights_out: [[100]],
    dash_mem: [15], dash_mem_out: [1], dash_syn: [15], dash_syn_out: [1],
    threshold: [1000], threshold_out: [50], weight_shift_in: 7,
    hiddenNodes: [{ node: "h", offset: 0, size: 1 }], readoutNodes: [{ node: "o", offset: 0, size: 1 }],
    ...over,
  });

  it("caps input events at 15, saturates Isyn at 32767, caps hidden spikes at 31 and readout spikes at 1, with one-step readout latency", () => {
    // t=0: 20 events → capped to 15; each adds 127<<7 = 16256 with 16-bit saturation:
    //   16256, 32512, then 32767 for the remaining 13 → Isyn = 32767.
    //   decay(32767, 15) = 32767>>15 = 0 → at least +1 → Isyn = 32766.
    //   dv = −decay(0) + 32766 = 32766 → V = 32766; V ≥ 1000: 31 spikes (cap), V = 32766 − 31·1000 = 1766.
    //   readout sees last step's (no) hidden spikes: Isyn_o = 0, V_o = 0, no spike.
    // t=1: no input. Isyn = 32766 − 1 = 32765; decay(1766, 15) = 0 → +1: dv = −1 + 32765 = 32764;
    //   V = sat(1766 + 32764) = 32767 → 31 spikes (cap), V = 32767 − 31000 = 1767.
    //   readout gets the 31 hidden spikes of t=0 (cap 31): 31 × 100 = 3100 → Isyn_o = 3100;
    //   decay(3100, 1) = 1550 → Isyn_o = 1550; V_o = 0 − 0 + 1550 = 1550 ≥ 50 → 1 spike (cap), V_o = 1500.
    // t=2: Isyn = 32764; dv = −1 + 32764 = 32763; V = sat(1767 + 32763) = 32767 → 31 spikes, V = 1767.
    //   readout: +3100 → 1550 + 3100 = 4650; decay(4650, 1) = 2325 → 2325;
    //   dv = −decay(1500, 1) + 2325 = −750 + 2325 = 1575; V_o = 3075 → 1 spike, V_o = 3025.
    const r = emulate(spec({}), input([[20], [0], [0]]), { record: ["h:spikes", "h:v", "h:i", "o:v"] });
    expect(col(r.records["h.i"])).toEqual([32766, 32765, 32764]);
    expect(col(r.records["h.spikes"])).toEqual([31, 31, 31]);
    expect(col(r.records["h.v"])).toEqual([1766, 1767, 1767]);
    expect(col(r.output)).toEqual([0, 1, 1]);
    expect(col(r.records["o.v"])).toEqual([0, 1500, 3025]);
  });

  it("decays negative values sign-aware (arithmetic shift, at least −1) and saturates Vmem at −32768", () => {
    // weights_in −3, shift 0, dash_syn 2, dash_mem 4, threshold 100.
    // t=0: Isyn = −3; decay(−3, 2) = −3>>2 = floor(−0.75) = −1 → Isyn = −2; V = 0 − 0 + (−2) = −2.
    // t=1: decay(−2, 2) = floor(−0.5) = −1 → Isyn = −1; decay(−2, 4) = floor(−0.125) = −1 → dv = +1 − 1 = 0 → V = −2.
    // t=2: decay(−1, 2) = −1 → Isyn = 0; decay(−2, 4) = −1 → dv = +1 + 0 → V = −1.
    // t=3: Isyn 0; decay(−1, 4) = −1 → V = 0.
    const r = emulate(spec({ weights_in: [[-3]], weight_shift_in: 0, dash_syn: [2], dash_mem: [4], threshold: [100] }), input([[1], [0], [0], [0]]), { record: ["h:v", "h:i"] });
    expect(col(r.records["h.i"])).toEqual([-2, -1, 0, 0]);
    expect(col(r.records["h.v"])).toEqual([-2, -2, -1, 0]);
    // Saturation downwards: weight −128 << 7 = −16384 per event, 15 events → Isyn saturates at −32768;
    // decay(−32768, 15) = −1 → Isyn = −32767; V = sat(0 + 0 − 32767) = −32767.
    // t=1: Isyn = −32766; decay(−32767, 15) = −1 → dv = sat(+1 − 32766) = −32765; V = sat(−32767 − 32765) = −32768.
    const s = emulate(spec({ weights_in: [[-128]], weight_shift_in: 7 }), input([[15], [0]]), { record: ["h:v", "h:i"] });
    expect(col(s.records["h.i"])).toEqual([-32767, -32766]);
    expect(col(s.records["h.v"])).toEqual([-32767, -32768]);
  });
});

describe("Loihi 2 (Lava bit-accurate LIF + Dense)", () => {
  const cfg = (w: number, exp: number, du: number, dv: number, vth: number): Loihi2Config => ({
    chip: "loihi2", format: "test", dt: 1, reset: "zero", quantization: [], warnings: [],
    layer: [
      { type: "input", shape: [1, 1, 1], nirNode: "in" },
      {
        type: "dense", shape: [1, 1, 1], nirNode: "n", output: true,
        synapses: [{ source: 0, nirNode: "w", inFeatures: 1, outFeatures: 1, weight: [[w]], weightExponent: exp, signMode: 1 }],
        neuron: { type: "CUBA", iDecay: du, vDecay: dv, vThMant: vth, refDelay: 1, gradedSpike: false, biasMant: [0], biasExp: 0 },
      },
    ],
  });

  it("rounds decays of negative states toward zero and delays each Dense by one step", () => {
    // w −100, du 1000 (current uses du+1 = 1001), dv 2000, input spike at t=0.
    // t=0: nothing has arrived (Dense output is buffered): u = v = 0.
    // t=1: u = 0 + (−100 << 6) = −6400; v = 0 + u = −6400.
    // t=2: u = −((6400·(4096−1001)) >> 12) = −(19_808_000 >> 12) = −4835 (floor would give −4836);
    //      v = −((6400·2096) >> 12) + u = −3275 − 4835 = −8110.
    // t=3: u = −((4835·3095) >> 12) = −(14_964_325 >> 12) = −3653; v = −((8110·2096) >> 12) − 3653 = −4150 − 3653 = −7803.
    const r = emulate(cfg(-100, 0, 1000, 2000, 10), input([[1], [0], [0], [0]]), { record: ["n:v", "n:i"] });
    expect(col(r.records["n.i"])).toEqual([0, -6400, -4835, -3653]);
    expect(col(r.records["n.v"])).toEqual([0, -6400, -8110, -7803]);
  });

  it("clips v at 2^23 − 1, spikes on v > vThMant << 6 and resets to 0; u wraps modulo 2^24", () => {
    // w 255 with exponent 7: a = 4·255·2^7 = 130_560 for a graded input of 4; u += a << 6 = 8_355_840.
    // du 0 → current decay uses 1: u·4095 >> 12; dv 0 → v keeps its value. vth = 131071 << 6 = 8_388_544.
    // t=1: u = 8_355_840; v = 8_355_840 (not > vth).
    // t=2: u = (8_355_840·4095) >> 12 = 8_353_800; v = 8_355_840 + 8_353_800 = 16_709_640 → clipped to 8_388_607
    //      > 8_388_544 → spike, v = 0.
    // t=3: u = (8_353_800·4095) >> 12 = 8_351_760; v = 8_351_760 (no spike).
    const r = emulate(cfg(255, 7, 0, 0, 131071), input([[4], [0], [0], [0]]), { record: ["n:v", "n:i"] });
    expect(col(r.records["n.i"])).toEqual([0, 8_355_840, 8_353_800, 8_351_760]);
    expect(col(r.records["n.v"])).toEqual([0, 8_355_840, 0, 8_351_760]);
    expect(col(r.output)).toEqual([0, 0, 1, 0]);
    // input 5: u = 5·255·2^7·2^6 = 10_444_800 > 2^23 − 1 → wraps by 2^24 to −6_332_416.
    const w = emulate(cfg(255, 7, 0, 0, 131071), input([[5], [0]]), { record: ["n:i"] });
    expect(col(w.records["n.i"])).toEqual([0, 10_444_800 - 2 ** 24]);
    // Lava's wrap keeps 2^23 itself and maps −2^23 to +2^23 (u > 2^23 wraps down, u ≤ −2^23 wraps up).
    expect([lavaWrapU(2 ** 23), lavaWrapU(2 ** 23 + 1), lavaWrapU(-(2 ** 23)), lavaWrapU(-(2 ** 23) + 1)]).toEqual([2 ** 23, -(2 ** 23) + 1, 2 ** 23, -(2 ** 23) + 1]);
  });
});
