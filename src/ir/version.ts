/** The nirkit package version (kept equal to package.json's by a test). */
export const version = "0.1.0";
/** Alias of {@link version}, as the Python package spells it. */
export const __version__ = version;
