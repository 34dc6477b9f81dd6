// A small argv parser for the wvs subcommands: `--name value`, `--flag`, positionals. Unknown
// options and missing values are errors with a usage hint, never silently ignored.
export class UsageError extends Error {
  constructor(message: string) { super(message); this.name = "UsageError"; }
}

export interface ArgSpec { flags: string[]; values: string[]; multi?: string[] }

export interface Args { positional: string[]; flags: Set<string>; values: Map<string, string>; multi: Map<string, string[]> }

export function parseArgs(argv: readonly string[], spec: ArgSpec): Args {
  const out: Args = { positional: [], flags: new Set(), values: new Map(), multi: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { out.positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith("--") || a === "-") { out.positional.push(a); continue; }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.flags.includes(name)) {
      if (eq > 0) throw new UsageError(`option --${name} takes no value`);
      out.flags.add(name);
    } else if (spec.values.includes(name) || spec.multi?.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value`);
      if (spec.multi?.includes(name)) out.multi.set(name, [...(out.multi.get(name) ?? []), v]);
      else if (out.values.has(name)) throw new UsageError(`option --${name} given twice`);
      else out.values.set(name, v);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return out;
}

export function intOption(args: Args, name: string, min: number, max: number): number | undefined {
  const v = args.values.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got '${v}'`);
  return Number(v);
}
