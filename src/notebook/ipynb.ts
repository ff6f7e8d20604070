/**
 * The nbformat-4 notebook file as plain data: reading (source as one string), writing, and
 * collecting a cell's outputs from kernel messages the way Jupyter front ends do (consecutive
 * stream text merged, update_display_data replacing every output with that display id).
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";

/** One output of a code cell (nbformat 4). */
export interface CellOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: "stdout" | "stderr";
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** One notebook cell (nbformat 4). */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  source: string | string[];
  metadata: Record<string, unknown>;
  outputs?: CellOutput[];
  execution_count?: number | null;
}

/** A notebook file (nbformat 4). */
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A cell's source as one string. */
export function cellSource(c: NotebookCell): string {
  return Array.isArray(c.source) ? c.source.join("") : c.source;
}

/** Reads an .ipynb file; throws NirError naming the file when it is not a v4 notebook. */
export function readNotebook(path: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new NirError(missing ? "data.not_found" : "data.invalid", missing ? "no such notebook" : `not a JSON notebook: ${(e as Error).message}`, { file: path, hint: missing ? "check the path" : "open and re-save it in Jupyter" });
  }
  if (!nb || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new NirError("data.invalid", `not an nbformat-4 notebook (nbformat ${String(nb?.nbformat)})`, { file: path, hint: "convert it with `jupyter nbconvert --to notebook`" });
  }
  return nb;
}

/** A kernel IOPub message, reduced to what output collection needs. */
export interface IOPubMessage {
  msg_type: string;
  content: Record<string, unknown>;
}

/**
 * Collects outputs of one or more cells from IOPub messages. Display ids are tracked across
 * cells, so an update in a later cell rewrites the earlier output, as in the notebook UI.
 */
export function outputCollector(): (outputs: CellOutput[], msg: IOPubMessage) => boolean {
  const byDisplayId = new Map<string, CellOutput[]>();
  /** Adds `msg` to `outputs` (the current cell's list); returns true if it produced output. */
  return (outputs, msg) => {
    const c = msg.content;
    switch (msg.msg_type) {
      case "stream": {
        const name = c.name === "stderr" ? "stderr" : "stdout";
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === name) last.text += String(c.text ?? "");
        else outputs.push({ output_type: "stream", name, text: String(c.text ?? "") });
        return true;
      }
      case "display_data":
      case "execute_result": {
        const out: CellOutput = {
          output_type: msg.msg_type,
          data: (c.data as Record<string, unknown>) ?? {},
          metadata: (c.metadata as Record<string, unknown>) ?? {},
        };
        if (msg.msg_type === "execute_result") out.execution_count = (c.execution_count as number) ?? null;
        outputs.push(out);
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        if (id) byDisplayId.set(id, [...(byDisplayId.get(id) ?? []), out]);
        return true;
      }
      case "update_display_data": {
        const id = (c.transient as { display_id?: string } | undefined)?.display_id;
        for (const o of (id && byDisplayId.get(id)) || []) {
          o.data = (c.data as Record<string, unknown>) ?? {};
          o.metadata = (c.metadata as Record<string, unknown>) ?? {};
        }
        return false;
      }
      case "error":
        outputs.push({ output_type: "error", ename: String(c.ename ?? ""), evalue: String(c.evalue ?? ""), traceback: (c.traceback as string[]) ?? [] });
        return true;
      case "clear_output":
        outputs.length = 0;
        return false;
      default:
        return false;
    }
  };
}

/** Text of an error output without ANSI colour codes. */
export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}
