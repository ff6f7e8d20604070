import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lz4DecompressFrame, parsePropheseeDat, readAedat4, readPropheseeDat, summarizeEvents, toFrame } from "../../src/data/index.js";
import { datasetFile } from "../support/index.js";

const ncars = datasetFile("event_camera", "tonic_sample_ncars.dat");

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

const aedat = datasetFile("event_camera", "tonic_sample.aedat4");

describe("AEDAT 4 (tonic's sample.aedat4)", () => {
  /** The recorder's own index (FileDataTable "FTAB" at the end of the file): events and time span per stream. */
  function fileDataTable(bytes: Uint8Array, start: number) {
    const raw = lz4DecompressFrame(bytes.subarray(start));
    const v = new DataView(raw.buffer, raw.byteOffset + 4);
    const fieldAt = (table: number, i: number) => {
      const vt = table - v.getInt32(table, true);
      if (4 + 2 * i >= v.getUint16(vt, true)) return 0;
      const o = v.getUint16(vt + 4 + 2 * i, true);
      return o ? table + o : 0;
    };
    const vecField = fieldAt(v.getUint32(0, true), 0);
    const vec = vecField + v.getUint32(vecField, true);
    const rows: { stream: number; n: number; t0: number; t1: number }[] = [];
    for (let k = 0; k < v.getUint32(vec, true); k++) {
      const e = vec + 4 + 4 * k;
      const tbl = e + v.getUint32(e, true);
      const num = (i: number) => Number(v.getBigInt64(fieldAt(tbl, i), true));
      rows.push({ stream: v.getInt32(fieldAt(tbl, 1), true), n: num(2), t0: num(3), t1: num(4) });
    }
    return rows;
  }

  it.skipIf(!aedat)("reads the polarity events: count and time span equal the file's own packet index (111,954 events)", () => {
    const bytes = new Uint8Array(readFileSync(aedat!));
    const ev = readAedat4(aedat!, { unsorted: "error" });
    expect(ev.sensorSize).toEqual([320, 240, 2]); // sizeX/sizeY in the header XML
    // the data table starts where the last packet ends: walk the packet headers to find it
    const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getInt32(14, true);
    let pos = 18 + headerLen;
    let packets = 0;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    while (pos + 8 <= bytes.length) {
      const size = dv.getInt32(pos + 4, true);
      if (size < 0 || pos + 8 + size > bytes.length || dv.getUint32(pos, true) === 0x184d2204) break;
      pos += 8 + size;
      packets++;
    }
    const rows = fileDataTable(bytes, pos).filter((r) => r.stream === 0);
    expect(rows.length).toBe(59);
    const s = summarizeEvents(ev);
    expect(s.n).toBe(rows.reduce((a, r) => a + r.n, 0));
    expect(s.tMin).toBe(Math.min(...rows.map((r) => r.t0)));
    expect(s.tMax).toBe(Math.max(...rows.map((r) => r.t1)));
    expect([s.xMax, s.yMax]).toEqual([319, 239]);
    console.log(`AEDAT4 sample: ${s.n} events in ${rows.length} packets (${packets} packets of all streams), ${(s.tMax - s.tMin) / 1000} ms; tonic's test number 118,651 comes from its AEDAT 3 packet parser (get_aer_events_from_file) applied to this AEDAT 4 file, not from its AEDAT 4 reader`);
  });

  it("LZ4 frames: literals, overlapping matches, stored blocks; refuses a bad offset", () => {
    // block: token 0x32 (3 literals, match 2+4=6), "abc", offset 3 → "abcabcabc"; then token 0x10, literal "d"
    const block = [0x32, 97, 98, 99, 3, 0, 0x10, 100];
    const frame = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, block.length, 0, 0, 0, ...block, 2, 0, 0, 0x80, 101, 102, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(lz4DecompressFrame(frame))).toBe("abcabcabcdef");
    const bad = Uint8Array.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 6, 0, 0, 0, 0x10, 97, 9, 0, 0x10, 98, 0, 0, 0, 0]);
    expect(() => lz4DecompressFrame(bad)).toThrow(/offset 9/);
  });
});
