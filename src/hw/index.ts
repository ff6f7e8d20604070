/** nirkit layer: hw (filled in by its issue). */
export {};
