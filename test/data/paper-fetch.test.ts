/**
 * `nir data fetch` over real HTTP, against a server on 127.0.0.1: the paper's files (served from
 * wherever the resolver finds them), a transfer that breaks half-way and is resumed with a Range
 * request, a server that ignores Range, a checksum that never matches (nothing left behind), and
 * the one resolver that finds paper files in $NIR_DATA first.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetInfo, fetchDataset, findPaperFile, paperFile, requireData, sha256Hex, verifyDataset, type ManifestDataset } from "../../src/data/index.js";
import { captureOutput, refFile } from "../support/index.js";
import { command } from "../../src/cli/commands/data.js";

const tmp = mkdtempSync(join(tmpdir(), "nirkit-paper-fetch-"));

/** Serves `files` under /<path>; `mode` decides how a request is answered. */
interface Mirror {
  files: Map<string, Uint8Array>;
  mode: "normal" | "break-once" | "break-once-no-range" | "corrupt";
  requests: { path: string; range: string | undefined }[];
}
const mirror: Mirror = { files: new Map(), mode: "normal", requests: [] };
let server: Server;
let base = "";
const brokenOnce = new Set<string>();

function answer(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  const path = decodeURIComponent((req.url ?? "/").slice(1));
  mirror.requests.push({ path, range: req.headers.range });
  const body = mirror.files.get(path);
  if (!body) return void res.writeHead(404).end();
  if (mirror.mode === "corrupt") return void res.writeHead(200).end(Buffer.from(body).reverse());
  const breaking = mirror.mode.startsWith("break-once") && !brokenOnce.has(path);
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  if (range && mirror.mode !== "break-once-no-range") {
    const from = Number(range[1]);
    res.writeHead(206, { "content-length": body.length - from, "content-range": `bytes ${from}-${body.length - 1}/${body.length}` });
    return void res.end(Buffer.from(body.subarray(from)));
  }
  res.writeHead(200, { "content-length": body.length });
  if (!breaking) return void res.end(Buffer.from(body));
  brokenOnce.add(path);
  // Half the bytes, then the connection drops: the client sees a truncated body.
  res.write(Buffer.from(body.subarray(0, body.length >> 1)), () => setTimeout(() => res.destroy(), 20));
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections?.();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A two-file dataset whose bytes and sha256 this test computes itself. */
function toyDataset(): ManifestDataset {
  const a = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
  const b = new TextEncoder().encode("input,voltage,spike\n".repeat(500));
  mirror.files.set("toy/a.bin", a);
  mirror.files.set("toy/sub/b.csv", b);
  return {
    title: "toy", format: "bytes", origin: "this test", citation: "", licence: "", official_url: "", layout: {}, markers: ["a.bin"],
    files: [
      { path: "a.bin", bytes: a.length, sha256: sha256Hex(a), url: "https://example.invalid/toy/a.bin" },
      { path: "sub/b.csv", bytes: b.length, sha256: sha256Hex(b), url: "https://example.invalid/toy/sub/b.csv" },
    ],
  };
}

/** Every file under `dir`, relative. */
const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : []);

describe("fetchDataset over HTTP (local mirror)", () => {
  it("a transfer that breaks half-way is resumed with a Range request and verified", async () => {
    const entry = toyDataset();
    mirror.mode = "break-once";
    mirror.requests = [];
    const dest = join(tmp, "resume");
    const r = await fetchDataset("toy", { entry, dest, from: `${base}/toy`, timeoutMs: 5000 });
    expect(r.downloaded).toBe(2);
    for (const f of entry.files) expect(sha256Hex(readFileSync(join(dest, f.path)))).toBe(f.sha256);
    // the second request for a.bin asked for the bytes after the first half
    const aRequests = mirror.requests.filter((q) => q.path === "toy/a.bin");
    expect(aRequests).toHaveLength(2);
    expect(aRequests[0].range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(aRequests[1].range ?? "")?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(listing(dest).filter((f) => f.endsWith(".part"))).toEqual([]);
  });

  it("a server that ignores Range gets the whole file again, and the result is still exact", async () => {
    const entry = toyDataset();
    brokenOnce.clear();
    mirror.mode = "break-once-no-range";
    const dest = join(tmp, "norange");
    const r = await fetchDataset("toy", { entry, dest, from: `${base}/toy`, timeoutMs: 5000 });
    expect(r.downloaded).toBe(2);
    expect(sha256Hex(readFileSync(join(dest, "a.bin")))).toBe(entry.files[0].sha256);
  });

  it("a checksum that never matches is data.corrupt after every attempt, and leaves no file or .part behind", async () => {
    const entry = toyDataset();
    mirror.mode = "corrupt";
    mirror.requests = [];
    const dest = join(tmp, "corrupt");
    const err = await fetchDataset("toy", { entry, dest, from: `${base}/toy`, attempts: 2, concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "data.corrupt" });
    expect(String((err as Error).message)).toMatch(/checksum mismatch.*after 2 attempt/);
    expect(mirror.requests.filter((q) => q.path === "toy/a.bin")).toHaveLength(2);
    expect(listing(dest).filter((f) => /\.(bin|csv|part)$/.test(f))).toEqual([]);
  });

  it("no server at all fails within seconds and says there is no network access", async () => {
    const t0 = Date.now();
    const err = await fetchDataset("toy", { entry: toyDataset(), dest: join(tmp, "offline"), from: "http://127.0.0.1:1/toy", timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "data.network" });
    expect(String((err as Error).message)).toMatch(/no network access/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

// The paper's files served from wherever this machine has them (../shared/paper, NIR_DATA, cache).
const paperCopies = datasetInfo("paper").files.filter((f) => f.url).map((f) => [f, refFile("paper", f.path)] as const);
const havePaper = paperCopies.every(([, p]) => p !== null);

describe.skipIf(!havePaper)("nir data fetch paper from a local mirror", () => {
  it("downloads every upstream file, copies nirkit's derived files, and the resolver then finds them in $NIR_DATA first", async () => {
    mirror.mode = "normal";
    for (const [f, p] of paperCopies) mirror.files.set(`paper/${f.path}`, readFileSync(p!));
    const nirData = join(tmp, "nir-data");
    const run = await captureOutput(() => command.run(["fetch", "paper", "--dest", join(nirData, "paper"), "--from", `${base}/paper`]));
    expect(run.error).toBeUndefined();
    const upstream = paperCopies.length;
    const shipped = datasetInfo("paper").files.filter((f) => f.shipped).length;
    expect(run.out).toContain(`paper: ${upstream} file(s) downloaded`);
    expect(run.out).toContain(`${shipped} copied from nirkit`);
    const v = verifyDataset("paper", join(nirData, "paper"));
    expect([v.missing, v.mismatched]).toEqual([[], []]);
    const before = process.env.NIR_DATA;
    process.env.NIR_DATA = nirData;
    try {
      expect(paperFile("02_cnn", "cnn_sinabs.nir")).toBe(join(nirData, "paper", "02_cnn", "cnn_sinabs.nir"));
      expect(findPaperFile("03_rnn", "derived", "ds_test0_input_256x12.npy")).toBe(join(nirData, "paper", "03_rnn", "derived", "ds_test0_input_256x12.npy"));
      expect(requireData("paper")).toEqual([{ name: "paper", path: join(nirData, "paper"), source: "NIR_DATA", missing: [] }]);
    } finally {
      if (before === undefined) delete process.env.NIR_DATA;
      else process.env.NIR_DATA = before;
    }
  });
});

describe("the paper resolver", () => {
  it("names the one command that fetches a missing paper file", () => {
    const before = process.env.NIR_DATA;
    process.env.NIR_DATA = join(tmp, "nowhere");
    try {
      expect(() => paperFile("01_lif", "no_such_file.csv")).toThrow(/not among the paper files/);
      if (!findPaperFile("01_lif", "lif_norse.nir")) expect(() => paperFile("01_lif", "lif_norse.nir")).toThrow(/nir data fetch paper/);
    } finally {
      if (before === undefined) delete process.env.NIR_DATA;
      else process.env.NIR_DATA = before;
    }
  });

  it("finds nirkit's derived files without any paper data (they ship with the package)", () => {
    for (const f of datasetInfo("paper").files.filter((x) => x.shipped)) {
      const p = findPaperFile(...f.path.split("/"));
      expect(p).not.toBeNull();
      expect(sha256Hex(readFileSync(p!))).toBe(f.sha256);
    }
  });
});
