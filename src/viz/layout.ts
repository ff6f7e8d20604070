/**
 * Layered left-to-right layout of a directed graph, computed in TS (no layout service):
 * back edges found by DFS (recurrence), longest-path layering of the rest, dummy points on long
 * edges, barycenter sweeps to reduce crossings, then pixel coordinates. Long chains are folded
 * into several bands ("snake") so a 16-layer CNN stays readable.
 */

/** A box to place: its id, size in pixels and optional group (subgraph) name. */
export interface LayoutNode {
  id: string;
  width: number;
  height: number;
  group?: string;
}

/** A directed edge between two node ids. */
export interface LayoutEdge {
  source: string;
  target: string;
}

/** Layout options (pixels). */
export interface LayoutOptions {
  /** Horizontal gap between layers. */
  layerGap?: number;
  /** Vertical gap between boxes of one layer. */
  nodeGap?: number;
  /** Fold the layers into bands of at most this many layers (default: no folding). */
  wrap?: number;
  /** Vertical gap between bands. */
  bandGap?: number;
  /** Barycenter sweeps (default 8). */
  sweeps?: number;
}

/** A placed box (x, y is the top-left corner). */
export interface PlacedNode extends LayoutNode {
  layer: number;
  order: number;
  x: number;
  y: number;
}

/** A routed edge: its polyline and whether it closes a cycle (recurrent) or is a self-loop. */
export interface RoutedEdge extends LayoutEdge {
  kind: "forward" | "back" | "self";
  points: [number, number][];
}

/** A group box around the members of a subgraph. */
export interface PlacedGroup {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  members: string[];
}

/** The finished layout. */
export interface GraphLayout {
  nodes: PlacedNode[];
  edges: RoutedEdge[];
  groups: PlacedGroup[];
  width: number;
  height: number;
  layers: number;
  /** Edge crossings between adjacent layers after ordering (forward edges, dummies included). */
  crossings: number;
}

/** Finds the edges that close cycles: DFS from the sources in node order; an edge to a node on the stack is a back edge. */
export function findBackEdges(ids: string[], edges: LayoutEdge[]): Set<number> {
  const out = new Map<string, number[]>();
  for (const id of ids) out.set(id, []);
  edges.forEach((e, k) => out.get(e.source)?.push(k));
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of edges) if (e.source !== e.target) indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
  const state = new Map<string, 0 | 1 | 2>();
  const back = new Set<number>();
  const visit = (root: string): void => {
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const outs = out.get(top.id) ?? [];
      if (top.next >= outs.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const k = outs[top.next++];
      const t = edges[k].target;
      if (t === top.id) continue;
      const s = state.get(t) ?? 0;
      if (s === 1) back.add(k);
      else if (s === 0) {
        state.set(t, 1);
        stack.push({ id: t, next: 0 });
      }
    }
  };
  for (const id of ids) if ((indeg.get(id) ?? 0) === 0 && !state.get(id)) visit(id);
  for (const id of ids) if (!state.get(id)) visit(id);
  return back;
}

/** Longest-path layering of an acyclic edge set: sources at layer 0, each node one past its deepest predecessor. */
export function longestPathLayers(ids: string[], edges: LayoutEdge[]): Map<string, number> {
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  const succ = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    succ.get(e.source)!.push(e.target);
    indeg.set(e.target, indeg.get(e.target)! + 1);
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indeg.get(id) === 0);
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const v of succ.get(u)!) {
      layer.set(v, Math.max(layer.get(v)!, layer.get(u)! + 1));
      indeg.set(v, indeg.get(v)! - 1);
      if (indeg.get(v) === 0) queue.push(v);
    }
  }
  return layer;
}

/** Crossings between two adjacent layers for edges given as (upper position, lower position) pairs. */
function crossingsBetween(pairs: [number, number][]): number {
  let c = 0;
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      const [a1, b1] = pairs[i];
      const [a2, b2] = pairs[j];
      if ((a1 - a2) * (b1 - b2) < 0) c++;
    }
  }
  return c;
}

/** Lays out the graph left to right. Node ids must be unique; edges to unknown ids are ignored. */
export function layeredLayout(nodesIn: LayoutNode[], edgesIn: LayoutEdge[], opts: LayoutOptions = {}): GraphLayout {
  const layerGap = opts.layerGap ?? 48;
  const nodeGap = opts.nodeGap ?? 26;
  const bandGap = opts.bandGap ?? 56;
  const ids = nodesIn.map((n) => n.id);
  const byId = new Map(nodesIn.map((n) => [n.id, n]));
  const edges = edgesIn.filter((e) => byId.has(e.source) && byId.has(e.target));
  const back = findBackEdges(ids, edges);
  const forward = edges.filter((e, k) => !back.has(k) && e.source !== e.target);
  const layerOf = longestPathLayers(ids, forward);
  const nLayers = Math.max(0, ...layerOf.values()) + 1;

  // Chains of dummy vertices for long forward edges.
  type V = { id: string; layer: number; dummy: boolean };
  const verts = new Map<string, V>(ids.map((id) => [id, { id, layer: layerOf.get(id)!, dummy: false }]));
  const segs: [string, string][] = [];
  const chains: string[][] = [];
  forward.forEach((e, k) => {
    const l0 = layerOf.get(e.source)!;
    const l1 = layerOf.get(e.target)!;
    const chain = [e.source];
    for (let l = l0 + 1; l < l1; l++) {
      const d = `\u0000d${k}_${l}`;
      verts.set(d, { id: d, layer: l, dummy: true });
      chain.push(d);
    }
    chain.push(e.target);
    for (let i = 0; i + 1 < chain.length; i++) segs.push([chain[i], chain[i + 1]]);
    chains.push(chain);
  });

  // Initial order: first appearance in a DFS-ish order (node order, then dummies).
  const layers: string[][] = Array.from({ length: nLayers }, () => []);
  for (const v of verts.values()) layers[v.layer].push(v.id);
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const v of verts.keys()) { preds.set(v, []); succs.set(v, []); }
  for (const [a, b] of segs) { succs.get(a)!.push(b); preds.get(b)!.push(a); }
  const groupOf = (id: string): string => byId.get(id)?.group ?? "";

  const pos = new Map<string, number>();
  const setPos = (): void => layers.forEach((L) => L.forEach((id, i) => pos.set(id, i)));
  const countAll = (): number => {
    let c = 0;
    for (let l = 0; l + 1 < nLayers; l++) {
      const pairs: [number, number][] = [];
      for (const id of layers[l]) for (const t of succs.get(id)!) pairs.push([pos.get(id)!, pos.get(t)!]);
      c += crossingsBetween(pairs);
    }
    return c;
  };
  setPos();
  let best = layers.map((L) => [...L]);
  let bestC = countAll();
  const sweeps = opts.sweeps ?? 8;
  for (let it = 0; it < sweeps && bestC > 0; it++) {
    const down = it % 2 === 0;
    const order = down ? [...Array(nLayers).keys()].slice(1) : [...Array(nLayers).keys()].reverse().slice(1);
    for (const l of order) {
      const nb = down ? preds : succs;
      const bary = new Map<string, number>();
      layers[l].forEach((id, i) => {
        const ns = nb.get(id)!;
        bary.set(id, ns.length ? ns.reduce((s, n) => s + pos.get(n)!, 0) / ns.length : i);
      });
      // Keep members of one group together: sort by (group mean barycenter, own barycenter).
      const gMean = new Map<string, number>();
      const gCount = new Map<string, number>();
      for (const id of layers[l]) {
        const g = groupOf(id);
        gMean.set(g, (gMean.get(g) ?? 0) + bary.get(id)!);
        gCount.set(g, (gCount.get(g) ?? 0) + 1);
      }
      const key = (id: string): number => {
        const g = groupOf(id);
        return g ? gMean.get(g)! / gCount.get(g)! : bary.get(id)!;
      };
      layers[l].sort((a, b) => key(a) - key(b) || bary.get(a)! - bary.get(b)!);
      layers[l].forEach((id, i) => pos.set(id, i));
    }
    const c = countAll();
    if (c < bestC) {
      bestC = c;
      best = layers.map((L) => [...L]);
    }
  }
  best.forEach((L, l) => (layers[l] = L));
  setPos();

  // Coordinates: column widths per layer, bands of `wrap` layers.
  const wrap = opts.wrap && opts.wrap > 0 ? opts.wrap : nLayers;
  const sizeOf = (id: string): { w: number; h: number } => {
    const n = byId.get(id);
    return n ? { w: n.width, h: n.height } : { w: 0, h: 12 };
  };
  const colW = layers.map((L) => Math.max(0, ...L.map((id) => sizeOf(id).w)));
  const colH = layers.map((L) => L.reduce((s, id) => s + sizeOf(id).h, 0) + Math.max(0, L.length - 1) * nodeGap);
  const nBands = Math.ceil(nLayers / wrap);
  const bandH: number[] = [];
  for (let b = 0; b < nBands; b++) bandH.push(Math.max(0, ...colH.slice(b * wrap, (b + 1) * wrap)));
  const bandTop: number[] = [];
  let yAcc = 0;
  for (let b = 0; b < nBands; b++) { bandTop.push(yAcc); yAcc += bandH[b] + bandGap; }
  const colX: number[] = [];
  for (let l = 0; l < nLayers; l++) {
    const first = l % wrap === 0;
    colX.push(first ? 0 : colX[l - 1] + colW[l - 1] + layerGap);
  }
  const centerY = new Map<string, number>();
  const cx = new Map<string, number>();
  layers.forEach((L, l) => {
    const b = Math.floor(l / wrap);
    let y = bandTop[b] + (bandH[b] - colH[l]) / 2;
    for (const id of L) {
      const { h } = sizeOf(id);
      centerY.set(id, y + h / 2);
      cx.set(id, colX[l] + colW[l] / 2);
      y += h + nodeGap;
    }
  });

  const pad = 12;
  keepOutOfGroups(nodesIn, layers, layerOf, centerY, cx, sizeOf, pad);

  const placed: PlacedNode[] = nodesIn.map((n) => ({
    ...n,
    layer: layerOf.get(n.id)!,
    order: pos.get(n.id)!,
    x: cx.get(n.id)! - n.width / 2,
    y: centerY.get(n.id)! - n.height / 2,
  }));
  const width = Math.max(0, ...placed.map((p) => p.x + p.width));
  const contentH = Math.max(0, ...placed.map((p) => p.y + p.height));

  // Routing.
  const right = (id: string): [number, number] => [cx.get(id)! + sizeOf(id).w / 2, centerY.get(id)!];
  const left = (id: string): [number, number] => [cx.get(id)! - sizeOf(id).w / 2, centerY.get(id)!];
  const routed: RoutedEdge[] = [];
  forward.forEach((e, k) => {
    const chain = chains[k];
    const pts: [number, number][] = [right(chain[0])];
    for (let i = 1; i < chain.length; i++) {
      const a = chain[i - 1];
      const bId = chain[i];
      const la = verts.get(a)!.layer;
      const lb = verts.get(bId)!.layer;
      if (Math.floor(la / wrap) !== Math.floor(lb / wrap)) {
        // Fold to the next band: out to the right, down into the band gap, back left, into the target.
        const [x0, y0] = pts[pts.length - 1];
        const gapY = bandTop[Math.floor(lb / wrap)] - bandGap / 2;
        const xr = x0 + layerGap / 2;
        const tgt = verts.get(bId)!.dummy ? [cx.get(bId)!, centerY.get(bId)!] as [number, number] : left(bId);
        pts.push([xr, y0], [xr, gapY], [tgt[0] - layerGap / 2, gapY], [tgt[0] - layerGap / 2, tgt[1]]);
      }
      if (verts.get(bId)!.dummy) pts.push([cx.get(bId)!, centerY.get(bId)!]);
      else pts.push(left(bId));
    }
    routed.push({ ...e, kind: "forward", points: pts });
  });
  let lane = 0;
  edges.forEach((e, k) => {
    if (e.source === e.target) {
      const n = placed.find((p) => p.id === e.source)!;
      const x0 = n.x + n.width * 0.65;
      const x1 = n.x + n.width * 0.35;
      const top = n.y - 16;
      routed.push({ ...e, kind: "self", points: [[x0, n.y], [x0, top], [x1, top], [x1, n.y]] });
    } else if (back.has(k)) {
      routed.push({ ...e, kind: "back", points: routeBackEdge(placed.find((p) => p.id === e.source)!, placed.find((p) => p.id === e.target)!, placed, nodesIn, pad, layerGap, lane++) });
    }
  });
  const routedH = Math.max(contentH, ...routed.flatMap((r) => r.points.map((p) => p[1])));
  const routedW = Math.max(width, ...routed.flatMap((r) => r.points.map((p) => p[0])));

  // Groups: bounding boxes of their members.
  const groups: PlacedGroup[] = [];
  const members = new Map<string, string[]>();
  for (const n of nodesIn) if (n.group) members.set(n.group, [...(members.get(n.group) ?? []), n.id]);
  for (const [g, ms] of members) {
    const ps = placed.filter((p) => ms.includes(p.id));
    const x0 = Math.min(...ps.map((p) => p.x)) - pad;
    const y0 = Math.min(...ps.map((p) => p.y)) - pad - 12;
    const x1 = Math.max(...ps.map((p) => p.x + p.width)) + pad;
    const y1 = Math.max(...ps.map((p) => p.y + p.height)) + pad;
    groups.push({ id: g, x: x0, y: y0, width: x1 - x0, height: y1 - y0, members: ms });
  }
  // Shift everything so the minimum coordinate is 0.
  const minX = Math.min(0, ...groups.map((g) => g.x), ...routed.flatMap((r) => r.points.map((p) => p[0])));
  const minY = Math.min(0, ...groups.map((g) => g.y), ...routed.flatMap((r) => r.points.map((p) => p[1])));
  const dx = -minX;
  const dy = -minY;
  for (const p of placed) { p.x += dx; p.y += dy; }
  for (const r of routed) r.points = r.points.map(([x, y]) => [x + dx, y + dy] as [number, number]);
  for (const g of groups) { g.x += dx; g.y += dy; }
  const maxX = Math.max(routedW + dx, ...groups.map((g) => g.x + g.width));
  const maxY = Math.max(routedH + dy, ...groups.map((g) => g.y + g.height));
  return { nodes: placed, edges: routed, groups, width: maxX, height: maxY, layers: nLayers, crossings: bestC };
}

/** The box a group is drawn as (its members' bounding box plus `pad`, and a title line on top). */
function groupBox(boxes: { x: number; y: number; width: number; height: number }[], pad: number): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.min(...boxes.map((b) => b.x)) - pad,
    y0: Math.min(...boxes.map((b) => b.y)) - pad - 12,
    x1: Math.max(...boxes.map((b) => b.x + b.width)) + pad,
    y1: Math.max(...boxes.map((b) => b.y + b.height)) + pad,
  };
}

/**
 * Moves boxes that are not members of a group out of that group's box (a dashed subgraph box must
 * not seem to contain an unrelated node): a box above the group's middle moves up together with
 * the boxes above it in its column, one below moves down with those below it.
 */
function keepOutOfGroups(
  nodesIn: LayoutNode[], layers: string[][], layerOf: Map<string, number>, centerY: Map<string, number>, cx: Map<string, number>,
  sizeOf: (id: string) => { w: number; h: number }, pad: number,
): void {
  const groups = [...new Set(nodesIn.flatMap((n) => (n.group ? [n.group] : [])))];
  const box = (id: string) => ({ x: cx.get(id)! - sizeOf(id).w / 2, y: centerY.get(id)! - sizeOf(id).h / 2, width: sizeOf(id).w, height: sizeOf(id).h });
  const margin = 8;
  for (const g of groups) {
    const inside = (n: LayoutNode) => n.group === g || (n.group ?? "").startsWith(g + ".");
    const members = nodesIn.filter(inside).map((n) => n.id);
    const b = groupBox(members.map(box), pad);
    const mid = (b.y0 + b.y1) / 2;
    for (const n of nodesIn) {
      if (inside(n)) continue;
      const r = box(n.id);
      if (r.x + r.width <= b.x0 || r.x >= b.x1 || r.y + r.height <= b.y0 - margin || r.y >= b.y1 + margin) continue;
      const col = layers[layerOf.get(n.id)!];
      const at = col.indexOf(n.id);
      const up = r.y + r.height / 2 < mid;
      const dy = up ? b.y0 - margin - (r.y + r.height) : b.y1 + margin - r.y;
      for (let i = 0; i < col.length; i++) if (up ? i <= at : i >= at) centerY.set(col[i], centerY.get(col[i])! + dy);
    }
  }
}

/**
 * A recurrent edge as a polyline under every box and group box between its ends, in its own
 * lane. It leaves the source through its bottom (or, when another box sits below the source,
 * through the column gap on its right) and enters the target the same way from below or left.
 */
function routeBackEdge(s: PlacedNode, t: PlacedNode, placed: PlacedNode[], nodesIn: LayoutNode[], pad: number, layerGap: number, lane: number): [number, number][] {
  const lo = Math.min(s.x, t.x), hi = Math.max(s.x + s.width, t.x + t.width);
  const spans = placed.filter((p) => p.x < hi && p.x + p.width > lo).map((p) => p.y + p.height);
  for (const g of new Set(nodesIn.flatMap((n) => (n.group ? [n.group] : [])))) {
    const members = placed.filter((p) => p.group === g || (p.group ?? "").startsWith(g + "."));
    const b = groupBox(members, pad);
    if (b.x0 < hi && b.x1 > lo) spans.push(b.y1);
  }
  const low = Math.max(...spans) + 14 + 10 * lane;
  const below = (n: PlacedNode) => placed.some((p) => p !== n && p.layer === n.layer && p.y > n.y && p.x < n.x + n.width && p.x + p.width > n.x);
  const out: [number, number][] = below(s)
    ? [[s.x + s.width, s.y + s.height / 2], [s.x + s.width + layerGap / 2, s.y + s.height / 2], [s.x + s.width + layerGap / 2, low]]
    : [[s.x + s.width / 2, s.y + s.height], [s.x + s.width / 2, low]];
  const into: [number, number][] = below(t)
    ? [[t.x - layerGap / 2, low], [t.x - layerGap / 2, t.y + t.height / 2], [t.x, t.y + t.height / 2]]
    : [[t.x + t.width / 2, low], [t.x + t.width / 2, t.y + t.height]];
  return [...out, ...into];
}
