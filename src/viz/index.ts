/** nirkit layer: viz (filled in by its issue). */
export {};
