#!/usr/bin/env node
// Entry of the `wvsadm` command (same as `wvs adm`): loads the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/cli/adm.ts");
process.exitCode = await main(process.argv.slice(2));
