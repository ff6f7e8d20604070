/**
 * One Loihi 2 fixed-point rule (src/sim/ops/loihi-fixed.ts) for the simulator's `loihi2` profile
 * and the chip emulator: a CubaLIF driven hard enough that its current u passes 2^23 and wraps
 * gives the same integer u and v traces and the same spikes in both, and the trace shows the wrap.
 *
 * Fixture (all values exact in binary): dt = 2^-10 s, τ_mem = 2^-7 s (r·dt/τ_mem = 1/8),
 * τ_syn = 4 s (w_in·dt/τ_syn = 2^-12, so du = ⌊2^-12·4095⌋ + 1 = 1), weight 25600: the
 * effective weight is 25600/2^15 = 0.78125, mantissa 0.78125·256 = 200, so each input spike adds
 * 200·2^6 = 12800 to u, which decays by only 4095/4096 per step and so grows past 2^23.
 */
import { describe, expect, it } from "vitest";
import { emulate, exportTo } from "../../src/hw/index.js";
import { dt, wrapGraph } from "./loihi-wrap-fixture.js";
import { compile } from "../../src/sim/index.js";
import { loihiCurrent } from "../../src/sim/ops/loihi-fixed.js";


describe("Loihi 2 fixed point: the loihi2 profile and the emulator step neurons alike", () => {
  it("gives identical integer u and v traces and spikes, through a wrap of u at 2^23", () => {
    const T = 900;
    const x = new Float64Array(T).fill(1);
    const sim = compile(wrapGraph(), { dt, profile: "loihi2" }).run({ dtype: "float64", shape: [T, 1], data: x }, { record: ["lif:i", "lif:v"] });
    const cfg = exportTo("loihi2", wrapGraph(), { dt, reset: "zero" });
    const chip = emulate(cfg, { dtype: "float64", shape: [T, 1], data: x }, { record: ["lif:i", "lif:v"] });
    const u = Array.from(sim.records["lif.i"].data as Float64Array);
    // the rule itself: u(t) = wrap(decay(u, 1) + 12800) from step 1 on (the input arrives one step late)
    const expected = [0];
    for (let t = 1; t < T; t++) expected.push(loihiCurrent(expected[t - 1], 200, 1));
    expect(u).toEqual(expected);
    const wrapped = u.findIndex((q, t) => t > 0 && q < u[t - 1]);
    expect(wrapped).toBeGreaterThan(0);
    expect(u[wrapped - 1] + 12800).toBeGreaterThan(2 ** 23);
    expect(Array.from(chip.records["lif.i"].data as Float64Array)).toEqual(u);
    expect(Array.from(chip.records["lif.v"].data as Float64Array)).toEqual(Array.from(sim.records["lif.v"].data as Float64Array));
    expect(Array.from(chip.output.data)).toEqual(Array.from(sim.output.data));
  });
});
