// `wvs sysctl`: the IPVS sysctls the way sysctl(8) (procps-ng) shows and sets them, on a state file.
//   wvs sysctl [-n] [-q] [--sysctl-file F] -a             every variable, registration order
//   wvs sysctl [-n] [--sysctl-file F] KEY...               one line per key
//   wvs sysctl [-q] [--sysctl-file F] -w KEY=VALUE...      validate, set, echo; with F, rewrite F
// KEY is net.ipv4.vs.NAME, net/ipv4/vs/NAME or NAME; an argument with '=' is a write even without
// -w, as in procps. Output lines are `net.ipv4.vs.NAME = VALUE` (sync_threshold `3<TAB>50`); a write
// echoes the value as given, as sysctl(8) does. Each key is handled on its own and the command goes
// on after a failed one; errors go to stderr in sysctl(8)'s words. Exit status: 0, or 1 when
// anything failed (procps-ng 4 returns 1; usage errors too). Without --sysctl-file the values are
// the defaults; a running director's sysctls arrive with the live director.
import fs from "node:fs";
import { SYSCTL_PREFIX, SysctlError, SysctlSet, resolveSysctl } from "../control/sysctl.ts";
import { SysctlFileError, loadSysctlConf, rewriteSysctlConf } from "../control/sysctl-conf.ts";
import { writeFileAtomic } from "../io/capture-file.ts";
import { hostCpus } from "./sysctl-options.ts";

export const SYSCTL_USAGE = `usage: wvs sysctl [-n] [-q] [--sysctl-file FILE] (-a | KEY... | -w KEY=VALUE...)
  -a, --all           show every net.ipv4.vs variable
  -w, --write         set: KEY=VALUE (an argument with '=' is a write anyway)
  -n, --values        print values only
  -q, --quiet         do not echo written values
  --sysctl-file FILE  load FILE (sysctl.conf format) first; -w rewrites it with the change`;

interface Opts { all: boolean; write: boolean; values: boolean; quiet: boolean; file?: string; keys: string[] }

const SHORT: Record<string, keyof Opts> = { a: "all", A: "all", w: "write", n: "values", q: "quiet" };
const LONG: Record<string, keyof Opts> = { "--all": "all", "--write": "write", "--values": "values", "--quiet": "quiet" };

function parse(argv: string[]): Opts | string {
  const o: Opts = { all: false, write: false, values: false, quiet: false, keys: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--sysctl-file" || a.startsWith("--sysctl-file=")) {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") return "option --sysctl-file needs a file";
      if (o.file !== undefined) return "option --sysctl-file given twice";
      o.file = v;
    } else if (a === "-h" || a === "--help") return "help";
    else if (LONG[a]) (o as any)[LONG[a]] = true;
    else if (/^-[A-Za-z]+$/.test(a)) {
      for (const c of a.slice(1)) {
        if (!SHORT[c]) return `invalid option -- '${c}'`;
        (o as any)[SHORT[c]] = true;
      }
    } else if (a.startsWith("-") && !a.includes("=")) return `unrecognized option '${a}'`;
    else o.keys.push(a);
  }
  if (o.all && (o.write || o.keys.length)) return "-a shows every variable; it takes no keys and no -w";
  if (!o.all && o.keys.length === 0) return "no variables specified";
  return o;
}

export async function sysctlCommand(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (o === "help") { process.stdout.write(SYSCTL_USAGE + "\n"); return 0; }
  if (typeof o === "string") { process.stderr.write(`sysctl: ${o}\n${SYSCTL_USAGE}\n`); return 1; }
  const line = (m: string) => { process.stdout.write(`${m}\n`); };
  const err = (m: string) => { process.stderr.write(`${m}\n`); };
  const set = new SysctlSet({ cpus: hostCpus() });
  let fileText = "";
  const writing = o.write || o.keys.some((k) => k.includes("="));
  if (o.file !== undefined) {
    let exists = true;
    try { fileText = fs.readFileSync(o.file, "utf8"); }
    catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" || !writing) { err(`sysctl: cannot open "${o.file}": ${code === "ENOENT" ? "No such file or directory" : code}`); return 1; }
      exists = false;
    }
    if (exists) {
      try { loadSysctlConf(set, fileText, o.file); }
      catch (e) { if (e instanceof SysctlFileError) { err(e.message); return 1; } throw e; }
    }
  }
  const show = (name: string, value: string) => line(o.values ? value : `${SYSCTL_PREFIX}${name} = ${value}`);
  let failed = false;
  let changed = false;
  if (o.all) for (const [k, v] of set.entries()) line(o.values ? v : `${k} = ${v}`);
  for (const arg of o.keys) {
    const eq = arg.indexOf("=");
    try {
      if (eq < 0) {
        if (o.write) { err(`sysctl: "${arg}" must be of the form name=value`); failed = true; continue; }
        const d = resolveSysctl(arg);
        show(d.name, set.format(d.name));
        continue;
      }
      const d = resolveSysctl(arg.slice(0, eq));
      const given = arg.slice(eq + 1).trim();
      set.write(d.name, given);
      if (o.file !== undefined) {
        fileText = rewriteSysctlConf(fileText, d.name, set.format(d.name).replace("\t", " "));
        changed = true;
      }
      if (!o.quiet) show(d.name, given);
    } catch (e) {
      if (!(e instanceof SysctlError)) throw e;
      err(e.message);
      failed = true;
    }
  }
  if (changed) await writeFileAtomic(o.file!, new TextEncoder().encode(fileText));
  return failed ? 1 : 0;
}
