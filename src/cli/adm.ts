// `wvsadm` / `wvs adm`: the ipvsadm-compatible command. This first version works offline on a rules
// file (`wvsadm --rules F ARGS`): change commands (-A -E -D -C -a -e -d --set) are validated and
// applied with ipvsadm's semantics and the file is rewritten in `ipvsadm -S -n` form (created when
// missing); -L/-l (with -n, --stats, --thresholds, --persistent-conn, --exact, --nosort) and -S
// print the file's configuration in ipvsadm's formats. `--set TCP TCPFIN UDP` is kept in the file as
// a `--set` line after the rules (ipvsadm -S does not save timeouts, a state file must), and
// `-L --timeout` prints `Timeout (tcp tcpfin udp): 900 120 300` with the file's values. Talking to a running director through its
// control socket arrives with the control-plane issue.
import fs from "node:fs";
import { parseRules, applyRuleLine, emptyRuleSet, RulesError } from "../control/rules.ts";
import { LineError } from "../control/errors.ts";
import { formatList } from "../control/format-list.ts";
import { formatSave } from "../control/format-save.ts";
import { snapshotFromRules } from "../control/snapshot.ts";

const LIST_FLAGS: Record<string, string> = {
  n: "numeric", "-numeric": "numeric", "-stats": "stats", "-thresholds": "thresholds",
  "-persistent-conn": "persistentConn", "-exact": "exact", X: "exact", "-nosort": "nosort",
};

function expandShort(args: string[]): string[] {
  return args.flatMap((a) => (/^-[A-Za-z]{2,}$/.test(a) ? [...a.slice(1)].map((c) => `-${c}`) : [a]));
}

export async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf("--rules");
  if (i < 0 || i + 1 >= argv.length) {
    process.stderr.write("wvsadm: no running director to talk to yet; use --rules FILE to work on a rules file\n");
    return 2;
  }
  const file = argv[i + 1];
  const args = [...argv.slice(0, i), ...argv.slice(i + 2)];
  const exists = fs.existsSync(file);
  let rules;
  try { rules = exists ? parseRules(fs.readFileSync(file, "utf8"), file) : emptyRuleSet(); }
  catch (e) { if (e instanceof RulesError) { process.stderr.write(`${e.message}\n`); return 2; } throw e; }
  const short = expandShort(args);
  const listing = short.some((a) => a === "-L" || a === "-l" || a === "--list");
  if (listing && short.includes("--timeout")) {
    const t = rules.timeouts;
    process.stdout.write(`Timeout (tcp tcpfin udp): ${t?.tcp || 900} ${t?.tcpfin || 120} ${t?.udp || 300}\n`);
    return 0;
  }
  if (listing || short.includes("-S") || short.includes("--save")) {
    if (listing) {
      const opts: Record<string, boolean> = {};
      for (const a of short) {
        if (a === "-L" || a === "-l" || a === "--list") continue;
        const k = LIST_FLAGS[a.replace(/^-/, "")];
        if (!k) { process.stderr.write(`wvsadm: option ${a} is not supported on a rules file\n`); return 2; }
        opts[k] = true;
      }
      process.stdout.write(formatList(snapshotFromRules(rules), opts));
    } else process.stdout.write(formatSave(rules));
    return 0;
  }
  try { applyRuleLine(rules, args.join(" "), 1); }
  catch (e) { if (e instanceof LineError) { process.stderr.write(`${e.message}\n`); return 2; } throw e; }
  const t = rules.timeouts;
  fs.writeFileSync(file, formatSave(rules) + (t ? `--set ${t.tcp} ${t.tcpfin} ${t.udp}\n` : ""));
  return 0;
}
