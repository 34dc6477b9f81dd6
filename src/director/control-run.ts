// What the director runs for each control-socket request: a wvsadm invocation (argv + stdin) against
// its live target, answered with the exit code and both output streams. The one line below is where
// the full ipvsadm runner (src/control/adm-run.ts runAdm) replaces the stand-in.
import type { AdmTarget, ControlResponse } from "../control/target.ts";
import { standInRun } from "./stand-in-run.ts";

export type ControlRun = (argv: string[], stdin: string, target: AdmTarget) => Promise<ControlResponse>;

export const controlRun: ControlRun = standInRun;
