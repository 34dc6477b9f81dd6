// The rules file: the `ipvsadm -S -n` save format, so a production `ipvsadm -Sn` dump replays as is,
// read line by line like `ipvsadm-restore` / `ipvsadm -R` (ipvs-control.md §6.7): lines split on
// blanks, any `ipvsadm` token dropped (a leading `/sbin/ipvsadm` too), blank lines and `#` comment
// lines skipped, each line one ipvsadm command (-A -E -D -C -a -e -d --set) with ipvsadm 1.31's
// option parsing, defaults and messages. Lines starting with `iptables` / `ip6tables` are replay-only
// firewall-mark rules (iptables-mark.ts). Difference from ipvsadm -R on purpose: the first error of
// any kind (syntax or "kernel", e.g. "Service already exists") stops parsing and nothing is returned,
// so a rules file is applied whole or not at all. Every error is a RulesError "FILE:LINE: reason".
// Browser-safe.
import type { RuleSet } from "./model.ts";
import { LineError, RulesError } from "./errors.ts";
import { parseIpvsadm } from "./ipvsadm-cmd.ts";
import { applyCommand } from "./ruleset-apply.ts";
import { applyMarkLine } from "./iptables-mark.ts";

export { RulesError } from "./errors.ts";
export { matchMark, applyMark } from "./iptables-mark.ts";

const IPTABLES_RE = /^ip(6?)tables(-legacy|-nft)?$/;

function basename(t: string): string {
  return t.slice(t.lastIndexOf("/") + 1);
}

/** An empty rule set. */
export function emptyRuleSet(): RuleSet {
  return { services: [], marks: [], timeouts: null };
}

/** Split one line into tokens the way config_stream does (spaces, tabs, CR). */
export function tokenize(line: string): string[] {
  return line.split(/[ \t\r\n\v\f]+/).filter((t) => t !== "");
}

/**
 * One line as `ipvsadm -R` reads it (config_stream): its tokens with any `ipvsadm` token (and a
 * leading `/sbin/ipvsadm`) dropped; none for blank and `#` comment lines.
 */
export function restoreTokens(line: string): string[] {
  let tokens = tokenize(line);
  if (tokens.length === 0 || tokens[0].startsWith("#")) return [];
  if (basename(tokens[0]) === "ipvsadm") tokens = tokens.slice(1);
  return tokens.filter((t) => t !== "ipvsadm");
}

/** Is this line a replay-only iptables mark rule? */
export function isMarkLine(line: string): boolean {
  const tokens = tokenize(line);
  return tokens.length > 0 && IPTABLES_RE.test(basename(tokens[0]));
}

/** Apply one rules-file line to `rs` (parseRules, line by line); throws LineError. */
export function applyRuleLine(rs: RuleSet, line: string, lineNo: number): void {
  let tokens = tokenize(line);
  if (tokens.length === 0 || tokens[0].startsWith("#")) return;
  const ipt = IPTABLES_RE.exec(basename(tokens[0]));
  if (ipt) {
    applyMarkLine(rs.marks, tokens.slice(1), ipt[1] ? 6 : 4, lineNo);
    return;
  }
  tokens = restoreTokens(line);
  if (tokens.length === 0) return;
  const cmd = parseIpvsadm(tokens);          // the whole line is validated before anything is applied
  applyCommand(rs, cmd, lineNo);
}

/**
 * Parse a rules file. `file` names it in error messages. Throws RulesError at the first bad line.
 */
export function parseRules(text: string, file: string): RuleSet {
  const rs = emptyRuleSet();
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    try {
      applyRuleLine(rs, lines[n], n + 1);
    } catch (e) {
      if (e instanceof LineError) throw new RulesError(file, n + 1, e.message.trimEnd());
      throw e;
    }
  }
  return rs;
}
