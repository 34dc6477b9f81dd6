// An in-memory AdmTarget for the wvsadm runner tests: a fixed snapshot / connection list / timeouts
// for the listings, and a rule set that apply() changes with ruleset-apply's kernel semantics (all
// or nothing), recording every call.
import type { AdmTarget, ConnStatus, DirectorStatus } from "../../src/control/target.ts";
import type { Command, SvcSpec } from "../../src/control/ipvsadm-cmd.ts";
import type { RuleSet, Snapshot } from "../../src/control/model.ts";
import { emptyRuleSet } from "../../src/control/rules.ts";
import { applyCommand, sameService } from "../../src/control/ruleset-apply.ts";
import { fail } from "../../src/control/errors.ts";

const NO_RATES = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

export class MemTarget implements AdmTarget {
  readonly name = "memory";
  rs: RuleSet = emptyRuleSet();
  applied: Command[][] = [];
  zeroed: (SvcSpec | null)[] = [];
  constructor(
    public snap: Snapshot = { connTabSize: 4096, services: [] },
    public connList: ConnStatus[] = [],
    public timeouts = { tcp: 900, tcpfin: 120, udp: 300 },
  ) {}
  async rules(): Promise<RuleSet> { return structuredClone(this.rs); }
  async status(): Promise<DirectorStatus> {
    return {
      snapshot: this.snap,
      totals: { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0, rates: NO_RATES },
      conns: { total: this.connList.length, capacity: 0, byState: {} },
      drops: {}, defense: { dropEntry: 0, dropPacket: 0, secureTcp: 0, dropRate: 0, availPages: 0 },
      timeouts: this.timeouts, uptimeSecs: 0,
    };
  }
  async conns(): Promise<ConnStatus[]> { return this.connList; }
  async apply(cmds: Command[]): Promise<void> {
    const next = structuredClone(this.rs);
    for (const c of cmds) applyCommand(next, c, 0);
    this.rs = next;
    this.applied.push(cmds);
  }
  async zero(svc: SvcSpec | null): Promise<void> {
    if (svc && !this.snap.services.some((s) => sameService(s, svc))) fail("No such service");
    this.zeroed.push(svc);
  }
}

/** Runs one invocation and collects what it printed. */
export async function run(
  runAdm: (argv: string[], t: AdmTarget, io: { stdin(): Promise<string>; out(s: string): void; err(s: string): void }) => Promise<number>,
  target: AdmTarget, argv: string[], stdin = "",
): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runAdm(argv, target, { stdin: async () => stdin, out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}
