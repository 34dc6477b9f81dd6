// Paths tests share: the project root, ../shared and its capture folders.
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const shared = path.resolve(root, "../shared");
export const realPcaps = path.join(shared, "pcaps/real");
export const malformedPcaps = path.join(shared, "pcaps/malformed");
export const haveShared = fs.existsSync(path.join(shared, "pcaps"));

export function listCaptures(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort().map((f) => path.join(dir, f));
}
