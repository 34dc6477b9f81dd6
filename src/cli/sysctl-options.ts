// `--sysctl NAME=VALUE` (repeatable, NAME with or without net.ipv4.vs.) and `--sysctl-file F`
// (sysctl.conf format) for `wvs replay`: read and validated before the capture is opened, applied
// to the engine before its first packet. The file is loaded first, then each --sysctl in order.
// A refused value is a usage error naming the option or FILE:LINE (exit 2).
import fs from "node:fs";
import os from "node:os";
import { UsageError, type Args } from "./args.ts";
import { SysctlError, SysctlSet } from "../control/sysctl.ts";
import { SysctlFileError, loadSysctlConf } from "../control/sysctl-conf.ts";

/** The parseArgs spec entries of the two options. */
export const SYSCTL_VALUES = ["sysctl-file"];
export const SYSCTL_MULTI = ["sysctl"];

/** CPUs of this host (est_cpulist's range). */
export function hostCpus(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** Reads a sysctl file into `set`; errors become UsageErrors (`FILE:LINE: reason`). */
export function loadSysctlFile(set: SysctlSet, file: string): void {
  let text: string;
  try { text = fs.readFileSync(file, "utf8"); }
  catch (e) { throw new UsageError(`${file}: cannot read sysctl file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  try { loadSysctlConf(set, text, file); }
  catch (e) { if (e instanceof SysctlFileError) throw new UsageError(`${file}:${e.line}: ${e.reason}`); throw e; }
}

/** The sysctls the options ask for, or null when neither option is given. */
export function sysctlsFromArgs(args: Args): SysctlSet | null {
  const file = args.values.get("sysctl-file");
  const assigns = args.multi.get("sysctl") ?? [];
  if (file === undefined && assigns.length === 0) return null;
  const set = new SysctlSet({ cpus: hostCpus() });
  if (file !== undefined) loadSysctlFile(set, file);
  for (const a of assigns) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new UsageError(`--sysctl ${a}: expected NAME=VALUE`);
    try { set.write(a.slice(0, eq), a.slice(eq + 1).trim()); }
    catch (e) { if (e instanceof SysctlError) throw new UsageError(`--sysctl ${a}: ${e.detail}`); throw e; }
  }
  return set;
}
