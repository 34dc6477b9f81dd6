// sysctl.conf(5) files for the IPVS sysctls: read like `sysctl -p FILE` (procps-ng Preload) and
// rewritten in place by `wvs sysctl -w --sysctl-file F`. A line is blank, a comment (first
// non-blank character '#' or ';'), or `KEY = VALUE` (blanks around both trimmed; KEY with or without
// the net.ipv4.vs. prefix, '/' or '.' separated; a leading '-' on KEY ignores an unknown key or a
// refused value, as procps does). Unlike sysctl -p, the first error stops the load (the state file
// is applied whole or not at all) and names FILE:LINE. Browser-safe.
import { SYSCTL_PREFIX, SysctlError, SysctlSet, resolveSysctl } from "./sysctl.ts";

export interface ConfEntry { line: number; key: string; value: string; optional: boolean }

/** A sysctl file error: `message` is `sysctl: FILE:LINE: reason`. */
export class SysctlFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly reason: string) {
    super(`sysctl: ${file}:${line}: ${reason}`);
    this.name = "SysctlFileError";
  }
}

/** Splits one line: null for a blank or comment line, "syntax" for a bad one. */
function splitLine(raw: string): { key: string; value: string; optional: boolean } | null | "syntax" {
  const t = raw.trim();
  if (t === "" || t[0] === "#" || t[0] === ";") return null;
  const eq = t.indexOf("=");
  if (eq < 0) return "syntax";
  let key = t.slice(0, eq).trim();
  const value = t.slice(eq + 1).trim();
  const optional = key.startsWith("-");
  if (optional) key = key.slice(1).trim();
  if (key === "" || value === "") return "syntax";
  return { key, value, optional };
}

/** The assignments of a file, in order; syntax errors throw SysctlFileError. */
export function parseSysctlConf(text: string, file: string): ConfEntry[] {
  const out: ConfEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = splitLine(raw);
    if (s === "syntax") throw new SysctlFileError(file, i + 1, "invalid syntax (expected KEY = VALUE)");
    if (s) out.push({ line: i + 1, ...s });
  });
  return out;
}

/** Applies a file's assignments to `set` in order; the first refused one throws with FILE:LINE. */
export function loadSysctlConf(set: SysctlSet, text: string, file: string): void {
  for (const e of parseSysctlConf(text, file)) {
    try { set.write(e.key, e.value); }
    catch (err) {
      if (!(err instanceof SysctlError)) throw err;
      if (e.optional) continue;
      throw new SysctlFileError(file, e.line, err.detail);
    }
  }
}

/**
 * The file with `key` set to `value`: the last line assigning that variable is rewritten (keeping
 * its indentation and spelling of the key), or `net.ipv4.vs.NAME = VALUE` is appended.
 */
export function rewriteSysctlConf(text: string, key: string, value: string): string {
  const name = resolveSysctl(key).name;
  const lines = text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const s = splitLine(lines[i]);
    if (!s || s === "syntax") continue;
    let same = false;
    try { same = resolveSysctl(s.key).name === name; } catch { /* another key */ }
    if (!same) continue;
    const indent = /^\s*/.exec(lines[i])![0];
    lines[i] = `${indent}${s.optional ? "-" : ""}${s.key} = ${value}`;
    return lines.join("\n") + "\n";
  }
  lines.push(`${SYSCTL_PREFIX}${name} = ${value}`);
  return lines.join("\n") + "\n";
}
