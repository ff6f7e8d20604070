import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkEvents, encodeNmnist, makeEvents, parseNmnist, readNmnist, toFrame } from "../../src/data/index.js";
import { NirError } from "../../src/ir/errors.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-data-err-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Three events written byte by byte in the 40-bit layout: (x, y, p, t). */
function bytesOf(events: [number, number, number, number][]): Uint8Array {
  const out: number[] = [];
  for (const [x, y, p, t] of events) out.push(x, y, p * 128 + Math.floor(t / 65536), Math.floor(t / 256) % 256, t % 256);
  return Uint8Array.from(out);
}

function nirError(fn: () => unknown): NirError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NirError);
    return e as NirError;
  }
  throw new Error("expected a NirError");
}

describe("bad event input", () => {
  const good = bytesOf([[1, 2, 1, 100], [3, 4, 0, 200], [33, 33, 1, 8388607]]);

  it("decodes a hand-written file and round-trips through encodeNmnist", () => {
    const ev = parseNmnist(good);
    expect(Array.from(ev.x)).toEqual([1, 3, 33]);
    expect(Array.from(ev.y)).toEqual([2, 4, 33]);
    expect(Array.from(ev.p)).toEqual([1, 0, 1]);
    expect(Array.from(ev.t)).toEqual([100, 200, 8388607]);
    expect(Array.from(encodeNmnist(ev))).toEqual(Array.from(good));
  });

  it("a truncated (odd-length) file is a data.corrupt error naming the file, or dropped with a warning on request", () => {
    const path = join(dir, "cut.bin");
    writeFileSync(path, good.subarray(0, 13));
    const e = nirError(() => readNmnist(path));
    expect(e.code).toBe("data.corrupt");
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/13 bytes is not a multiple of 5/);
    const warnings: string[] = [];
    const ev = readNmnist(path, { dropPartialEvent: true, onWarning: (m) => warnings.push(m) });
    expect(ev.t.length).toBe(2);
    expect(warnings[0]).toMatch(/dropped 3 trailing byte/);
  });

  it("an empty recording is an error (allowEmpty to accept it), and toFrame refuses it", () => {
    const path = join(dir, "empty.bs2");
    writeFileSync(path, new Uint8Array(0));
    expect(nirError(() => readNmnist(path)).message).toMatch(/empty recording/);
    const ev = readNmnist(path, { allowEmpty: true });
    expect(ev.t.length).toBe(0);
    expect(nirError(() => toFrame(ev, { timeWindow: 1000 })).message).toMatch(/empty recording/);
  });

  it("coordinates outside the sensor are a data.invalid error naming the event and field", () => {
    const e = nirError(() => parseNmnist(bytesOf([[1, 1, 0, 5], [34, 0, 0, 6]]), { file: "wide.bin" }));
    expect(e.code).toBe("data.invalid");
    expect(e.field).toBe("x");
    expect(e.message).toMatch(/wide\.bin.*event 1 at \(x 34, y 0, p 0\) lies outside the sensor \[W 34, H 34, P 2\]/);
    expect(nirError(() => makeEvents({ x: [-1], t: [0] }, [4, 4, 2])).field).toBe("x");
    expect(nirError(() => makeEvents({ x: [0], y: [0, 1], t: [0] }, [4, 4, 2])).field).toBe("y");
    const handMade = { x: Uint16Array.from([0, 5]), y: new Uint16Array(2), p: new Uint8Array(2), t: Float64Array.from([0, 1]), sensorSize: [4, 4, 2] as [number, number, number] };
    expect(nirError(() => toFrame(handMade, { timeWindow: 10 })).message).toMatch(/outside the sensor \[W 4, H 4, P 2\]/);
  });

  it("non-monotonic timestamps are re-sorted (stable) with a warning, or refused with unsorted: \"error\"", () => {
    const bytes = bytesOf([[0, 0, 0, 300], [1, 0, 0, 100], [2, 0, 0, 300], [3, 0, 0, 200]]);
    const warnings: string[] = [];
    const ev = parseNmnist(bytes, { file: "shuffled.bin", onWarning: (m) => warnings.push(m) });
    expect(Array.from(ev.t)).toEqual([100, 200, 300, 300]);
    expect(Array.from(ev.x)).toEqual([1, 3, 0, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/shuffled\.bin.*re-sorted/);
    expect(nirError(() => parseNmnist(bytes, { unsorted: "error" })).message).toMatch(/not in ascending order/);
    expect(nirError(() => toFrame({ ...ev, t: Float64Array.from([3, 1, 2, 4]) }, { timeWindow: 1 })).field).toBe("t");
  });

  it("a missing file is data.not_found and a NaN time is refused", () => {
    expect(nirError(() => readNmnist(join(dir, "nope.bin"))).code).toBe("data.not_found");
    expect(nirError(() => checkEvents({ x: new Uint16Array(1), y: new Uint16Array(1), p: new Uint8Array(1), t: Float64Array.from([NaN]), sensorSize: [1, 1, 2] })).message).toMatch(/non-finite/);
  });
});

describe("N-MNIST timestamp overflow markers", () => {
  it("an event with y = 240 is removed and adds 8192 µs to every later event (Orchard's reader, tonic)", () => {
    const ev = parseNmnist(bytesOf([[1, 1, 0, 8000], [0, 240, 0, 0], [2, 2, 1, 5], [0, 240, 0, 0], [3, 3, 0, 7]]));
    expect(Array.from(ev.x)).toEqual([1, 2, 3]);
    expect(Array.from(ev.t)).toEqual([8000, 8192 + 5, 2 * 8192 + 7]);
  });
});
