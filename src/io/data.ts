/**
 * NIR graph data files (reference `nir.write_data` / `nir.read_data`, nir-spec §4.3): the data IR
 * records of `ir/data.ts` in HDF5. Groups carry a `__type__` string attribute; time-gridded data
 * stores `dt` (float64 attribute) and a gzip `data` array; event data stores `n_neurons` (int64
 * attribute), `t_max` (float64 attribute) and gzip `idx`, `time` (+ `value`) arrays. No `/version`.
 */
import { NirError, isNirError } from "../ir/errors.js";
import {
  EventData,
  NIRGraphData,
  NIRNodeData,
  TimeGriddedData,
  ValuedEventData,
  type NIRGraphData as GraphData,
  type NIRNodeData as NodeData,
  type Observable,
} from "../ir/data.js";
import { isTensor, type Tensor } from "../ir/tensor.js";
import { setOwn } from "../ir/own.js";
import { withAtomicPath } from "./atomic.js";
import { h5Child, readH5, writeH5, type H5Dataset, type H5Group, type H5WriteGroup } from "./h5.js";

/** Options of {@link writeData}. */
export interface WriteDataOptions {
  /** gzip level of the arrays (reference default 4); null writes them contiguous. */
  compression?: number | null;
}

/**
 * Writes graph data atomically. Unlike the reference (which recurses forever on nested
 * NIRGraphData), nested graph data is written as a nested `nodes/` group.
 */
export async function writeData(path: string, data: GraphData, opts: WriteDataOptions = {}): Promise<void> {
  if (!data || data.type !== "NIRGraphData") {
    throw new NirError("data.invalid", `writeData needs a NIRGraphData record, got ${(data as { type?: string } | null)?.type ?? typeof data}`, {
      file: path,
      hint: "wrap node data: NIRGraphData({node: NIRNodeData({obs: TimeGriddedData(...)})})",
    });
  }
  const gz = opts.compression === undefined ? 4 : opts.compression;
  const tree = graphDataGroup(data, gz, path, "");
  await withAtomicPath(path, (tmp) => writeH5(tmp, tree)).catch((e: unknown) => {
    if (isNirError(e)) throw new NirError(e.code, e.problem, { file: path, node: e.node, field: e.field, hint: e.hint, cause: e.cause });
    throw new NirError("io.write_failed", `could not write: ${(e as Error)?.message ?? String(e)}`, { file: path, cause: e });
  });
}

function graphDataGroup(d: GraphData, gz: number | null, file: string, prefix: string): H5WriteGroup {
  const nodes: [string, H5WriteGroup][] = [];
  for (const [name, n] of Object.entries(d.nodes)) {
    const full = prefix ? `${prefix}/${name}` : name;
    if (n?.type === "NIRGraphData") nodes.push([name, graphDataGroup(n, gz, file, full)]);
    else if (n?.type === "NIRNodeData") nodes.push([name, nodeDataGroup(n, gz, file, full)]);
    else throw new NirError("data.invalid", `node data must be NIRNodeData or NIRGraphData`, { file, node: full });
  }
  return { kind: "group", attrs: { __type__: "NIRGraphData" }, children: [["nodes", { kind: "group", children: nodes }]] };
}

function nodeDataGroup(d: NodeData, gz: number | null, file: string, node: string): H5WriteGroup {
  const obs: [string, H5WriteGroup][] = [];
  for (const [name, o] of Object.entries(d.observables)) obs.push([name, observableGroup(o, gz, file, node, name)]);
  return { kind: "group", attrs: { __type__: "NIRNodeData" }, children: [["observables", { kind: "group", children: obs }]] };
}

function arrayDs(t: Tensor, gz: number | null, file: string, node: string, field: string) {
  if (!isTensor(t)) throw new NirError("data.invalid", `${field} is not a tensor`, { file, node, field });
  return { kind: "dataset" as const, value: t, gzip: t.shape.length === 0 ? null : gz };
}

function observableGroup(o: Observable, gz: number | null, file: string, node: string, name: string): H5WriteGroup {
  switch (o?.type) {
    case "TimeGriddedData":
      return {
        kind: "group",
        attrs: { __type__: "TimeGriddedData", dt: o.dt },
        attrTypes: { dt: "<d" },
        children: [["data", arrayDs(o.data, gz, file, node, `${name}/data`)]],
      };
    case "EventData":
    case "ValuedEventData": {
      const children: H5WriteGroup["children"] = [
        ["idx", arrayDs(o.idx, gz, file, node, `${name}/idx`)],
        ["time", arrayDs(o.time, gz, file, node, `${name}/time`)],
      ];
      if (o.type === "ValuedEventData") children.push(["value", arrayDs(o.value, gz, file, node, `${name}/value`)]);
      return {
        kind: "group",
        attrs: { __type__: o.type, n_neurons: BigInt(Math.trunc(o.n_neurons)), t_max: o.t_max },
        attrTypes: { n_neurons: "<q", t_max: "<d" },
        children,
      };
    }
    default:
      throw new NirError("data.invalid", `unknown observable type ${(o as { type?: string } | null)?.type}`, {
        file,
        node,
        field: name,
        hint: "observables are TimeGriddedData, EventData or ValuedEventData",
      });
  }
}

/** Reads a graph data file written by `nir.write_data` or {@link writeData}. */
export async function readData(path: string): Promise<GraphData> {
  const root = await readH5(path);
  if (root.attrs.__type__ !== "NIRGraphData") {
    throw new NirError("data.invalid", `root object is not NIRGraphData (__type__ = ${JSON.stringify(root.attrs.__type__ ?? null)})`, {
      file: path,
      hint: "this is not a NIR data file (reference: ValueError: Root object is not NIRGraphData); .nir graph files are read with read()",
    });
  }
  return readGraphData(root, path, "");
}

function group(g: H5Group, name: string, file: string, node: string): H5Group {
  const c = h5Child(g, name);
  if (!c || c.kind !== "group") throw new NirError("data.invalid", `missing group ${g.path === "/" ? "" : g.path}/${name}`, { file, node: node || undefined, field: name });
  return c;
}

function readGraphData(g: H5Group, file: string, prefix: string): GraphData {
  const nodes: Record<string, NodeData | GraphData> = {};
  for (const c of group(g, "nodes", file, prefix).children) {
    const full = prefix ? `${prefix}/${c.name}` : c.name;
    if (c.kind !== "group") throw new NirError("data.invalid", `${c.path} is a dataset, expected node data`, { file, node: full });
    const t = c.attrs.__type__;
    if (t === "NIRGraphData") setOwn(nodes, c.name, readGraphData(c, file, full));
    else if (t === "NIRNodeData") setOwn(nodes, c.name, readNodeData(c, file, full));
    else throw new NirError("data.invalid", `unknown node type: ${String(t)}`, { file, node: full, hint: "node data groups have __type__ NIRNodeData or NIRGraphData" });
  }
  return NIRGraphData(nodes);
}

function tensorChild(g: H5Group, name: string, file: string, node: string, obs: string): Tensor {
  const c = h5Child(g, name) as H5Dataset | H5Group | undefined;
  if (!c || c.kind !== "dataset" || !isTensor(c.value)) {
    throw new NirError("data.invalid", `observable ${obs} has no numeric dataset ${name}`, { file, node, field: `${obs}/${name}` });
  }
  return c.value;
}

function num(v: unknown, what: string, file: string, node: string): number {
  const n = typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Array.isArray(v) && v.length === 1 ? Number(v[0]) : NaN;
  if (Number.isNaN(n)) throw new NirError("data.invalid", `attribute ${what} is missing or not a number`, { file, node, field: what });
  return n;
}

function readNodeData(g: H5Group, file: string, node: string): NodeData {
  const observables: Record<string, Observable> = {};
  for (const o of group(g, "observables", file, node).children) {
    if (o.kind !== "group") throw new NirError("data.invalid", `${o.path} is a dataset, expected an observable group`, { file, node, field: o.name });
    const t = o.attrs.__type__;
    const where = (fn: () => Observable): Observable => {
      try {
        return fn();
      } catch (e) {
        if (isNirError(e)) throw new NirError("data.invalid", e.problem, { file, node, field: `${o.name}/${e.field ?? ""}`, hint: e.hint });
        throw e;
      }
    };
    if (t === "TimeGriddedData") {
      observables[o.name] = where(() => TimeGriddedData(tensorChild(o, "data", file, node, o.name), num(o.attrs.dt, `${o.name}/dt`, file, node)));
    } else if (t === "EventData" || t === "ValuedEventData") {
      const base = {
        idx: tensorChild(o, "idx", file, node, o.name),
        time: tensorChild(o, "time", file, node, o.name),
        n_neurons: num(o.attrs.n_neurons, `${o.name}/n_neurons`, file, node),
        t_max: num(o.attrs.t_max, `${o.name}/t_max`, file, node),
      };
      observables[o.name] = where(() => (t === "EventData" ? EventData(base) : ValuedEventData({ ...base, value: tensorChild(o, "value", file, node, o.name) })));
    } else {
      throw new NirError("data.invalid", `unknown observable type: ${String(t)}`, { file, node, field: o.name, hint: "observables have __type__ TimeGriddedData, EventData or ValuedEventData" });
    }
  }
  return NIRNodeData(observables);
}
