/**
 * Every script in examples/ runs from a scratch folder with the built package (`import * as nir
 * from "nirkit"`) and exits 0; the quickstart prints the spike counts the library computes here,
 * writes its SVG, and is the README's example verbatim.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LIF, Input, NIRGraph, Output } from "../../src/ir/index.js";
import { full } from "../../src/ir/tensor.js";
import { simulate, spikeCounts } from "../../src/sim/index.js";
import { ensureBuilt } from "../kernel/setup.js";
import { ROOT } from "../support/index.js";

const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".mjs")).sort();
const work = mkdtempSync(join(tmpdir(), "nirkit-examples-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const buildSkip = ensureBuilt();
if (buildSkip) console.warn(`[skip] examples: ${buildSkip}`);

/** Runs one example with cwd = a fresh folder; the package resolves through NODE_PATH to the project's node_modules. */
function runExample(file: string): { status: number | null; out: string; err: string; cwd: string } {
  const cwd = mkdtempSync(join(work, file.replace(/\W/g, "_")));
  const r = spawnSync(process.execPath, [join(ROOT, "examples", file)], { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: r.stdout, err: r.stderr, cwd };
}

describe.skipIf(buildSkip !== null)("examples/", () => {
  it("holds the quickstart and more", () => {
    expect(examples).toContain("quickstart.mjs");
    expect(examples.length).toBeGreaterThan(1);
  });

  it.each(examples)("%s runs and exits 0", (file) => {
    const r = runExample(file);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });

  it("quickstart prints the spike counts of the library run and writes lif.nir and lif_v.svg", () => {
    const r = runExample("quickstart.mjs");
    expect(r.status).toBe(0);
    const g = NIRGraph({
      nodes: { input: Input({ shape: [2] }), lif: LIF({ tau: [0.02, 0.05], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }), output: Output({ shape: [2] }) },
      edges: [["input", "lif"], ["lif", "output"]],
    });
    const counts = Array.from(spikeCounts(simulate(g, full([200, 2], 1.5), { dt: 1e-3, record: ["lif:spikes"] }).records["lif.spikes"]));
    expect(r.out).toContain(`spikes per neuron: [ ${counts.join(", ")} ]`);
    expect(existsSync(join(r.cwd, "lif.nir"))).toBe(true);
    expect(readFileSync(join(r.cwd, "lif_v.svg"), "utf8")).toMatch(/^<svg[\s>]/);
  });

  it("the README's example is examples/quickstart.mjs verbatim", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const code = readFileSync(join(ROOT, "examples", "quickstart.mjs"), "utf8");
    expect(readme).toContain("```js\n" + code + "```");
  });
});
