import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePropheseeDat, readPropheseeDat, summarizeEvents, toFrame } from "../../src/data/index.js";
import { sharedFile } from "../support.js";

const ncars = sharedFile("datasets", "event_camera", "tonic_sample_ncars.dat");

/** Independent decode: skip '%' lines by text search, then read 8-byte events with BigInt arithmetic. */
function rawDat(bytes: Buffer) {
  const text = bytes.toString("latin1");
  let start = 0;
  while (text[start] === "%") start = text.indexOf("\n", start) + 1;
  start += 2; // event type, event size
  const out = { n: 0, tMin: Infinity, tMax: -Infinity, xMax: 0, yMax: 0, on: 0 };
  for (let o = start; o + 8 <= bytes.length; o += 8) {
    const v = bytes.readBigUInt64LE(o);
    const t = Number(v & 0xffffffffn);
    const w = v >> 32n;
    const x = Number(w % 16384n), y = Number((w / 16384n) % 16384n), p = Number(w / 268435456n);
    out.n++;
    out.tMin = Math.min(out.tMin, t);
    out.tMax = Math.max(out.tMax, t);
    out.xMax = Math.max(out.xMax, x);
    out.yMax = Math.max(out.yMax, y);
    out.on += p;
  }
  return out;
}

describe("tonic's event-camera samples", () => {
  it.skipIf(!ncars)("reads the N-CARS Prophesee .dat sample with counts and ranges equal to an independent decode", () => {
    const raw = rawDat(readFileSync(ncars!));
    const ev = readPropheseeDat(ncars!, { sensorSize: [120, 100, 2], unsorted: "error" });
    const s = summarizeEvents(ev);
    expect([s.n, s.tMin, s.tMax, s.xMax, s.yMax, s.perPolarity[1]]).toEqual([raw.n, raw.tMin, raw.tMax, raw.xMax, raw.yMax, raw.on]);
    expect(s.n).toBe((readFileSync(ncars!).length - 93) / 8); // 91 header bytes + 2 type/size bytes
    console.log(`N-CARS sample: ${s.n} events, t ${s.tMin}..${s.tMax} µs, x ≤ ${s.xMax}, y ≤ ${s.yMax}`);
    expect(toFrame(ev, { nTimeBins: 10 }).shape).toEqual([10, 2, 100, 120]);
  });

  it("refuses a .dat without header or with a partial event", () => {
    expect(() => parsePropheseeDat(new Uint8Array([1, 2, 3]))).toThrow(/no '%' header/);
    const head = new TextEncoder().encode("% Version 2\n");
    const bad = new Uint8Array([...head, 0, 8, 1, 2, 3, 4, 5]);
    expect(() => parsePropheseeDat(bad, { file: "cut.dat" })).toThrow(/cut\.dat.*not a multiple of 8/);
  });
});
