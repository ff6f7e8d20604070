/** nirkit layer: data (filled in by its issue). */
export {};
