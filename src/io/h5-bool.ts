/**
 * Booleans as h5py stores them: an HDF5 enum over int8 with members FALSE = 0 and TRUE = 1
 * (h5py reads it back as numpy.bool_). h5wasm 0.10.3 cannot create enum types: its
 * `create_dataset` builds the datatype from a metadata object and throws "data type not
 * supported" for the enum class, and the HDF5 C API (H5Tenum_create, H5Tenum_insert,
 * H5Dcreate2) is not exported from its Emscripten module. It does write compound types, so a
 * bool dataset is written as a compound with one int8 member named {@link BOOL_PLACEHOLDER}
 * (1 byte per element, the same storage as the enum), and after the file is closed its datatype
 * message is rewritten in place to the enum and the object header's checksum recomputed. The two
 * messages have the same length (version 3 datatype messages: 8 + 12 + "nirkit_bool\0" + 1-byte
 * offset = 8 + 12 + "FALSE\0TRUE\0" + 2 values = 33 bytes), so nothing else in the file moves.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Name of the single int8 member of the compound placeholder (its length makes both messages 33 bytes). */
export const BOOL_PLACEHOLDER = "nirkit_bool";

/** int8 base type: class 0 (fixed point) version 1, little-endian, signed, size 1, offset 0, precision 8. */
const INT8_TYPE = [0x10, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00];

/** The compound placeholder's datatype message body (class 6, version 3, one member at offset 0). */
const COMPOUND_BODY = Uint8Array.from([
  0x36, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  ...Buffer.from(BOOL_PLACEHOLDER + "\0", "latin1"), 0x00,
  ...INT8_TYPE,
]);

/** h5py's bool datatype message body: enum (class 8, version 3) of 2 members over int8, FALSE = 0, TRUE = 1. */
const ENUM_BODY = Uint8Array.from([
  0x38, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
  ...INT8_TYPE,
  ...Buffer.from("FALSE\0TRUE\0", "latin1"),
  0x00, 0x01,
]);

/** Jenkins' lookup3 `hashlittle` (the checksum of HDF5 object headers, initval 0). */
export function lookup3(k: Uint8Array, initval = 0): number {
  let length = k.length;
  let a = (0xdeadbeef + length + initval) >>> 0, b = a, c = a;
  const rot = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;
  let o = 0;
  const word = (p: number): number => (k[p] | (k[p + 1] << 8) | (k[p + 2] << 16) | (k[p + 3] << 24)) >>> 0;
  while (length > 12) {
    a = (a + word(o)) >>> 0; b = (b + word(o + 4)) >>> 0; c = (c + word(o + 8)) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    o += 12;
  }
  if (length === 0) return c;
  // the last 1..12 bytes, added byte by byte into c (bytes 8..11), b (4..7), a (0..3)
  const tail = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < length; i++) tail[i] = k[o + i];
  a = (a + (tail[0] | (tail[1] << 8) | (tail[2] << 16) | (tail[3] << 24))) >>> 0;
  b = (b + (tail[4] | (tail[5] << 8) | (tail[6] << 16) | (tail[7] << 24))) >>> 0;
  c = (c + (tail[8] | (tail[9] << 8) | (tail[10] << 16) | (tail[11] << 24))) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}

/** The object header (version 2, "OHDR") chunk 0 holding byte `at`: [start, end of messages) or null. */
function headerAround(buf: Uint8Array, at: number): [number, number] | null {
  for (let s = at - 4; s >= 0; s--) {
    if (buf[s] !== 0x4f || buf[s + 1] !== 0x48 || buf[s + 2] !== 0x44 || buf[s + 3] !== 0x52) continue; // "OHDR"
    if (buf[s + 4] !== 2) return null;
    const flags = buf[s + 5];
    let p = s + 6;
    if (flags & 0x20) p += 16; // access, modification, change, birth times
    if (flags & 0x10) p += 4; // attribute storage phase change values
    const width = 1 << (flags & 0x03);
    let size = 0;
    for (let i = 0; i < width; i++) size += buf[p + i] * 2 ** (8 * i);
    const end = p + width + size;
    return at < end ? [s, end] : null;
  }
  return null;
}

/**
 * Rewrites every placeholder compound datatype message of the HDF5 file at `path` into h5py's
 * bool enum and fixes the checksums of the object headers holding them. Returns how many
 * messages it rewrote (the caller checks it against the bool datasets it wrote).
 */
export function patchBoolEnums(path: string): number {
  const buf = readFileSync(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const headers = new Set<string>();
  let n = 0;
  for (let at = buf.indexOf(COMPOUND_BODY); at >= 0; at = buf.indexOf(COMPOUND_BODY, at + COMPOUND_BODY.length)) {
    // a datatype message (type 3) of exactly this size precedes the body: type, size (2 bytes),
    // flags, and 2 bytes of creation order when the header tracks it
    const isHeader = (t: number): boolean => bytes[t] === 0x03 && bytes[t + 1] === COMPOUND_BODY.length && bytes[t + 2] === 0;
    if (!isHeader(at - 4) && !isHeader(at - 6)) continue;
    const h = headerAround(bytes, at);
    if (!h) continue;
    bytes.set(ENUM_BODY, at);
    headers.add(h.join(":"));
    n++;
  }
  for (const key of headers) {
    const [s, end] = key.split(":").map(Number);
    const sum = lookup3(bytes.subarray(s, end));
    bytes[end] = sum & 0xff;
    bytes[end + 1] = (sum >>> 8) & 0xff;
    bytes[end + 2] = (sum >>> 16) & 0xff;
    bytes[end + 3] = (sum >>> 24) & 0xff;
  }
  if (n) writeFileSync(path, buf);
  return n;
}
