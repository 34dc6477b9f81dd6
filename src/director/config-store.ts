// The director's state file (`wvs director --state FILE`): its whole configuration in `ipvsadm -S -n`
// form (format-save.ts, with the thresholds ipvsadm -S leaves out) followed by a `--set TCP TCPFIN UDP`
// line when timeouts were set. Saving is atomic and durable: the text goes to a temporary file in the
// same folder, that file is fsync'ed, renamed over FILE, and the folder fsync'ed, so after a crash at
// any moment FILE holds either the previous or the new configuration, never a mix, and a save that
// resolved survives power loss. Loading parses it with the rules-file parser (rules.ts). Node-only.
import fs from "node:fs";
import path from "node:path";
import type { RuleSet } from "../control/model.ts";
import { formatRulesFile } from "../control/rules-file-target.ts";
import { parseRules } from "../control/rules.ts";

/** The state file's text for `rs`: a rules file's (rules-file-target.ts), without a `--set 0 0 0` line. */
export function formatState(rs: RuleSet): string {
  const t = rs.timeouts;
  return formatRulesFile(t && (t.tcp || t.tcpfin || t.udp) ? rs : { ...rs, timeouts: null });
}

/** fsync of a folder, so a rename in it is durable. */
async function syncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try { await h.sync(); } finally { await h.close(); }
}

export class ConfigStore {
  readonly file: string;
  private seq = 0;

  constructor(file: string) { this.file = path.resolve(file); }

  /**
   * The saved configuration, or null when FILE does not exist. Throws RulesError on a bad file.
   * Temporary files a crash left behind (never renamed, so never acknowledged) are removed.
   */
  load(): RuleSet | null {
    const dir = path.dirname(this.file), prefix = `.${path.basename(this.file)}.`;
    try { for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix) && f.endsWith(".tmp")) fs.rmSync(path.join(dir, f), { force: true }); }
    catch { /* folder missing: nothing to clean */ }
    let text: string;
    try { text = fs.readFileSync(this.file, "utf8"); }
    catch (e) { if ((e as NodeJS.ErrnoException).code === "ENOENT") return null; throw e; }
    return parseRules(text, this.file);
  }

  /** Writes `rs` atomically and durably (write temp, fsync, rename, fsync folder); resolves once durable. */
  async save(rs: RuleSet): Promise<void> {
    const dir = path.dirname(this.file);
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${++this.seq}.tmp`);
    const h = await fs.promises.open(tmp, "w", 0o600);
    try {
      await h.writeFile(formatState(rs), "utf8");
      await h.sync();
    } catch (e) {
      await h.close().catch(() => {});
      await fs.promises.rm(tmp, { force: true });
      throw e;
    }
    await h.close();
    try { await fs.promises.rename(tmp, this.file); }
    catch (e) { await fs.promises.rm(tmp, { force: true }); throw e; }
    await syncDir(dir);
  }
}
