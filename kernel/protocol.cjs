"use strict";
/**
 * The parts of the Jupyter messaging protocol (v5) tslab 1.0.22 leaves out or gets wrong, as
 * plain functions the preload plugs into tslab: is_complete with "invalid", the input history
 * (history_request), and the wire format for the replies tslab has no handler for.
 */
const { createHmac, randomBytes } = require("node:crypto");

const DELIM = "<IDS|MSG>";

/** Parses a raw multipart ZMQ message (identities, delimiter, signature, 4 JSON parts). */
function parseWire(frames) {
  const i = frames.findIndex((f) => Buffer.from(f).toString() === DELIM);
  if (i < 0) throw new Error("message missing delimiter");
  const [header, parent, metadata, content] = frames.slice(i + 2, i + 6).map((f) => JSON.parse(Buffer.from(f).toString()));
  return { identity: frames.slice(0, i), signature: Buffer.from(frames[i + 1]).toString(), parts: frames.slice(i + 2), header, parent, metadata, content };
}

/** True when the message's HMAC-SHA256 signature matches `key` (an empty key signs nothing). */
function verifyWire(key, msg) {
  if (!key) return true;
  const h = createHmac("sha256", key);
  for (const p of msg.parts.slice(0, 4)) h.update(p);
  return h.digest("hex") === msg.signature;
}

/** The frames of a reply (or an iopub message) to `request` with the given type and content. */
function replyFrames(key, request, msgType, content, identity = request.identity) {
  const header = {
    msg_id: randomBytes(16).toString("hex"),
    username: request.header.username,
    session: request.header.session,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: "5.3",
  };
  const bodies = [header, request.header, {}, content].map((o) => JSON.stringify(o));
  const h = createHmac("sha256", key || "");
  for (const b of bodies) h.update(b);
  return [...identity, DELIM, key ? h.digest("hex") : "", ...bodies];
}

/**
 * is_complete for a TypeScript cell, by the spec's meaning of the four answers: "incomplete" when
 * the only syntax errors are at the very end of the code and more lines could complete it
 * (`function f() {`), "invalid" when an error sits before the end, so no further input can
 * repair it (`let = ;`, `)(`), "complete" otherwise. Two blank lines at the end force
 * "complete", as in tslab, so a user can always submit.
 */
function isComplete(ts, code, indentOnEnter) {
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diags = sf.parseDiagnostics || [];
  if (diags.length === 0) return { status: "complete" };
  const end = code.length;
  const atEnd = (d) => d.start + d.length >= end && d.start >= code.trimEnd().length;
  if (diags.some((d) => !atEnd(d))) return { status: "invalid" };
  if (/(^|\n)\s*\n\s*$/.test(code)) return { status: "complete" };
  return { status: "incomplete", indent: indentOnEnter(code) };
}

/** The indent for the next line: one level deeper after an opening bracket. */
function indentOnEnter(code) {
  const line = code.match(/[^\n]*$/)[0];
  const current = line.match(/^\s*/)[0];
  return /[{([]\s*$/.test(line) ? current + "  " : current;
}

/**
 * The kernel's input history (one session per kernel process), answering history_request for
 * "tail", "range" and "search" as IPython does: entries `[session, line, input]`, or
 * `[session, line, [input, output]]` with `output: true`.
 */
class History {
  constructor() {
    this.session = 1;
    this.entries = [];
  }

  /** Records an executed cell (execution count, source, text/plain of its result or null). */
  add(line, input, output = null) {
    this.entries.push({ line, input, output });
  }

  /** The history_reply content for a history_request content. */
  reply(req) {
    const shape = (e) => [this.session, e.line, req.output ? [e.input, e.output] : e.input];
    let picked = [];
    if (req.hist_access_type === "tail") {
      picked = this.entries.slice(-(req.n > 0 ? req.n : this.entries.length));
    } else if (req.hist_access_type === "range") {
      const ours = !req.session || req.session === this.session || req.session === 0;
      const stop = req.stop || Infinity;
      picked = ours ? this.entries.filter((e) => e.line >= (req.start || 0) && e.line < stop) : [];
    } else if (req.hist_access_type === "search") {
      const re = globToRegExp(req.pattern || "*");
      picked = this.entries.filter((e) => re.test(e.input));
      if (req.unique) {
        const seen = new Set();
        picked = picked.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
      }
      if (req.n > 0) picked = picked.slice(-req.n);
    }
    return { status: "ok", history: picked.map(shape) };
  }
}

/** A shell glob (`*`, `?`) as a whole-string regular expression, as IPython's history search. */
function globToRegExp(glob) {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

module.exports = { parseWire, verifyWire, replyFrames, isComplete, indentOnEnter, History, globToRegExp };
