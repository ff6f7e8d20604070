/**
 * The explorer in the page (the entry of the browser bundle, scripts/bundle.mjs): finds every
 * `[data-nirkit-explorer]` element not yet mounted, reads its JSON config, builds the controls
 * and re-simulates and redraws on each change, in the page, with nirkit's own simulator and its
 * generated WebAssembly. The classic Notebook may run the script before the output is in the
 * page, so it looks again for a few seconds.
 */
import { PROFILES, profileNames, type ProfileName } from "../../sim/profiles.js";
import { settingCode, numText } from "./code.js";
import { PIN_COLORS, runSvg, runSummary, type PinnedRun } from "./draw.js";
import { graphFromJson, runSetting, TIME_FIELDS, type ExploreConfig, type ExploreRun, type ExploreSettings, type InputKind } from "./model.js";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Slider range around a value: [v/20, 4v] for positive values, symmetric for negative, [-1, 1] for 0. */
function sliderRange(v: number, time: boolean): [number, number] {
  if (v > 0) return [time ? v / 20 : 0, v * 4];
  if (v < 0) return [v * 4, -v * 4];
  return [-1, 1];
}

/** One labelled number box with a slider; `key` names the state entry it edits. */
function control(key: string, label: string, value: number, range: [number, number]): string {
  const step = Number(((range[1] - range[0]) / 400).toPrecision(3));
  return `<label class="nx-ctl"><span>${esc(label)}</span><input type="number" step="any" data-key="${key}" value="${Number(value.toPrecision(6))}">` +
    `<input type="range" data-range="${key}" min="${numText(range[0])}" max="${numText(range[1])}" step="${step}" value="${numText(value)}"></label>`;
}

function select(key: string, label: string, options: [string, string][], value: string): string {
  return `<label class="nx-ctl"><span>${esc(label)}</span><select data-key="${key}">${options.map(([v, l]) => `<option value="${esc(v)}"${v === value ? " selected" : ""}>${esc(l)}</option>`).join("")}</select></label>`;
}

/** The controls' HTML for config `cfg` in setting `s`. */
function controlsHtml(cfg: ExploreConfig, s: ExploreSettings): string {
  const params = cfg.params.map((p, k) => {
    const time = TIME_FIELDS.has(p.field), f = time ? 1000 : 1;
    return control(`p${k}`, `${p.node} ${p.field}${time ? " [ms]" : ""}`, s.values[k] * f, sliderRange(p.value * f, time));
  }).join("");
  const scales = cfg.scales.map((p, k) => control(`s${k}`, `${p.node} ${p.field} ×`, s.scales[k], [0, 2])).join("");
  const i = s.input;
  return `<div class="nx-group"><b>neurons</b>${params}${scales}</div>` +
    `<div class="nx-group"><b>simulation</b>${control("dt", "dt [ms]", s.dt * 1000, [s.dt * 100, s.dt * 4000])}` +
    select("profile", "profile", profileNames().map((n) => [n, PROFILES[n].label]), s.profile) +
    select("reset", "reset", [["profile", "the profile's own"], ["zero", "to zero"], ["subtract", "subtract threshold"]], s.reset) + `</div>` +
    `<div class="nx-group"><b>input</b>${select("kind", "input", [["current", "constant current"], ["poisson", "Poisson spikes"], ["regular", "regular spike train"], ["spikes", "spikes (click the input strip)"]], i.kind)}` +
    control("amplitude", "amplitude", i.amplitude, sliderRange(i.amplitude || 1, false)) +
    control("rate", "rate [Hz]", i.rate, [0, Math.max(500, i.rate * 4)]) + control("seed", "seed", i.seed, [0, 100]) + `</div>` +
    `<div class="nx-buttons"><button data-act="pin">pin this run</button><button data-act="unpin">clear pins</button><button data-act="code">copy as code</button><button data-act="reset-all">defaults</button></div>`;
}

const STYLE = `.nirkit-explorer{font:12px sans-serif}.nirkit-explorer .nx-group{display:inline-block;vertical-align:top;margin:0 12px 6px 0}` +
  `.nirkit-explorer .nx-ctl{display:block;margin:2px 0}.nirkit-explorer .nx-ctl span{display:inline-block;min-width:150px}` +
  `.nirkit-explorer input[type=number]{width:80px}.nirkit-explorer input[type=range]{width:120px;vertical-align:middle}` +
  `.nirkit-explorer .nx-bad{outline:2px solid #d62728}.nirkit-explorer textarea{width:100%;font:11px monospace}`;

/** A mounted explorer: its state and the timing of each redraw (ms, simulate + draw). */
interface Mounted {
  cfg: ExploreConfig;
  state: ExploreSettings;
  pins: PinnedRun[];
  timings: number[];
  last: ExploreRun | null;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** Builds the explorer inside `el` from `cfg` and draws the default setting. */
export function mount(el: HTMLElement, cfg: ExploreConfig): Mounted {
  const graph = graphFromJson(cfg.graph);
  const m: Mounted = { cfg, state: clone(cfg.defaults), pins: [], timings: [], last: null };
  el.innerHTML = `<style>${STYLE}</style><div class="nx-title"><b>${esc(cfg.title)}</b></div><div class="nx-controls"></div>` +
    `<div class="nx-summary" data-role="summary"></div><div data-role="plot"></div><div data-role="pins"></div><textarea data-role="code" rows="7" readonly hidden></textarea>`;
  const q = <T extends Element>(sel: string): T => el.querySelector(sel) as T;
  const renderControls = (): void => { q<HTMLElement>(".nx-controls").innerHTML = controlsHtml(cfg, m.state); };
  const redraw = (): void => {
    const t0 = performance.now();
    try {
      const run = runSetting(graph, cfg, m.state);
      m.last = run;
      q<HTMLElement>("[data-role=plot]").innerHTML = runSvg(run, m.pins, { duration: cfg.duration, channels: cfg.channels, current: m.state.input.kind === "current", labels: cfg.labels });
      const sum = runSummary(run);
      const ms = performance.now() - t0;
      m.timings.push(ms);
      el.dataset.redrawMs = ms.toFixed(2);
      q<HTMLElement>("[data-role=summary]").innerHTML = `output spikes at <span data-role="spike-count">${sum.count}</span> steps: <span data-role="spike-steps">${shortList(sum.steps) || "none"}</span>` +
        (sum.predicted !== null ? ` · predicted: <b data-role="predicted">${esc(sum.predicted)}</b>` : "") + ` · <span style="color:#777">redrawn in ${ms.toFixed(1)} ms</span>`;
    } catch (e) {
      q<HTMLElement>("[data-role=summary]").innerHTML = `<span style="color:#d62728" data-role="error">${esc((e as Error).message)}</span>`;
    }
    if (!q<HTMLTextAreaElement>("[data-role=code]").hidden) q<HTMLTextAreaElement>("[data-role=code]").value = settingCode(cfg, m.state);
  };
  const set = (key: string, raw: string): boolean => {
    const s = m.state, v = Number(raw);
    if (key === "profile") s.profile = raw as ProfileName;
    else if (key === "reset") s.reset = raw as ExploreSettings["reset"];
    else if (key === "kind") s.input.kind = raw as InputKind;
    else if (!Number.isFinite(v) || raw.trim() === "") return false;
    else if (key === "dt") { if (v <= 0) return false; s.dt = Number((v / 1000).toPrecision(12)); }
    else if (key === "amplitude") s.input.amplitude = v;
    else if (key === "rate") { if (v < 0) return false; s.input.rate = v; }
    else if (key === "seed") s.input.seed = Math.trunc(v);
    else if (key[0] === "p") { const k = Number(key.slice(1)); s.values[k] = TIME_FIELDS.has(cfg.params[k].field) ? Number((v / 1000).toPrecision(12)) : v; }
    else if (key[0] === "s") s.scales[Number(key.slice(1))] = v;
    return true;
  };
  el.addEventListener("input", (ev) => {
    const t = ev.target as HTMLInputElement;
    const key = t.dataset.key ?? t.dataset.range;
    if (!key) return;
    const twin = el.querySelector(t.dataset.key ? `[data-range="${key}"]` : `[data-key="${key}"]`) as HTMLInputElement | null;
    const ok = set(key, t.value);
    t.classList.toggle("nx-bad", !ok);
    if (!ok) return;
    if (twin) twin.value = t.value;
    redraw();
  });
  el.addEventListener("change", (ev) => {
    const t = ev.target as HTMLSelectElement;
    if (t.tagName === "SELECT" && t.dataset.key && set(t.dataset.key, t.value)) redraw();
  });
  el.addEventListener("click", (ev) => {
    const t = ev.target as HTMLElement;
    const act = t.closest("button")?.dataset.act;
    if (act) return button(act);
    const strip = t.closest("svg")?.querySelector(".nx-input") as SVGGElement | null;
    if (strip && t.closest(".nx-input")) toggleSpike(ev as MouseEvent, strip);
  });
  const button = (act: string): void => {
    if (act === "pin" && m.last) m.pins.push({ label: describe(cfg, m.state, m.pins.length), run: m.last });
    if (act === "unpin") m.pins = [];
    if (act === "reset-all") {
      m.state = clone(cfg.defaults);
      renderControls();
    }
    if (act === "code") {
      const box = q<HTMLTextAreaElement>("[data-role=code]");
      box.hidden = false;
      box.value = settingCode(cfg, m.state);
      box.select();
      navigator.clipboard?.writeText(box.value).catch(() => undefined);
    }
    q<HTMLElement>("[data-role=pins]").innerHTML = m.pins.map((p, j) => `<div><span style="color:${PIN_COLORS[j % PIN_COLORS.length]}">━━</span> pinned ${j + 1}: ${esc(p.label)} · ${p.run.spikeSteps.length} spike steps</div>`).join("");
    redraw();
  };
  const toggleSpike = (ev: MouseEvent, strip: SVGGElement): void => {
    const svg = strip.ownerSVGElement!, box = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal, x = ((ev.clientX - box.left) / box.width) * vb.width, y = ((ev.clientY - box.top) / box.height) * vb.height;
    const c = Math.floor(y / Number(strip.dataset.rowHeight));
    const dt = m.state.dt, step = Math.round((((x - 64) / 560) * cfg.duration) / dt);
    if (c < 0 || c >= cfg.channels || step < 0 || step * dt >= cfg.duration) return;
    const input = m.state.input;
    if (input.kind !== "spikes" && m.last) {
      input.times = Array.from({ length: cfg.channels }, () => [] as number[]);
      if (input.kind !== "current") for (let t = 0; t < m.last.steps; t++) for (let k = 0; k < cfg.channels; k++) if (m.last.input[t * cfg.channels + k] !== 0) input.times[k].push(t * dt);
      input.kind = "spikes";
      (el.querySelector('[data-key="kind"]') as HTMLSelectElement).value = "spikes";
    }
    while (input.times.length < cfg.channels) input.times.push([]);
    const at = input.times[c].findIndex((t) => Math.round(t / dt) === step);
    if (at >= 0) input.times[c].splice(at, 1);
    else input.times[c].push(step * dt);
    redraw();
  };
  renderControls();
  redraw();
  el.dataset.mounted = "1";
  return m;
}

/** A comma list cut after 60 entries ("…, N more"). */
function shortList(steps: string): string {
  const parts = steps ? steps.split(", ") : [];
  return parts.length <= 60 ? steps : `${parts.slice(0, 60).join(", ")}, … ${parts.length - 60} more`;
}

/** A short label of a setting for the pin list (what differs from the defaults). */
function describe(cfg: ExploreConfig, s: ExploreSettings, j: number): string {
  const d = cfg.defaults, parts: string[] = [`${s.profile}`, `dt ${numText(s.dt * 1000)} ms`];
  cfg.params.forEach((p, k) => { if (s.values[k] !== d.values[k]) parts.push(`${p.field} ${numText(TIME_FIELDS.has(p.field) ? s.values[k] * 1000 : s.values[k])}`); });
  cfg.scales.forEach((p, k) => { if (s.scales[k] !== 1) parts.push(`${p.field} ×${numText(s.scales[k])}`); });
  return parts.join(", ") || `run ${j + 1}`;
}

/** Mounts every explorer in the document not mounted yet; returns how many it mounted. */
export function mountAll(doc: Document = document): number {
  let n = 0;
  for (const el of Array.from(doc.querySelectorAll<HTMLElement>("[data-nirkit-explorer]"))) {
    if (el.dataset.mounted) continue;
    const src = doc.getElementById(`${el.id}-config`);
    if (!src) continue;
    el.dataset.mounted = "…";
    const m = mount(el, JSON.parse(src.textContent ?? "{}") as ExploreConfig);
    const w = window as unknown as { nirkitExplorers?: Record<string, Mounted> };
    (w.nirkitExplorers ??= {})[el.id] = m;
    n++;
  }
  return n;
}

// Mount now and again for a few seconds (outputs the classic Notebook attaches after running this).
mountAll();
let tries = 0;
const again = setInterval(() => {
  mountAll();
  if (++tries >= 50) clearInterval(again);
}, 100);
