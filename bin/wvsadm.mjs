#!/usr/bin/env node
// Entry of the `wvsadm` command (same as `wvs adm`): the CLI from src/ (tsx) or dist/ (bin/entry.mjs).
import { cliModule } from "./entry.mjs";
const { main } = await import(await cliModule("cli/adm"));
process.exitCode = await main(process.argv.slice(2));
