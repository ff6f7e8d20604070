/**
 * PNG screenshots of SVG charts through headless Chromium (playwright-core), for README images
 * and `nir plot --out x.png`. Optional: needs the `chromium` binary and the playwright-core
 * package; both are loaded only when a PNG is asked for.
 */
import { existsSync } from "node:fs";
import { NirError } from "../ir/errors.js";

/** Flags that make Chromium start quietly in containers (no sandbox, GPU or background traffic). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Where Chromium is: $CHROMIUM_PATH, else the first of the usual Debian/Ubuntu paths that exists. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

interface Shot {
  svg: string;
  path: string;
}

/**
 * Screenshots SVG strings to PNG files (one browser for all). `scale` is the device pixel ratio
 * (default 2 for crisp README images). Throws NirError("viz.invalid") when Chromium or
 * playwright-core is missing, saying how to install them.
 */
export async function svgToPng(shots: Shot[], opts: { scale?: number } = {}): Promise<void> {
  const exe = findChromium();
  if (!exe) {
    throw new NirError("viz.invalid", "PNG output needs Chromium, which was not found", {
      hint: "apt-get install -y chromium (or set CHROMIUM_PATH), or write .svg instead",
    });
  }
  let pw: { chromium: { launch(o: unknown): Promise<Browser> } };
  try {
    pw = (await import("playwright-core" as string)) as typeof pw;
  } catch (e) {
    throw new NirError("viz.invalid", "PNG output needs the playwright-core package", { hint: "npm install playwright-core, or write .svg instead", cause: e });
  }
  const browser = await pw.chromium.launch({ executablePath: exe, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ deviceScaleFactor: opts.scale ?? 2 });
    for (const s of shots) {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:white">${s.svg}</body></html>`);
      const el = await page.$("svg");
      if (!el) throw new NirError("viz.invalid", "the chart has no <svg> element to screenshot", { file: s.path });
      await el.screenshot({ path: s.path });
    }
  } finally {
    await browser.close();
  }
}

interface Browser {
  newPage(o: unknown): Promise<{
    setContent(html: string): Promise<void>;
    $(sel: string): Promise<{ screenshot(o: { path: string }): Promise<unknown> } | null>;
  }>;
  close(): Promise<void>;
}
