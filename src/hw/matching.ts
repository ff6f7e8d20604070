/**
 * Maximum bipartite matching (augmenting paths, Kuhn's algorithm): assigns layers to cores
 * where `allowed[layer]` lists the cores that layer fits. Tries cores in the listed order, so
 * callers control the preference (Speck: smallest fitting core first).
 */

/** Result: `match[layer]` = core index or -1, and the number of matched layers. */
export interface Matching {
  match: number[];
  size: number;
}

/** Finds a maximum matching of `allowed.length` layers onto `nCores` cores. */
export function maxBipartiteMatching(allowed: number[][], nCores: number): Matching {
  const coreOwner = new Array<number>(nCores).fill(-1);
  const tryLayer = (layer: number, seen: boolean[]): boolean => {
    for (const core of allowed[layer]) {
      if (seen[core]) continue;
      seen[core] = true;
      if (coreOwner[core] < 0 || tryLayer(coreOwner[core], seen)) {
        coreOwner[core] = layer;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let l = 0; l < allowed.length; l++) if (tryLayer(l, new Array<boolean>(nCores).fill(false))) size++;
  const match = new Array<number>(allowed.length).fill(-1);
  coreOwner.forEach((l, c) => {
    if (l >= 0) match[l] = c;
  });
  return { match, size };
}
