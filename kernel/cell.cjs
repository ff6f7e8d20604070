"use strict";
/**
 * What the nirkit kernel does to a cell's source around tslab's converter (see wrapConverter):
 *
 * - Shorthand properties are written out (`{ dt }` → `{ dt: dt }`) before tslab compiles the
 *   cell. tslab turns every reference to an earlier cell's variable `x` into `exports.x` with an
 *   `after` transformer, but TypeScript's visitor only accepts an identifier as the name of a
 *   shorthand property, so `{ dt }` keeps the bare `dt`, which does not exist at run time
 *   ("ReferenceError: dt is not defined"). The long form is the same JavaScript and gets
 *   rewritten like any other reference. Diagnostics are mapped back to the cell as typed.
 * - A cell that parses but does not type-check runs anyway after its diagnostics are shown, as
 *   Deno's kernel does, unless NIRKIT_TYPE_ERRORS=stop (the kernelspec sets "run"). A syntax
 *   error still stops the cell.
 */

/** True when type errors should stop a cell (env NIRKIT_TYPE_ERRORS=stop); read per cell. */
function typeErrorsStop() {
  return String(process.env.NIRKIT_TYPE_ERRORS || "").toLowerCase() === "stop";
}

/**
 * Writes out every shorthand property assignment of `src`. Returns the new code and a function
 * mapping an offset in the new code back to the offset in `src`.
 */
function expandShorthand(ts, src) {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const inserts = [];
  const visit = (node) => {
    if (ts.isShorthandPropertyAssignment(node)) {
      inserts.push({ at: node.name.end, text: ": " + src.slice(node.name.getStart(sf), node.name.end) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (inserts.length === 0) return { code: src, toSource: (offset) => offset, changed: false };
  inserts.sort((a, b) => a.at - b.at);
  let code = "";
  let last = 0;
  for (const ins of inserts) {
    code += src.slice(last, ins.at) + ins.text;
    last = ins.at;
  }
  code += src.slice(last);
  const toSource = (offset) => {
    let shift = 0;
    for (const ins of inserts) {
      const start = ins.at + shift;
      if (offset <= start) break;
      if (offset < start + ins.text.length) return ins.at; // inside the inserted text
      shift += ins.text.length;
    }
    return offset - shift;
  };
  return { code, toSource, changed: true };
}

/** The parse (syntax) diagnostics of a cell, as TypeScript reports them for tslab's file kind. */
function syntaxDiagnostics(ts, src) {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return sf.parseDiagnostics || [];
}

/** True when `src` has an `await` (or `for await`) outside every function and class. */
function hasTopLevelAwait(ts, src) {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isModuleDeclaration(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** A tslab diagnostic position `{offset, line, character}` in the rewritten cell, mapped back. */
function mapPosition(ts, sf, toSource, pos) {
  if (!pos || typeof pos.offset !== "number") return pos;
  const offset = toSource(pos.offset);
  const lc = ts.getLineAndCharacterOfPosition(sf, Math.min(offset, sf.text.length));
  return { offset, line: lc.line, character: lc.character };
}

/** The diagnostics of a converter result with cell positions mapped back to `src`. */
function mapDiagnostics(ts, src, toSource, diagnostics) {
  const sf = ts.createSourceFile("cell.ts", src, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return diagnostics.map((d) => (d.fileName ? d : { ...d, start: mapPosition(ts, sf, toSource, d.start), end: mapPosition(ts, sf, toSource, d.end) }));
}

/** One diagnostic as tslab prints it: `line:col - message`. */
function formatDiagnostic(d) {
  return `${d.fileName ? d.fileName + " " : ""}${d.start.line + 1}:${d.start.character + 1} - ${d.messageText}`;
}

/**
 * Turns off type checking of tslab's cell file while `fn` runs, as `// @ts-nocheck` would (tslab
 * puts its own line before the cell, so a pragma in the cell is not at the top of the file).
 * TypeScript reads the pragma's result from `sourceFile.checkJsDirective`; an accessor on the
 * SourceFile prototype answers "checks off" for the cell file during `fn` only.
 */
function makeUncheckedRunner(ts) {
  const proto = Object.getPrototypeOf(ts.createSourceFile("probe.ts", "", ts.ScriptTarget.Latest));
  const OWN = "__nirkitCheckJsDirective";
  let unchecked = null;
  if (!Object.prototype.hasOwnProperty.call(proto, "checkJsDirective")) {
    Object.defineProperty(proto, "checkJsDirective", {
      configurable: true,
      get() {
        if (unchecked !== null && this.fileName === unchecked) return { enabled: false, pos: 0, end: 0 };
        return this[OWN];
      },
      set(v) {
        // enumerable own copy: TypeScript's clone of a SourceFile copies own properties
        Object.defineProperty(this, OWN, { value: v, writable: true, configurable: true, enumerable: true });
      },
    });
  }
  return (fileName, fn) => {
    unchecked = fileName;
    try {
      return fn();
    } finally {
      unchecked = null;
    }
  };
}

/**
 * Wraps a tslab converter (see the file comment). `warn(lines)` receives the diagnostics of a
 * cell that runs despite them; it is called before the cell runs.
 */
function wrapConverter(ts, conv, cellFileName, warn) {
  const runUnchecked = makeUncheckedRunner(ts);
  const convert = (prevDecl, src) => {
    const rw = expandShorthand(ts, src);
    const out = conv.convert(prevDecl, rw.code);
    if (!out.diagnostics || out.diagnostics.length === 0) return out;
    const diagnostics = rw.changed ? mapDiagnostics(ts, src, rw.toSource, out.diagnostics) : out.diagnostics;
    if (typeErrorsStop() || syntaxDiagnostics(ts, rw.code).length > 0) return { ...out, diagnostics };
    const again = runUnchecked(cellFileName, () => conv.convert(prevDecl, rw.code));
    if (again.diagnostics && again.diagnostics.length > 0) {
      // not only type errors (e.g. declaration emit): report them all and stop as tslab does
      return { ...again, diagnostics };
    }
    warn(diagnostics.map(formatDiagnostic));
    // tslab learns about top-level await from the checker's diagnostic 1308, which is off here
    return { ...again, hasToplevelAwait: again.hasToplevelAwait || hasTopLevelAwait(ts, rw.code) };
  };
  return { ...conv, convert };
}

module.exports = { expandShorthand, syntaxDiagnostics, hasTopLevelAwait, wrapConverter, makeUncheckedRunner, formatDiagnostic, typeErrorsStop };
