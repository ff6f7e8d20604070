// Writes onto what is already at the path: a symlink (its target is written, its mode kept), a
// read-only file (refused without force), a device (written directly, not replaced), temp files
// of dead processes (swept), and a `nir build` stopped by SIGTERM or SIGINT mid-write (no temp left).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sweepStaleTemps, withAtomicPath, writeFileAtomic } from "../../src/io/atomic.js";
import { ensureBuilt } from "../kernel/setup.js";
import { ROOT } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("atomic writes onto what is at the path", () => {
  it("writes a symlink's target, keeps the link and the target's mode", () => {
    const target = join(dir, "target.txt");
    writeFileSync(target, "old");
    chmodSync(target, 0o600);
    const link = join(dir, "link.txt");
    symlinkSync("target.txt", link);
    writeFileAtomic(link, "new");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe("target.txt");
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("keeps the mode of a replaced file for HDF5-style writes (withAtomicPath)", async () => {
    const target = join(dir, "g.bin");
    writeFileSync(target, "old");
    chmodSync(target, 0o640);
    await withAtomicPath(target, (tmp) => writeFileSync(tmp, "new"));
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(statSync(target).mode & 0o777).toBe(0o640);
  });

  it("refuses a read-only file unless forced", async () => {
    const target = join(dir, "ro.txt");
    writeFileSync(target, "keep me");
    chmodSync(target, 0o444);
    expect(() => writeFileAtomic(target, "x")).toThrow(expect.objectContaining({ name: "NirError", code: "io.write_failed", file: target }));
    await expect(withAtomicPath(target, (tmp) => writeFileSync(tmp, "x"))).rejects.toMatchObject({ code: "io.write_failed", hint: expect.stringMatching(/--force/) });
    expect(readFileSync(target, "utf8")).toBe("keep me");
    writeFileAtomic(target, "forced", { force: true });
    expect(readFileSync(target, "utf8")).toBe("forced");
    expect(statSync(target).mode & 0o777).toBe(0o444);
  });

  // A private copy of /dev/null (same device numbers), so a failure cannot break the machine's own.
  const device = join(dir, "null-device");
  const mknod = spawnSync("mknod", ["-m", "666", device, "c", "1", "3"], { stdio: "ignore" }).status === 0;
  if (!mknod) console.warn("[skip] device write test: mknod of a private null device failed (needs root / CAP_MKNOD)");
  it.skipIf(!mknod)("writes a device directly instead of replacing it", async () => {
    writeFileAtomic(device, "discarded");
    await withAtomicPath(device, (tmp) => writeFileSync(tmp, "discarded too"));
    expect(statSync(device).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith(".null-device."))).toEqual([]);
  });

  it("writes a FIFO directly: its reader gets the bytes and the FIFO stays", async () => {
    const fifo = join(dir, "fifo");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return console.warn("[skip] FIFO test: mkfifo failed");
    const reader = spawn("cat", [fifo]);
    let got = "";
    reader.stdout.on("data", (b: Buffer) => (got += b.toString()));
    const done = new Promise((r) => reader.once("exit", r));
    await withAtomicPath(fifo, (tmp) => writeFileSync(tmp, "through the pipe"));
    await done;
    expect(got).toBe("through the pipe");
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it("refuses a folder", () => {
    expect(() => writeFileAtomic(dir, "x")).toThrow(expect.objectContaining({ code: "io.write_failed" }));
  });

  it("sweeps temp files of dead processes on the next write to the same target, not those of live ones", async () => {
    const target = join(dir, "swept.nir");
    const child = spawn("sleep", ["30"]);
    const dead = spawn("true");
    await new Promise((r) => dead.once("exit", r));
    const stale = join(dir, `.swept.nir.${dead.pid}.abc.tmp`);
    const live = join(dir, `.swept.nir.${child.pid}.abc.tmp`);
    const other = join(dir, `.other.nir.${dead.pid}.abc.tmp`);
    for (const p of [stale, live, other]) writeFileSync(p, "partial");
    try {
      writeFileAtomic(target, "done");
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(existsSync(other)).toBe(true); // another target's temp is not this write's business
      expect(sweepStaleTemps(join(dir, "other.nir"))).toEqual([other]);
    } finally {
      child.kill();
      rmSync(live, { force: true });
    }
  });
});

const skip = ensureBuilt();
if (skip) console.warn(`[skip] interrupted nir build test: ${skip}`);

/** A `nir dump`-shaped JSON of Input → Affine (2000×2000) → Output: the build writes ~16 MB. */
function bigDump(): string {
  const n = 2000;
  const w = new Array<number>(n * n);
  for (let i = 0; i < w.length; i++) w[i] = ((i * 7919) % 1000) / 1000;
  const f = (shape: number[], data: number[]) => ({ dtype: "float32", shape, data });
  const io = (name: string, type: string, field: string) => ({ name, type, input_type: { input: [n] }, output_type: { output: [n] }, params: { [field]: { dtype: "int64", shape: [1], data: [n] } }, metadata: {} });
  const graph = {
    name: "",
    type: "NIRGraph",
    nodes: [
      io("input", "Input", "shape"),
      { name: "affine", type: "Affine", input_type: { input: [n] }, output_type: { output: [n] }, params: { weight: f([n, n], w), bias: f([n], new Array(n).fill(0.5)) }, metadata: {} },
      io("output", "Output", "shape"),
    ],
    edges: [["input", "affine"], ["affine", "output"]],
    metadata: {},
  };
  return JSON.stringify({ graph });
}

describe.skipIf(!!skip)("nir build interrupted while it writes", () => {
  const json = join(dir, "big.json");
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} as soon as the temp file appears leaves no temp file and no partial output (the write finishes or is undone)`, async () => {
      if (!existsSync(json)) writeFileSync(json, bigDump());
      const out = join(dir, `big-${signal}.nir`);
      const child = spawn(process.execPath, [join(ROOT, "bin", "nir.js"), "build", json, out], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<[number | null, string | null]>((r) => child.once("exit", (code, sig) => r([code, sig])));
      let sawTemp = false;
      let done = false;
      void exited.then(() => (done = true));
      while (!done) {
        if (readdirSync(dir).some((n) => n.startsWith(`.big-${signal}.nir.`) && n.endsWith(".tmp"))) {
          sawTemp = true;
          child.kill(signal);
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      const [code, sig] = await exited;
      console.log(`[interrupted build] ${signal}: temp seen ${sawTemp}, exit ${code ?? sig}, output ${existsSync(out) ? "complete" : "absent"}`);
      expect(readdirSync(dir).filter((n) => n.startsWith(`.big-${signal}.nir.`))).toEqual([]);
      if (existsSync(out)) {
        // finished before the signal was handled: then it is a whole, readable file
        const { read } = await import("../../src/io/read.js");
        const g = await read(out);
        expect(g.nodes.get("affine")?.type).toBe("Affine");
      } else {
        expect(sig ?? code).not.toBe(0);
      }
      expect(stderr).not.toMatch(/internal error/);
    }, 180_000);
  }
});
