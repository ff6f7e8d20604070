/** nirkit layer: sim (filled in by its issue). */
export {};
