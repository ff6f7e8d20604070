/**
 * `nir build` of every conformance expected JSON, then read back: the dump equals the expected
 * one (graph, params, edges, inferred types, metadata). Then Debian's h5py (the library the
 * Python reference reads with) reads every nirkit-written file: dataset dtypes, shapes, string
 * kinds and values must match the reference layout (`hdf5` entries) and parameters.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "../../src/cli/command.js";
import { command as buildCmd } from "../../src/cli/commands/build.js";
import { command as dumpCmd } from "../../src/cli/commands/dump.js";
import { dumpFile } from "../../src/io/dump.js";
import { PYTHON, SHARED, h5pySkipReason, refFile } from "../support/index.js";

const CONF = refFile("conformance", "manifest.json") ? join(SHARED, "conformance") : null;
const manifest = (CONF ? JSON.parse(readFileSync(`${CONF}/manifest.json`, "utf8")) : { cases: [] }) as { cases: { case: string; valid: boolean }[] };
const valid = manifest.cases.filter((c) => c.valid).map((c) => c.case);
const dir = mkdtempSync(join(tmpdir(), "nirkit-rt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS: Record<string, Command> = { build: buildCmd, dump: dumpCmd };

/** Runs a nir subcommand in-process (vitest cannot follow the dispatcher's dynamic import); returns exit code and output. */
async function nir(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const o = process.stdout.write.bind(process.stdout), e = process.stderr.write.bind(process.stderr);
  (process.stdout as { write: unknown }).write = (s: string) => ((out += s), true);
  (process.stderr as { write: unknown }).write = (s: string) => ((err += s), true);
  try {
    return { code: await COMMANDS[args[0]].run(args.slice(1)), out, err };
  } finally {
    (process.stdout as { write: unknown }).write = o;
    (process.stderr as { write: unknown }).write = e;
  }
}

const expectedOf = (name: string) => JSON.parse(readFileSync(`${CONF}/${name}.expected.json`, "utf8"));

beforeAll(async () => {
  for (const name of valid) {
    const r = await nir("build", `${CONF}/${name}.expected.json`, join(dir, `${name}.nir`));
    if (r.code !== 0) throw new Error(`nir build ${name} failed: ${r.err}`);
  }
}, 120_000);

describe("nir build → read round trip", () => {
  it.each(valid)("%s: the rebuilt file dumps like the reference file", async (name) => {
    const expected = expectedOf(name);
    const got = await dumpFile(join(dir, `${name}.nir`));
    expect(got.graph).toEqual(expected.graph);
    if (name === "compat_missing_optional_fields") {
      // The legacy file lacks v_reset/w_in/Flatten input_type; the reader filled them in and the
      // writer stores them (as the reference writer does), so without type checking the Flatten
      // keeps its input type instead of null.
      expect(expected.graph_no_type_check.nodes.find((n: { name: string }) => n.name === "flat").params.input_type).toBeNull();
      expect(got.graph_no_type_check).toBeNull();
    } else {
      expect(got.graph_no_type_check).toEqual(expected.graph_no_type_check);
    }
  });

  it.skipIf(!CONF)("nir dump output builds back to an equal dump (dump → build → dump)", async () => {
    const d1 = await nir("dump", `${CONF}/nested_subgraph.nir`);
    expect(d1.code).toBe(0);
    const j = join(dir, "nested.json");
    writeFileSync(j, d1.out);
    expect((await nir("build", j, join(dir, "nested2.nir"))).code).toBe(0);
    const d2 = await nir("dump", join(dir, "nested2.nir"));
    const a = JSON.parse(d1.out), b = JSON.parse(d2.out);
    expect(b.graph).toEqual(a.graph);
    expect(b.graph_no_type_check).toEqual(a.graph_no_type_check);
  });
});

// ---------------------------------------------------------------------------------------------
// h5py check

const PY = `
import json, sys, h5py, numpy as np
def val(x):
    if isinstance(x, bytes): return x.decode("utf-8")
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return "NaN" if f != f else ("Infinity" if f == float("inf") else ("-Infinity" if f == float("-inf") else f))
    if isinstance(x, (np.integer,)): return int(x)
    if isinstance(x, (np.bool_, bool)): return bool(x)
    return x
def kind(dt):
    s = h5py.check_string_dtype(dt)
    if s is not None:
        return {"class": "string", "vlen": s.length is None, "length": s.length, "encoding": s.encoding}
    if dt.kind == "b": return {"class": "bool", "numpy": dt.str, "name": dt.name}
    c = {"f": "float", "i": "int", "u": "uint"}.get(dt.kind, dt.kind)
    return {"class": c, "numpy": dt.str, "name": dt.name}
out = {}
for path in sys.argv[1:]:
    entries = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            p = "/" + name
            if isinstance(obj, h5py.Dataset):
                a = obj[()]
                flat = [val(v) for v in np.asarray(a).reshape(-1).tolist()] if obj.shape is not None else []
                if isinstance(a, bytes): flat = [a.decode("utf-8")]
                entries[p] = {"kind": "dataset", "dtype": kind(obj.dtype), "shape": list(obj.shape), "data": flat}
            else:
                entries[p] = {"kind": "group"}
        f.visititems(visit)
    out[path] = entries
print(json.dumps(out))
`;

const skipReason = CONF ? h5pySkipReason() : "the conformance corpus is missing";

/** Known, documented layout differences of nirkit-written files (README "Divergences"). */
function knownLayoutDifference(name: string, path: string, want: { dtype?: { class: string } }): string | null {
  if (name === "compat_fixed_length_strings" && want.dtype?.class === "string") return "nirkit writes vlen UTF-8 strings (as the reference writer); the case was rewritten fixed-length by h5py";
  return null;
}

describe.skipIf(skipReason !== null)("h5py reads nirkit-written files like the reference files", () => {
  let seen: Record<string, Record<string, { kind: string; dtype?: Record<string, unknown>; shape?: number[]; data?: unknown[] }>> = {};
  beforeAll(() => {
    const script = join(dir, "h5py_layout.py");
    writeFileSync(script, PY);
    const files = valid.map((n) => join(dir, `${n}.nir`));
    seen = JSON.parse(execFileSync(PYTHON, [script, ...files], { encoding: "utf8", maxBuffer: 64 * 2 ** 20, timeout: 120_000 }));
  }, 180_000);

  it.each(valid)("%s: same groups, dataset dtypes, shapes, string kinds and values", (name) => {
    const expected = expectedOf(name);
    const got = seen[join(dir, `${name}.nir`)];
    expect(got).toBeDefined();
    let compared = 0;
    const extra = name === "compat_missing_optional_fields" ? new Set(Object.keys(got).filter((p) => /\/(v_reset|w_in|input_type)$/.test(p) || p === "/version")) : new Set<string>();
    for (const want of expected.hdf5 as { path: string; kind: string; dtype?: { class: string }; shape?: number[] }[]) {
      if (want.path === "/") continue;
      const have = got[want.path];
      expect(have, `${name}: ${want.path} missing`).toBeDefined();
      expect(have.kind).toBe(want.kind);
      if (want.kind !== "dataset") continue;
      expect(have.shape, `${name}: ${want.path} shape`).toEqual(want.shape);
      const known = knownLayoutDifference(name, want.path, want);
      if (known) {
        expect(have.dtype).toEqual({ class: "string", vlen: true, length: null, encoding: "utf-8" });
        continue;
      }
      expect(have.dtype, `${name}: ${want.path} dtype`).toEqual(want.dtype);
      compared++;
    }
    // nothing beyond the reference layout (apart from fields the legacy case lacked)
    const wantPaths = new Set((expected.hdf5 as { path: string }[]).map((e) => e.path));
    expect(Object.keys(got).filter((p) => !wantPaths.has(p) && !extra.has(p))).toEqual([]);
    expect(compared).toBeGreaterThan(0);
    // parameter values as h5py reads them equal the reference's parameters
    type Meta = Record<string, { dtype?: string; data?: unknown[]; dict?: Meta }>;
    const metaWalk = (m: Meta, at: string) => {
      for (const [k, v] of Object.entries(m)) {
        if (v.dict) metaWalk(v.dict, `${at}/${k}`);
        else {
          // bools are h5py's enum, so they come back as numpy.bool_ (True/False), as from the reference file
          expect(got[`${at}/${k}`]?.data, `${name}: metadata ${at}/${k}`).toEqual(v.data);
        }
      }
    };
    type G = { nodes: { name: string; type: string; params?: Record<string, { data: unknown[] } | null>; metadata?: Meta }[]; edges: [string, string][]; auto_added_nodes: string[]; auto_added_edges: unknown[]; metadata: Meta };
    const walk = (g: G, prefix: string) => {
      // stored edges (auto-added ones are not in the file) as h5py reads the (N, 2) string array
      const stored = g.edges.slice(0, g.edges.length - g.auto_added_edges.length);
      expect(got[`${prefix}/edges`].data, `${name}: ${prefix}/edges`).toEqual(stored.length ? stored.flat() : []);
      metaWalk(g.metadata, `${prefix}/metadata`);
      const auto = new Set(g.auto_added_nodes);
      for (const n of g.nodes) {
        if (auto.has(n.name)) continue;
        if (n.type === "NIRGraph") {
          walk(n as unknown as G, `${prefix}/nodes/${n.name}`);
          continue;
        }
        expect(got[`${prefix}/nodes/${n.name}/type`].data, `${name}: ${n.name} type`).toEqual([n.type]);
        metaWalk(n.metadata ?? {}, `${prefix}/nodes/${n.name}/metadata`);
        for (const [k, v] of Object.entries(n.params ?? {})) {
          const ds = got[`${prefix}/nodes/${n.name}/${k}`];
          if (!v) continue;
          expect(ds?.data, `${name}: ${n.name}.${k}`).toEqual(v.data);
        }
      }
    };
    walk(expected.graph, "/node");
  });
});
