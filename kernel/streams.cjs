"use strict";
/**
 * A cell's stdout/stderr as few, ordered iopub `stream` messages. tslab sends one ZMQ message per
 * write; a cell printing 20,000 lines in a synchronous loop queued 20,000 messages on the iopub
 * PUB socket, whose high-water mark (1000 by default) silently drops the rest, while the reply
 * still said "ok". Writes are collected and sent as one message per stream when the cell yields
 * (a timer), when the other stream or a display follows, when 1 MiB is pending, and before the
 * execute_reply. The preload lifts the iopub high-water mark, so a message once sent is kept.
 */

const FLUSH_BYTES = 1 << 20;
const FLUSH_MS = 50;

/**
 * A stream writer for one cell. `send(name, text)` publishes one stream message; the returned
 * `write(name, text)` collects, `flush()` sends what is pending.
 */
function createStreamBuffer(send) {
  let name = null;
  let parts = [];
  let bytes = 0;
  let timer = null;
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (name !== null && parts.length) send(name, parts.join(""));
    name = null;
    parts = [];
    bytes = 0;
  };
  const write = (stream, text) => {
    if (!text) return;
    if (name !== null && name !== stream) flush();
    name = stream;
    parts.push(text);
    bytes += text.length;
    if (bytes >= FLUSH_BYTES) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  };
  return { write, flush };
}

module.exports = { createStreamBuffer, FLUSH_BYTES };
