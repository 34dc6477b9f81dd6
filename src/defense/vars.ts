// The five defense variables of /proc/sys/net/ipv4/vs (ip_vs_ctl.c: amemthresh, am_droprate,
// drop_entry, drop_packet, secure_tcp; control §2.3) as a plain record with the kernel's defaults
// (ip_vs_control_net_init: amemthresh 1024 pages, am_droprate 10, the three modes 0). The defense
// timer rewrites drop_entry / drop_packet / secure_tcp between 1 and 2 in this very record, as the
// kernel rewrites its sysctls. Browser-safe. setDefenseVar is the write handler a sysctl layer calls:
// the modes take 0..3 (proc_do_defense_mode, EINVAL otherwise), the other two any int
// (proc_dointvec).
export interface DefenseVars {
  amemthresh: number;
  am_droprate: number;
  drop_entry: number;
  drop_packet: number;
  secure_tcp: number;
}

export const DEFENSE_DEFAULTS: Readonly<DefenseVars> = Object.freeze({
  amemthresh: 1024, am_droprate: 10, drop_entry: 0, drop_packet: 0, secure_tcp: 0,
});

export const DEFENSE_VAR_NAMES = ["amemthresh", "am_droprate", "drop_entry", "drop_packet", "secure_tcp"] as const;
export type DefenseVarName = typeof DEFENSE_VAR_NAMES[number];

export class DefenseVarError extends Error {
  constructor(message: string) { super(message); this.name = "DefenseVarError"; }
}

export function defenseDefaults(over: Partial<DefenseVars> = {}): DefenseVars {
  return { ...DEFENSE_DEFAULTS, ...over };
}

export function isDefenseVar(name: string): name is DefenseVarName {
  return (DEFENSE_VAR_NAMES as readonly string[]).includes(name);
}

const INT_RE = /^[+-]?\d+$/;

/**
 * Validates and stores one value (text as written to /proc). Returns true when a mode changed,
 * i.e. when the kernel would run update_defense_level at once (DefenseTimer.varChanged).
 */
export function setDefenseVar(vars: DefenseVars, name: string, text: string): boolean {
  if (!isDefenseVar(name)) throw new DefenseVarError(`${name}: not a defense variable (${DEFENSE_VAR_NAMES.join(", ")})`);
  const t = text.trim();
  if (!INT_RE.test(t)) throw new DefenseVarError(`${name}: '${text}' is not an integer`);
  const v = Number(t);
  if (v < -2147483648 || v > 2147483647) throw new DefenseVarError(`${name}: ${t} is out of int range`);
  if (name === "drop_entry" || name === "drop_packet" || name === "secure_tcp") {
    if (v < 0 || v > 3) throw new DefenseVarError(`${name}: ${t} is out of range 0..3 (Invalid argument)`);
    const changed = vars[name] !== v;
    vars[name] = v;
    return changed;
  }
  vars[name] = v;
  return false;
}

/** "drop_entry=1,drop_packet=3,am_droprate=5" -> a record over the defaults. */
export function parseDefenseList(text: string, base: DefenseVars = defenseDefaults()): DefenseVars {
  const vars = { ...base };
  for (const part of text.split(",")) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf("=");
    if (eq <= 0) throw new DefenseVarError(`'${p}': expected name=value`);
    setDefenseVar(vars, p.slice(0, eq).trim(), p.slice(eq + 1));
  }
  return vars;
}
