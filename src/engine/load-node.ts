// Node-only loader: reads build/engine.wasm (built by `npm run asbuild`, run at npm install) and
// creates an Engine. The browser page loads the same file with fetch.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, type EngineOptions } from "./engine.ts";

export const ENGINE_WASM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/engine.wasm");

let compiled: WebAssembly.Module | null = null;

export function engineModule(): WebAssembly.Module {
  if (!compiled) {
    if (!fs.existsSync(ENGINE_WASM)) throw new Error(`${ENGINE_WASM} is missing: run npm run asbuild`);
    compiled = new WebAssembly.Module(fs.readFileSync(ENGINE_WASM));
  }
  return compiled;
}

export function loadEngine(opts: EngineOptions = {}): Promise<Engine> {
  return Engine.create(engineModule(), opts);
}
