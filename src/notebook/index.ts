/** nirkit layer: notebook (filled in by its issue). */
export {};
