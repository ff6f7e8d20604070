"use strict";
/**
 * Preloaded into the nirkit kernel (kernelspec env NODE_OPTIONS=--require …/preload.cjs).
 *
 * tslab 1.0.22 reports a failed cell only on stderr and answers with an execute_reply whose
 * ename/evalue are empty, so Jupyter shows "<Error>:" with no message. This file patches the
 * running tslab (the project's own node_modules/tslab, same module instance as the kernel) so
 * that a failed cell also sends a proper Jupyter `error` output and a filled-in execute_reply:
 * for a NirError that is its name and code, the message, where it happened, and the fix. A cell
 * ending in a displayable nirkit record (Deno's `Symbol.for("Jupyter.display")` protocol) shows
 * its rich display, the kernel starts faster (see stripLibraryDocs), and a kernel that cannot
 * listen on a port Jupyter gave it exits (code 75) instead of living on deaf, so Jupyter
 * restarts it on new ports.
 *
 * Self-contained on purpose (no dist/ import): errors must stay readable even when the build is
 * broken. Outside a tslab kernel process (e.g. a child process inheriting NODE_OPTIONS) it does
 * nothing but export its formatter.
 */
const fs = require("node:fs");
const path = require("node:path");
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

/** The tslab dist/ folder of this process when it is a tslab kernel, else null. */
function tslabDist() {
  try {
    const bin = fs.realpathSync(process.argv[1] || "");
    if (!/[\\/]tslab[\\/]bin[\\/]tslab$/.test(bin)) return null;
    const dist = path.join(path.dirname(bin), "..", "dist");
    return fs.existsSync(path.join(dist, "jupyter.js")) ? dist : null;
  } catch {
    return null;
  }
}

const SINK = Symbol("nirkit.cellErrors");

/** Exit code of a kernel that could not listen on a port Jupyter gave it (see patchTslab). */
const EXIT_PORT_TAKEN = 75; // EX_TEMPFAIL: try again

/** The Deno Jupyter kernel's display protocol, which nirkit records implement. */
const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/**
 * A cell whose last expression is a record with `[Symbol.for("Jupyter.display")]()` (a graph, a
 * simulation result, a fit report…) shows its rich display instead of tslab's console.log dump.
 * Returns the promise of that display, or null when the value is not displayable.
 */
function displayValue(value, write, con) {
  if (!value || (typeof value !== "object" && typeof value !== "function") || typeof write !== "function") return null;
  let method;
  try {
    method = value[JUPYTER_DISPLAY];
  } catch {
    return null;
  }
  if (typeof method !== "function") return null;
  return Promise.resolve()
    .then(() => method.call(value))
    .then((bundle) => {
      if (!bundle || typeof bundle !== "object") return con.log(value);
      const data = {};
      for (const [k, v] of Object.entries(bundle)) if (v !== undefined && v !== null) data[k] = v;
      write({ data, metadata: {}, transient: {} }, false);
    })
    .catch((e) => {
      process.stderr.write(`(nirkit: could not display the value: ${e && e.message}; printing it instead)\n`);
      con.log(value);
    });
}

/**
 * Faster kernel start: tslab parses TypeScript's lib files and every @types package (mostly
 * @types/node, 2.2 MB) before the kernel answers, and 60 % of those bytes are doc comments. The
 * comments only feed hover help, so they are dropped from those files (not from nirkit's own
 * declarations, whose docs the workshop shows). Set NIRKIT_KERNEL_DOCS=1 to keep them.
 */
function stripLibraryDocs(dist) {
  if (process.env.NIRKIT_KERNEL_DOCS === "1") return;
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const libDir = path.dirname(require.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const readFile = ts.sys.readFile;
  const isLibrary = (p) =>
    p.endsWith(".d.ts") && (/[\\/]node_modules[\\/]@types[\\/]/.test(p) || (p.startsWith(libDir) && /[\\/]lib\.[^\\/]*\.d\.ts$/.test(p)));
  ts.sys.readFile = function (p, encoding) {
    const text = readFile.call(this, p, encoding);
    return typeof text === "string" && isLibrary(p) ? text.replace(/\/\*\*[\s\S]*?\*\//g, "") : text;
  };
}

/** Patches the tslab modules in `dist` (see the file comment). Idempotent. */
function patchTslab(dist) {
  const jupyter = require(path.join(dist, "jupyter.js"));
  const executor = require(path.join(dist, "executor.js"));
  if (jupyter.__nirkitPatched) return;
  Object.defineProperty(jupyter, "__nirkitPatched", { value: true });
  try {
    stripLibraryDocs(dist);
  } catch {
    /* keep the docs if TypeScript cannot be found this way */
  }

  // tslab binds its sockets only after it has loaded TypeScript, seconds after Jupyter picked
  // the (free) ports, and another process may take one of them in between. tslab then logs the
  // rejection and lives on without that socket: the server waits for a reply that never comes.
  // Exit instead; Jupyter's restarter starts the kernel again on new random ports.
  const bindSocket = jupyter.ZmqServer.prototype.bindSocket;
  jupyter.ZmqServer.prototype.bindSocket = async function (sock, port) {
    try {
      await bindSocket.call(this, sock, port);
    } catch (e) {
      const c = this.connInfo || {};
      process.stderr.write(
        `nirkit kernel: cannot listen on ${c.transport}://${c.ip}:${port} (${(e && (e.code || e.message)) || e}); ` +
          `exiting so that Jupyter restarts the kernel on new ports\n`,
      );
      process.exit(EXIT_PORT_TAKEN);
    }
  };

  // tslab's executor reports errors only through the console object it is created with, and
  // prints a cell's last expression with that object's log().
  let active = null;
  let pending = null;
  const createExecutor = executor.createExecutor;
  executor.createExecutor = function (rootDir, convs, con) {
    const report = {
      log: (...args) => {
        const shown = args.length === 1 ? displayValue(args[0], jupyter.lastWriteDisplayData, con) : null;
        if (shown) {
          if (pending) pending.push(shown);
        } else con.log(...args);
      },
      error: (...args) => {
        if (active) active.push(args);
        else con.error(...args);
      },
    };
    return createExecutor.call(this, rootDir, convs, report);
  };

  const Handler = jupyter.JupyterHandlerImpl.prototype;
  const handleExecuteImpl = Handler.handleExecuteImpl;
  Handler.handleExecuteImpl = async function (req, writeStream, writeDisplayData) {
    const sink = (req && req[SINK]) || [];
    const shows = [];
    active = sink;
    pending = shows;
    try {
      return await handleExecuteImpl.call(this, req, writeStream, writeDisplayData);
    } finally {
      if (active === sink) active = null;
      if (pending === shows) pending = null;
      await Promise.all(shows); // a displayed last expression belongs to this cell's outputs
    }
  };

  // Same as tslab's ZmqServer.handleExecute, plus the error output and a filled-in reply.
  jupyter.ZmqServer.prototype.handleExecute = async function (sock, msg) {
    const sink = [];
    Object.defineProperty(msg.content, SINK, { value: sink });
    const send = (type, content, socket) => {
      const m = msg.createReply();
      m.header.msg_type = type;
      m.content = content;
      m.signAndSend(this.connInfo.key, socket);
    };
    const writeStream = (name, text) => send("stream", { name, text }, this.iopub);
    const writeDisplayData = (data, update) => send(update ? "update_display_data" : "display_data", data, this.iopub);
    const content = await this.handler.handleExecute(msg.content, writeStream, writeDisplayData);
    if (content.status === "error") {
      const err = describeFailure(sink);
      send("error", err, this.iopub);
      Object.assign(content, err);
    } else if (sink.length) {
      // Reported but not failed (e.g. diagnostics of a `//@module` cell): keep them visible.
      for (const args of sink) writeStream("stderr", util.format(...args) + "\n");
    }
    send("execute_reply", content, sock);
  };
}

// Worker threads (sim's `workers`) may load preloads too; only the kernel's main thread is patched.
const dist = require("node:worker_threads").isMainThread ? tslabDist() : null;
if (dist) {
  try {
    patchTslab(dist);
  } catch (e) {
    process.stderr.write(`nirkit kernel preload: could not patch tslab (${e && e.message}); errors will show as tslab prints them\n`);
  }
}

module.exports = { formatCellError, describeFailure, patchTslab, stripLibraryDocs, displayValue, EXIT_PORT_TAKEN };
