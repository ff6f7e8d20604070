/**
 * Worker thread body for `plan.runAsync`: compiles the graph it was started with (workerData)
 * once, then runs each received batch chunk and posts the result (typed arrays transferred).
 */
import { parentPort, workerData } from "node:worker_threads";
import { compile } from "./compile.js";
import type { Plan } from "./types.js";
import type { WorkerInit, WorkerJob } from "./workers.js";

let plan: Plan | null = null;

parentPort?.on("message", (job: WorkerJob) => {
  try {
    const init = workerData as WorkerInit;
    plan ??= compile(init.graph, init.options);
    const batch = "dtype" in job.input ? undefined : job.input.batch;
    if (batch && job.itemBase !== undefined) {
      // items renumbered from 0, and checked: non-decreasing and inside the chunk
      const base = job.itemBase, nb = (job.input as { batchSize: number }).batchSize;
      for (let k = 0, prev = 0; k < batch.length; k++) {
        const b = batch[k] - base;
        if (b < prev || b >= nb) {
          parentPort!.postMessage({ unsorted: true });
          return;
        }
        batch[k] = prev = b;
      }
    }
    const onProgress = job.progress ? (d: number, t: number) => parentPort!.postMessage({ progress: [d, t] }) : undefined;
    const result = plan.run(job.input, { record: job.record, onProgress });
    const plain = { dt: result.dt, profile: result.profile, steps: result.steps, batch: result.batch, output: result.output, records: result.records };
    const transfer = [result.output.data.buffer, ...Object.values(result.records).map((r) => r.data.buffer)] as ArrayBuffer[];
    parentPort!.postMessage({ result: plain }, transfer);
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, code: (e as { code?: string }).code, node: (e as { node?: string }).node } });
  }
});
