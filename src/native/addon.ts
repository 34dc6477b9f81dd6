// Loads the optional native addon (build/Release/wvs.node). Node-only. When it is missing or cannot
// load, nativeAddon() returns null and nativeAddonError() says why; nothing else depends on it.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface AdviseResult { ok: boolean; bytes: number; error?: string }
export interface Addon { adviseHugePages(buffer: ArrayBuffer, offset: number, length: number): AdviseResult }

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../build/Release/wvs.node");
let loaded: Addon | null | undefined;
let why = "";

export function nativeAddon(): Addon | null {
  if (loaded === undefined) {
    try { loaded = createRequire(import.meta.url)(file) as Addon; }
    catch (e) { loaded = null; why = `${file}: ${(e as Error).message.split("\n")[0]}`; }
  }
  return loaded;
}

export function nativeAddonError(): string { nativeAddon(); return why; }
