// The kernel's cooperative interrupt (kernel/interrupt.cjs) on a stand-in for tslab's executor:
// registered handlers are asked first and the cell is interrupted only if they are still there
// after the grace period, or on a second interrupt; with no handler, tslab's interrupt runs at once.
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { onInterrupt, cooperativeInterrupts } from "../../src/notebook/interrupt.js";

const require = createRequire(import.meta.url);
const { cooperativeInterrupt, INTERRUPT_HANDLERS } = require("../../kernel/interrupt.cjs") as {
  cooperativeInterrupt(ex: { interrupt(): void }, o?: { graceMs?: number }): Set<() => void>;
  INTERRUPT_HANDLERS: symbol;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[INTERRUPT_HANDLERS];
});

function executor() {
  const ex = { hard: 0, interrupt() { ex.hard++; } };
  cooperativeInterrupt(ex, { graceMs: 100 });
  return ex;
}

describe("cooperative kernel interrupt", () => {
  it("interrupts the cell at once when no library work registered a handler", () => {
    const ex = executor();
    expect(cooperativeInterrupts()).toBe(true);
    ex.interrupt();
    expect(ex.hard).toBe(1);
  });

  it("asks the handlers first and lets the cell end by itself when they unregister in time", async () => {
    const ex = executor();
    let asked = 0;
    const off = onInterrupt(() => asked++);
    ex.interrupt();
    expect([asked, ex.hard]).toEqual([1, 0]);
    off(); // the work stopped
    await sleep(200);
    expect(ex.hard).toBe(0);
  });

  it("interrupts the cell after the grace period when a handler is still registered", async () => {
    const ex = executor();
    onInterrupt(() => undefined);
    ex.interrupt();
    await sleep(200);
    expect(ex.hard).toBe(1);
  });

  it("interrupts the cell at once on a second interrupt within the grace period", () => {
    const ex = executor();
    onInterrupt(() => undefined);
    ex.interrupt();
    ex.interrupt();
    expect(ex.hard).toBe(1);
  });
});
