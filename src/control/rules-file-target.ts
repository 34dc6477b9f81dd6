// The offline wvsadm target: an AdmTarget over a rules file (`wvsadm --rules F ...`). The file is
// read at open (a missing file is an empty configuration; it is created by the first change), every
// accepted change is applied to a copy with the kernel's semantics (ruleset-apply.ts) and written
// atomically — temp file in the same directory, fsync, rename, fsync of the directory — so the file
// is always either the old or the new configuration, never half written. A refused change leaves it
// untouched. The file holds the `ipvsadm -S -n` lines, then `--set TCP TCPFIN UDP` when timeouts were
// set (ipvsadm -S does not save them; a state file must); replay-only iptables mark lines are kept
// verbatim at the top; comments are not kept. A rules file has no counters and no connections.
import fs from "node:fs";
import path from "node:path";
import type { AdmTarget, ConnStatus, DirectorStatus } from "./target.ts";
import type { Command, SvcSpec } from "./ipvsadm-cmd.ts";
import type { RuleSet } from "./model.ts";
import { emptyRuleSet, isMarkLine, parseRules } from "./rules.ts";
import { applyCommand, sameService } from "./ruleset-apply.ts";
import { formatSave } from "./format-save.ts";
import { snapshotFromRules } from "./snapshot.ts";
import { fail } from "./errors.ts";

/** The kernel's default timeouts (tcp ESTABLISHED, tcp FIN_WAIT, udp), shown by `-L --timeout`. */
export const DEFAULT_TIMEOUTS = { tcp: 900, tcpfin: 120, udp: 300 };

/** The text of a rules file holding `rs` (mark lines given verbatim). */
export function formatRulesFile(rs: RuleSet, markLines: readonly string[] = []): string {
  const t = rs.timeouts;
  return markLines.map((l) => `${l}\n`).join("") + formatSave(rs, { thresholds: true }) + (t ? `--set ${t.tcp} ${t.tcpfin} ${t.udp}\n` : "");
}

function systemMessage(e: unknown, what: string): never {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string") fail(`${what}: ${err.message}`);
  throw e;
}

/** Write `text` to `file` atomically (temp + fsync + rename + directory fsync); an existing file keeps its mode. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let mode: number | null = null;
  try { mode = fs.statSync(file).mode & 0o7777; } catch { /* new file: default mode */ }
  let fd = -1;
  try {
    fd = fs.openSync(tmp, "wx", 0o644);
    if (mode !== null) fs.fchmodSync(fd, mode);
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, "r");
    try { fs.fsyncSync(dfd); } finally { fs.closeSync(dfd); }
  } catch { /* directories that cannot be opened for fsync (some filesystems): the rename is done */ }
}

export class RulesFileTarget implements AdmTarget {
  readonly name: string;
  private rs: RuleSet;
  private readonly markLines: string[];

  /** Opens `file`; throws RulesError for a bad file, LineError when it cannot be read. */
  constructor(readonly file: string) {
    this.name = `rules file ${file}`;
    let text = "";
    try { text = fs.readFileSync(file, "utf8"); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") systemMessage(e, `cannot read ${file}`);
    }
    this.rs = text ? parseRules(text, file) : emptyRuleSet();
    this.markLines = text.split("\n").filter(isMarkLine).map((l) => l.trim());
  }

  async rules(): Promise<RuleSet> { return structuredClone(this.rs); }

  async status(): Promise<DirectorStatus> {
    const t = this.rs.timeouts;
    return {
      snapshot: snapshotFromRules(this.rs),
      totals: { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0, rates: { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 } },
      conns: { total: 0, capacity: 0, byState: {} },
      drops: {},
      defense: { dropEntry: 0, dropPacket: 0, secureTcp: 0, dropRate: 0, availPages: 0 },
      timeouts: {
        tcp: t?.tcp || DEFAULT_TIMEOUTS.tcp, tcpfin: t?.tcpfin || DEFAULT_TIMEOUTS.tcpfin, udp: t?.udp || DEFAULT_TIMEOUTS.udp,
      },
      uptimeSecs: 0,
    };
  }

  async conns(): Promise<ConnStatus[]> { return []; }

  async apply(cmds: Command[]): Promise<void> {
    const next = structuredClone(this.rs);
    for (const c of cmds) applyCommand(next, c, 0);        // throws LineError: nothing written
    try { writeFileAtomic(this.file, formatRulesFile(next, this.markLines)); } catch (e) { systemMessage(e, `cannot write ${this.file}`); }
    this.rs = next;
  }

  async zero(svc: SvcSpec | null): Promise<void> {
    if (svc && !this.rs.services.some((s) => sameService(s, svc))) fail("No such service");
  }
}
