/** nirkit layer: io (filled in by its issue). */
export {};
