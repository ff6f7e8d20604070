// The kernel preload's error formatting: what a notebook shows when a cell throws.
import { createRequire } from "node:module";
import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { NirError } from "../../src/ir/errors.js";
import { ROOT } from "../support/index.js";

const preload = createRequire(import.meta.url)(join(ROOT, "kernel", "preload.cjs")) as {
  formatCellError(e: unknown): { ename: string; evalue: string; traceback: string[] };
  describeFailure(reports: unknown[][]): { ename: string; evalue: string; traceback: string[] };
  EXIT_PORT_TAKEN: number;
};
const plain = (lines: string[]) => lines.join("\n").replace(/\u001b\[[0-9;]*m/g, "");

describe("kernel preload error formatting", () => {
  it("shows a NirError's name, code, message, location and fix", () => {
    const e = new NirError("io.not_hdf5", "not an HDF5 file", { file: "model.nir", node: "3", field: "weight", hint: "export the model again with nir.write" });
    const r = preload.formatCellError(e);
    expect(r.ename).toBe("NirError");
    expect(r.evalue).toBe(e.message);
    const tb = plain(r.traceback);
    expect(tb).toContain("NirError [io.not_hdf5]: not an HDF5 file");
    expect(tb).toContain('where: model.nir → node "3" → field weight');
    expect(tb).toContain("fix:   export the model again with nir.write");
  });

  it("shows other errors with their name, message and stack frames, and non-errors as text", () => {
    const r = preload.formatCellError(new RangeError("index 7 out of range"));
    expect(r.ename).toBe("RangeError");
    expect(r.evalue).toBe("index 7 out of range");
    expect(plain(r.traceback)).toMatch(/^RangeError: index 7 out of range\n\s+at /);
    expect(preload.formatCellError("plain string")).toMatchObject({ ename: "Error", evalue: "plain string" });
  });

  it("turns tslab's diagnostics into a TypeScriptError with every message", () => {
    const r = preload.describeFailure([
      ["%s%d:%d - %s", "", 1, 7, "Type 'string' is not assignable to type 'number'."],
      ["%s%d:%d - %s", "", 2, 1, "Cannot find name 'foo'."],
    ]);
    expect(r.ename).toBe("TypeScriptError");
    expect(r.evalue).toBe("1:7 - Type 'string' is not assignable to type 'number'.\n2:1 - Cannot find name 'foo'.");
  });

  it("prefers the thrown value when tslab reported one", () => {
    const e = new NirError("data.not_found", "no such file", { file: "x.bin", hint: "check the path" });
    expect(preload.describeFailure([[e]]).evalue).toBe("x.bin: no such file — check the path");
  });
});

describe("kernel preload start-up speed-up", () => {
  it("drops doc comments from TypeScript's lib and @types files only, keeping the declarations", () => {
    const req = createRequire(import.meta.url);
    const dist = join(ROOT, "node_modules", "tslab", "dist");
    const ts = req(req.resolve("@tslab/typescript-for-tslab", { paths: [dist] })) as { sys: { readFile(p: string): string | undefined } };
    const nodeTypes = join(ROOT, "node_modules", "@types", "node", "fs.d.ts");
    const libFile = join(dirname(req.resolve("@tslab/typescript-for-tslab", { paths: [dist] })), "lib.es2015.promise.d.ts");
    const ownTypes = join(ROOT, "kernel", "preload.cjs"); // not a library file: untouched
    const before = [nodeTypes, libFile, ownTypes].map((p) => ts.sys.readFile(p)!);
    expect(before[0]).toContain("/**");
    (preload as unknown as { stripLibraryDocs(dist: string): void }).stripLibraryDocs(dist);
    const after = [nodeTypes, libFile, ownTypes].map((p) => ts.sys.readFile(p)!);
    expect(after[0]).not.toContain("/**");
    expect(after[1]).not.toContain("/**");
    expect(after[2]).toBe(before[2]);
    // every declaration survives: the same declared names, in the same order
    const names = (s: string) => [...s.matchAll(/^\s*(?:export\s+)?(?:declare\s+)?(?:function|interface|const|type|class|namespace)\s+(\w+)/gm)].map((m) => m[1]);
    expect(names(after[0]).length).toBeGreaterThan(20);
    expect(names(after[0])).toEqual(names(before[0]));
    expect(names(after[1])).toEqual(names(before[1]));
    expect(after[0].length).toBeLessThan(before[0].length / 2);
  });

  it("lists only node in @types folders (what TypeScript includes without a types option), other folders as they are", () => {
    const listed: Record<string, string[]> = { "/p/node_modules/@types": ["chai", "estree", "node", "ws"], "/p/src": ["a", "node"] };
    const ts = { sys: { getDirectories: (p: string) => listed[p] ?? [] } };
    (preload as unknown as { onlyNodeTypes(ts: unknown): void }).onlyNodeTypes(ts);
    expect(ts.sys.getDirectories("/p/node_modules/@types")).toEqual(["node"]);
    expect(ts.sys.getDirectories("/p/src")).toEqual(["a", "node"]);
    process.env.NIRKIT_KERNEL_TYPES = "all";
    try {
      expect(ts.sys.getDirectories("/p/node_modules/@types")).toEqual(["chai", "estree", "node", "ws"]);
    } finally {
      delete process.env.NIRKIT_KERNEL_TYPES;
    }
  });

  it("warms this project's nirkit only for a folder whose cells would import it", () => {
    const warm = createRequire(import.meta.url)(join(ROOT, "kernel", "warm.cjs")) as { projectNirkit(cwd: string, root: string): string | null };
    // the project folder resolves nirkit through node_modules/nirkit (a link to the project)
    expect(warm.projectNirkit(ROOT, ROOT)).toBe(realpathSync(join(ROOT, "dist", "index.js")));
    // a folder outside with no NODE_PATH finds no nirkit: nothing is warmed
    const saved = process.env.NODE_PATH;
    delete process.env.NODE_PATH;
    try {
      expect(warm.projectNirkit(tmpdir(), ROOT)).toBe(null);
    } finally {
      if (saved !== undefined) process.env.NODE_PATH = saved;
    }
  });
});

describe("kernel preload last-expression display", () => {
  const pre = preload as unknown as { displayValue(v: unknown, write: unknown, con: { log(...a: unknown[]): void }): Promise<void> | null };
  it("sends one display_data with the bundle of a record that implements Jupyter.display", async () => {
    const sent: unknown[] = [];
    const logged: unknown[] = [];
    const rec = { [Symbol.for("Jupyter.display")]: async () => ({ "text/plain": "a graph", "text/html": "<b>a graph</b>", "image/png": undefined }) };
    await pre.displayValue(rec, (d: unknown, update: boolean) => sent.push([d, update]), { log: (...a) => logged.push(a) });
    expect(sent).toEqual([[{ data: { "text/plain": "a graph", "text/html": "<b>a graph</b>" }, metadata: {}, transient: {} }, false]]);
    expect(logged).toEqual([]);
  });

  it("leaves other values to console.log and falls back to it when the display fails", async () => {
    expect(pre.displayValue({ a: 1 }, () => undefined, { log: () => undefined })).toBeNull();
    expect(pre.displayValue(42, () => undefined, { log: () => undefined })).toBeNull();
    const logged: unknown[] = [];
    const broken = { [Symbol.for("Jupyter.display")]: () => { throw new Error("no renderer"); } };
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await pre.displayValue(broken, () => { throw new Error("must not be called"); }, { log: (v) => logged.push(v) });
    } finally {
      process.stderr.write = stderr;
    }
    expect(logged).toEqual([broken]);
  });
});

describe("kernel preload when a port is taken", () => {
  it("ends the kernel with code EXIT_PORT_TAKEN and a message naming the address, instead of living on without the socket", async () => {
    const { createServer } = await import("node:net");
    const { spawn } = await import("node:child_process");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { freePort } = await import("../../src/notebook/procs.js");
    const blocker = createServer();
    const taken = await new Promise<number>((r) => blocker.listen(0, "127.0.0.1", () => r((blocker.address() as { port: number }).port)));
    const ports = [taken, await freePort(), await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), "nirkit-port-"));
    const conn = join(dir, "kernel.json");
    writeFileSync(conn, JSON.stringify({
      shell_port: ports[0], iopub_port: ports[1], stdin_port: ports[2], control_port: ports[3], hb_port: ports[4],
      ip: "127.0.0.1", key: "k", transport: "tcp", signature_scheme: "hmac-sha256", kernel_name: "nirkit",
    }));
    try {
      const child = spawn(join(ROOT, "node_modules", ".bin", "tslab"), ["kernel", "--config-path", conn], {
        env: { ...process.env, NODE_OPTIONS: `--require ${join(ROOT, "kernel", "preload.cjs")}` },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
      const code = await new Promise<number | null>((r) => {
        const t = setTimeout(() => (child.kill("SIGKILL"), r(null)), 60_000); // tslab alone would live on: null
        child.on("exit", (c) => (clearTimeout(t), r(c)));
      });
      expect(code).toBe(preload.EXIT_PORT_TAKEN);
      expect(preload.EXIT_PORT_TAKEN).toBe(75);
      expect(stderr).toContain(`nirkit kernel: cannot listen on tcp://127.0.0.1:${taken} (EADDRINUSE); exiting so that Jupyter restarts the kernel on new ports`);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("kernel cell source: shorthand properties and type-error cells", () => {
  const req = createRequire(import.meta.url);
  const dist = join(ROOT, "node_modules", "tslab", "dist");
  const ts = req(req.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const cell = req(join(ROOT, "kernel", "cell.cjs")) as {
    expandShorthand(ts: unknown, src: string): { code: string; toSource(o: number): number; changed: boolean };
    syntaxDiagnostics(ts: unknown, src: string): unknown[];
    hasTopLevelAwait(ts: unknown, src: string): boolean;
  };

  it("writes out shorthand properties (also in destructuring assignments) and maps offsets back", () => {
    const src = "const o = { dt, n: 1 };\n({ a, b = 2 } = o);";
    const rw = cell.expandShorthand(ts, src);
    expect(rw.code).toBe("const o = { dt: dt, n: 1 };\n({ a: a, b: b = 2 } = o);");
    // every original character keeps its offset through the mapping
    for (const word of ["n:", "o)", "= 2", "= o)"]) {
      expect(rw.toSource(rw.code.indexOf(word))).toBe(src.indexOf(word));
    }
    expect(rw.toSource(rw.code.indexOf(": dt") + 1)).toBe(src.indexOf(", n")); // inside inserted text → where it was inserted
    expect(cell.expandShorthand(ts, "const { dt } = o; f({ ...dt });").changed).toBe(false); // binding patterns and spreads stay
  });

  it("tells syntax errors from type errors, and finds top-level await outside functions only", () => {
    expect(cell.syntaxDiagnostics(ts, 'const x: number = "s";')).toEqual([]);
    expect(cell.syntaxDiagnostics(ts, "const = 5;").length).toBeGreaterThan(0);
    expect(cell.hasTopLevelAwait(ts, "const r = await f();")).toBe(true);
    expect(cell.hasTopLevelAwait(ts, "for await (const x of xs) {}")).toBe(true);
    expect(cell.hasTopLevelAwait(ts, "async function g() { await f(); }\nconst h = async () => await f();")).toBe(false);
  });
});

describe("kernel protocol helpers", () => {
  const req = createRequire(import.meta.url);
  const dist = join(ROOT, "node_modules", "tslab", "dist");
  const ts = req(req.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const protocol = req(join(ROOT, "kernel", "protocol.cjs")) as {
    isComplete(ts: unknown, code: string, indent: (c: string) => string): { status: string; indent?: string };
    indentOnEnter(code: string): string;
    History: new () => { add(line: number, input: string, output?: string | null): void; reply(req: Record<string, unknown>): { status: string; history: unknown[] } };
  };
  const status = (code: string) => protocol.isComplete(ts, code, protocol.indentOnEnter).status;

  it("answers is_complete as the message spec means it: invalid when no further input can repair the code", () => {
    for (const c of ["1+2", "const a = 1;", "function f() { return 1 }", ""]) expect(status(c), c).toBe("complete");
    for (const c of ["function f() {", "const b = [1,", "if (true) {\n  f(", "const s = `abc"]) expect(status(c), c).toBe("incomplete");
    for (const c of ["let = ;", ")(", "1 +* 2;", "let = ;\nfunction f() {"]) expect(status(c), c).toBe("invalid");
    expect(protocol.isComplete(ts, "if (x) {", protocol.indentOnEnter)).toEqual({ status: "incomplete", indent: "  " });
    expect(status("function f() {\n\n\n")).toBe("complete"); // two blank lines submit, as in tslab
  });

  it("answers history_request for tail, range and search (glob, unique, n)", () => {
    const h = new protocol.History();
    ["1+2", "x = 1", "1+2", "12*3"].forEach((code, i) => h.add(i + 1, code, i === 0 ? "3" : null));
    expect(h.reply({ hist_access_type: "tail", n: 2, output: false }).history).toEqual([[1, 3, "1+2"], [1, 4, "12*3"]]);
    expect(h.reply({ hist_access_type: "tail", n: 1, output: true }).history).toEqual([[1, 4, ["12*3", null]]]);
    expect(h.reply({ hist_access_type: "range", session: 1, start: 1, stop: 2 }).history).toEqual([[1, 1, "1+2"]]);
    expect(h.reply({ hist_access_type: "range", session: 7, start: 1, stop: 2 }).history).toEqual([]);
    expect(h.reply({ hist_access_type: "search", pattern: "1?2*" }).history).toEqual([[1, 1, "1+2"], [1, 3, "1+2"]]);
    expect(h.reply({ hist_access_type: "search", pattern: "1*", unique: true }).history).toEqual([[1, 3, "1+2"], [1, 4, "12*3"]]);
    expect(h.reply({ hist_access_type: "search", pattern: "*", n: 1 }).history).toEqual([[1, 4, "12*3"]]);
  });
});

describe("kernel stream buffer", () => {
  const { createStreamBuffer, FLUSH_BYTES } = createRequire(import.meta.url)(join(ROOT, "kernel", "streams.cjs")) as {
    createStreamBuffer(send: (name: string, text: string) => void): { write(name: string, text: string): void; flush(): void };
    FLUSH_BYTES: number;
  };

  it("sends 20,000 synchronous writes as few messages, in order, with nothing lost", () => {
    const sent: [string, string][] = [];
    const b = createStreamBuffer((n, t) => sent.push([n, t]));
    for (let i = 0; i < 20000; i++) b.write("stdout", `${i}\n`);
    b.write("stderr", "warning\n");
    b.write("stdout", "last\n");
    b.flush();
    const out = sent.filter(([n]) => n === "stdout").map(([, t]) => t).join("").split("\n");
    expect(out.slice(0, -2)).toEqual(Array.from({ length: 20000 }, (_, i) => String(i)));
    expect(sent.map(([n]) => n)).toEqual(["stdout", "stderr", "stdout"]); // one message per run of a stream
    expect(FLUSH_BYTES).toBeGreaterThan(108890); // the 20,000 lines (108,890 chars) fit in one message
  });
});

describe("kernel tab completion cache", () => {
  const { cachedComplete } = createRequire(import.meta.url)(join(ROOT, "kernel", "complete.cjs")) as {
    cachedComplete(c: (d: string, s: string, p: number) => unknown): (d: string, s: string, p: number) => { start: number; end: number; candidates: string[] };
  };
  const entries = ["LIF", "LI", "Linear", "CubaLIF", "read", "lif_helper"].map((name, i) => ({ name, sortText: String(11 + (i % 2)) }));

  it("asks tslab once per cell-without-the-word and ranks the typed word's matches as tslab does", () => {
    const asked: string[] = [];
    const tslab = (_d: string, src: string, pos: number) => {
      asked.push(`${src}|${pos}`);
      return { start: pos, end: pos, candidates: entries.map((e) => e.name), original: { entries } };
    };
    const complete = cachedComplete(tslab);
    // rank = (exact prefix 0 | any-case prefix 1 | substring 2) then sortText: LIF 0·11, LI 0·12, Linear 1·11, lif_helper 1·12, CubaLIF 2·12
    expect(complete("", "nir.LI", 6)).toEqual({ start: 4, end: 6, candidates: ["LIF", "LI", "Linear", "lif_helper", "CubaLIF"] });
    expect(complete("", "nir.LIF", 7).candidates).toEqual(["LIF", "lif_helper", "CubaLIF"]);
    expect(complete("", "nir.LIF", 5)).toMatchObject({ start: 4, end: 7 }); // cursor inside the word: the whole word
    expect(asked).toEqual(["nir.|4"]);
    complete("const a = 1;", "nir.L", 5); // new declarations after an executed cell: asked again
    expect(asked).toEqual(["nir.|4", "nir.|4"]);
  });
});

describe("kernel code cache", () => {
  it("compiles a wanted CommonJS file through V8's code cache, writes the cache after use and loads it on the next start", async () => {
    const { mkdtempSync, readdirSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { spawnSync } = await import("node:child_process");
    const dir = mkdtempSync(join(tmpdir(), "nirkit-codecache-"));
    try {
      writeFileSync(join(dir, "big.cjs"), "exports.sum = (a, b) => a + b; exports.dir = __dirname; exports.req = typeof require.resolve;\n");
      const script = [
        `const { useCodeCache } = require(${JSON.stringify(join(ROOT, "kernel", "code-cache.cjs"))});`,
        `const vm = require("node:vm"); let rejected = null; const S = vm.Script;`,
        `vm.Script = function (src, o) { const s = new S(src, o); if (o && o.cachedData) rejected = s.cachedDataRejected; return s; };`,
        `const save = useCodeCache(${JSON.stringify(join(dir, "cache"))}, (f) => f.endsWith("big.cjs"));`,
        `const m = require(${JSON.stringify(join(dir, "big.cjs"))}); save();`,
        `console.log(JSON.stringify({ sum: m.sum(2, 3), dir: m.dir, req: m.req, rejected }));`,
      ].join("\n");
      const run = () => JSON.parse(spawnSync(process.execPath, ["-e", script], { encoding: "utf8" }).stdout);
      expect(run()).toEqual({ sum: 5, dir, req: "function", rejected: null }); // first start: no cache to use
      expect(readdirSync(join(dir, "cache")).filter((f) => f.endsWith(".bin")).length).toBe(1);
      expect(run()).toEqual({ sum: 5, dir, req: "function", rejected: false }); // next start: cache accepted
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("kernel file watchers", () => {
  it("sets no watcher on files and folders under node_modules, and keeps the others", () => {
    const calls: string[] = [];
    const sys = { watchFile: (p: string) => (calls.push(`file ${p}`), { close() {} }), watchDirectory: (p: string) => (calls.push(`dir ${p}`), { close() {} }) };
    (preload as unknown as { skipLibraryWatchers(ts: { sys: typeof sys }): void }).skipLibraryWatchers({ sys });
    sys.watchFile("/p/node_modules/@types/node/fs.d.ts");
    sys.watchDirectory("/p/node_modules");
    sys.watchFile("/home/me/helpers.ts");
    sys.watchFile("/p/dist/index.d.ts");
    sys.watchDirectory("/home/me");
    expect(calls).toEqual(["file /home/me/helpers.ts", "file /p/dist/index.d.ts", "dir /home/me"]);
  });
});
