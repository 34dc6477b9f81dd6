// Node-only loader: reads build/engine.wasm (built by `npm run asbuild`, run at npm install) and
// creates an Engine. When the native addon is there, the engine's memory is advised to use huge
// pages before the tables are first written (large tables otherwise miss the TLB on nearly every
// lookup); `hugePages: false` turns that off. The browser page loads the same wasm with fetch.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, type EngineOptions } from "./engine.ts";
import { nativeAddon, nativeAddonError } from "../native/addon.ts";

export const ENGINE_WASM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/engine.wasm");

let compiled: WebAssembly.Module | null = null;

export function engineModule(): WebAssembly.Module {
  if (!compiled) {
    if (!fs.existsSync(ENGINE_WASM)) throw new Error(`${ENGINE_WASM} is missing: run npm run asbuild`);
    compiled = new WebAssembly.Module(fs.readFileSync(ENGINE_WASM));
  }
  return compiled;
}

/** Advises huge pages for the whole linear memory; returns a one-line note of what happened. */
export function adviseHugePages(memory: WebAssembly.Memory): string {
  const addon = nativeAddon();
  if (!addon) return `huge pages not advised: native addon unavailable (${nativeAddonError()})`;
  const r = addon.adviseHugePages(memory.buffer, 0, memory.buffer.byteLength);
  return r.ok ? `huge pages advised for ${r.bytes} bytes` : `huge pages not advised: madvise ${r.error}`;
}

export function loadEngine(opts: EngineOptions & { hugePages?: boolean } = {}): Promise<Engine> {
  const { hugePages = true, ...rest } = opts;
  return Engine.create(engineModule(), hugePages && !rest.prepareMemory ? { ...rest, prepareMemory: adviseHugePages } : rest);
}
