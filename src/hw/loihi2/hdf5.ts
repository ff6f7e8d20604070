/**
 * Writes a Loihi 2 config as a lava-dl netx HDF5 file (`layer/0..n-1`, each with `type`,
 * `shape`, and for dense layers `inFeatures`, `outFeatures`, `weight`, `neuron/{type, iDecay,
 * vDecay, vThMant, refDelay, gradedSpike}`; conv layers with `inChannels`, `outChannels`, `kernelSize`,
 * `stride`, `padding`, `dilation`, `groups`, `weight`, `neuron`; flatten layers with type and shape)
 * through nirkit's HDF5 writer.
 */
import { tensor } from "../../ir/tensor.js";
import { writeH5, type H5WriteDataset, type H5WriteGroup } from "../../io/h5.js";
import { flatNumbers } from "../graph.js";
import type { Loihi2Config } from "./export.js";

const num = (x: number, dtype: "int64" | "float64" = "int64"): H5WriteDataset => ({ kind: "dataset", value: tensor([x], dtype, []) });
const str = (s: string): H5WriteDataset => ({ kind: "dataset", value: s });

/** The HDF5 tree of a netx network for `config`. */
export function netxTree(config: Loihi2Config): H5WriteGroup {
  const layers: [string, H5WriteGroup][] = config.layer.map((l, i) => {
    const children: [string, H5WriteGroup | H5WriteDataset][] = [
      ["type", str(l.type)],
      ["shape", { kind: "dataset", value: tensor(l.shape, "int64") }],
    ];
    if (l.type === "conv" && l.weight) {
      const pairOf = (v: [number, number] | undefined): H5WriteDataset => ({ kind: "dataset", value: tensor(v ?? [1, 1], "int64") });
      const k = l.kernelSize ?? [1, 1];
      children.push(["inChannels", num(l.inChannels ?? 0)], ["outChannels", num(l.outChannels ?? 0)], ["kernelSize", pairOf(l.kernelSize)], ["stride", pairOf(l.stride)]);
      children.push(["padding", pairOf(l.padding ?? [0, 0])], ["dilation", pairOf(l.dilation)], ["groups", num(l.groups ?? 1)]);
      children.push(["weight", { kind: "dataset", value: tensor(flatNumbers(l.weight), "float32", [l.outChannels ?? 0, (l.inChannels ?? 0) / (l.groups ?? 1), k[0], k[1]]) }]);
    }
    if (l.type === "dense" && l.weight) {
      children.push(["inFeatures", num(l.inFeatures ?? 0)], ["outFeatures", num(l.outFeatures ?? 0)]);
      children.push(["weight", { kind: "dataset", value: tensor(flatNumbers(l.weight), "float32", [l.outFeatures ?? 0, l.inFeatures ?? 0]) }]);
    }
    if ((l.type === "dense" || l.type === "conv") && l.weight && l.neuron) {
      if (l.weightExponent) children.push(["weightExponent", num(l.weightExponent)]);
      const n = l.neuron;
      children.push(["neuron", {
        kind: "group",
        children: [
          ["type", str(n.type)], ["iDecay", num(n.iDecay)], ["vDecay", num(n.vDecay)], ["vThMant", num(n.vThMant)],
          ["refDelay", num(n.refDelay)], ["gradedSpike", num(n.gradedSpike ? 1 : 0)],
        ],
      }]);
    }
    return [String(i), { kind: "group", children }];
  });
  return { kind: "group", children: [["layer", { kind: "group", children: layers }]], attrs: { nirkit_format: config.format, dt: config.dt } };
}

/** Writes the netx HDF5 file for `config` at `path`. */
export async function writeNetxHdf5(path: string, config: Loihi2Config): Promise<void> {
  await writeH5(path, netxTree(config));
}
