/** Input/output: `.nir` HDF5 files, NIR graph data, JSON dumps, `.npy` arrays, atomic writes. */
export * from "./atomic.js";
export * from "./npy.js";
export { loadH5, readH5, writeH5, h5Layout, h5Entries, h5Child, guessChunks, BOOL_MARK_ATTR } from "./h5.js";
export type { H5Group, H5Dataset, H5DTypeInfo, H5LayoutEntry, H5WriteGroup, H5WriteDataset, ReadH5Options, H5AttrValue } from "./h5.js";
export * from "./read.js";
export { readH5Bounded, readH5DatasetBounded, stopReadWorker, readTimeoutMs, DEFAULT_READ_TIMEOUT_MS, type BoundedReadOptions } from "./read-bounded.js";
export * from "./write.js";
export * from "./dump.js";
export * from "./inspect.js";
export * from "./data.js";
