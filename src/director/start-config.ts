// What a starting director (the library Director, api.ts, and the multi-worker director,
// workers/pool-director.ts) does with its configuration and endpoints: the configuration comes from
// the state file when it exists, else from the given rules (which then seed the state file once the
// engines took them); the control socket (control-server.ts) and the metrics endpoint
// (metrics-http.ts) are opened in front of a target. Failures are WvsErrors with stable codes
// (ESTATE, EINVAL, EIO, ESOCKET, EMETRICS). Node-only.
import type http from "node:http";
import type { RuleSet } from "../control/model.ts";
import type { AdmTarget } from "../control/target.ts";
import { parseRules, emptyRuleSet, RulesError } from "../control/rules.ts";
import { ConfigStore } from "./config-store.ts";
import { ControlServer, ControlError } from "./control-server.ts";
import type { ControlRun } from "./control-run.ts";
import { parseListenAddr, serveMetrics } from "./metrics-http.ts";
import { WvsError } from "./wvs-error.ts";

export interface StartingConfig { store: ConfigStore | null; rules: RuleSet; fromState: boolean }

/** The configuration to start with: the state file's (ESTATE when unreadable), else `rules` (EINVAL when bad). */
export function startingConfig(state: string | undefined, rules: RuleSet | string | undefined): StartingConfig {
  const store = state ? new ConfigStore(state) : null;
  let loaded: RuleSet | null;
  try { loaded = store ? store.load() : null; }
  catch (e) { throw new WvsError("ESTATE", e instanceof RulesError ? e.message : `${state}: ${(e as Error).message}`); }
  if (loaded) return { store, rules: loaded, fromState: true };
  try { return { store, rules: typeof rules === "string" ? parseRules(rules, "rules") : structuredClone(rules ?? emptyRuleSet()), fromState: false }; }
  catch (e) { if (e instanceof RulesError) throw new WvsError("EINVAL", e.message); throw e; }
}

/** Seeds the state file with the starting rules when they did not come from it (EIO when it cannot be written). */
export async function seedState(c: StartingConfig): Promise<void> {
  if (!c.store || c.fromState) return;
  try { await c.store.save(c.rules); } catch (e) { throw new WvsError("EIO", `cannot write ${c.store.file}: ${(e as Error).message}`); }
}

/** Opens the control socket at `path` for `target` (ESOCKET when another director holds it). */
export async function openControl(path: string, target: AdmTarget, run: ControlRun, log: (l: string) => void): Promise<ControlServer> {
  try { return await ControlServer.listen({ path, target, run, log }); }
  catch (e) { if (e instanceof ControlError) throw new WvsError("ESOCKET", e.message); throw e; }
}

/** Serves the metrics of `target` on `addr` (ADDR:PORT; EMETRICS when bad or in use). */
export async function openMetrics(addr: string, target: AdmTarget, log: (l: string) => void): Promise<http.Server> {
  const a = parseListenAddr(addr);
  if (!a) throw new WvsError("EMETRICS", `--metrics ${addr}: expected ADDR:PORT, e.g. 127.0.0.1:9100 or [::1]:9100`);
  try { return await serveMetrics(a.host, a.port, () => target.status(), log); }
  catch (e) { throw new WvsError("EMETRICS", `cannot serve metrics on ${addr}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}

/** Closes a metrics endpoint (and its keep-alive connections). */
export function closeMetrics(m: http.Server): Promise<void> {
  return new Promise<void>((r) => { m.close(() => r()); m.closeAllConnections?.(); });
}
