// A participant's own notebook folder, outside the project (a home folder, a per-user working
// copy), served by a real jupyter_server: nirkit and its types are found, `{ dt }` shorthand of an
// earlier cell's variable works, and a cell with a type error runs its valid statements and
// shows the diagnostics.
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJupyterServer, type JupyterServer } from "../../src/notebook/server.js";
import { openKernel, type CellResult, type KernelClient } from "../../src/notebook/run.js";
import { ROOT, refFile } from "../support/index.js";
import { ensureBuilt, ensureJupyterServer } from "./setup.js";

const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const skip = ensureJupyterServer() ?? ensureBuilt();
if (skip) console.warn(`[skip] kernel outside the project: ${skip}`);

const text = (r: CellResult, name: "stdout" | "stderr") => r.outputs.filter((o) => o.output_type === "stream" && o.name === name).map((o) => o.text).join("");

describe.skipIf(!!skip)("nirkit kernel in a notebook folder outside the project, through jupyter_server", () => {
  let server: JupyterServer;
  let kernel: KernelClient;
  const home = realpathSync(mkdtempSync(join(tmpdir(), "nirkit-participant-")));

  beforeAll(async () => {
    expect(relative(ROOT, home).startsWith("..")).toBe(true); // really outside the project
    server = await startJupyterServer({ rootDir: home });
    kernel = await openKernel(server, "mine.ipynb");
  }, 120_000);

  afterAll(async () => {
    await kernel?.shutdown();
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it("imports nirkit with its types: a type error against nirkit's declarations is reported, and the values are nirkit's", async () => {
    const r = await kernel.execute(`import * as nir from "nirkit";\nconst node = nir.Input({ shape: [3] });\nconsole.log(process.cwd(), typeof nir.NIRGraph, node.type, node.notAField);`, { timeoutMs: 90_000 });
    expect(r.status).toBe("ok");
    expect(text(r, "stdout")).toBe(`${home} function Input undefined\n`);
    // only nirkit's declarations know the node has no such field: without them `nir` is any, no error
    expect(text(r, "stderr")).toMatch(/3:65 - Property 'notAField' does not exist on type 'Input'\./);
    expect(text(r, "stderr")).not.toContain("Cannot find module");
  }, 120_000);

  it.skipIf(!cnn)("reads cnn_sinabs.nir and shows it as the cell's rich result", async () => {
    const r = await kernel.execute(`const graph = await nir.read(${JSON.stringify(cnn)});\ngraph`, { timeoutMs: 90_000 });
    expect(r.status).toBe("ok");
    const result = r.outputs.find((o) => o.output_type === "execute_result");
    expect(Object.keys(result?.data ?? {})).toContain("image/svg+xml");
  }, 120_000);

  it("passes an earlier cell's variable as a shorthand property: { dt }", async () => {
    expect((await kernel.execute(`const dt = 1e-3;`)).status).toBe("ok");
    const r = await kernel.execute(`const opts = { dt, steps: 3 };\nconsole.log(opts.dt * 1000, opts.steps);`);
    expect(r.error).toBeUndefined();
    expect(text(r, "stdout")).toBe("1 3\n");
  }, 60_000);

  it("runs the valid statements of a cell with a type error and shows the diagnostics; later cells see its variables", async () => {
    const r = await kernel.execute(`const tau: number = "0.02";\nconst before = 1;\nconsole.log("ran", tau, before);`);
    expect(r.status).toBe("ok");
    expect(text(r, "stdout")).toBe("ran 0.02 1\n");
    expect(text(r, "stderr")).toContain("1:7 - Type 'string' is not assignable to type 'number'.");
    const next = await kernel.execute(`console.log(before + 1)`);
    expect(text(next, "stdout")).toBe("2\n"); // no "Cannot find name" cascade
  }, 60_000);

  it("still stops a cell with a syntax error, running none of it", async () => {
    const r = await kernel.execute(`console.log("must not run");\nconst = 5;`);
    expect(r.status).toBe("error");
    expect(r.error?.ename).toBe("TypeScriptError");
    expect(text(r, "stdout")).toBe("");
  }, 60_000);
});
