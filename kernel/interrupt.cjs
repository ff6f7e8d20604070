"use strict";
/**
 * Cooperative interrupts for long-running library work in the nirkit kernel. tslab answers the
 * stop button (SIGINT) by failing the running cell at once while its asynchronous work goes on in
 * the background. Library code that can stop cleanly (a training loop stops at the end of its
 * batch and keeps its weights) registers a handler in the set at `Symbol.for(
 * "nirkit.interruptHandlers")` on globalThis; an interrupt then calls those handlers and lets the
 * cell end by itself. Only when a handler is still registered `graceMs` later, or on a second
 * interrupt, does the kernel interrupt the cell as tslab does.
 */

/** The global registry's key (src/notebook/interrupt.ts uses the same one). */
const INTERRUPT_HANDLERS = Symbol.for("nirkit.interruptHandlers");

/** How long a cooperative handler gets before the cell is interrupted anyway (ms). */
const GRACE_MS = 3000;

/**
 * Wraps `executor.interrupt` (tslab's, called on SIGINT) as described in the file comment and
 * creates the handler registry. Returns the registry.
 */
function cooperativeInterrupt(executor, { graceMs = GRACE_MS, log = (s) => process.stderr.write(s + "\n") } = {}) {
  const handlers = globalThis[INTERRUPT_HANDLERS] instanceof Set ? globalThis[INTERRUPT_HANDLERS] : new Set();
  globalThis[INTERRUPT_HANDLERS] = handlers;
  const hard = executor.interrupt;
  let timer = null;
  executor.interrupt = function () {
    if (timer || handlers.size === 0) {
      if (timer) clearTimeout(timer);
      timer = null;
      return hard.call(executor);
    }
    for (const h of [...handlers]) {
      try {
        h();
      } catch (e) {
        log(`nirkit kernel: an interrupt handler failed (${e && e.message})`);
      }
    }
    timer = setTimeout(() => {
      timer = null;
      if (handlers.size > 0) hard.call(executor);
    }, graceMs);
    timer.unref();
  };
  return handlers;
}

module.exports = { cooperativeInterrupt, INTERRUPT_HANDLERS, GRACE_MS };
