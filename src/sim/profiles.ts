/**
 * Platform profiles: how each framework or chip of the NIR paper discretises the same
 * continuous-time graph (paper-experiments §1.3, §2.3, §3.3). A profile is data; the neuron
 * kernels read it. Notation below: a = per-step membrane decay, g = input gain per step,
 * θ = v_threshold, all per neuron; x = the summed input arriving at the neuron this step.
 * IF and I integrate `v ← v + r·x` per step on every profile (no dt factor: that is how every
 * paper platform runs the Sinabs CNN, whose file has r = 1).
 */

/** Profile names (the `profile` option of `compile`). */
export type ProfileName =
  | "exact" | "norse" | "snntorch" | "sinabs" | "spyx" | "rockpool" | "nengo"
  | "lava-float" | "spinnaker2" | "loihi2";

/** Reset applied after a spike: to v_reset, or subtract the threshold. */
export type ResetMode = "zero" | "subtract";

/** A platform's discretisation, as data. */
export interface Profile {
  name: ProfileName;
  /** Human label (as in the paper's figures). */
  label: string;
  /** The units of recorded `v` (and `i`), i.e. what that platform's own trace shows. */
  voltageUnits: string;
  /** One-paragraph summary of the rules (mirrors the doc comment). */
  summary: string;
  /**
   * Membrane/synapse integrator: "euler" a = 1 − dt/τ, g = r·dt/τ; "exp" a = e^(−dt/τ) with the
   * gain of `gain`; "zoh" exact exponential with the input held over the step, a = e^(−dt/τ),
   * g = r·(1 − a); "exact" ZOH plus event-driven threshold crossing inside the step (LIF/IF);
   * "fixed" Loihi integer arithmetic.
   */
  integrator: "euler" | "exp" | "zoh" | "exact" | "fixed";
  /** Input gain for the "exp" integrator: "unit" (g = 1, r ignored) or "r" (g = r). */
  gain: "unit" | "r" | "integrator";
  /** Default reset (NIR files do not store it); `compile({reset})` overrides it. */
  reset: ResetMode;
  /**
   * "same": spike on the freshly updated v and reset in the same step (Norse).
   * "snntorch": same step, but snnTorch's reset flag is taken from the previous (already reset)
   *   membrane and a double reset is undone (only matters for subtract).
   * "late": Spyx — the spike is emitted one step late, from the previous v, and the
   *   subtraction is applied then: z_t = [v_(t−1) > θ], v_t = a·v_(t−1) + g·x_t − z_t·θ.
   */
  timing: "same" | "snntorch" | "late";
  /** Timing for current-based neurons (CubaLIF) when it differs from `timing`. */
  timingCuba?: "same" | "snntorch" | "late";
  /** "gt": one spike when v > θ; "multi": floor(v/θ) spikes when v ≥ θ (Sinabs, Rockpool). */
  spike: "gt" | "multi";
  /** Units of the state: "nir" (the ODE's own), "gain" (divided by the input gain, so θ' = θ/g), "threshold" (v/θ). */
  units: "nir" | "gain" | "threshold";
  /** Lower bound of v: none, 0 (Nengo), or −θ for IF (Sinabs IAF min_v_mem). */
  vMin: "none" | "zero" | "minus-threshold-if";
  /** Extra steps on every neuron's input (Lava: a Dense → LIF connection adds one step). */
  inputDelay: 0 | 1;
  /** snnTorch imports IF as Leaky(β, subtract, reset applied in the next step). */
  ifAsLeaky?: { beta: number };
  /**
   * A cycle edge reads, before step 0, its source's output for zero input instead of zeros:
   * snnTorch's RSynaptic computes recurrent(spk = 0) = bias at the first step.
   */
  recurrentBiasAtStart?: boolean;
  /** SpiNNaker2: synaptic weights times `scale`, truncated to integers, divided back. */
  weightScale?: number;
  /** SpiNNaker2/Brian2 stores the decay as float32. */
  float32Decay?: boolean;
  /**
   * The spikes of a current-based neuron reach every consumer outside the neuron's own
   * recurrence, and its records, one step late (the compiler inserts a one-step Delay,
   * late-output.ts); its recurrence reads them on time.
   */
  lateOutputCuba?: boolean;
  /**
   * Current-based neurons compute as JAX float32 with Spyx's coefficients (see the spyx
   * profile): every product and sum rounded to float32, membrane gain 1, feed-forward input
   * added before the recurrent one.
   */
  float32Cuba?: boolean;
}

/**
 * Exact: the analytic solution with the input held constant for one dt (zero-order hold),
 * a = e^(−dt/τ), jump r·(1 − a) per unit input; the threshold crossing is located inside the
 * step and the reset is a **subtraction** at that instant (several crossings → several
 * spikes). CubaLIF/CubaLI use the exact 2×2 propagator; their threshold test is at step end.
 * Spike test v > θ. No input scaling, no extra delay. Voltage in NIR units.
 */
const exact: Profile = {
  name: "exact", label: "Exact", voltageUnits: "NIR units (v of the ODE)",
  summary: "analytic ZOH solution, a = e^(−dt/τ), jump r(1−a); subtract reset at the exact crossing time",
  integrator: "exact", gain: "integrator", reset: "subtract", timing: "same", spike: "gt", units: "nir", vMin: "none", inputDelay: 0,
};

/**
 * Norse (default): forward Euler v ← v + (dt/τ)(v_leak − v + r·x), i.e. a = 1 − dt/τ,
 * g = r·dt/τ; CubaLIF: I ← I + (dt/τ_syn)(−I + w_in·x), then v uses the new I. Spike when
 * v > θ, reset to v_reset in the same step. No extra delay. Voltage in NIR units
 * (lif_norse.csv: decay 0.96, jump 0.04, threshold 0.1).
 */
const norse: Profile = {
  name: "norse", label: "Norse", voltageUnits: "NIR units (v of the ODE)",
  summary: "forward Euler a = 1−dt/τ, g = r·dt/τ; spike v > θ; reset to v_reset in the same step",
  integrator: "euler", gain: "integrator", reset: "zero", timing: "same", spike: "gt", units: "nir", vMin: "none", inputDelay: 0,
};

/**
 * snnTorch (NIR import): β = 1 − dt/τ_mem (a float32 parameter), α = 1 − dt/τ_syn; the input gains r·dt/τ and
 * w_in·dt/τ_syn are folded into the threshold, so the state is in "gain units":
 * I ← α·I + x, v ← β·v + I, threshold θ/(gain) (lif_norse: thr 2.5, jump 1). Reset zero by
 * default (subtract via override), applied in the same step with snnTorch's reset flag from
 * the previous membrane ("noDelay"). IF is imported as Leaky(β = 0.9, threshold θ) with
 * subtract reset applied in the following step. Spike v > θ. A recurrent Affine contributes
 * its bias already at step 0 (RSynaptic applies it to the initial zero spikes). No extra
 * delay. Voltage in snnTorch units.
 */
const snntorch: Profile = {
  name: "snntorch", label: "snnTorch", voltageUnits: "snnTorch units: v divided by the input gain r·dt/τ (threshold θ/(r·dt/τ))",
  summary: "β = 1−dt/τ, unit input gain, threshold divided by r·dt/τ; reset zero same step (snnTorch reset flag); IF → Leaky β 0.9 subtract next step",
  integrator: "euler", gain: "integrator", reset: "zero", timing: "snntorch", spike: "gt", units: "gain", vMin: "none", inputDelay: 0,
  ifAsLeaky: { beta: 0.9 }, float32Decay: true, recurrentBiasAtStart: true,
};

/**
 * Sinabs: τ rescaled to steps, a = e^(−dt/τ), input gain r (no dt/τ factor: the paper's
 * script pre-multiplies the input by 0.04, see lif_sinabs.csv column 0); multi-spike
 * floor(v/θ) when v ≥ θ, reset by subtraction; IF (IAF) has min_v_mem = −θ. Sinabs has no
 * current-based neuron: CubaLIF/CubaLI use exponential decays with gains w_in(1 − α), r(1 − β).
 * Voltage in NIR units.
 */
const sinabs: Profile = {
  name: "sinabs", label: "Sinabs", voltageUnits: "NIR units",
  summary: "a = e^(−dt/τ), gain r (input not scaled by dt/τ); multi-spike v ≥ θ, subtract; IF min v −θ",
  integrator: "exp", gain: "r", reset: "subtract", timing: "same", spike: "multi", units: "nir", vMin: "minus-threshold-if", inputDelay: 0,
};

/**
 * Spyx: forward Euler (a = 1 − dt/τ, g = r·dt/τ). LIF/IF: subtract reset emitted one step late:
 * z_t = [v_(t−1) > θ], v_t = a·v_(t−1) + g·x_t − z_t·θ (spikes at 461, 511, … on lif_norse).
 * CubaLIF (Spyx's CuBaLIF / RCuBaLIF as `spyx.nir.from_nir` builds them), in float32 as JAX computes:
 *   α = f32(1 − dt/τ_syn), β = f32(1 − dt/τ_mem), s = f32(w_in·dt/τ_syn) (Spyx folds s into the
 *   weights and biases; r is ignored, i.e. membrane gain 1; v_leak is ignored);
 *   I_t = f32(f32(f32(α·I_(t−1)) + f32(s·x_t)) + f32(s·(W·z_t + b)))  — feed-forward input x
 *   (its bias included) first, then the recurrent term with the recurrent bias, which is
 *   present from step 0 on;
 *   V_t = f32(f32(β·(V_(t−1) − z_t·θ)) + I_t), z_(t+1) = [V_t > θ]: the reset is a subtraction
 *   (for both Braille models: Spyx has no reset to zero).
 * The spike z_(t+1) is decided on V_t but emitted at step t + 1: consumers and records see it
 * one step late (row 0 always silent), while the recurrence W·z_t uses it on time, which is the
 * NIR graph's one-step recurrent delay applied to the on-time spike. Reset default subtract.
 * Voltage in NIR units (CubaLIF: Spyx's units, v of the ODE for r·dt/τ_mem = 1).
 */
const spyx: Profile = {
  name: "spyx", label: "Spyx", voltageUnits: "NIR units",
  summary: "forward Euler; spike from the previous v, emitted and subtracted one step late; CubaLIF in float32, output one step late",
  integrator: "euler", gain: "integrator", reset: "subtract", timing: "late", timingCuba: "same", spike: "gt", units: "nir", vMin: "none", inputDelay: 0,
  recurrentBiasAtStart: true, lateOutputCuba: true, float32Cuba: true,
};

/**
 * Rockpool (LIFTorch): exponential decays a = e^(−dt/τ) (synapse and membrane), unit input
 * gain (r and w_in are ignored: Rockpool folds its discretisation into r on export, see
 * lif_rockpool.nir r = e^(−dt/τ)·τ/dt), multi-spike floor(v/θ) when v ≥ θ, subtract reset.
 * Voltage in NIR units.
 */
const rockpool: Profile = {
  name: "rockpool", label: "Rockpool", voltageUnits: "NIR units",
  summary: "a = e^(−dt/τ), unit gain (r, w_in ignored), multi-spike v ≥ θ, subtract reset",
  integrator: "exp", gain: "unit", reset: "subtract", timing: "same", spike: "multi", units: "nir", vMin: "none", inputDelay: 0,
};

/**
 * Nengo: exact exponential membrane (input held for the step): v ← v + (J − v)(1 − e^(−dt/τ))
 * with J = r·I/θ, voltage **normalised by the threshold** (spike when v > 1), reset to zero
 * (always: Nengo has no subtract; with tau_ref = 0 its sub-step spike time changes nothing),
 * v clipped at 0 from below. CubaLIF's synapse is a lowpass whose per-step decay is 1 − dt/τ_syn
 * and gain w_in·dt/τ_syn.
 */
const nengo: Profile = {
  name: "nengo", label: "Nengo", voltageUnits: "normalised: v/θ (threshold 1)",
  summary: "exact exponential (ZOH) membrane, v normalised by θ, reset to zero, v ≥ 0",
  integrator: "zoh", gain: "integrator", reset: "zero", timing: "same", spike: "gt", units: "threshold", vMin: "zero", inputDelay: 0,
};

/**
 * Lava CPU floating point (CUBA LIF): u ← (1 − du)·u + a_in, v ← (1 − dv)·v + u with
 * dv = dt/τ_mem, du = dt/τ_syn (du = 1, no current memory, for LIF), the gains folded into
 * the input weight (0.04 for lif_norse); every neuron input arrives one step later
 * (Dense → LIF adds a step: spikes at 461, 511, …). Spike v > θ, reset to zero. NIR units.
 */
const lavaFloat: Profile = {
  name: "lava-float", label: "Lava CPU float", voltageUnits: "NIR units",
  summary: "CUBA Euler (du = dt/τ_syn, dv = dt/τ_mem), input one step late, reset zero",
  integrator: "euler", gain: "integrator", reset: "zero", timing: "same", spike: "gt", units: "nir", vMin: "none", inputDelay: 1,
};

/**
 * SpiNNaker2 via py-spinnaker2's Brian2 path: forward Euler with the decay stored as float32,
 * state in gain units (threshold θ/(r·dt/τ) = 2.5 on lif_norse), synaptic weights multiplied
 * by `weightScale` (102.02 in the paper's LIF script), truncated to integers and divided back
 * (jump 102/102.02), reset to zero in the same step, spike v > θ. Voltage in gain units.
 */
const spinnaker2: Profile = {
  name: "spinnaker2", label: "SpiNNaker2", voltageUnits: "gain units, as snnTorch (threshold θ/(r·dt/τ))",
  summary: "forward Euler (float32 decay), integer-quantised weights (×102.02), reset zero",
  integrator: "euler", gain: "integrator", reset: "zero", timing: "same", spike: "gt", units: "gain", vMin: "none", inputDelay: 0,
  weightScale: 102.02, float32Decay: true,
};

/**
 * Loihi 2 / Lava fixed point (CUBA LIF, bit-accurate model): 12-bit decays
 * dv = ⌊dt/τ_mem·4095⌋, du = ⌊dt/τ_syn·4095⌋ (4095 for LIF), decay x ← sign(x)·⌊|x|·(4096 − d)/4096⌋
 * (du gets Lava's +1 offset); threshold mantissa ⌊θ·131071⌋ >> 9, times 2^6; the input
 * (weight × gains) quantised to an 8-bit-scale mantissa ⌊w·256⌋ (exponent raised when it
 * overflows), times 2^6; input one step late; reset to zero; spike v > θ. Voltage in raw
 * integer units (lif_norse: threshold 1600, jump 640). Quantisation is applied to the summed
 * input of each neuron, which equals per-weight quantisation for single-synapse inputs.
 */
const loihi2: Profile = {
  name: "loihi2", label: "Loihi 2 (fixed point)", voltageUnits: "Loihi integer units (θ·2^8·2^6 scale)",
  summary: "12-bit integer decays, threshold/weight mantissa·2^6, floor arithmetic, input one step late, reset zero",
  integrator: "fixed", gain: "integrator", reset: "zero", timing: "same", spike: "gt", units: "nir", vMin: "none", inputDelay: 1,
};

/** Every platform profile by name (see each entry's doc comment for the exact rules). */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  exact, norse, snntorch, sinabs, spyx, rockpool, nengo, "lava-float": lavaFloat, spinnaker2, loihi2,
};

/** The profile for a name, or a NirError-ready message listing the names. */
export function profileNames(): ProfileName[] {
  return Object.keys(PROFILES) as ProfileName[];
}
