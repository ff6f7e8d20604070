/** The CLI commands dump / build / inspect / validate (run in-process; output captured). */
import fs from "node:fs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Command } from "../../src/cli/command.js";
import { command as build } from "../../src/cli/commands/build.js";
import { command as dump } from "../../src/cli/commands/dump.js";
import { command as inspect } from "../../src/cli/commands/inspect.js";
import { command as validate } from "../../src/cli/commands/validate.js";
import { SHARED, captureOutput, refFile } from "../support/index.js";

const CONF = refFile("conformance", "manifest.json") ? join(SHARED, "conformance") : null;
const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const dir = mkdtempSync(join(tmpdir(), "nirkit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(cmd: Command, ...args: string[]): Promise<{ code: number | "threw"; out: string; err: string; error?: unknown }> {
  const r = await captureOutput(() => cmd.run(args));
  return "error" in r ? { code: "threw", out: r.out, err: r.err, error: r.error } : { code: r.value as number, out: r.out, err: r.err };
}

describe("nir validate", () => {
  it.skipIf(!CONF)("exits 0 when every file is valid", async () => {
    const r = await run(validate, `${CONF}/affine_f32.nir`, `${CONF}/nested_subgraph.nir`);
    expect(r.code).toBe(0);
    expect(r.out.trim().split("\n")).toHaveLength(2);
    expect(r.out).toContain("affine_f32.nir: ok");
  });
  it.skipIf(!CONF)("exits 1 with one line per problem naming file, node and field", async () => {
    const files = ["invalid_missing_required_field", "invalid_corrupt_chunk", "invalid_not_hdf5", "affine_f32"].map((n) => `${CONF}/${n}.nir`);
    const r = await run(validate, "--quiet", ...files);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/invalid_missing_required_field\.nir: node "lif": field tau: .*\[ir\.missing_field\]$/);
    expect(lines[1]).toMatch(/invalid_corrupt_chunk\.nir: node "fc": field weight: .*inflate.*\[io\.corrupt\]$/);
    expect(lines[2]).toMatch(/invalid_not_hdf5\.nir: .*file signature not found.*\[io\.not_hdf5\]$/);
    expect(r.err).toBe(""); // no HDF5-DIAG noise, no stack trace
  });
  it("reports every bad node of a file, one line each", async () => {
    // a generated file with two bad nodes (shape mismatches; NaN is no problem, only a warning)
    const { writeH5 } = await import("../../src/io/h5.js");
    const f32 = (v: number[]) => ({ kind: "dataset" as const, value: { dtype: "float32" as const, shape: [v.length], data: new Float32Array(v) } });
    const str = (v: string) => ({ kind: "dataset" as const, value: v });
    const lifGroup = (tau: number[]) => ({ kind: "group" as const, children: [["type", str("LIF")], ["tau", f32(tau)], ["r", f32([1, 1])], ["v_leak", f32([0, 0])], ["v_threshold", f32([1, 1])]] as [string, ReturnType<typeof f32> | ReturnType<typeof str>][] });
    const p = join(dir, "two_bad.nir");
    await writeH5(p, {
      kind: "group",
      children: [
        ["version", str("1.0.7")],
        ["node", { kind: "group", children: [
          ["type", str("NIRGraph")],
          ["edges", { kind: "dataset", value: { dtype: "float64", shape: [0], data: new Float64Array(0) } }],
          ["nodes", { kind: "group", children: [["a", lifGroup([0.02])], ["b", lifGroup([0.02, 0.02, 0.02])], ["c", lifGroup([0.02, 0.02])]] }],
        ] }],
      ],
    });
    const r = await run(validate, p);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/node "a": field tau: .*\[ir\.shape_mismatch\]$/);
    expect(lines[1]).toMatch(/node "b": field tau: .*\[ir\.shape_mismatch\]$/);
  });
  it.skipIf(!CONF)("warns (exit 0) where the reference conv inference differs from PyTorch", async () => {
    // corpus: groups=2 with weight 6x1x3x3 — the reference takes 1 input channel, PyTorch 2
    const r = await run(validate, `${CONF}/conv2d_stride_pad_dil_groups.nir`, `${CONF}/conv2d_same_padding.nir`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/conv2d_stride_pad_dil_groups\.nir: warning: node "\w+" \(Conv2d\): the reference infers \[1,12,10\] → \[6,6,10\], PyTorch computes \[2,12,10\].*groups/);
    expect(r.out).toMatch(/conv2d_same_padding\.nir: warning: .*same padding with stride > 1/);
  });
  it.skipIf(!CONF)("--no-type-check accepts a graph the reference reads with type_check=False", async () => {
    expect((await run(validate, `${CONF}/invalid_type_mismatch.nir`)).code).toBe(1);
    expect((await run(validate, "--no-type-check", `${CONF}/invalid_type_mismatch.nir`)).code).toBe(0);
  });
});

describe("nir dump / build", () => {
  it.skipIf(!CONF)("dump prints the conformance JSON, with -0.0 kept", async () => {
    const r = await run(dump, `${CONF}/affine_f32.nir`);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.schema).toBe("nir-conformance-expected/1");
    expect(j.graph.nodes.map((n: { name: string }) => n.name)).toEqual(["affine", "input", "output"]);
    expect(r.out).toContain("-0.0");
  });
  it.skipIf(!CONF)("dump of a broken file throws a NirError (the dispatcher prints it without a stack)", async () => {
    const r = await run(dump, `${CONF}/invalid_truncated_half.nir`);
    expect(r.code).toBe("threw");
    expect(r.error).toMatchObject({ name: "NirError", code: "io.truncated" });
    expect(r.err).toBe("");
  });
  it.skipIf(!CONF)("dump --no-type-check dumps a graph only type_check=False reads (and it builds back)", async () => {
    expect((await run(dump, `${CONF}/invalid_type_mismatch.nir`)).error).toMatchObject({ code: "ir.type_mismatch" });
    const r = await run(dump, "--no-type-check", `${CONF}/invalid_type_mismatch.nir`);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.graph_no_type_check).toBeNull();
    expect(j.graph.nodes.map((n: { name: string }) => n.name)).toEqual(["affine", "input", "output"]);
    const p = join(dir, "mismatch.json");
    writeFileSync(p, r.out);
    expect((await run(build, p, join(dir, "mismatch.nir"))).code).toBe(0);
    const again = JSON.parse((await run(dump, "--no-type-check", join(dir, "mismatch.nir"))).out);
    expect(again.graph).toEqual(j.graph);
  });
  it("build refuses JSON that is not a dump, naming the file", async () => {
    const p = join(dir, "bad.json");
    writeFileSync(p, '{"hello": 1}');
    const r = await run(build, p, join(dir, "out.nir"));
    expect(r.error).toMatchObject({ name: "NirError", code: "ir.root_not_graph", file: p });
    writeFileSync(p, "{not json");
    expect((await run(build, p, join(dir, "out.nir"))).error).toMatchObject({ code: "io.corrupt", file: p });
  });
  it("usage errors are cli.usage", async () => {
    expect((await run(build, "only-one.json")).error).toMatchObject({ code: "cli.usage" });
    expect((await run(dump)).error).toMatchObject({ code: "cli.usage" });
  });
});

describe("nir inspect", () => {
  it.skipIf(!cnn)("prints nodes, types, shapes, parameter statistics and edges", async () => {
    const r = await run(inspect, cnn!);
    expect(r.code).toBe(0);
    expect(r.out).toContain("NIR file version 0.2.0");
    expect(r.out).toMatch(/Conv2d\s+\[2,34,34\] → \[16,34,34\]|Conv2d\s+\[2,34,34\] →/);
    expect(r.out).toMatch(/weight\s+float32 \(\d+,\d+,\d+,\d+\) min -?[\d.e-]+ max [\d.e-]+ mean -?[\d.e-]+/);
    expect(r.out).toContain("edges:");
    expect(r.out).toMatch(/input → /);
  });
  it.skipIf(!CONF)("suggests --no-type-check for a graph only type_check=False reads, and then shows it", async () => {
    const f = `${CONF}/invalid_type_mismatch.nir`;
    const r = await run(inspect, f);
    expect(r.error).toMatchObject({ code: "ir.type_mismatch" });
    expect((r.error as Error).message).toContain(`nir inspect --no-type-check ${f}`);
    const ok = await run(inspect, "--no-type-check", f);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/affine\s+Affine/);
  });
  it.skipIf(!CONF)("shows the stats of a small file from the reference values (affine_f32)", async () => {
    const r = await run(inspect, `${CONF}/affine_f32.nir`);
    const expected = JSON.parse(fs.readFileSync(`${CONF}/affine_f32.expected.json`, "utf8"));
    const bias = expected.graph.nodes[0].params.bias.data as number[];
    expect(bias).toHaveLength(4);
    expect(r.out).toContain(`bias         float32 (4,) [${bias.map((x) => Number(x.toPrecision(4))).join(" ")}]`);
    const w = expected.graph.nodes[0].params.weight.data as number[];
    expect(r.out).toContain(`weight       float32 (4,3) min ${Number(Math.min(...w).toPrecision(4))} max ${Number(Math.max(...w).toPrecision(4))}`);
  });
});
