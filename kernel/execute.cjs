"use strict";
/**
 * The nirkit kernel's execute_request, patched into tslab 1.0.22 (see preload.cjs):
 *
 * - a failed cell sends a Jupyter `error` output and an execute_reply with ename/evalue/traceback
 *   (tslab only printed to stderr and replied with empty fields);
 * - the cell's last expression is an `execute_result` (text/plain, or the rich bundle of a value
 *   with `[Symbol.for("Jupyter.display")]()`, Deno's protocol, which nirkit records implement);
 *   tslab printed it to stdout;
 * - stdout/stderr go out as few ordered stream messages (streams.cjs), none lost;
 * - a failing cell with stop_on_error aborts the stop_on_error cells that arrived before it failed
 *   or within 200 ms after; tslab aborted every cell of that window, even stop_on_error = false;
 * - executed cells go into the input history; execute_input is broadcast;
 * - a note from the kernel's start (e.g. "the previous kernel ran out of memory") is shown once,
 *   on the next cell.
 */
const util = require("node:util");
const { describeFailure } = require("./errors.cjs");
const { createStreamBuffer } = require("./streams.cjs");

/** The cell context a request carries from the ZMQ layer to the handler (not serialised). */
const CELL = Symbol("nirkit.cell");

/** How long after a failed stop_on_error cell newly arriving cells are still aborted (as tslab). */
const ABORT_WINDOW_MS = 200;

/**
 * Patches tslab's jupyter and executor modules. `displayValue(value, write, con)` shows a
 * displayable value (preload.cjs); `history` records cells; `takeNote()` returns a pending note.
 */
function patchExecution({ jupyter, executor, displayValue, history, takeNote }) {
  let active = null; // the context of the cell running now

  // The executor reports diagnostics and thrown values only through the console object it is
  // created with, and passes a cell's last expression to that object's log().
  const createExecutor = executor.createExecutor;
  executor.createExecutor = function (rootDir, convs, con) {
    const report = {
      log: (...args) => {
        const cell = active;
        if (!cell || args.length !== 1) return con.log(...args);
        const plain = { log: (v) => cell.result({ "text/plain": util.inspect(v) }) };
        const shown = displayValue(args[0], (d) => cell.result(d.data), plain);
        if (shown) cell.shows.push(shown);
        else plain.log(args[0]);
      },
      error: (...args) => {
        if (active) active.sink.push(args);
        else con.error(...args);
      },
    };
    return createExecutor.call(this, rootDir, convs, report);
  };

  const Handler = jupyter.JupyterHandlerImpl.prototype;
  const handleExecuteImpl = Handler.handleExecuteImpl;
  Handler.handleExecuteImpl = async function (req, writeStream, writeDisplayData) {
    const cell = req[CELL];
    active = cell || null;
    if (cell) cell.started(this.execCount + 1);
    try {
      return await handleExecuteImpl.call(this, req, writeStream, writeDisplayData);
    } finally {
      if (cell) {
        if (active === cell) active = null;
        await Promise.all(cell.shows); // a displayed last expression belongs to this cell
      }
    }
  };

  // tslab's queue cancels every task chained behind a failure; this one never fails, and a
  // failure aborts what follows only for stop_on_error cells (message spec v5).
  Handler.handleExecute = async function (req, writeStream, writeDisplayData) {
    const arrived = Date.now();
    const outcome = await this.execQueue.add(async () => {
      if (req.stop_on_error !== false && arrived <= (this.nirkitAbortUntil || 0)) return { status: "abort" };
      try {
        const count = await this.handleExecuteImpl(req, writeStream, writeDisplayData);
        return { status: "ok", count };
      } catch (e) {
        if (req.stop_on_error !== false) this.nirkitAbortUntil = Date.now() + ABORT_WINDOW_MS;
        const count = e && typeof e === "object" && typeof e.count === "number" ? e : null;
        if (!count) process.stderr.write(`nirkit kernel: unexpected error: ${util.inspect(e)}\n`);
        return { status: "error", count };
      }
    });
    return { status: outcome.status, execution_count: outcome.count ? outcome.count.count : null };
  };

  jupyter.ZmqServer.prototype.handleExecute = async function (sock, msg) {
    const send = (type, content, socket = this.iopub) => {
      const m = msg.createReply();
      m.header.msg_type = type;
      m.content = content;
      m.signAndSend(this.connInfo.key, socket);
    };
    const streams = createStreamBuffer((name, text) => send("stream", { name, text }));
    const beforeOther = (type, content) => {
      streams.flush();
      send(type, content);
    };
    const req = msg.content;
    let count = null;
    let resultText = null;
    const cell = {
      sink: [],
      shows: [],
      started: (n) => {
        count = n;
        beforeOther("execute_input", { code: req.code, execution_count: n });
        const note = takeNote();
        if (note) streams.write("stderr", note + "\n");
      },
      result: (data) => {
        resultText = typeof data["text/plain"] === "string" ? data["text/plain"] : null;
        beforeOther("execute_result", { execution_count: count, data, metadata: {} });
      },
    };
    Object.defineProperty(req, CELL, { value: cell });
    const writeDisplayData = (data, update) => beforeOther(update ? "update_display_data" : "display_data", data);
    const content = await this.handler.handleExecute(req, streams.write, writeDisplayData);
    if (content.status === "error") {
      const err = describeFailure(cell.sink);
      beforeOther("error", err);
      Object.assign(content, err);
    } else if (cell.sink.length) {
      // reported but not failed (e.g. diagnostics of a `//@module` cell): keep them visible
      for (const args of cell.sink) streams.write("stderr", util.format(...args) + "\n");
    }
    streams.flush();
    if (content.status === "abort") Object.assign(content, { ename: "Aborted", evalue: "an earlier cell failed", traceback: [] });
    if (content.status === "ok") Object.assign(content, { payload: [], user_expressions: {} });
    if (count !== null && req.store_history !== false && !req.silent) history.add(count, req.code, resultText);
    send("execute_reply", content, sock);
  };
}

module.exports = { patchExecution, CELL, ABORT_WINDOW_MS };
