/**
 * LZ4 frame decompression (the format of `lz4 -c` and of AEDAT 4 packets): frame header, blocks
 * (compressed or stored), optional checksums skipped. Linked blocks work because every block is
 * decoded into one growing output buffer.
 */
import { NirError } from "../ir/errors.js";

const LZ4_MAGIC = 0x184d2204;

/** Decodes one LZ4 block (`src[start, end)`) into `out` at `outPos`; returns the new output position. */
export function lz4DecodeBlock(src: Uint8Array, start: number, end: number, out: Uint8Array, outPos: number, file?: string): number {
  let i = start;
  let o = outPos;
  const bad = (what: string): never => {
    throw new NirError("data.corrupt", `LZ4: ${what} at byte ${i}`, { file, hint: "the file is damaged; fetch it again" });
  };
  while (i < end) {
    const token = src[i++];
    let lit = token >> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (i >= end) bad("truncated literal length");
        b = src[i++];
        lit += b;
      }
    }
    if (i + lit > end || o + lit > out.length) bad("literals run past the block");
    out.set(src.subarray(i, i + lit), o);
    i += lit;
    o += lit;
    if (i >= end) break; // the last sequence has literals only
    if (i + 2 > end) bad("truncated match offset");
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > o) bad(`match offset ${offset} points before the output`);
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (i >= end) bad("truncated match length");
        b = src[i++];
        len += b;
      }
    }
    len += 4;
    if (o + len > out.length) bad("match runs past the output");
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset]; // byte by byte: matches may overlap
  }
  return o;
}

/** Decompresses a whole LZ4 frame. */
export function lz4DecompressFrame(src: Uint8Array, file?: string): Uint8Array {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (src.length < 7 || view.getUint32(0, true) !== LZ4_MAGIC) throw new NirError("data.corrupt", "not an LZ4 frame (magic 0x184D2204 missing)", { file });
  const flg = src[4];
  if (flg >> 6 !== 1) throw new NirError("io.unsupported", `LZ4 frame version ${flg >> 6} is not supported`, { file });
  const blockChecksum = (flg & 0x10) !== 0;
  const contentSize = (flg & 0x08) !== 0;
  const dictId = (flg & 0x01) !== 0;
  const maxBlock = [0, 0, 0, 0, 1 << 16, 1 << 18, 1 << 20, 1 << 22][(src[5] >> 4) & 7] || 1 << 22;
  let pos = 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1; // + header checksum byte
  let out = new Uint8Array(contentSize ? Number(view.getBigUint64(6, true)) : Math.max(maxBlock, 1 << 16));
  let o = 0;
  for (;;) {
    if (pos + 4 > src.length) throw new NirError("data.corrupt", "truncated LZ4 frame (no end mark)", { file });
    const word = view.getUint32(pos, true);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (pos + size > src.length) throw new NirError("data.corrupt", "truncated LZ4 block", { file });
    if (o + maxBlock > out.length) {
      const grown = new Uint8Array(Math.max(out.length * 2, o + maxBlock));
      grown.set(out.subarray(0, o));
      out = grown;
    }
    if (word & 0x80000000) {
      out.set(src.subarray(pos, pos + size), o);
      o += size;
    } else {
      o = lz4DecodeBlock(src, pos, pos + size, out, o, file);
    }
    pos += size + (blockChecksum ? 4 : 0);
  }
  return out.subarray(0, o);
}
