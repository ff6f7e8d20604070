/**
 * One colour per simulator profile, so a platform looks the same in every chart (traces, bars,
 * heatmap labels). Keys are the sim profile names; a few extra chips of the paper are included.
 */

/** Colour per platform profile name (Tableau-10 based, colour-blind friendly order). */
export const PLATFORM_COLORS: Readonly<Record<string, string>> = Object.freeze({
  exact: "#000000",
  norse: "#4c78a8",
  snntorch: "#f58518",
  sinabs: "#e45756",
  spyx: "#72b7b2",
  rockpool: "#54a24b",
  nengo: "#eeca3b",
  "lava-float": "#b279a2",
  spinnaker2: "#ff9da6",
  loihi2: "#9d755d",
  speck: "#bab0ac",
  xylo: "#17becf",
});

/** Display names of the platforms, as the paper writes them. */
export const PLATFORM_LABELS: Readonly<Record<string, string>> = Object.freeze({
  exact: "Exact",
  norse: "Norse",
  snntorch: "snnTorch",
  sinabs: "Sinabs",
  spyx: "Spyx",
  rockpool: "Rockpool",
  nengo: "Nengo",
  "lava-float": "Lava CPU float",
  spinnaker2: "SpiNNaker2",
  loihi2: "Loihi 2",
  speck: "Speck",
  xylo: "Xylo",
});

const ALIASES: Record<string, string> = {
  lava: "lava-float",
  lavafloat: "lava-float",
  lavacpufloat: "lava-float",
  lavacpufixed: "loihi2",
  lavaloihifixed: "loihi2",
  loihi: "loihi2",
  loihi2: "loihi2",
  s2: "spinnaker2",
  s2brian2: "spinnaker2",
  spinnaker: "spinnaker2",
};

/** The profile key for a platform name in any spelling ("Lava CPU float", "lava_cpu_float", "S2"). */
export function platformKey(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(PLATFORM_COLORS, lower)) return lower;
  const squashed = lower.replace(/[^a-z0-9]/g, "");
  if (Object.hasOwn(ALIASES, squashed)) return ALIASES[squashed];
  for (const k of Object.keys(PLATFORM_COLORS)) if (k.replace(/[^a-z0-9]/g, "") === squashed) return k;
  return undefined;
}

const FALLBACK = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];

/** The colour of a platform (by any spelling); unknown names get a stable fallback colour. */
export function platformColor(name: string, index = 0): string {
  const key = platformKey(name);
  return key ? PLATFORM_COLORS[key] : FALLBACK[index % FALLBACK.length];
}

/** The paper's display name of a platform, or the name itself when unknown. */
export function platformLabel(name: string): string {
  const key = platformKey(name);
  return key ? PLATFORM_LABELS[key] : name;
}
