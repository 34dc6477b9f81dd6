// What the director runs for each control-socket request: a wvsadm invocation (argv + stdin) against
// its live target (src/control/adm-run.ts runAdm, the same runner the offline wvsadm uses),
// answered with the exit code and both output streams.
import type { AdmTarget, ControlResponse } from "../control/target.ts";
import { runAdm } from "../control/adm-run.ts";

export type ControlRun = (argv: string[], stdin: string, target: AdmTarget) => Promise<ControlResponse>;

export const controlRun: ControlRun = async (argv, stdin, target) => {
  let stdout = "", stderr = "";
  const code = await runAdm(argv, target, { stdin: async () => stdin, out: (s) => { stdout += s; }, err: (s) => { stderr += s; } });
  return { code, stdout, stderr };
};
