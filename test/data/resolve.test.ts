import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetInfo, datasetLocations, datasetProjectRoot, fetchDataset, readManifest, resolveDataset, sha256Hex, verifyDataset } from "../../src/data/index.js";
import { NirError } from "../../src/ir/errors.js";
import { ROOT, refFile } from "../support/index.js";
import { datasetFile } from "../support/index.js";

const tmp = mkdtempSync(join(tmpdir(), "nirkit-resolve-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function makeNmnistAt(dir: string): string {
  mkdirSync(join(dir, "nmnist", "slayer_NMNISTsmall"), { recursive: true });
  writeFileSync(join(dir, "nmnist", "slayer_NMNISTsmall", "test100.txt"), "#sample #class\n");
  return join(dir, "nmnist");
}

describe("resolveDataset", () => {
  const project = join(tmp, "proj");
  const cacheRoot = join(project, "datasets", "cache");
  const sharedRoot = join(tmp, "shared", "datasets");
  const envRoot = join(tmp, "env");

  it("finds the project from the module's own location, not the working directory", () => {
    expect(datasetProjectRoot()).toBe(ROOT);
    expect(readManifest().datasets.nmnist.sensor_size).toEqual([34, 34, 2]);
  });

  it("looks in $NIR_DATA, then datasets/cache, then ../shared/datasets, in that order", () => {
    mkdirSync(project, { recursive: true });
    const inShared = makeNmnistAt(sharedRoot);
    expect(resolveDataset("nmnist", { projectRoot: project, nirData: "" })).toBe(inShared);
    const inCache = makeNmnistAt(cacheRoot);
    expect(resolveDataset("nmnist", { projectRoot: project, nirData: "" })).toBe(inCache);
    const inEnv = makeNmnistAt(envRoot);
    expect(resolveDataset("nmnist", { projectRoot: project, nirData: envRoot })).toBe(inEnv);
    expect(datasetLocations("nmnist", { projectRoot: project, nirData: envRoot }).map((l) => [l.source, l.found])).toEqual([["NIR_DATA", true], ["cache", true], ["shared", true]]);
  });

  it("honours the NIR_DATA environment variable", () => {
    const old = process.env.NIR_DATA;
    process.env.NIR_DATA = envRoot;
    try {
      expect(resolveDataset("nmnist", { projectRoot: project })).toBe(join(envRoot, "nmnist"));
    } finally {
      if (old === undefined) delete process.env.NIR_DATA;
      else process.env.NIR_DATA = old;
    }
  });

  it("an empty folder does not count; the not-found error names all three places and the download command", () => {
    mkdirSync(join(tmp, "empty", "braille"), { recursive: true });
    let err: NirError | null = null;
    try {
      resolveDataset("braille", { projectRoot: join(tmp, "nowhere", "proj"), nirData: join(tmp, "empty") });
    } catch (e) {
      err = e as NirError;
    }
    expect(err).toBeInstanceOf(NirError);
    expect(err!.code).toBe("data.not_found");
    expect(err!.message).toContain(join(tmp, "empty", "braille"));
    expect(err!.message).toContain(join(tmp, "nowhere", "proj", "datasets", "cache", "braille"));
    expect(err!.message).toContain(join(tmp, "nowhere", "shared", "datasets", "braille"));
    expect(err!.message).toContain("nir data fetch braille");
    expect(() => resolveDataset("nope")).toThrow(/unknown dataset "nope".*nmnist/);
  });
});

describe("manifest", () => {
  it("describes every dataset with origin, citation, licence, official URL, layout and checksums", () => {
    for (const name of ["nmnist", "braille", "event_camera"]) {
      const d = datasetInfo(name);
      for (const k of ["origin", "citation", "licence", "official_url", "format"] as const) expect(typeof d[k]).toBe("string");
      expect(Object.keys(d.layout).length).toBeGreaterThan(0);
      for (const f of d.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // shared/datasets/nmnist/SOURCES.md: 100 test recordings (test100.txt) and train samples 1..1000 (all rows of train1K.txt)
    expect(datasetInfo("nmnist").files.filter((f) => f.path.endsWith(".bs2"))).toHaveLength(100 + 1000);
    expect(datasetInfo("braille").theta).toBe(10);
  });

  it("every download URL names the same file as its local path (pinned commits, raw files)", () => {
    for (const name of ["nmnist", "braille", "event_camera"]) {
      for (const f of datasetInfo(name).files) {
        if (!f.url) {
          expect(f.note).toMatch(/derived/);
          continue;
        }
        expect(f.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//);
        const local = f.path.split("/").pop()!;
        expect(f.url.split("/").pop()).toBe(local.replace(/^tonic_sample/, "sample"));
      }
    }
  });

  const shared = refFile("datasets");
  it.skipIf(!shared)("its checksums match the files in ../shared/datasets", () => {
    for (const name of ["nmnist", "braille", "event_camera"]) {
      const v = verifyDataset(name, join(shared!, name));
      expect(v.mismatched).toEqual([]);
      expect(v.missing).toEqual([]);
    }
  });
});

describe("fetchDataset", () => {
  let server: Server;
  let base = "";
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? "/").slice(1));
      if (path.startsWith("hang/")) return; // never answers
      const body = path.startsWith("bad/") ? new TextEncoder().encode("not the file") : files.get(path);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200).end(Buffer.from(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => server.closeAllConnections?.() ?? server.close());

  const sharedCam = datasetFile("event_camera");
  it.skipIf(!sharedCam)("downloads, verifies sha256 and skips files already present", async () => {
    for (const f of datasetInfo("event_camera").files) files.set(f.path, readFileSync(join(sharedCam!, f.path)));
    const dest = join(tmp, "fetched");
    const r = await fetchDataset("event_camera", { dest, urlFor: (f) => base + f.path, timeoutMs: 5000 });
    expect(r.downloaded).toBe(3);
    for (const f of datasetInfo("event_camera").files) expect(sha256Hex(readFileSync(join(dest, f.path)))).toBe(f.sha256);
    const again = await fetchDataset("event_camera", { dest, urlFor: (f) => base + f.path });
    expect([again.downloaded, again.alreadyPresent]).toEqual([0, 3]);
  });

  it("a checksum mismatch is a data.corrupt error and leaves no file behind", async () => {
    const dest = join(tmp, "bad");
    await expect(fetchDataset("event_camera", { dest, urlFor: (f) => base + "bad/" + f.path })).rejects.toThrow(/checksum mismatch/);
    expect(existsSync(dest) ? readdirSync(dest, { recursive: true }).filter((f) => String(f).includes(".")) : []).toEqual([]);
  });

  it("without network it fails cleanly and says so (refused connection, and a timeout instead of a hang)", async () => {
    const refused = fetchDataset("braille", { dest: join(tmp, "x"), urlFor: () => "http://127.0.0.1:1/file", timeoutMs: 2000 });
    await expect(refused).rejects.toMatchObject({ code: "data.network" });
    await expect(fetchDataset("braille", { dest: join(tmp, "x"), urlFor: () => "http://127.0.0.1:1/file" })).rejects.toThrow(/no network access/);
    const t0 = Date.now();
    await expect(fetchDataset("braille", { dest: join(tmp, "y"), urlFor: (f) => base + "hang/" + f.path, timeoutMs: 300 })).rejects.toThrow(/no network access.*no answer within 0.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
