"""Reads a .nir file the way the Python `nir` package's `nir.read` does and prints what it found.

Usage: python3 nir_read_check.py FILE.nir

With the real package importable (`import nir`, e.g. PYTHONPATH pointing at a checkout of
neuromorphs/NIR), the file goes through `nir.read(FILE, type_check=True)` itself. Without it,
h5py reads the file and this script applies the rules `nir.read` applies (NIR spec §3.3): the
root group `node` is a NIRGraph, every node group has a known `type`, exactly the datasets that
type's constructor takes (an unknown one is fatal in `nir.read`), the same-shape assertions of
the neuron types, weights of at least two dimensions, and the graph type check (each edge's
source output shape equals its target's input shape, with Conv2d, pooling and Flatten shapes
inferred from their inputs). Any violation exits with status 1 and the reason on stderr.

Prints JSON: {"reader": "nir <version>" | "h5py <version>", "graph": GRAPH}, where GRAPH is
{"type": "NIRGraph", "edges": [[src, dst], ...], "nodes": {name: NODE}} and NODE is
{"type": T, "fields": {field: {"shape": [...], "dtype": "float32" | ...}}} (a nested graph is a
GRAPH). Input and Output report their shape as the field "shape".
"""
import json
import math
import sys

import h5py
import numpy as np

# datasets each type's constructor takes: (required, optional); nir.read fails on any other
FIELDS = {
    "Input": ({"shape"}, set()),
    "Output": ({"shape"}, set()),
    "Affine": ({"weight", "bias"}, set()),
    "Linear": ({"weight"}, set()),
    "Scale": ({"scale"}, set()),
    "Delay": ({"delay"}, set()),
    "Threshold": ({"threshold"}, set()),
    "I": ({"r"}, set()),
    "IF": ({"r", "v_threshold"}, {"v_reset"}),
    "LI": ({"tau", "r", "v_leak"}, set()),
    "LIF": ({"tau", "r", "v_leak", "v_threshold"}, {"v_reset"}),
    "CubaLI": ({"tau_syn", "tau_mem", "r", "v_leak"}, {"w_in"}),
    "CubaLIF": ({"tau_syn", "tau_mem", "r", "v_leak", "v_threshold"}, {"v_reset", "w_in"}),
    "Conv1d": ({"input_shape", "weight", "stride", "padding", "dilation", "groups", "bias"}, set()),
    "Conv2d": ({"input_shape", "weight", "stride", "padding", "dilation", "groups", "bias"}, set()),
    "SumPool2d": ({"kernel_size", "stride", "padding"}, set()),
    "AvgPool2d": ({"kernel_size", "stride", "padding"}, set()),
    "Flatten": ({"start_dim", "end_dim"}, {"input_type"}),
}

# fields the reference constructors assert to have one shape
SAME_SHAPE = {
    "LI": ["tau", "r", "v_leak"],
    "LIF": ["tau", "r", "v_leak", "v_threshold", "v_reset"],
    "IF": ["r", "v_threshold", "v_reset"],
    "CubaLI": ["tau_syn", "tau_mem", "r", "v_leak"],
    "CubaLIF": ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset"],
}

# the field whose shape is a neuron-like node's input and output type
TYPE_FIELD = {"Scale": "scale", "Delay": "delay", "Threshold": "threshold", "I": "r", "IF": "r", "LI": "r",
              "LIF": "r", "CubaLI": "v_leak", "CubaLIF": "v_threshold"}


class Invalid(Exception):
    pass


def text(v):
    return v.decode("utf8") if isinstance(v, bytes) else v


def field_info(value):
    a = np.asarray(value)
    return {"shape": list(a.shape), "dtype": str(a.dtype)}


def read_h5_group(group, path):
    """The group as {type, fields (name -> ndarray)} or a nested graph; checks the field set."""
    if "type" not in group:
        raise Invalid(f"{path}: no 'type' dataset")
    kind = text(group["type"][()])
    if kind == "NIRGraph":
        if "nodes" not in group or "edges" not in group:
            raise Invalid(f"{path}: a NIRGraph needs 'nodes' and 'edges'")
        edges = group["edges"][()]
        edge_list = [[text(a), text(b)] for a, b in edges] if edges.size else []
        nodes = {text(k): read_h5_group(v, f"{path}/nodes/{k}") for k, v in group["nodes"].items()}
        return {"type": "NIRGraph", "nodes": nodes, "edges": edge_list}
    if kind not in FIELDS:
        raise Invalid(f"{path}: unknown type {kind!r}")
    required, optional = FIELDS[kind]
    names = {k for k in group.keys() if k not in ("type", "metadata")}
    if required - names:
        raise Invalid(f"{path} ({kind}): missing {sorted(required - names)}")
    if names - required - optional:
        raise Invalid(f"{path} ({kind}): unknown fields {sorted(names - required - optional)} (nir.read raises TypeError)")
    fields = {k: group[k][()] for k in names}
    for k, v in fields.items():
        if isinstance(v, np.ndarray) and v.dtype.kind in "fc" and not np.all(np.isfinite(v)):
            raise Invalid(f"{path} ({kind}): field {k} holds NaN or Inf")
    return {"type": kind, "fields": fields}


def check_node(name, node):
    kind, f = node["type"], node["fields"]
    group = SAME_SHAPE.get(kind)
    if group:
        shapes = {k: np.asarray(f[k]).shape for k in group if k in f}
        if len(set(shapes.values())) > 1:
            raise Invalid(f"{name} ({kind}): parameters differ in shape {shapes}")
    if kind in ("Affine", "Linear") and np.asarray(f["weight"]).ndim < 2:
        raise Invalid(f"{name} ({kind}): weight must be at least 2-D")


def conv_out(size, kernel, stride, padding, dilation):
    if isinstance(padding, (str, bytes)):
        padding = text(padding)
        if padding == "same":
            return list(size)
        padding = 0
    out = []
    for i, n in enumerate(size):
        pick = lambda v: int(np.asarray(v).reshape(-1)[i] if np.asarray(v).size > 1 else np.asarray(v).reshape(-1)[0])
        out.append(math.floor((n + 2 * pick(padding) - pick(dilation) * (kernel - 1) - 1) / pick(stride) + 1))
    return out


def known_types(node):
    """(input, output) shapes a node fixes by itself; None where it needs its input."""
    kind, f = node["type"], node.get("fields", {})
    if kind == "Input":
        s = list(np.asarray(f["shape"]).reshape(-1))
        return s, s
    if kind == "Output":
        s = list(np.asarray(f["shape"]).reshape(-1))
        return s, s
    if kind in ("Affine", "Linear"):
        w = np.asarray(f["weight"]).shape
        return list(w[:-2]) + [w[-1]], list(w[:-2]) + [w[-2]]
    if kind in TYPE_FIELD:
        s = list(np.asarray(f[TYPE_FIELD[kind]]).shape)
        return s, s
    if kind == "Conv2d":
        w = np.asarray(f["weight"]).shape
        size = [int(x) for x in np.asarray(f["input_shape"]).reshape(-1)]
        return [w[1]] + size, [w[0]] + conv_out(size, w[2], f["stride"], f["padding"], f["dilation"])
    if kind == "Conv1d":
        w = np.asarray(f["weight"]).shape
        n = int(np.asarray(f["input_shape"]))
        return [w[1], n], [w[0]] + conv_out([n], w[2], f["stride"], f["padding"], f["dilation"])
    if kind == "Flatten" and "input_type" in f:
        return list(np.asarray(f["input_type"]).reshape(-1)), None
    return None, None


def derived_output(node, inp):
    kind, f = node["type"], node["fields"]
    if kind in ("SumPool2d", "AvgPool2d"):
        k = np.asarray(f["kernel_size"]).reshape(-1)
        return [inp[0]] + conv_out(inp[1:], int(k[0]), f["stride"], f["padding"], 1)
    if kind == "Flatten":
        start, end = int(f["start_dim"]), int(f["end_dim"])
        start = start + len(inp) if start < 0 else start
        end = len(inp) - 1 if end == -1 else (end + len(inp) if end < 0 else end)
        return list(inp[:start]) + [int(np.prod(inp[start:end + 1]))] + list(inp[end + 1:])
    return inp


def type_check(graph, path="node"):
    """Propagates shapes from the Input nodes and compares both ends of every edge."""
    types = {}
    for name, node in graph["nodes"].items():
        if node["type"] == "NIRGraph":
            type_check(node, f"{path}.{name}")
            inner_in = [n for n in node["nodes"].values() if n["type"] == "Input"]
            inner_out = [n for n in node["nodes"].values() if n["type"] == "Output"]
            types[name] = [known_types(inner_in[0])[0] if inner_in else None, known_types(inner_out[0])[1] if inner_out else None]
        else:
            check_node(f"{path}.{name}", node)
            types[name] = list(known_types(node))
    for a, b in graph["edges"]:
        if a not in graph["nodes"] or b not in graph["nodes"]:
            raise Invalid(f"{path}: edge {a} -> {b} names a node that does not exist")
    for _ in range(len(graph["nodes"]) + 1):
        for a, b in graph["edges"]:
            if types[a][1] is not None and types[b][0] is None:
                types[b][0] = types[a][1]
            if types[b][0] is not None and types[b][1] is None:
                types[b][1] = derived_output(graph["nodes"][b], types[b][0])
    for a, b in graph["edges"]:
        out, inp = types[a][1], types[b][0]
        if out is None or inp is None:
            raise Invalid(f"{path}: cannot infer the type across edge {a} -> {b}")
        if [int(x) for x in out] != [int(x) for x in inp]:
            raise Invalid(f"{path}: type mismatch: {a}.output: {out} -> {b}.input: {inp}")


def report_h5(graph):
    if graph["type"] == "NIRGraph":
        return {"type": "NIRGraph", "edges": graph["edges"], "nodes": {k: report_h5(v) for k, v in graph["nodes"].items()}}
    return {"type": graph["type"], "fields": {k: field_info(v) for k, v in graph["fields"].items()}}


def read_with_h5py(path):
    with h5py.File(path, "r") as f:
        if "node" not in f:
            raise Invalid("no root group 'node'")
        if "version" in f:
            text(f["version"][()])
        root = read_h5_group(f["node"], "node")
    if root["type"] != "NIRGraph":
        raise Invalid(f"the root node is a {root['type']}, nir.read needs a NIRGraph")
    type_check(root)
    return report_h5(root)


def report_nir(node, nir):
    if isinstance(node, nir.NIRGraph):
        return {"type": "NIRGraph", "edges": [list(e) for e in node.edges], "nodes": {k: report_nir(v, nir) for k, v in node.nodes.items()}}
    kind = type(node).__name__
    if kind in ("Input", "Output"):
        key = "input" if kind == "Input" else "output"
        t = node.input_type if kind == "Input" else node.output_type
        return {"type": kind, "fields": {"shape": field_info(t[key])}}
    fields = {}
    for k, v in vars(node).items():
        if k in ("input_type", "output_type", "metadata") or v is None:
            continue
        fields[k] = field_info(v)
    if kind == "Flatten":
        fields["input_type"] = field_info(node.input_type["input"])
    return {"type": kind, "fields": fields}


def main():
    path = sys.argv[1]
    try:
        import nir  # noqa: F401  (the real reader, when available)
    except ImportError:
        nir = None
    try:
        if nir is not None:
            graph = nir.read(path)
            version = getattr(nir, "__version__", None) or "from source"
            out = {"reader": f"nir.read (nir {version}, {nir.__file__})", "graph": report_nir(graph, nir)}
        else:
            out = {"reader": f"h5py {h5py.__version__}", "graph": read_with_h5py(path)}
    except Invalid as e:
        print(f"{path}: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
