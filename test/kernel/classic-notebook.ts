// A one-cell notebook run in the classic Notebook that `npm start` serves, in Chromium: shared by
// the kernel tests that look at a cell's output in the page (live charts, the explorer).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startWorkshop, type Workshop } from "../../src/notebook/workshop.js";
import { ROOT } from "../support/index.js";

/** What a test holds open, filled as each part starts, for its afterAll to close with {@link closeNotebookUI}. */
export interface NotebookUI {
  workshop?: Workshop;
  browser?: { close(): Promise<void> };
}

/** A new folder `workspace/<prefix>XXXXXX` for a test's notebooks (workspace/ is made when missing, as in a fresh clone). */
export function workspaceTempDir(prefix: string): string {
  mkdirSync(join(ROOT, "workspace"), { recursive: true });
  return mkdtempSync(join(ROOT, "workspace", prefix));
}

/** Closes the browser and stops the workshop of `ui` (whatever of them started). */
export async function closeNotebookUI(ui: NotebookUI): Promise<void> {
  await ui.browser?.close().catch(() => undefined);
  await ui.workshop?.stop();
}

/**
 * Starts the workshop with `dir` as the working copy, writes `file` there as a one-cell nirkit
 * notebook holding `source`, opens it in Chromium (`chromiumPath`), waits for the kernel and runs
 * all cells. Returns the page and every URL it has requested (the list grows as the page works).
 */
export async function runInClassicNotebook(ui: NotebookUI, dir: string, file: string, source: string, chromiumPath: string): Promise<{ page: Page; requests: string[] }> {
  process.env.NIR_WORKSPACE = dir;
  try {
    ui.workshop = await startWorkshop({ cullIdleSeconds: 0, log: () => undefined });
  } finally {
    delete process.env.NIR_WORKSPACE;
  }
  writeFileSync(join(dir, file), JSON.stringify({
    cells: [{ cell_type: "code", metadata: {}, source, outputs: [], execution_count: null }],
    metadata: { kernelspec: { name: "nirkit", display_name: "TypeScript (NIR)", language: "typescript" } },
    nbformat: 4, nbformat_minor: 5,
  }));
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  ui.browser = browser;
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`http://127.0.0.1:${ui.workshop.port}/notebooks/${file}?token=${ui.workshop.token}`);
  await page.waitForFunction(() => (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter?.notebook?.kernel?.is_connected(), undefined, { timeout: 120_000 });
  await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }).Jupyter.notebook.execute_all_cells());
  return { page, requests };
}
