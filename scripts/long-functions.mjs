// Lists the functions of src/ longer than a limit (house style: ≈ 80 lines), with their file,
// first line and length. Every function, method, accessor and arrow function counts, from its
// first to its last line; a nested function counts inside its parent too. Exit code 1 when one
// is found.
//
//   node scripts/long-functions.mjs [--max N] [DIR|FILE…]      (default: 80, src/ beside this script's folder)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

/** Every .ts file under dir (or dir itself when it is a file). */
function tsFiles(dir) {
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** A readable name for a function node: its own name, or the variable/property it is assigned to. */
function nameOf(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText();
  return "(anonymous)";
}

/** Functions of one file longer than `max` lines: [{ name, line, lines }]. */
export function longFunctionsOf(file, max) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (last - first + 1 > max) found.push({ name: nameOf(node), line: first, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Functions longer than `max` lines in every .ts file under the given folders, as "path:line name (N lines)" rows. */
export function longFunctions(dirs, max = 80, root = process.cwd()) {
  const rows = [];
  for (const dir of dirs) {
    for (const file of tsFiles(dir)) {
      for (const f of longFunctionsOf(file, max)) rows.push(`${relative(root, file)}:${f.line} ${f.name} (${f.lines} lines)`);
    }
  }
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const k = args.indexOf("--max");
  const max = k >= 0 ? Number(args[k + 1]) : 80;
  const dirs = args.filter((a, i) => a !== "--max" && args[i - 1] !== "--max").map((d) => resolve(d));
  const rows = longFunctions(dirs.length ? dirs : [join(here, "..", "src")], max);
  for (const r of rows) console.log(r);
  console.log(`${rows.length} function${rows.length === 1 ? "" : "s"} longer than ${max} lines`);
  process.exit(rows.length ? 1 : 0);
}
