"use strict";
/**
 * Faster tab completion. tslab answers each complete_request by rebuilding the TypeScript program
 * with the cell as typed, and a new program means a new type checker that resolves every
 * candidate's type again (all of nirkit's exports for `nir.`). But the candidates depend on the
 * cell without the word being completed: `nir.L`, `nir.LI` and `nir.LIF` all complete the members
 * of `nir`. So the kernel asks tslab once for that cell-without-the-word and filters the answer
 * by the typed word itself, ranked as tslab ranks it (prefix, then case-insensitive prefix, then
 * substring). Answers are kept until the next executed cell changes the declarations.
 */

const WORD = /[\w$\u00c0-\uffff]/;
const MAX_ENTRIES = 64;

/** The identifier characters around `pos`: `[start, end)`. */
function wordAt(src, pos) {
  let start = pos;
  while (start > 0 && WORD.test(src[start - 1])) start--;
  let end = pos;
  while (end < src.length && WORD.test(src[end])) end++;
  return { start, end };
}

/** The entries matching `word`, ranked as tslab's completionWithId ranks them. */
function rank(entries, word) {
  const lower = word.toLowerCase();
  const picked = [];
  entries.forEach((e, index) => {
    const name = e.name;
    const lname = name.toLowerCase();
    const key = name.startsWith(word) ? "0" : lname.startsWith(lower) ? "1" : lname.includes(lower) ? "2" : "";
    if (key) picked.push({ name, sortKey: key + e.sortText, index });
  });
  picked.sort((a, b) => a.sortKey.localeCompare(b.sortKey) || a.index - b.index);
  return picked.map((p) => p.name);
}

/** Wraps `complete(prevDecl, src, pos)` of a tslab converter with the cache described above. */
function cachedComplete(complete) {
  const cache = new Map();
  let decls = null;
  return (prevDecl, src, pos) => {
    if (prevDecl !== decls) {
      cache.clear();
      decls = prevDecl;
    }
    const { start, end } = wordAt(src, pos);
    const rest = src.slice(0, start) + src.slice(end);
    let entries = cache.get(rest + "\u0000" + start);
    if (!entries) {
      const info = complete(prevDecl, rest, start);
      const original = info && info.original;
      if (!original || !Array.isArray(original.entries)) return complete(prevDecl, src, pos);
      entries = original.entries.slice();
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value);
      cache.set(rest + "\u0000" + start, entries);
    }
    if (start === end) {
      const sorted = entries.map((e, index) => ({ e, index }));
      sorted.sort((a, b) => a.e.sortText.localeCompare(b.e.sortText) || a.e.name.localeCompare(b.e.name) || a.index - b.index);
      return { start: pos, end: pos, candidates: sorted.map((s) => s.e.name) };
    }
    return { start, end, candidates: rank(entries, src.slice(start, end)) };
  };
}

module.exports = { cachedComplete, wordAt, rank };
