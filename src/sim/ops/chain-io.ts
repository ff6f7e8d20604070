/**
 * A wasm chain between JavaScript ports: lists a port's active entries into the chain's input,
 * and the per-step function that runs the chain from one port to another.
 */
import { clearItem, type Port, type StepFn } from "./buffers.js";
import type { WasmChain } from "./chain-wasm.js";

/**
 * Lists one step's input for a chain: the port's active entries (or its non-zeros when it has no
 * list) into `list` from `at`, their values into `val` (by index when `dense`, else from `at`);
 * returns the count.
 */
export function listChainInput(inp: Port, list: Int32Array, val: Float64Array, at: number, dense: boolean): number {
  const x = inp.out, act = inp.act;
  let na = inp.nact[0];
  if (na >= 0) {
    for (let k = 0; k < na; k++) {
      const i = act[k];
      list[at + k] = i;
      val[dense ? i : at + k] = x[i];
    }
  } else {
    na = 0;
    for (let i = 0; i < inp.size; i++) {
      const v = x[i];
      if (v !== 0) {
        list[at + na] = i;
        val[dense ? i : at + na] = v;
        na++;
      }
    }
  }
  return na;
}

/**
 * The step of a wasm chain: the input port's active list and values go into the chain's input,
 * one call runs every layer, and the last layer's list and values come out into its port. Step
 * t = 0 follows v's reset: the chain's direct bound starts over (see `WasmChain.directMask`).
 */
export function chainStep(chain: WasmChain, inp: Port, outp: Port): StepFn {
  const { inList, inVal, outList, outVal } = chain;
  return (t) => {
    const na = listChainInput(inp, inList, inVal, 0, true);
    const m = chain.step(na, t === 0);
    clearItem(outp, 0);
    const out = outp.out, oact = outp.act;
    for (let k = 0; k < m; k++) {
      const q = outList[k];
      out[q] = outVal[q];
      oact[k] = q;
    }
    outp.nact[0] = m;
  };
}

/** A chain with its input and output ports. */
export interface ChainRun {
  chain: WasmChain;
  inp: Port;
  outp: Port;
}
