/**
 * Surrogate derivatives of the spike z = H(u), u = v − v_threshold, used in place of the Dirac
 * delta in the backward pass. Spec strings: `fast-sigmoid:k`, `atan:k`, `exp:k`.
 */
import { NirError } from "../ir/errors.js";

/** A parsed surrogate: its kind, slope k, and dz/du. */
export interface Surrogate {
  kind: SurrogateKind;
  k: number;
  /** dz/du at u. */
  grad(u: number): number;
}

/** Surrogate names. */
export type SurrogateKind = "fast-sigmoid" | "atan" | "exp";

/** dz/du per kind, as a function of the slope k. */
const SURROGATES: Record<SurrogateKind, { defaultK: number; grad: (k: number) => (u: number) => number }> = {
  /** SuperSpike / snnTorch fast sigmoid: 1/(1 + k|u|)². */
  "fast-sigmoid": { defaultK: 25, grad: (k) => (u) => 1 / ((1 + k * Math.abs(u)) * (1 + k * Math.abs(u))) },
  /** snnTorch/Norse arctangent: (k/2)/(1 + (π/2·k·u)²). */
  atan: { defaultK: 2, grad: (k) => (u) => { const a = (Math.PI / 2) * k * u; return k / 2 / (1 + a * a); } },
  /** SLAYER's exponential spike-escape density with τ_ρ = 1/k and scale ½: (k/2)·e^(−k|u|). */
  exp: { defaultK: 5, grad: (k) => (u) => (k / 2) * Math.exp(-k * Math.abs(u)) },
};

/** Parses `kind[:k]` (e.g. "fast-sigmoid:25", "atan:2"); throws a usage NirError on bad input. */
export function parseSurrogate(spec: string): Surrogate {
  const [name, kText] = spec.split(":");
  const kind = name.replace("_", "-") as SurrogateKind;
  const entry = Object.hasOwn(SURROGATES, kind) ? SURROGATES[kind] : undefined;
  if (!entry) throw new NirError("cli.usage", `unknown surrogate "${spec}"`, { field: "surrogate", hint: `one of ${Object.keys(SURROGATES).map((n) => `${n}:K`).join(", ")}` });
  const k = kText === undefined ? entry.defaultK : Number(kText);
  if (!(k > 0) || !Number.isFinite(k)) throw new NirError("cli.usage", `surrogate slope must be a positive number, got "${kText}"`, { field: "surrogate", hint: "e.g. fast-sigmoid:25" });
  return { kind, k, grad: entry.grad(k) };
}
