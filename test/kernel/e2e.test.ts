// End to end against a real jupyter_server (Debian): a session on the nirkit kernel, a graph
// shown as one rich display, a readable nirkit error, state kept after the error, and a
// notebook run by the headless runner.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJupyterServer, type JupyterServer } from "../../src/notebook/server.js";
import { openKernel, runNotebook, type CellResult, type ExecuteOptions, type KernelClient } from "../../src/notebook/run.js";
import type { IOPubMessage } from "../../src/notebook/ipynb.js";
import { alive, descendants } from "../../src/notebook/procs.js";
import { kernelSpec } from "../../src/notebook/kernelspec.js";
import { ROOT, refFile } from "../support/index.js";
import { ensureBuilt, ensureJupyterServer } from "./setup.js";

const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const skip = !cnn ? "cnn_sinabs.nir missing" : ensureJupyterServer() ?? ensureBuilt();
if (skip) console.warn(`[skip] kernel end-to-end: ${skip}`);

/** Node names of the file's top-level graph, read with h5wasm directly (not with nirkit). */
async function nodeNamesInFile(path: string): Promise<string[]> {
  const h5wasm = await import("h5wasm/node");
  await h5wasm.ready;
  const f = new h5wasm.File(path, "r");
  try {
    return (f.get("node/nodes") as { keys(): string[] }).keys();
  } finally {
    f.close();
  }
}

/** The <path> elements (one per datum) in the SVG mark groups named `<name>_marks`. */
function marksIn(svg: string, name: string): number {
  const re = new RegExp(`<g class="[^"]*\\b${name}_marks\\b[^"]*"[^>]*>([\\s\\S]*?)</g>`, "g");
  let n = 0;
  for (const m of svg.matchAll(re)) n += (m[1].match(/<path\b/g) ?? []).length;
  return n;
}

describe.skipIf(!!skip)("nirkit kernel on a real jupyter_server", () => {
  let server: JupyterServer;
  let kernel: KernelClient;
  /** Executes a cell within `ms` (inside each test's own limit); a cell that times out fails
   * the test with the kernel's state and the server's last log lines. */
  async function execute(code: string, opts: ExecuteOptions = {}, ms = 45_000): Promise<CellResult> {
    const r = await kernel.execute(code, { timeoutMs: ms, ...opts });
    if (r.status === "timeout") throw new Error(r.error!.traceback.join("\n"));
    return r;
  }
  const tmp = mkdtempSync(join(ROOT, "notebooks", ".e2e-"));

  beforeAll(async () => {
    server = await startJupyterServer({ rootDir: ROOT });
    kernel = await openKernel(server, "notebooks/kernel-e2e.ipynb");
  }, 120_000);

  afterAll(async () => {
    const started = server?.process.pid ? descendants(server.process.pid) : [];
    await kernel?.shutdown();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
    expect(started.filter(alive)).toEqual([]); // no kernel outlives the server
  }, 60_000);

  it("shows a graph read from cnn_sinabs.nir as ONE display_data with all four MIME types and one box per node", async () => {
    const names = await nodeNamesInFile(cnn!);
    expect(names.length).toBe(15); // paper-experiments.md §2.1: input, 0…12, output
    const r = await execute(
      `import * as nir from "nirkit";\nconst graph = await nir.read(${JSON.stringify(cnn)});\nawait nir.show(graph);`,
      {},
      90_000,
    );
    expect(r.error).toBeUndefined();
    expect(r.status).toBe("ok");
    const displays = r.outputs.filter((o) => o.output_type === "display_data");
    expect(displays.length).toBe(1);
    const data = displays[0].data!;
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/html", "text/plain"]);
    const svg = String(data["image/svg+xml"]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(marksIn(svg, "nodes") + marksIn(svg, "io_nodes")).toBe(names.length);
    expect(marksIn(svg, "io_nodes")).toBe(names.filter((n) => n === "input" || n === "output").length);
    // the HTML carries the diagram and the parameter table, one row per node
    const html = String(data["text/html"]);
    expect(html).toContain("<svg");
    expect((html.match(/<tr>/g) ?? []).length).toBe(names.length + 1);
    expect(String(data["text/plain"])).toMatch(/^NIRGraph: 15 nodes, 14 edges/);
  }, 120_000);

  it("reports a failing cell with the nirkit error's name, message and fix", async () => {
    const r = await execute(`const missing = await nir.read("no-such-model.nir");`);
    expect(r.status).toBe("error");
    const err = r.outputs.find((o) => o.output_type === "error");
    expect(err?.ename).toBe("NirError");
    expect(err?.evalue).toContain("no-such-model.nir");
    expect(r.error?.evalue).toBe(err?.evalue);
    const tb = r.error!.traceback.join("\n");
    expect(tb).toMatch(/^NirError \[[a-z]+\.[a-z_]+\]: /);
    expect(tb).toMatch(/fix: +\S/);
  }, 60_000);

  it("keeps earlier variables for the next cell after an error", async () => {
    const r = await execute(`console.log(graph.nodes.size, [...graph.nodes.keys()].join(","));`);
    expect(r.status).toBe("ok");
    const names = await nodeNamesInFile(cnn!);
    const printed = r.outputs.find((o) => o.name === "stdout")?.text?.trim() ?? "";
    const [size, list] = printed.split(" ");
    expect(Number(size)).toBe(names.length);
    expect(list.split(",").sort()).toEqual([...names].sort());
  }, 60_000);

  it("sends a cell's last expression as an execute_result: the Jupyter.display bundle (Deno's protocol) for nirkit records, text/plain for other values", async () => {
    const r = await execute(`graph`);
    expect(r.status).toBe("ok");
    expect(r.outputs.filter((o) => o.output_type === "stream")).toEqual([]);
    const d = r.outputs.filter((o) => o.output_type === "execute_result");
    expect(d.length).toBe(1);
    expect(d[0].execution_count).toBe(r.executionCount);
    expect(Object.keys(d[0].data!).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/html", "text/plain"]);
    const plain = await execute(`({ a: 1 })`);
    expect(plain.outputs).toEqual([{ output_type: "execute_result", data: { "text/plain": "{ a: 1 }" }, metadata: {}, execution_count: plain.executionCount }]);
  }, 60_000);

  it("updates a progress bar in place (update_display_data on one display id) and ends with the elapsed time", async () => {
    const seen: IOPubMessage[] = [];
    const r = await execute(
      `const tick = nir.progress(20, { intervalMs: 0, label: "busy" });\nfor (let i = 1; i <= 20; i++) { const t = Date.now(); while (Date.now() - t < 5) {} tick(i); }`,
      { onIOPub: (m) => seen.push(m) },
    );
    expect(r.status).toBe("ok");
    const shown = seen.filter((m) => m.msg_type === "display_data");
    const updates = seen.filter((m) => m.msg_type === "update_display_data");
    expect(shown.length).toBe(1);
    expect(updates.length).toBe(19);
    const id = (shown[0].content.transient as { display_id: string }).display_id;
    expect(updates.every((u) => (u.content.transient as { display_id: string }).display_id === id)).toBe(true);
    const final = r.outputs.find((o) => o.output_type === "display_data")!;
    expect(String(final.data!["text/plain"])).toMatch(/^busy: done, 20 steps in \d+\.\d\d s$/);
  }, 60_000);

  it("runs a notebook file: executed .ipynb and HTML written, the failing cell named", async () => {
    const nbPath = join(tmp, "fails.ipynb");
    const cell = (source: string) => ({ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null });
    writeFileSync(nbPath, JSON.stringify({
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# test" },
        cell(`import * as nir from "nirkit";\nconsole.log("ready");`),
        cell(`nir.NIRGraph({ nodes: { a: nir.Input({ shape: [2] }) }, edges: [["a", "nowhere"]] });`),
        cell(`console.log("not reached");`),
      ],
      metadata: { kernelspec: { name: "nirkit", display_name: "TypeScript (NIR)", language: "typescript" } },
      nbformat: 4, nbformat_minor: 5,
    }));
    const out = join(tmp, "out");
    const run = await runNotebook(nbPath, { outDir: out, server });
    expect(run.failedCell?.index).toBe(2);
    expect(run.failedCell?.ename).toBe("NirError");
    expect(run.failedCell?.message).toMatch(/^cell 3 \("nir\.NIRGraph/);
    expect(run.cells.map((c) => c.status)).toEqual(["ok", "error", "skipped"]);
    const executed = JSON.parse(readFileSync(run.ipynbPath, "utf8"));
    expect(executed.cells[1].outputs[0]).toMatchObject({ output_type: "stream", name: "stdout", text: "ready\n" });
    expect(executed.cells[2].outputs.at(-1)).toMatchObject({ output_type: "error", ename: "NirError" });
    expect(run.htmlPath && existsSync(run.htmlPath)).toBeTruthy();
    expect(readFileSync(run.htmlPath!, "utf8")).toContain("NirError");
  }, 120_000);
});

describe.skipIf(!!skip)("nir notebook run", () => {
  it("exits 1 naming the failing cell, and 0 with the outputs written when all cells run", () => {
    const dir = mkdtempSync(join(ROOT, "notebooks", ".cli-"));
    try {
      const nb = (name: string, cells: string[]) => {
        const p = join(dir, name);
        writeFileSync(p, JSON.stringify({ cells: cells.map((source) => ({ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })), metadata: {}, nbformat: 4, nbformat_minor: 4 }));
        return p;
      };
      const good = nb("good.ipynb", [`import * as nir from "nirkit";`, `console.log(nir.KERNEL_NAME);`]);
      const bad = nb("bad.ipynb", [`import * as nir from "nirkit";`, `await nir.read("missing.nir");`]);
      const out = join(dir, "out");
      const r = spawnSync(process.execPath, [join(ROOT, "bin", "nir.js"), "notebook", "run", good, bad, "--out", out, "--no-html"], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`✓ ${good}: 2 code cells in `);
      expect(r.stdout).toMatch(new RegExp(`✗ ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cell 2 \\("await nir\\.read\\("missing\\.nir"\\);"\\): NirError: .*missing\\.nir`));
      const executed = JSON.parse(readFileSync(join(out, "good.ipynb"), "utf8"));
      expect(executed.cells[1].outputs).toEqual([{ output_type: "stream", name: "stdout", text: "nirkit\n" }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});

/**
 * Runs `fn` against a server started with `specs` (name → kernel.json content) as the only extra
 * kernelspecs on JUPYTER_PATH, in a temporary folder (also passed to `fn`); restores the
 * environment and stops the server after.
 */
async function withKernelSpecs(specs: Record<string, object>, fn: (server: JupyterServer, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nirkit-specs-"));
  for (const [name, spec] of Object.entries(specs)) {
    mkdirSync(join(dir, "kernels", name), { recursive: true });
    writeFileSync(join(dir, "kernels", name, "kernel.json"), JSON.stringify(spec));
  }
  const prev = process.env.JUPYTER_PATH;
  process.env.JUPYTER_PATH = dir;
  let server: JupyterServer | undefined;
  try {
    server = await startJupyterServer({ rootDir: ROOT });
    await fn(server, dir);
  } finally {
    if (prev === undefined) delete process.env.JUPYTER_PATH;
    else process.env.JUPYTER_PATH = prev;
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** openKernel's rejection (null when it opened a kernel). */
function openError(server: JupyterServer, kernelName: string, readyTimeoutMs: number): Promise<{ code?: string; message: string } | null> {
  return openKernel(server, `notebooks/${kernelName}.ipynb`, { kernelName, readyTimeoutMs }).then(
    () => null,
    (e: unknown) => e as { code?: string; message: string },
  );
}

describe.skipIf(!!skip)("kernels that do not come up", () => {
  it("one that never answers: openKernel fails after readyTimeoutMs with the kernel's state and the server log, and shuts it down", async () => {
    // the "kernel" only sleeps: the server starts it, but kernel_info never comes back
    await withKernelSpecs({ "silent-kernel": { argv: ["sleep", "600"], display_name: "silent", language: "none" } }, async (server) => {
      const t0 = Date.now();
      const err = await openError(server, "silent-kernel", 4_000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4_000);
      expect(err?.code).toBe("kernel.setup");
      expect(err?.message).toContain("did not answer within 4 s");
      expect(err?.message).toMatch(/kernel status \w+, connection \w+/);
      expect(err?.message).toMatch(/Kernel started: [0-9a-f-]{36}/); // a line of the server's own log
      const started = descendants(server.process.pid!);
      expect(started.filter((p) => alive(p) && readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("sleep"))).toEqual([]);
    });
  }, 120_000);

  it("one that exits at once, every time: openKernel fails as soon as the server gives up restarting it", async () => {
    await withKernelSpecs({ "dying-kernel": { argv: ["false"], display_name: "dying", language: "none" } }, async (server) => {
      const t0 = Date.now();
      const err = await openError(server, "dying-kernel", 110_000);
      // jupyter_client restarts a dead kernel 5 times, 3 s apart, then drops it: well before the limit
      expect(Date.now() - t0).toBeLessThan(80_000);
      expect(err?.code).toBe("kernel.setup");
      expect(err?.message).toContain("died before it answered (the server gave up restarting it)");
      expect(err?.message).toMatch(/restarting kernel \(5\/5\)/);
    });
  }, 120_000);
});

describe.skipIf(!!skip)("a kernel whose port another process took", () => {
  it("exits instead of living on deaf; the server restarts it on new ports and the first cell runs", async () => {
    // The "kernel" is the nirkit kernel behind a wrapper that, at its first launch only, listens
    // on the shell port Jupyter picked before tslab starts: the race seen when another process
    // takes a port between Jupyter's choice and tslab's bind.
    const nirkit = kernelSpec(ROOT) as { argv: string[]; env: Record<string, string> };
    const code = [
      `const fs = require("node:fs"), net = require("node:net"), { spawn } = require("node:child_process");`,
      `const [conn, marker, tslab] = process.argv.slice(2);`,
      `const start = () => {`,
      `  const child = spawn(tslab, ["kernel", "--config-path", conn], { stdio: "inherit" });`,
      `  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => child.kill(s));`,
      `  child.on("exit", (code) => process.exit(code ?? 1));`,
      `};`,
      `if (fs.existsSync(marker)) start();`,
      `else {`,
      `  fs.writeFileSync(marker, "");`,
      `  const { shell_port, ip } = JSON.parse(fs.readFileSync(conn, "utf8"));`,
      `  net.createServer().listen(shell_port, ip, start).unref();`,
      `}`,
    ].join("\n");
    const wrapper = join(mkdtempSync(join(tmpdir(), "nirkit-wrapper-")), "wrapper.cjs");
    writeFileSync(wrapper, code);
    const marker = join(dirname(wrapper), "first-launch-done");
    const spec = { ...nirkit, argv: [process.execPath, wrapper, "{connection_file}", marker, nirkit.argv[0]] };
    let client: KernelClient | undefined;
    try {
      await withKernelSpecs({ "nirkit-port-taken": spec }, async (server) => {
        client = await openKernel(server, "notebooks/port-taken.ipynb", { kernelName: "nirkit-port-taken" });
        const r = await client.execute(`console.log(6 * 7)`, { timeoutMs: 60_000 });
        expect(r.status).toBe("ok");
        expect(r.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "42\n" }]);
        expect(existsSync(marker)).toBe(true); // the first launch happened and lost its port
        const log = server.log(200);
        expect(log).toMatch(/nirkit kernel: cannot listen on tcp:\/\/127\.0\.0\.1:\d+ \(EADDRINUSE\); exiting/);
        expect(log).toMatch(/KernelRestarter: restarting kernel \(1\/5\), new random ports/);
        await client.shutdown();
      });
    } finally {
      await client?.shutdown();
      rmSync(dirname(wrapper), { recursive: true, force: true });
    }
  }, 240_000);
});
