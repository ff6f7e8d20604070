/** Worker thread body for `plan.runAsync`: compiles the received graph and runs its batch chunk. */
import { parentPort } from "node:worker_threads";
import { compile } from "./plan.js";
import type { WorkerJob } from "./workers.js";

parentPort?.on("message", (job: WorkerJob) => {
  try {
    const plan = compile(job.graph, job.options);
    const result = plan.run(job.input, { record: job.record, onProgress: (d, t) => parentPort!.postMessage({ progress: [d, t] }) });
    const plain = { dt: result.dt, profile: result.profile, steps: result.steps, batch: result.batch, output: result.output, records: result.records };
    const transfer = [result.output.data.buffer, ...Object.values(result.records).map((r) => r.data.buffer)] as ArrayBuffer[];
    parentPort!.postMessage({ result: plain }, transfer);
  } catch (e) {
    parentPort!.postMessage({ error: { message: (e as Error).message, code: (e as { code?: string }).code } });
  }
});
