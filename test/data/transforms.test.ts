import { describe, expect, it } from "vitest";
import { centerCropBox, crop, denoise, dropEvent, eventsToNirEventData, framesToNirTimeGridded, makeEvents, seededRng, timeJitter, toFrame } from "../../src/data/index.js";

describe("event transforms", () => {
  const ev = makeEvents({ x: [0, 2, 3, 5, 2], y: [0, 1, 2, 5, 3], p: [0, 1, 0, 1, 1], t: [10, 20, 30, 40, 50] }, [6, 6, 2]);

  it("crop keeps events inside the box and shifts them to the box origin", () => {
    const c = crop(ev, { x: 2, y: 1, width: 2, height: 3 });
    expect(c.sensorSize).toEqual([2, 3, 2]);
    expect(Array.from(c.x)).toEqual([0, 1, 0]);
    expect(Array.from(c.y)).toEqual([0, 1, 2]);
    expect(Array.from(c.t)).toEqual([20, 30, 50]);
    expect(centerCropBox([34, 34, 2], 32, 32)).toEqual({ x: 1, y: 1, width: 32, height: 32 });
  });

  it("denoise keeps an event only when a 4-neighbour fired within filterTime before", () => {
    const s = makeEvents({ x: [5, 6, 9, 6, 0], y: [5, 5, 9, 5, 0], t: [0, 50, 60, 500, 600] }, [10, 10, 2]);
    // (6,5)@50 has neighbour (5,5)@0 within 100 → kept; (5,5)@0 had nothing before; (9,9) isolated;
    // (6,5)@500: neighbour's last event 0 + 100 < 500 → dropped; (0,0) isolated.
    const d = denoise(s, { filterTime: 100 });
    expect(Array.from(d.t)).toEqual([50]);
    expect(denoise(s, { filterTime: 1000 }).t.length).toBe(2); // @50 and @500
  });

  it("timeJitter is seeded, keeps events sorted and shifts with the requested spread", () => {
    const n = 20000;
    const big = makeEvents({ x: new Array(n).fill(0), t: Array.from({ length: n }, (_, i) => i * 1000) }, [1, 1, 2]);
    const a = timeJitter(big, { std: 10, seed: 3 });
    const b = timeJitter(big, { std: 10, seed: 3 });
    expect(Array.from(a.t)).toEqual(Array.from(b.t));
    let sum = 0, sq = 0, unsorted = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0 && a.t[i] < a.t[i - 1]) unsorted++;
      const d = a.t[i] - i * 1000; // spacing 1000 ≫ 10: order is unchanged
      sum += d;
      sq += d * d;
    }
    expect(unsorted).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.3);
    expect(Math.sqrt(sq / n)).toBeGreaterThan(9.7);
    expect(Math.sqrt(sq / n)).toBeLessThan(10.3);
    expect(timeJitter(ev, { std: 1000, seed: 1, clipNegative: true }).t.every((t) => t >= 0)).toBe(true);
  });

  it("dropEvent removes round(p·N) distinct events, reproducibly", () => {
    const n = 1001;
    const big = makeEvents({ x: new Array(n).fill(0), t: Array.from({ length: n }, (_, i) => i) }, [1, 1, 2]);
    const d = dropEvent(big, { probability: 0.25, seed: 7 });
    expect(d.t.length).toBe(n - Math.floor(0.25 * n + 0.5));
    expect(new Set(d.t).size).toBe(d.t.length);
    expect(Array.from(dropEvent(big, { probability: 0.25, seed: 7 }).t)).toEqual(Array.from(d.t));
    expect(Array.from(dropEvent(big, { probability: 0.25, seed: 8 }).t)).not.toEqual(Array.from(d.t));
    expect(() => dropEvent(big, { probability: 2 })).toThrow(/probability/);
    expect(seededRng(1).next()).toBe(seededRng(1).next());
  });
});

describe("conversion to NIR graph data", () => {
  const ev = makeEvents({ x: [1, 0, 2], y: [0, 1, 1], p: [1, 0, 1], t: [1000, 1500, 3999] }, [3, 2, 2]);

  it("EventData: neuron = p·H·W + y·W + x, times in seconds from the first event, padded with -1/inf", () => {
    const short = makeEvents({ x: [0], t: [7] }, [3, 2, 2]);
    const d = eventsToNirEventData([ev, short]);
    expect(d.n_neurons).toBe(12);
    expect(d.idx.shape).toEqual([2, 3]);
    expect(Array.from(d.idx.data, Number)).toEqual([1 * 6 + 0 + 1, 0 + 3 + 0, 6 + 3 + 2, 0, -1, -1]);
    expect(Array.from(d.time.data)).toEqual([0, 0.0005, 0.002999, 0, Infinity, Infinity]);
    expect(d.t_max).toBeCloseTo(0.003, 12);
  });

  it("TimeGriddedData from frames agrees with EventData binned at the same dt", () => {
    const frames = toFrame(ev, { timeWindow: 1000, includeIncomplete: true });
    const g = framesToNirTimeGridded(frames, 1e-3);
    expect(g.data.shape).toEqual([1, 3, 12]);
    const e = eventsToNirEventData(ev, { timeUnit: "ms" });
    const fromEvents = new Array(3 * 12).fill(0);
    for (let i = 0; i < 3; i++) fromEvents[Math.floor(e.time.data[i] / 1) * 12 + Number(e.idx.data[i])] += 1;
    expect(Array.from(g.data.data)).toEqual(fromEvents);
  });
});

describe("NIR data interop with the IR (src/ir/data.ts)", () => {
  it("IR toTimeGridded of eventsToNirEventData equals the binarised toFrame frames", async () => {
    const { toTimeGridded } = await import("../../src/ir/data.js");
    const r = seededRng(5);
    const n = 300;
    const t = Array.from({ length: n }, () => Math.floor(r.next() * 9000)).sort((a, b) => a - b);
    t[0] = 0;
    const ev = makeEvents({ x: t.map(() => r.int(4)), y: t.map(() => r.int(3)), p: t.map(() => r.int(2)), t }, [4, 3, 2]);
    const frames = toFrame(ev, { timeWindow: 1000, includeIncomplete: true });
    const T = frames.shape[0];
    const grid = toTimeGridded(eventsToNirEventData(ev, { timeUnit: "ms", tMax: T }), 1);
    expect(grid.data.shape).toEqual([1, T, 24]);
    const binary = Array.from(frames.data as Float32Array, (v) => (v > 0 ? 1 : 0));
    expect(Array.from(grid.data.data as Uint8Array)).toEqual(binary);
  });
});
