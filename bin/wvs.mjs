#!/usr/bin/env node
// Entry of the `wvs` command: loads the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/cli/wvs.ts");
