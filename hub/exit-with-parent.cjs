// Loaded with `node --require` before configurable-http-proxy: the proxy ends when the process
// that started it ends, however that process died (its end closes this process's stdin pipe).
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
