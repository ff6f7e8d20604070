/**
 * A minimal, safe reader for Python pickles made only of lists, dicts, tuples, strings, numbers,
 * booleans and None (what the Braille dataset file uses: protocol 3 with EMPTY_LIST, MARK,
 * APPEND(S), EMPTY_DICT, SETITEM(S), BINUNICODE, BINFLOAT and the memo opcodes). It never runs
 * code: any opcode that would import a class or call a function (GLOBAL, REDUCE, BUILD, …) is
 * refused with a NirError, as is every opcode outside this subset.
 */
import { NirError } from "../ir/errors.js";

/** A value a safe pickle can hold. */
export type PickleValue = null | boolean | number | string | PickleValue[] | { [key: string]: PickleValue };

/** Parses pickle bytes (protocols 2–4, data-only subset). `file` names it in errors. */
export function parsePickle(bytes: Uint8Array, file = "<pickle>"): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8");
  const stack: PickleValue[] = [];
  const marks: number[] = []; // stack heights at each MARK
  const memo: PickleValue[] = [];
  let pos = 0;
  const fail = (problem: string): never => {
    throw new NirError("data.corrupt", `pickle: ${problem} at byte ${pos}`, { file, hint: "the file is damaged or not a data-only pickle; fetch it again with `nir data fetch braille`" });
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail(`truncated (needs ${n} more bytes)`);
  };
  /** Pops the innermost MARK; the items above it are `stack[start..]` (caller truncates). */
  const popMark = (): number => {
    const k = marks.pop();
    if (k === undefined) return fail("no MARK on the stack");
    return k;
  };
  const top = (): PickleValue => {
    if (stack.length === 0 || (marks.length && marks[marks.length - 1] === stack.length)) fail("stack underflow");
    return stack[stack.length - 1];
  };
  const setItems = (target: PickleValue, from: number): void => {
    if (typeof target !== "object" || target === null || Array.isArray(target)) fail("SETITEM(S) on a non-dict");
    if ((stack.length - from) % 2) fail("odd number of items for SETITEMS");
    for (let i = from; i < stack.length; i += 2) {
      const k = stack[i];
      if (typeof k !== "string" && typeof k !== "number") fail("dict key that is not a string or number");
      (target as Record<string, PickleValue>)[String(k)] = stack[i + 1];
    }
    stack.length = from;
  };
  const push = (v: PickleValue): void => {
    stack.push(v);
  };
  const readString = (n: number): string => {
    need(n);
    const s = utf8.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  while (pos < bytes.length) {
    const op = bytes[pos++];
    switch (op) {
      case 0x80: need(1); pos += 1; break; // PROTO n
      case 0x95: need(8); pos += 8; break; // FRAME (protocol 4), length ignored
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x7d: push({}); break; // EMPTY_DICT
      case 0x29: push([]); break; // EMPTY_TUPLE (as a list)
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x61: { // APPEND
        const v = top();
        stack.pop();
        const l = top();
        if (!Array.isArray(l)) fail("APPEND to a non-list");
        (l as PickleValue[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const k = popMark();
        if (k === 0) fail("APPENDS without a list");
        const l = stack[k - 1];
        if (!Array.isArray(l)) fail("APPENDS to a non-list");
        for (let i = k; i < stack.length; i++) (l as PickleValue[]).push(stack[i]);
        stack.length = k;
        break;
      }
      case 0x73: { // SETITEM
        if (stack.length < 3) fail("stack underflow");
        setItems(stack[stack.length - 3], stack.length - 2);
        break;
      }
      case 0x75: { // SETITEMS
        const k = popMark();
        if (k === 0) fail("SETITEMS without a dict");
        setItems(stack[k - 1], k);
        break;
      }
      case 0x74: { const k = popMark(); const items = stack.slice(k); stack.length = k; push(items); break; } // TUPLE
      case 0x85: { const a = top(); stack.pop(); push([a]); break; } // TUPLE1
      case 0x86: { if (stack.length < 2) fail("stack underflow"); push(stack.splice(stack.length - 2, 2)); break; } // TUPLE2
      case 0x87: { if (stack.length < 3) fail("stack underflow"); push(stack.splice(stack.length - 3, 3)); break; } // TUPLE3
      case 0x47: need(8); push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x4a: need(4); push(view.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: need(1); push(bytes[pos]); pos += 1; break; // BININT1
      case 0x4d: need(2); push(view.getUint16(pos, true)); pos += 2; break; // BININT2
      case 0x58: { need(4); const n = view.getUint32(pos, true); pos += 4; push(readString(n)); break; } // BINUNICODE
      case 0x8c: { need(1); const n = bytes[pos]; pos += 1; push(readString(n)); break; } // SHORT_BINUNICODE
      case 0x71: need(1); memo[bytes[pos]] = top(); pos += 1; break; // BINPUT
      case 0x72: need(4); memo[view.getUint32(pos, true)] = top(); pos += 4; break; // LONG_BINPUT
      case 0x94: memo.push(top()); break; // MEMOIZE
      case 0x68: { need(1); const v = memo[bytes[pos]]; pos += 1; if (v === undefined) fail("BINGET of an unknown memo slot"); push(v); break; } // BINGET
      case 0x6a: { need(4); const v = memo[view.getUint32(pos, true)]; pos += 4; if (v === undefined) fail("LONG_BINGET of an unknown memo slot"); push(v); break; } // LONG_BINGET
      case 0x2e: { // STOP
        if (stack.length !== 1 || marks.length) fail(`STOP with ${stack.length} items and ${marks.length} marks on the stack`);
        return stack[0];
      }
      default:
        pos--;
        fail(`opcode 0x${op.toString(16).padStart(2, "0")} (${JSON.stringify(String.fromCharCode(op))}) is outside the safe data-only subset (no classes or function calls are ever run)`);
    }
  }
  return fail("no STOP opcode (file truncated?)");
}
