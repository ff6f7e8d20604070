// Import-cycle check over src/: walks every .ts file's imports (static, type-only, re-exports and
// dynamic import("…")) between files of src/, and prints each cycle found (Tarjan's strongly
// connected components). Exit code 1 when there is one.
//
//   node scripts/check-cycles.mjs [DIR]      (default: src/ beside this script's folder)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Every .ts file under dir. */
function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

const SPECIFIER = /(?:^|[;\s])(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

/** The src files a file imports (relative specifiers; ".js" names the ".ts" source). */
function importsOf(file, known) {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out = new Set();
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
    for (const cand of [target, target + ".ts", join(target, "index.ts")]) {
      if (known.has(cand)) {
        out.add(cand);
        break;
      }
    }
  }
  return [...out];
}

/** The import graph's cycles: strongly connected components of more than one file, or a file importing itself. */
export function findCycles(dir) {
  const files = tsFiles(dir);
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, importsOf(f, known)]));
  const index = new Map(), low = new Map(), stack = [], on = new Set(), cycles = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || edges.get(v).includes(v)) cycles.push(comp.map((f) => relative(dir, f)).sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return { files: files.length, cycles };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? join(here, "..", "src"));
  const { files, cycles } = findCycles(dir);
  for (const c of cycles) console.log(`import cycle: ${c.join(" ↔ ")}`);
  console.log(`${files} files under ${relative(process.cwd(), dir) || "."}: ${cycles.length} import cycle${cycles.length === 1 ? "" : "s"}`);
  process.exit(cycles.length ? 1 : 0);
}
