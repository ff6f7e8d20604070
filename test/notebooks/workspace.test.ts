// The participant's working copy: notebooks/ is copied into workspace/ once, edited copies are kept,
// `fresh` restores the originals and keeps the edited copy aside; the originals are never written.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareWorkspace } from "../../src/notebook/workspace.js";
import { cullArgs, cullIdleSeconds, DEFAULT_CULL_IDLE_S, workshopBanner, type Workshop } from "../../src/notebook/workshop.js";
import { NirError } from "../../src/ir/errors.js";
import { ROOT } from "../support/index.js";

const tmp = mkdtempSync(join(tmpdir(), "nirkit-workspace-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("prepareWorkspace", () => {
  const source = join(tmp, "notebooks");
  const target = join(tmp, "workspace");
  mkdirSync(source);
  writeFileSync(join(source, "00_a.ipynb"), '{"cells":["a"]}');
  writeFileSync(join(source, "01_b.ipynb"), '{"cells":["b"]}');
  writeFileSync(join(source, "notes.txt"), "not a notebook");

  it("copies every curated notebook when the working copy is absent", () => {
    const ws = prepareWorkspace({ source, target });
    expect(ws.copied).toEqual(["00_a.ipynb", "01_b.ipynb"]);
    expect(readdirSync(target).sort()).toEqual(["00_a.ipynb", "01_b.ipynb", "_nirkit"]);
    expect(readdirSync(join(target, "_nirkit")).sort()).toEqual(["vega-lite.min.js", "vega.min.js"]);
    expect(readFileSync(join(target, "00_a.ipynb"), "utf8")).toBe('{"cells":["a"]}');
  });

  it("keeps an edited copy and copies only a notebook that is new in notebooks/", () => {
    writeFileSync(join(target, "00_a.ipynb"), '{"cells":["edited"]}');
    writeFileSync(join(source, "02_c.ipynb"), '{"cells":["c"]}');
    const ws = prepareWorkspace({ source, target });
    expect(ws.copied).toEqual(["02_c.ipynb"]);
    expect(ws.kept).toEqual(["00_a.ipynb", "01_b.ipynb"]);
    expect(readFileSync(join(target, "00_a.ipynb"), "utf8")).toBe('{"cells":["edited"]}');
  });

  it("fresh restores the originals and keeps the edited copy as .old.ipynb", () => {
    const ws = prepareWorkspace({ source, target, fresh: true });
    expect(ws.copied).toEqual(["00_a.ipynb", "01_b.ipynb", "02_c.ipynb"]);
    expect(readFileSync(join(target, "00_a.ipynb"), "utf8")).toBe('{"cells":["a"]}');
    expect(readFileSync(join(target, "00_a.ipynb".replace(".ipynb", ".old.ipynb")), "utf8")).toBe('{"cells":["edited"]}');
    expect(readFileSync(join(source, "00_a.ipynb"), "utf8")).toBe('{"cells":["a"]}');
    // only the edited copy was moved aside; the unedited 01_b was simply rewritten
    expect(ws.replaced).toEqual(["00_a.old.ipynb"]);
    expect(existsSync(join(target, "01_b.old.ipynb"))).toBe(false);
    // npm start says so, naming the renamed copy and its folder
    const banner = workshopBanner({ workspace: ws, ui: "notebook", url: "http://x/", firstUrl: "http://x/00", cullIdleSeconds: 0, port: 1 } as unknown as Workshop);
    expect(banner).toContain(`--fresh: your edited copies were renamed, not deleted: 00_a.old.ipynb (in ${target})`);
  });

  it("a second fresh start keeps the earlier .old copy and names the next one .old-2", () => {
    writeFileSync(join(target, "00_a.ipynb"), '{"cells":["edited again"]}');
    const ws = prepareWorkspace({ source, target, fresh: true });
    expect(ws.replaced).toEqual(["00_a.old-2.ipynb"]);
    expect(readFileSync(join(target, "00_a.old.ipynb"), "utf8")).toBe('{"cells":["edited"]}');
    expect(readFileSync(join(target, "00_a.old-2.ipynb"), "utf8")).toBe('{"cells":["edited again"]}');
  });

  it("names the folder when notebooks/ is missing", () => {
    const err = (() => {
      try {
        prepareWorkspace({ source: join(tmp, "nowhere"), target });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NirError);
    expect((err as NirError).file).toBe(join(tmp, "nowhere"));
  });

  it("git ignores the working copy and Jupyter's checkpoints", () => {
    const ignore = readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n");
    expect(ignore).toContain("workspace/");
    expect(ignore).toContain(".ipynb_checkpoints/");
  });
});

describe("idle-kernel culling settings", () => {
  it("defaults to 30 min and passes MappingKernelManager options that spare busy and connected kernels", () => {
    expect(cullIdleSeconds()).toBe(process.env.NIR_CULL_IDLE ? Number(process.env.NIR_CULL_IDLE) : DEFAULT_CULL_IDLE_S);
    expect(cullArgs(1800)).toEqual([
      "--MappingKernelManager.cull_idle_timeout=1800",
      "--MappingKernelManager.cull_interval=60",
      "--MappingKernelManager.cull_connected=False",
      "--MappingKernelManager.cull_busy=False",
    ]);
    expect(cullArgs(3)[1]).toBe("--MappingKernelManager.cull_interval=3");
    expect(cullArgs(0)).toEqual([]);
  });

  it("rejects a negative or non-numeric time with the setting's name", () => {
    expect(() => cullIdleSeconds(-1)).toThrow(NirError);
    expect(() => cullIdleSeconds(Number.NaN)).toThrow(/NIR_CULL_IDLE/);
  });
});
