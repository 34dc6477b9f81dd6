// Node-side access to the committed packet fixtures (fixtures/packets/*.json) for tests: list the
// files, read and validate each one with the browser-safe parser of src/fixtures/format.ts.
import fs from "node:fs";
import path from "node:path";
import { root } from "./paths.ts";
import { parseFixture, type Fixture } from "../../src/fixtures/format.ts";

export const packetFixturesDir = path.join(root, "fixtures/packets");

/** Paths of every fixture file, sorted by name. */
export function fixtureFiles(): string[] {
  if (!fs.existsSync(packetFixturesDir)) return [];
  return fs.readdirSync(packetFixturesDir).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(packetFixturesDir, f));
}

export function readFixture(file: string): Fixture {
  return parseFixture(JSON.parse(fs.readFileSync(file, "utf8")), path.basename(file));
}
