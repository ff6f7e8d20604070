import { describe, expect, it } from "vitest";
import { toFrame } from "../../src/data/frames.js";
import { readNmnist } from "../../src/data/nmnist.js";
import { eventFrame, POLARITY_COLORS } from "../../src/viz/eventFrame.js";
import { toSVG } from "../../src/viz/render.js";
import { refFile } from "../support/index.js";
import { axisTitles, countMarks, markGroups, parseSvg, titleTexts } from "./svg.js";

const recording = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "test", "60001.bs2");

describe.skipIf(!recording)("eventFrame", () => {
  it("draws one square per active pixel of an N-MNIST digit, coloured by polarity", async () => {
    const ev = readNmnist(recording!);
    // One bin over the recording (tonic n_time_bins = 1): events with t < t0 + floor(t_last − t0).
    const end = ev.t[0] + Math.floor(ev.t[ev.t.length - 1] - ev.t[0]);
    const on = new Set<number>(), off = new Set<number>();
    for (let i = 0; i < ev.t.length; i++) if (ev.t[i] < end) (ev.p[i] ? on : off).add(ev.y[i] * 34 + ev.x[i]);
    const active = new Set([...on, ...off]);
    const both = [...on].filter((k) => off.has(k)).length;
    const svg = parseSvg(await toSVG(eventFrame(ev)));
    const squares = markGroups(svg, "pixels").flatMap((g) => g.children);
    expect(squares.length).toBe(active.size);
    const fills = squares.map((s) => s.attrs.fill);
    expect(fills.filter((f) => f === POLARITY_COLORS.both).length).toBe(both);
    expect(fills.filter((f) => f === POLARITY_COLORS.ON).length).toBe(on.size - both);
    expect(fills.filter((f) => f === POLARITY_COLORS.OFF).length).toBe(off.size - both);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["x [pixel]", "y [pixel]"]));
    expect(titleTexts(svg).join(" ")).toContain(`${ev.t.length.toLocaleString("en-US")} events`);
  });

  it("draws a small-multiples grid over time: one square per active pixel per time bin", async () => {
    const ev = readNmnist(recording!);
    const frames = toFrame(ev, { nTimeBins: 6 });
    const [T, P, H, W] = frames.shape;
    let expected = 0;
    for (let t = 0; t < T; t++) for (let i = 0; i < H * W; i++) if (frames.data[(t * P) * H * W + i] + frames.data[(t * P + 1) * H * W + i] > 0) expected++;
    const svg = parseSvg(await toSVG(eventFrame(ev, { frames: 6 })));
    expect(markGroups(svg, "pixels").length).toBe(6); // one panel per bin
    expect(countMarks(svg, "pixels", "path")).toBe(expected);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["x [pixel]", "y [pixel]"]));
  });

  it("draws one sample of batched frames (T, B, P, H, W)", async () => {
    const second = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "test", "60002.bs2");
    if (!second) return;
    const fa = toFrame(readNmnist(recording!), { nTimeBins: 3 });
    const fb = toFrame(readNmnist(second), { nTimeBins: 3 });
    const per = 2 * 34 * 34;
    const data = new Float32Array(3 * 2 * per);
    for (let t = 0; t < 3; t++) {
      data.set(fa.data.subarray(t * per, (t + 1) * per) as Float32Array, (t * 2 + 0) * per);
      data.set(fb.data.subarray(t * per, (t + 1) * per) as Float32Array, (t * 2 + 1) * per);
    }
    let expected = 0;
    for (let t = 0; t < 3; t++) for (let i = 0; i < 34 * 34; i++) if (fb.data[t * per + i] + fb.data[t * per + 34 * 34 + i] > 0) expected++;
    const svg = parseSvg(await toSVG(eventFrame({ dtype: "float32", shape: [3, 2, 2, 34, 34], data }, { sample: 1 })));
    expect(countMarks(svg, "pixels", "path")).toBe(expected);
  });
});
