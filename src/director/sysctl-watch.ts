// A running director applies sysctl changes immediately: its --sysctl-file is watched (polled once a
// second, so editors' atomic renames and `wvs sysctl -w ... --sysctl-file F` are both seen) and
// re-read on every change and on SIGHUP: the file, then the --sysctl options again, over the defaults.
// A valid result goes to the engine (data-plane values), the defense timer (its variables, with
// update_defense_level run at once, as a write of the kernel's handler does) and the estimator
// (run_estimation); an invalid file keeps the running values and the error is reported. Node-only.
import fs from "node:fs";
import { SysctlSet, SysctlError } from "../control/sysctl.ts";
import { loadSysctlFile, hostCpus } from "../cli/sysctl-options.ts";
import type { Engine } from "../engine/engine.ts";
import type { DefenseTimer } from "../defense/index.ts";
import type { RateEstimator } from "../stats/estimator.ts";

export interface SysctlTargets { engine: Engine; defense: DefenseTimer; estimator: RateEstimator; log: (line: string) => void }

/** Builds the sysctls from the file and the options (throws a UsageError / SysctlError when invalid). */
export function readSysctls(file: string | undefined, assigns: readonly string[]): SysctlSet {
  const set = new SysctlSet({ cpus: hostCpus() });
  if (file !== undefined) loadSysctlFile(set, file);
  for (const a of assigns) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new SysctlError(a, "EINVAL", `--sysctl ${a}: expected NAME=VALUE`);
    set.write(a.slice(0, eq), a.slice(eq + 1).trim());
  }
  return set;
}

/** Applies a sysctl set to a running director's engine and timers. */
export function applySysctls(set: SysctlSet, t: SysctlTargets): void {
  set.apply(t.engine);
  Object.assign(t.defense.vars, set.defense());
  t.defense.varChanged(t.engine);
  t.estimator.enabled = set.getInt("run_estimation") !== 0;
}

/** Re-reads and applies; returns false (and logs why) when the new values are refused. */
export function reloadSysctls(file: string | undefined, assigns: readonly string[], t: SysctlTargets): boolean {
  try {
    applySysctls(readSysctls(file, assigns), t);
    if (file) t.log(`applied ${file}`);
    return true;
  } catch (e) {
    t.log(`sysctls not changed: ${(e as Error).message}`);
    return false;
  }
}

/** Watches the file; returns the function that stops watching. */
export function watchSysctlFile(file: string, assigns: readonly string[], t: SysctlTargets): () => void {
  const onChange = (cur: fs.Stats, prev: fs.Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) reloadSysctls(file, assigns, t);
  };
  fs.watchFile(file, { interval: 1000 }, onChange);
  return () => fs.unwatchFile(file, onChange);
}
