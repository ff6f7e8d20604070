/**
 * Stopping long library work cleanly on an interrupt. In the nirkit kernel the stop button first
 * calls the handlers registered here (kernel/interrupt.cjs) and interrupts the cell only if they
 * have not finished within a few seconds; in a plain Node script a handler hears Ctrl-C (SIGINT).
 */

/** The kernel's handler registry on globalThis (kernel/interrupt.cjs creates it). */
const INTERRUPT_HANDLERS = Symbol.for("nirkit.interruptHandlers");

/** True when the nirkit kernel's cooperative interrupt is there (the stop button calls handlers). */
export function cooperativeInterrupts(): boolean {
  return (globalThis as Record<symbol, unknown>)[INTERRUPT_HANDLERS] instanceof Set;
}

/**
 * Calls `handler` on the next interrupt (the kernel's stop button, or Ctrl-C outside a kernel)
 * until the returned function is called; call it as soon as the work has stopped, so the kernel
 * knows the cell ends by itself.
 */
export function onInterrupt(handler: () => void): () => void {
  const set = (globalThis as Record<symbol, unknown>)[INTERRUPT_HANDLERS];
  if (set instanceof Set) {
    set.add(handler);
    return () => void set.delete(handler);
  }
  process.on("SIGINT", handler);
  return () => void process.off("SIGINT", handler);
}
