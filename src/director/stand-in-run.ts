// A minimal wvsadm runner for the control socket until the full one (src/control/adm-run.ts runAdm)
// is wired in (control-run.ts): change commands (-A -E -D -C -a -e -d --set) and -R (commands on
// stdin, applied all or nothing), -S, -L/-l (-n, --stats) and -Z without a service. Validation
// errors exit 2 with ipvsadm's message, refused changes 255, as ipvsadm does.
import type { AdmTarget, ControlResponse } from "../control/target.ts";
import { LineError } from "../control/errors.ts";
import { parseIpvsadm, type Command } from "../control/ipvsadm-cmd.ts";
import { splitArgv } from "../control/ipvsadm-argv.ts";
import { tokenize } from "../control/rules.ts";
import { formatSave } from "../control/format-save.ts";
import { formatList } from "../control/format-list.ts";

const ok = (stdout: string): ControlResponse => ({ code: 0, stdout, stderr: "" });
const err = (code: number, msg: string): ControlResponse => ({ code, stdout: "", stderr: `${msg}\n` });

export async function standInRun(argv: string[], stdin: string, target: AdmTarget): Promise<ControlResponse> {
  const a = argv.flatMap((t) => (/^-[A-Za-z]{2,}$/.test(t) ? [...t.slice(1)].map((c) => `-${c}`) : [t]));
  const has = (...o: string[]) => o.some((x) => a.includes(x));
  let cmds: Command[];
  try {
    splitArgv(a);                                   // unknown options and missing values: popt's errors
    if (has("-S", "--save")) return ok(formatSave(await target.rules()));
    if (a.length === 0 || has("-L", "-l", "--list")) return ok(formatList((await target.status()).snapshot, { stats: has("--stats") }));
    if (has("-Z", "--zero")) {
      if (a.length > 1) return err(2, "stand-in runner: -Z takes no service here");
      await target.zero(null);
      return ok("");
    }
    cmds = has("-R", "--restore")
      ? stdin.split("\n").map(tokenize).filter((t) => t.length && !t[0].startsWith("#")).map((t) => parseIpvsadm(t[0] === "ipvsadm" ? t.slice(1) : t))
      : [parseIpvsadm(a)];
  } catch (e) {
    if (e instanceof LineError) return err(2, e.message);
    throw e;
  }
  try { await target.apply(cmds); }
  catch (e) { if (e instanceof LineError) return err(255, e.message); throw e; }
  return ok("");
}
