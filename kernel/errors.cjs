"use strict";
/**
 * How the nirkit kernel shows a failed cell: Jupyter `error` content (ename, evalue, traceback)
 * for a thrown value (a NirError with its code, where it happened and the fix) or for the
 * diagnostics tslab reported.
 */
const util = require("node:util");

const RED = "\u001b[31m";
const BOLD = "\u001b[1m";
const DIM = "\u001b[2m";
const RESET = "\u001b[0m";

/** True for nirkit's NirError (also a copy from another module instance): name + code. */
function isNirError(e) {
  return typeof e === "object" && e !== null && e.name === "NirError" && typeof e.code === "string";
}

/** Stack frames worth showing: the cell and user files, not Node or tslab internals. */
function userFrames(stack) {
  return String(stack || "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .filter((l) => !/node:internal|[\\/]tslab[\\/]dist[\\/]|\(node:/.test(l))
    .slice(0, 8);
}

/**
 * Formats a thrown value as Jupyter error content `{ename, evalue, traceback}`.
 * NirError → "NirError [code]: <message>", then "where:" and "fix:" lines; other errors → name,
 * message and the user part of the stack; causes follow as "caused by:".
 */
function formatCellError(e) {
  if (isNirError(e)) {
    const problem = typeof e.problem === "string" && e.problem ? e.problem : String(e.message);
    const where = [];
    if (e.file) where.push(String(e.file));
    if (e.node !== undefined && e.node !== null) where.push(`node "${e.node}"`);
    if (e.field) where.push(`field ${e.field}`);
    const tb = [`${RED}${BOLD}NirError${RESET} ${DIM}[${e.code}]${RESET}: ${problem}`];
    if (where.length) tb.push(`  where: ${where.join(" → ")}`);
    if (e.hint) tb.push(`  fix:   ${e.hint}`);
    if (e.cause !== undefined) tb.push(`  caused by: ${describeCause(e.cause)}`);
    return { ename: "NirError", evalue: String(e.message), traceback: tb };
  }
  if (e instanceof Error || (typeof e === "object" && e !== null && "message" in e && "stack" in e)) {
    const name = String(e.name || "Error");
    const msg = String(e.message);
    const tb = [`${RED}${BOLD}${name}${RESET}: ${msg}`, ...userFrames(e.stack)];
    if (e.cause !== undefined) tb.push(`  caused by: ${describeCause(e.cause)}`);
    return { ename: name, evalue: msg, traceback: tb };
  }
  const text = typeof e === "string" ? e : util.inspect(e);
  return { ename: "Error", evalue: text, traceback: [`${RED}${BOLD}Error${RESET}: ${text}`] };
}

function describeCause(c) {
  if (c instanceof Error) return `${c.name}: ${c.message}`;
  return typeof c === "string" ? c : util.inspect(c, { depth: 1 });
}

/**
 * Turns what tslab reported through its error console during one cell into error content:
 * a thrown value (formatted as above) or TypeScript diagnostics (ename "TypeScriptError").
 */
function describeFailure(reports) {
  const thrown = reports.find((r) => r.length === 1 && typeof r[0] === "object" && r[0] !== null);
  if (thrown) return formatCellError(thrown[0]);
  const lines = reports.map((args) => util.format(...args));
  if (lines.length === 0) {
    return { ename: "Error", evalue: "the cell failed", traceback: [`${RED}${BOLD}Error${RESET}: the cell failed`] };
  }
  const isDiagnostic = reports.every((r) => r[0] === "%s%d:%d - %s");
  const ename = isDiagnostic ? "TypeScriptError" : "Error";
  return {
    ename,
    evalue: lines.join("\n"),
    traceback: [`${RED}${BOLD}${ename}${RESET}: ${isDiagnostic ? "the cell does not type-check" : "the cell failed"}`, ...lines.map((l) => "  " + l)],
  };
}

module.exports = { formatCellError, describeFailure, isNirError };
