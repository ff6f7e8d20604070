/** Twin of test_readwrite.py::test_serialize_deserialize_data (nir-spec §5) and the data file layout of §4.3. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PYTHON, h5pySkipReason } from "../support/index.js";
import { EventData, NIRGraphData, NIRNodeData, TimeGriddedData, ValuedEventData } from "../../src/ir/data.js";
import { tensor } from "../../src/ir/tensor.js";
import { readData, writeData } from "../../src/io/data.js";
import { readH5 } from "../../src/io/h5.js";
import { write } from "../../src/io/write.js";
import { fromList, LIF } from "../../src/ir/index.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample() {
  // the values of the reference test: TimeGridded [[[.1,.2],[.3,.4]]] dt .1, plus event data
  const grid = TimeGriddedData(tensor([[[0.1, 0.2], [0.3, 0.4]]]), 0.1);
  const ev = EventData({ idx: tensor([[0, 1, -1]], "int64"), time: tensor([[0.05, 0.15, Infinity]]), n_neurons: 2, t_max: 0.3 });
  const vev = ValuedEventData({ idx: tensor([[0, 0, 1, 1]], "int64"), time: tensor([[0.05, 0.15, 0.1, 0.2]]), n_neurons: 2, t_max: 0.3, value: tensor([[1, 4, 2, 3]]) });
  return NIRGraphData({ lif: NIRNodeData({ v: grid, spikes: ev, weighted: vev }) });
}

describe("graph data files", () => {
  it("write_data / read_data round trip keeps classes and every field", async () => {
    const p = join(dir, "data.h5");
    const d = sample();
    await writeData(p, d);
    const back = await readData(p);
    expect(back).toEqual(d);
    const obs = (back.nodes.lif as ReturnType<typeof NIRNodeData>).observables;
    expect(obs.v.type).toBe("TimeGriddedData");
    expect(obs.spikes.type).toBe("EventData");
    expect(obs.weighted.type).toBe("ValuedEventData");
  });

  it("uses the reference layout: __type__ attributes, dt/t_max float64, n_neurons int64, gzip arrays", async () => {
    const p = join(dir, "layout.h5");
    await writeData(p, sample());
    const t = await readH5(p);
    expect(t.attrs.__type__).toBe("NIRGraphData");
    const node = t.children[0].kind === "group" ? t.children[0].children[0] : null;
    expect(node?.kind === "group" && node.attrs.__type__).toBe("NIRNodeData");
    const obs = node?.kind === "group" ? node.children[0] : null;
    if (!obs || obs.kind !== "group") throw new Error("no observables group");
    const byName = Object.fromEntries(obs.children.map((c) => [c.name, c]));
    expect(byName.v.attrs).toEqual({ __type__: "TimeGriddedData", dt: 0.1 });
    expect(byName.spikes.attrs).toEqual({ __type__: "EventData", n_neurons: 2n, t_max: 0.3 });
    const data = byName.v.kind === "group" ? byName.v.children[0] : null;
    expect(data).toMatchObject({ name: "data", layout: "chunked", filters: [{ name: "gzip", opts: 4 }] });
  });

  it("nested graph data is written and read back (the reference recurses forever here)", async () => {
    const p = join(dir, "nested.h5");
    const d = NIRGraphData({ sub: NIRGraphData({ lif: NIRNodeData({ v: TimeGriddedData(tensor([[[1], [2]]]), 0.5) }) }) });
    await writeData(p, d);
    expect(await readData(p)).toEqual(d);
  });

  it("refuses a .nir graph file as data (reference: Root object is not NIRGraphData)", async () => {
    const p = join(dir, "graph.nir");
    await write(p, fromList(LIF({ tau: [0.02], r: [1], v_leak: [0], v_threshold: [1] })));
    await expect(readData(p)).rejects.toMatchObject({ code: "data.invalid", file: p });
  });

  const py = h5pySkipReason() === null;
  it.skipIf(!py)("h5py sees the attribute types the reference reader expects", async () => {
    const p = join(dir, "py.h5");
    await writeData(p, sample());
    const script = join(dir, "attrs.py");
    writeFileSync(
      script,
      [
        "import sys, h5py",
        "f = h5py.File(sys.argv[1], 'r')",
        "o = f['nodes/lif/observables']",
        "print(f.attrs['__type__'], f['nodes/lif'].attrs['__type__'], o['v'].attrs['__type__'])",
        "print(type(o['v'].attrs['dt']).__name__, o['v'].attrs['dt'], type(o['spikes'].attrs['n_neurons']).__name__, o['spikes'].attrs['n_neurons'], o['spikes'].attrs['t_max'])",
        "print(o['v/data'].dtype, o['v/data'].shape, o['weighted/value'][()].tolist())",
      ].join("\n"),
    );
    const out = execFileSync(PYTHON, [script, p], { encoding: "utf8", timeout: 60_000 }).trim().split("\n");
    expect(out[0]).toBe("NIRGraphData NIRNodeData TimeGriddedData");
    expect(out[1]).toBe("float64 0.1 int64 2 0.3");
    expect(out[2]).toBe("float64 (1, 2, 2) [[1.0, 4.0, 2.0, 3.0]]");
  });
});
