#!/usr/bin/env node
// The `nir` command: a thin launcher for the compiled CLI in dist/.
import { main } from "../dist/cli/main.js";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
