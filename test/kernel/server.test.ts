// startJupyterServer when the port it picked is taken before the server binds it.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROOT } from "../support/index.js";
import { ensureJupyterServer } from "./setup.js";

/** The port held by this test's own listener; freePort hands it out first, as a race would. */
let held = 0;
let handedOut = 0;
vi.mock("../../src/notebook/procs.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/notebook/procs.js")>();
  return { ...real, freePort: async () => (handedOut++ === 0 ? held : real.freePort()) };
});
const { startJupyterServer } = await import("../../src/notebook/server.js");
const { NirError } = await import("../../src/ir/errors.js");

const skip = ensureJupyterServer();
if (skip) console.warn(`[skip] server port tests: ${skip}`);

describe.skipIf(!!skip)("startJupyterServer and a taken port", () => {
  const blocker = createServer();
  beforeAll(async () => {
    held = await new Promise<number>((r) => blocker.listen(0, "127.0.0.1", () => r((blocker.address() as { port: number }).port)));
  });
  afterAll(() => blocker.close());

  it("tries a new port when the one it picked itself was taken", async () => {
    const server = await startJupyterServer({ rootDir: ROOT });
    try {
      expect(handedOut).toBe(2); // the taken port, then a new one
      expect(server.port).not.toBe(held);
      const r = await fetch(`${server.url}api/status`, { headers: { Authorization: `token ${server.token}` } });
      expect(r.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("fails with kernel.setup naming the port when the caller asked for that port", async () => {
    const err = await startJupyterServer({ rootDir: ROOT, port: held }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NirError);
    expect((err as InstanceType<typeof NirError>).code).toBe("kernel.setup");
    expect((err as Error).message).toContain(`port ${held} is not available`);
  }, 120_000);
});
