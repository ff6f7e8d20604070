import { describe, expect, it } from "vitest";
import { frameSlices, makeEvents, padFrames, seededRng, toFrame, type EventStream } from "../../src/data/index.js";

/** Reference binning written out longhand: event e goes to every window k with lo_k ≤ t_e < hi_k. */
function naiveFrames(ev: EventStream, windows: [number, number][]): number[] {
  const [W, H, P] = ev.sensorSize;
  const out = new Array(windows.length * P * H * W).fill(0);
  windows.forEach(([lo, hi], k) => {
    for (let e = 0; e < ev.t.length; e++) {
      if (ev.t[e] >= lo && ev.t[e] < hi) out[((k * P + ev.p[e]) * H + ev.y[e]) * W + ev.x[e]] += 1;
    }
  });
  return out;
}

function randomStream(seed: number, n: number, sensor: [number, number, number], tSpan: number): EventStream {
  const r = seededRng(seed);
  const t = Array.from({ length: n }, () => 100 + Math.floor(r.next() * tSpan)).sort((a, b) => a - b);
  return makeEvents({ x: t.map(() => r.int(sensor[0])), y: t.map(() => r.int(sensor[1])), p: t.map(() => r.int(sensor[2])), t }, sensor);
}

describe("toFrame by timeWindow (tonic SliceByTime)", () => {
  const ev = makeEvents({ x: [0, 1, 2, 0, 1, 2], y: [0, 0, 1, 1, 0, 0], p: [1, 0, 1, 1, 0, 1], t: [500, 999, 1500, 2499, 2500, 3700] }, [3, 2, 2]);

  it("starts bins at the first event, half-open [t0+k·w, t0+(k+1)·w), drops the incomplete last window", () => {
    // span 3700-500 = 3200 → floor((3200-1000)/1000)+1 = 3 windows: [500,1500) [1500,2500) [2500,3500); t=3700 dropped.
    const f = toFrame(ev, { timeWindow: 1000 });
    expect(f.shape).toEqual([3, 2, 2, 3]);
    expect(Array.from(f.data as Float32Array)).toEqual(naiveFrames(ev, [[500, 1500], [1500, 2500], [2500, 3500]]));
    expect((f.data as Float32Array).reduce((a, b) => a + b, 0)).toBe(5);
    // event t=1500 sits exactly on a boundary: it belongs to window 1, not 0.
    expect(frameSlices(ev, { timeWindow: 1000 })).toEqual([{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 5 }]);
  });

  it("includeIncomplete keeps the last, shorter window (ceil instead of floor)", () => {
    const f = toFrame(ev, { timeWindow: 1000, includeIncomplete: true });
    expect(f.shape[0]).toBe(4);
    expect(Array.from(f.data as Float32Array)).toEqual(naiveFrames(ev, [[500, 1500], [1500, 2500], [2500, 3500], [3500, 4500]]));
  });

  it("a window longer than the recording gives one frame", () => {
    const f = toFrame(ev, { timeWindow: 10_000 });
    expect(f.shape[0]).toBe(1);
    expect(Array.from(f.data as Float32Array)).toEqual(naiveFrames(ev, [[500, 10_500]]));
  });

  it("overlap makes windows share events", () => {
    const f = toFrame(ev, { timeWindow: 1000, overlap: 500 });
    // stride 500 → floor((3200-1000)/500)+1 = 5 windows starting at 500, 1000, ..., 2500.
    const w: [number, number][] = [0, 1, 2, 3, 4].map((k) => [500 + 500 * k, 1500 + 500 * k]);
    expect(Array.from(f.data as Float32Array)).toEqual(naiveFrames(ev, w));
  });

  it("matches a naive count on random streams (counts, not binary)", () => {
    for (const seed of [1, 2, 3]) {
      const s = randomStream(seed, 400, [5, 4, 2], 20_000);
      const w = 1000;
      const t0 = s.t[0], tl = s.t[s.t.length - 1];
      const n = Math.max(1, Math.floor((tl - t0 - w) / w) + 1);
      const f = toFrame(s, { timeWindow: w });
      expect(f.shape).toEqual([n, 2, 4, 5]);
      const ref = naiveFrames(s, Array.from({ length: n }, (_, k) => [t0 + k * w, t0 + (k + 1) * w] as [number, number]));
      expect(Array.from(f.data as Float32Array)).toEqual(ref);
      expect(Math.max(...ref)).toBeGreaterThan(1);
    }
  });

  it("a one-polarity sensor counts every event in channel 0 (as tonic)", () => {
    const one = makeEvents({ x: [0, 0], p: [0, 1], t: [0, 10] }, [1, 1, 1]);
    const f = toFrame(one, { timeWindow: 100 });
    expect(f.shape).toEqual([1, 1, 1, 1]);
    expect(Array.from(f.data as Float32Array)).toEqual([2]);
  });
});

describe("toFrame by nTimeBins and eventCount", () => {
  it("nTimeBins uses w = floor(span/n) and n half-open windows from the first event", () => {
    const ev = makeEvents({ x: [0, 0, 0, 0, 0], t: [0, 3, 4, 7, 10] }, [1, 1, 2]);
    // w = floor(10/3) = 3 → [0,3) [3,6) [6,9); t=10 is not counted (tonic drops it too).
    const f = toFrame(ev, { nTimeBins: 3 });
    expect(f.shape).toEqual([3, 2, 1, 1]);
    expect(Array.from(f.data as Float32Array)).toEqual([1, 0, 2, 0, 1, 0]);
  });

  it("eventCount slices consecutive events and drops the incomplete rest unless asked", () => {
    const ev = makeEvents({ x: [0, 1, 0, 1, 0, 1, 0], t: [0, 1, 2, 3, 4, 5, 6] }, [2, 1, 2]);
    expect(toFrame(ev, { eventCount: 3 }).shape[0]).toBe(2);
    const inc = toFrame(ev, { eventCount: 3, includeIncomplete: true });
    expect(inc.shape[0]).toBe(3);
    // frame k, polarity 0, pixels x=0,1
    expect(Array.from(inc.data as Float32Array)).toEqual([2, 1, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0]);
  });

  it("refuses zero or several slicing options, and bad values", () => {
    const ev = makeEvents({ x: [0], t: [0] }, [1, 1, 2]);
    expect(() => toFrame(ev, {})).toThrow(/exactly one/);
    expect(() => toFrame(ev, { timeWindow: 1, nTimeBins: 2 })).toThrow(/exactly one/);
    expect(() => toFrame(ev, { timeWindow: -5 })).toThrow(/positive/);
    expect(() => toFrame(ev, { eventCount: 1.5 })).toThrow(/positive integer/);
  });
});

describe("padFrames", () => {
  it("stacks time-major and zero-pads each sample to the longest", () => {
    const a = { dtype: "float32" as const, shape: [2, 1], data: Float32Array.from([1, 2]) };
    const b = { dtype: "float32" as const, shape: [3, 1], data: Float32Array.from([3, 4, 5]) };
    const p = padFrames([a, b]);
    expect(p.shape).toEqual([3, 2, 1]);
    expect(Array.from(p.data as Float32Array)).toEqual([1, 3, 2, 4, 0, 5]);
    const cut = padFrames([a, b], { length: 2, batchFirst: true });
    expect(cut.shape).toEqual([2, 2, 1]);
    expect(Array.from(cut.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});
