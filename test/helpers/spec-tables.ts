// Reads the state-transition tables straight out of ../shared/spec/ipvs-dataplane.md, so the engine's
// tables are checked against the spec text itself rather than against a second transcription.
import fs from "node:fs";
import path from "node:path";
import { shared } from "./paths.ts";

export const specPath = path.join(shared, "spec/ipvs-dataplane.md");
export const haveSpec = fs.existsSync(specPath);

/** Body rows (cells split on "|", header row dropped) of the markdown table after the line containing `title`. */
export function specTable(title: string): string[][] {
  const text = fs.readFileSync(specPath, "utf8");
  const at = text.indexOf(title);
  if (at < 0) throw new Error(`spec table not found: ${title}`);
  const rows: string[][] = [];
  for (const line of text.slice(at).split("\n").slice(1)) {
    if (line.startsWith("|")) {
      if (/^\|[-| ]+\|$/.test(line.trim())) continue;
      rows.push(line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim()));
    } else if (rows.length) break;
  }
  return rows.slice(1);
}
