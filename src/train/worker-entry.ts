/**
 * Worker thread body of `trainAsync` (see parallel.ts): compiles the graph it was started with
 * once, then answers each task: a batch shard (parameters and input read from shared memory, the
 * shard's mean-loss gradients written to this worker's shared gradient buffers) or a part of the
 * test split run by the simulator. Errors are answered as messages, so they reach the caller.
 *
 * NIRKIT_TRAIN_WORKER_FAULT (tests only) makes worker 1 fail its first batch: "throw" answers an
 * error, "exit" ends the thread without an answer.
 */
import { parentPort, workerData } from "node:worker_threads";
import { evalPlan, predictBatch } from "./evaluate.js";
import { batchStep } from "./gradients.js";
import type { Buf } from "./kernels/types.js";
import { compileTrainer } from "./network.js";
import type { ParallelInit, ParallelTask } from "./parallel.js";

const init = workerData as ParallelInit;
const net = compileTrainer(init.graph, init.net);
const dtype = net.dtype;
const view = (b: SharedArrayBuffer, n: number): Buf => (dtype === "float64" ? new Float64Array(b, 0, n) : new Float32Array(b, 0, n));
const params = net.params.map((p, k) => view(init.params[k], p.data.length));
let input: Buf | null = null;
let grads: Buf[] | null = null;
const fault = process.env.NIRKIT_TRAIN_WORKER_FAULT;

function runBatch(task: Extract<ParallelTask, { kind: "batch" }>): { loss: number; predictions: Int32Array } {
  const { steps: T, sampleSize: n } = init;
  input ??= view(init.inputs[task.worker], init.inputs[task.worker].byteLength / (dtype === "float64" ? 8 : 4));
  grads ??= net.params.map((p, k) => view(init.grads[task.worker][k], p.grad.length));
  if (fault && task.worker === 1) {
    if (fault === "exit") process.exit(3);
    throw new Error("injected fault (NIRKIT_TRAIN_WORKER_FAULT)");
  }
  net.params.forEach((p, k) => p.data.set(params[k]));
  net.zeroGrad();
  const r = batchStep(net, input.subarray(0, T * task.B * n), task.labels, T, task.B, init.lossOptions);
  net.params.forEach((p, k) => grads![k].set(p.grad));
  return { loss: r.loss, predictions: r.predictions };
}

function runEval(task: Extract<ParallelTask, { kind: "eval" }>): Int32Array {
  return predictBatch(evalPlan(task.graph, task.eval), task.input, init.steps, task.B, task.eval.loss);
}

parentPort?.on("message", (task: ParallelTask) => {
  try {
    if (task.kind === "batch") parentPort!.postMessage(runBatch(task));
    else parentPort!.postMessage({ predictions: runEval(task) });
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, code: (e as { code?: string }).code, node: (e as { node?: string }).node } });
  }
});
