#!/usr/bin/env node
// Entry of the `wvs` command: runs the CLI from src/ (tsx, in a checkout) or dist/ (bin/entry.mjs).
import { cliModule } from "./entry.mjs";
await import(await cliModule("cli/wvs"));
