/**
 * Direct sums in a ruled conv→IF layer (chain-bounds.ts `ruledDirectBound`): under a rule whose
 * update is v + y (a = 1, g = 1, c = +0, spike decided on the new v: Sinabs, Rockpool), the inputs
 * go straight into v while vmax + S·colSum ≤ 2^(52+q), S summing each step's largest input. The
 * reference is the same chain with c = −0: (v + y) + (−0) is v + y for every value, but −0 keeps
 * the layer off the direct path, so it always sums into y first. One weight of 2^−46 puts the
 * limit at 2^6 = 64 in both layers (2^9 in the second layer with 16 channels), so each run of steps
 * between resets starts direct and turns ordered.
 */
import { describe, expect, it } from "vitest";
import type { IFRule } from "../../src/sim/ops/chain-if.js";
import { wasmChain } from "../../src/sim/ops/chain-wasm.js";
import { convIFRows } from "../../src/sim/ops/conv-if.js";
import { rng } from "../support/index.js";

type Linear = Extract<IFRule, { kind: "linear" }>;

// 4 channels: the direct update takes their 2 pairs at once as the ordered one does; 16: all 8
// pairs at once, against the ordered update's 4 at a time
for (const C of [4, 16]) describe(`wasm chain: a ruled conv→IF (${C} channels) adds straight into v while its sums are exact`, () => {
  const r = rng(91);
  const H = 6;
  const g = { cin: 2, h: H, w: H, cout: C, oh: H, ow: H, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 };
  const g2 = { ...g, cin: C };
  const w1 = Float64Array.from({ length: C * 2 * 9 }, () => Math.fround((r() - 0.3) * 0.9));
  const w2 = Float64Array.from({ length: C * C * 9 }, () => Math.fround((r() - 0.4) * 0.8));
  w1[3] = 2 ** -46;
  // 16 channels sum 4× the weights per output: a limit 8× higher (2^9) keeps layer 2's runs starting direct
  w2[5] = 2 ** (C === 4 ? -46 : -43);
  const rules: Record<string, Linear> = {
    "Sinabs (multi-spike, subtract, v_min −θ)": { kind: "linear", a: 1, g: 1, c: 0, th: 1, vr: 0, subtract: true, multi: true, vmin: -1, timing: "same", delay: false, dense: false },
    "single spike, reset to 0.25": { kind: "linear", a: 1, g: 1, c: 0, th: 0.75, vr: 0.25, subtract: false, multi: false, vmin: null, timing: "same", delay: false, dense: false },
  };
  for (const [name, rule] of Object.entries(rules)) {
    it(`${name}: the same spikes, counts and v (zero signs included) as the ordered sums, with both kinds of steps`, () => {
      const build = (c: number) => wasmChain([
        { kind: "convIF", g, rows: convIFRows(g, w1), g0: 1, th0: rule.th, vr0: rule.vr, rule: { ...rule, c } },
        { kind: "convIF", g: g2, rows: convIFRows(g2, w2), g0: 1, th0: rule.th, vr0: rule.vr, rule: { ...rule, c } },
      ]);
      const direct = build(0), ordered = build(-0);
      const T = 300, N = 2 * H * H;
      let spikes = 0;
      const directRun = [0, 0];
      for (let t = 0; t < T; t++) {
        const dc = Array.from(direct.directSteps);
        const outs = [direct, ordered].map((ch) => {
          const r2 = rng(500 + t);
          let na = 0;
          for (let i = 0; i < N; i++) {
            if (r2() < 0.25) {
              ch.inList[na++] = i;
              ch.inVal[i] = 1 + Math.floor(r2() * 3);
            }
          }
          const m = ch.step(na, t % 20 === 0);
          return Array.from(ch.outList.subarray(0, m), (k) => [k, ch.outVal[k]]);
        });
        expect(outs[0]).toEqual(outs[1]);
        spikes += outs[0].length;
        for (const layer of [0, 1]) {
          const [vd, vo] = [direct.v[layer]!, ordered.v[layer]!];
          for (let j = 0; j < vd.length; j++) expect(Object.is(vd[j], vo[j]), `step ${t}, layer ${layer}, neuron ${j}: ${vd[j]} vs ${vo[j]}`).toBe(true);
        }
        for (const layer of [0, 1]) if (direct.directSteps[layer] > dc[layer]) directRun[layer]++;
      }
      expect(ordered.directSteps[0] + ordered.directSteps[1]).toBe(0);
      // every run of 20 steps starts direct and turns ordered once S·colSum passes 64
      for (const n of directRun) {
        expect(n).toBeGreaterThan(10);
        expect(n).toBeLessThan(T - 20);
      }
      expect(spikes).toBeGreaterThan(50);
    });
  }
});
