/**
 * Lookups and stores by a name that comes from a file or the command line. Plain objects inherit
 * `constructor`, `toString`, `__proto__`, …: a lookup must see only the object's own keys, and a
 * store of the key `__proto__` must create an own entry instead of replacing the prototype.
 */

/** `table[key]` when `key` is an own key of `table`, else undefined. */
export function ownValue<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Stores `value` as the own, enumerable entry `key` of `obj` (also for `__proto__`). */
export function setOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
