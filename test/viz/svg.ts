/**
 * A tiny SVG reader for the viz tests: parses the SVG string vega writes into an element tree,
 * then answers "how many marks did mark group X draw" and "which axis titles are there".
 * Vega writes one `<g class="mark-<type> role-mark <name>_marks">` per named Vega-Lite unit, with
 * one child element per mark item (rect/symbol/line/area marks are `<path>`, text is `<text>`).
 */

export interface SvgElement {
  tag: string;
  attrs: Record<string, string>;
  children: SvgElement[];
  text: string;
}

const decode = (s: string): string =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Parses well-formed SVG/XML into a tree (throws on unbalanced tags, so a broken SVG fails the test). */
export function parseSvg(svg: string): SvgElement {
  const root: SvgElement = { tag: "#root", attrs: {}, children: [], text: "" };
  const stack: SvgElement[] = [root];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(svg))) {
    if (m.index !== consumed) throw new Error(`unparsable SVG near offset ${consumed}: ${svg.slice(consumed, consumed + 40)}`);
    consumed = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.text += decode(m[5]);
      continue;
    }
    const [, close, tag, attrText, selfClose] = m;
    if (close) {
      if (top.tag !== tag) throw new Error(`unbalanced </${tag}> (open: <${top.tag}>)`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
    const el: SvgElement = { tag, attrs, children: [], text: "" };
    top.children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (consumed !== svg.length) throw new Error("trailing garbage in SVG");
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].tag}>`);
  const svgEl = root.children.find((c) => c.tag === "svg");
  if (!svgEl) throw new Error("no <svg> element");
  return svgEl;
}

/** Every element of the tree, depth first. */
export function allElements(el: SvgElement): SvgElement[] {
  const out: SvgElement[] = [];
  const walk = (e: SvgElement): void => {
    out.push(e);
    for (const c of e.children) walk(c);
  };
  walk(el);
  return out;
}

/** The `<g>` groups of role-mark whose class names the Vega-Lite unit `name` (`<name>_marks`). */
export function markGroups(svg: SvgElement, name: string): SvgElement[] {
  return allElements(svg).filter((e) => {
    if (e.tag !== "g") return false;
    const cls = (e.attrs.class ?? "").split(/\s+/);
    return cls.includes("role-mark") && cls.includes(`${name}_marks`);
  });
}

/** Mark type of a group ("rect", "symbol", "line", "text", "rule", …) from its class. */
export function markType(g: SvgElement): string {
  return ((g.attrs.class ?? "").split(/\s+/).find((c) => c.startsWith("mark-")) ?? "").slice(5);
}

/** Number of mark items drawn in all groups named `name` (across facets); also checks the item tag. */
export function countMarks(svg: SvgElement, name: string, tag?: string): number {
  let n = 0;
  for (const g of markGroups(svg, name)) {
    for (const c of g.children) {
      if (tag && c.tag !== tag) throw new Error(`mark group ${name} drew a <${c.tag}>, expected <${tag}>`);
      n++;
    }
  }
  return n;
}

/** The texts of every axis title drawn. */
export function axisTitles(svg: SvgElement): string[] {
  return allElements(svg)
    .filter((e) => e.tag === "g" && (e.attrs.class ?? "").includes("role-axis-title"))
    .flatMap((g) => g.children.filter((c) => c.tag === "text").map((c) => c.text));
}

/** The texts of the chart titles and subtitles drawn. */
export function titleTexts(svg: SvgElement): string[] {
  return allElements(svg)
    .filter((e) => e.tag === "g" && /role-title-(text|subtitle)/.test(e.attrs.class ?? ""))
    .flatMap((g) => allElements(g).filter((c) => c.tag === "text" || c.tag === "tspan").map((c) => c.text))
    .filter((t) => t.length > 0);
}

/** All texts drawn inside mark groups named `name`. */
export function markTexts(svg: SvgElement, name: string): string[] {
  return markGroups(svg, name).flatMap((g) => g.children.map((c) => allElements(c).map((x) => x.text).join("")));
}

/** The texts of every axis tick label drawn. */
export function axisLabels(svg: SvgElement): string[] {
  return allElements(svg)
    .filter((e) => e.tag === "g" && (e.attrs.class ?? "").includes("role-axis-label"))
    .flatMap((g) => g.children.filter((c) => c.tag === "text").map((c) => c.text));
}
