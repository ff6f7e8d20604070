import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { command } from "../../src/cli/commands/plot.js";
import { read } from "../../src/io/read.js";
import { readNpy } from "../../src/io/npy.js";
import { findChromium } from "../../src/viz/png.js";
import { quietly, refFile } from "../support/index.js";
import { axisTitles, countMarks, parseSvg } from "./svg.js";

const cnnPath = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const activityPath = refFile("paper", "03_rnn", "snntorch_activity_noDelay_noBias_subtract.npy");

const run = (args: string[]): Promise<number> => quietly(() => command.run(args));

describe.skipIf(!cnnPath || !activityPath)("nir plot", () => {
  const dir = mkdtempSync(join(tmpdir(), "nir-plot-"));

  it("writes the CNN diagram as SVG with one box per node", async () => {
    const out = join(dir, "g.svg");
    expect(await run([cnnPath!, "--diagram", "--out", out])).toBe(0);
    const g = await read(cnnPath!);
    const svg = parseSvg(readFileSync(out, "utf8"));
    expect(countMarks(svg, "nodes") + countMarks(svg, "io_nodes")).toBe(g.nodes.size);
    expect(countMarks(svg, "edges")).toBe(g.edges.length);
  });

  it("writes a raster of an .npy spike array with a ms time axis", async () => {
    const out = join(dir, "r.svg");
    expect(await run(["--raster", activityPath!, "--dt", "1e-4", "--out", out])).toBe(0);
    const a = readNpy(activityPath!);
    const spikes = Array.from(a.data as Float32Array).filter((v) => v !== 0).length;
    expect(spikes).toBe(118); // paper-experiments.md §3.4: snnTorch, subtract model
    const svg = parseSvg(readFileSync(out, "utf8"));
    expect(countMarks(svg, "spikes", "path")).toBe(spikes);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "neuron"]));
  });

  it("writes the Vega-Lite spec for .json", async () => {
    const out = join(dir, "w.json");
    expect(await run([cnnPath!, "--weights", "--out", out])).toBe(0);
    const spec = JSON.parse(readFileSync(out, "utf8"));
    expect(spec.$schema).toContain("vega-lite/v5");
  });

  it.skipIf(!findChromium())("writes a PNG through Chromium", async () => {
    const out = join(dir, "g.png");
    expect(await run([cnnPath!, "--diagram", "--out", out])).toBe(0);
    const png = readFileSync(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBeGreaterThan(500); // width in pixels (IHDR)
  });

  it("rejects a call without a chart kind or without --out", async () => {
    await expect(command.run([cnnPath!, "--out", join(dir, "x.svg")])).rejects.toMatchObject({ code: "cli.usage" });
    await expect(command.run([cnnPath!, "--diagram"])).rejects.toMatchObject({ code: "cli.usage" });
  });
});
