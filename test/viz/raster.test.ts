import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../src/io/npy.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { spikeList, spikeRaster } from "../../src/viz/raster.js";
import { toSVG } from "../../src/viz/render.js";
import { refFile } from "../support/index.js";
import { allElements, axisTitles, countMarks, markGroups, parseSvg, titleTexts } from "./svg.js";

const activityPath = refFile("paper", "03_rnn", "snntorch_activity_noDelay_bias_zero.npy");
const inputPath = refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.csv");

/** The Braille test sample 0 input (256 steps × 12 taxels) from its CSV. */
function readInputCsv(path: string): Tensor {
  const rows = readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return { dtype: "float64", shape: [rows.length, rows[0].length], data: Float64Array.from(rows.flat()) };
}

const nonZero = (t: Tensor): number => Array.from(t.data as Float32Array).filter((v) => Number(v) !== 0).length;

describe.skipIf(!activityPath || !inputPath)("spikeRaster", () => {
  it("draws one rect per spike of the snnTorch Braille activity, with the input taxels above", async () => {
    const act = readNpy(activityPath!);
    const inp = readInputCsv(inputPath!);
    expect(act.shape).toEqual([256, 38]);
    const expectedSpikes = nonZero(act);
    expect(expectedSpikes).toBe(119); // paper-experiments.md §3.4: snnTorch, zero model, 119 hidden spikes
    const svg = parseSvg(await toSVG(spikeRaster(act, { dt: 1e-4, input: inp })));
    expect(countMarks(svg, "spikes", "path")).toBe(expectedSpikes);
    expect(countMarks(svg, "input", "path")).toBe(nonZero(inp));
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "neuron", "input"]));
  });

  it("draws only the chosen neurons, relabelled to their indices", async () => {
    const act = readNpy(activityPath!);
    const subset = [26, 10, 3];
    let expected = 0;
    for (let t = 0; t < 256; t++) for (const n of subset) if (Number(act.data[t * 38 + n]) !== 0) expected++;
    const spec = spikeRaster(act, { neurons: subset, dt: 1e-4 });
    const svg = parseSvg(await toSVG(spec));
    expect(countMarks(svg, "spikes", "path")).toBe(expected);
    expect(axisTitles(svg)).toContain("neuron (3 of 38)");
  });

  it("bins a raster above 50k spikes and says so in the subtitle", async () => {
    // 300 steps × 4096 neurons: a spike wherever (7t + 13n) mod 5 = 0, except in neuron blocks
    // n mod 1000 ≥ 700 and in steps 100..159, so some bins stay empty.
    const T = 300, N = 4096;
    const data = new Uint8Array(T * N);
    let total = 0;
    for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) {
      if ((7 * t + 13 * n) % 5 === 0 && n % 1000 < 700 && (t < 100 || t >= 160)) { data[t * N + n] = 1; total++; }
    }
    const spikes: Tensor = { dtype: "uint8", shape: [T, N], data };
    // Expected cells: 2 steps × 64 neurons per bin (ceil(300/150), ceil(4096/64)); count non-empty cells.
    const occupied = new Set<number>();
    for (let t = 0; t < T; t++) for (let n = 0; n < N; n++) if (data[t * N + n]) occupied.add(Math.floor(t / 2) * 1000 + Math.floor(n / 64));
    expect(total).toBeGreaterThan(50_000);
    expect(occupied.size).toBeLessThan(150 * 64);
    const svg = parseSvg(await toSVG(spikeRaster(spikes, { dt: 1e-3 })));
    expect(countMarks(svg, "spikes_binned", "path")).toBe(occupied.size);
    expect(countMarks(svg, "spikes")).toBe(0);
    expect(titleTexts(svg).join(" ")).toContain(`${total.toLocaleString("en-US")} spikes > 50,000: binned into 150 × 64 cells`);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "neuron"]));
  });

  it("bins neurons into shared rows when a row would be under 1.5 px, and says so", async () => {
    // 300 steps × 4096 neurons in 120 px: 0.03 px a neuron. Neuron n spikes at step (n mod 300) when n mod 7 = 0.
    const T = 300, N = 4096;
    const data = new Uint8Array(T * N);
    let total = 0;
    for (let n = 0; n < N; n += 7) { data[(n % T) * N + n] = 1; total++; }
    const spikes: Tensor = { dtype: "uint8", shape: [T, N], data };
    // 120 px / 1.5 px = 80 rows → ceil(4096 / 80) = 52 neurons a row; time is not binned
    const rowsPerBin = Math.ceil(N / Math.floor(120 / 1.5));
    const cells = new Set<number>();
    for (let n = 0; n < N; n += 7) cells.add((n % T) * 1000 + Math.floor(n / rowsPerBin));
    const svg = parseSvg(await toSVG(spikeRaster(spikes, { dt: 1e-3, height: 120 })));
    expect(total).toBeLessThan(50_000);
    expect(countMarks(svg, "spikes_binned", "path")).toBe(cells.size);
    expect(titleTexts(svg).join(" ")).toContain(`4,096 neurons do not fit 120 px (rows under 1.5 px): binned into 300 × ${Math.ceil(N / rowsPerBin)} cells (1 step × ${rowsPerBin} neurons each)`);
    // every drawn cell is at least a pixel tall
    const heights = markGroups(svg, "spikes_binned").flatMap((g) => g.children).map((e) => Number(/v(-?[\d.]+)/.exec(e.attrs.d)![1]));
    expect(heights.length).toBe(cells.size);
    expect(Math.min(...heights.map(Math.abs))).toBeGreaterThanOrEqual(1);
  });

  it("labels the rows of a two-neuron raster 0 and 1, at the rows' centres", async () => {
    const t: Tensor = { dtype: "float64", shape: [4, 2], data: Float64Array.from([1, 0, 0, 1, 1, 1, 0, 0]) };
    const svg = parseSvg(await toSVG(spikeRaster(t, { dt: 1e-3 })));
    const labels = allElements(svg).filter((e) => /role-axis-label/.test(e.attrs.class ?? "")).flatMap((g) => allElements(g).filter((e) => e.tag === "text").map((e) => e.text));
    expect(labels).toEqual(expect.arrayContaining(["0", "1"]));
    expect(labels).not.toContain("2");
    expect(labels).not.toContain("0.5");
  });

  it("refuses a neuron index outside the array", () => {
    const t: Tensor = { dtype: "float64", shape: [4, 2], data: new Float64Array(8) };
    expect(() => spikeRaster(t, { neurons: [5] })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "neurons" }));
  });
});

describe("spikeList", () => {
  it("reads neuron-major (N, T) arrays, like the paper's Lava activity, as the same spikes transposed", () => {
    // 3 neurons × 4 steps: neuron 0 at step 1, neuron 2 at steps 0 and 3.
    const nt: Tensor = { dtype: "float64", shape: [3, 4], data: Float64Array.from([0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]) };
    const tn: Tensor = { dtype: "float64", shape: [4, 3], data: new Float64Array(12) };
    for (let n = 0; n < 3; n++) for (let t = 0; t < 4; t++) tn.data[t * 3 + n] = nt.data[n * 4 + t];
    const a = spikeList(nt, true);
    const b = spikeList(tn);
    expect([a.steps, a.neurons]).toEqual([4, 3]);
    const pairs = (l: typeof a) => Array.from(l.t, (t, i) => `${t}:${l.n[i]}`).sort();
    expect(pairs(a)).toEqual(["0:2", "1:0", "3:2"]);
    expect(pairs(a)).toEqual(pairs(b));
  });
});
