// A uvu suite around a live namespace lab (src/lab/topology.ts): the topology and its servers are
// set up before the first test and torn down after the last (also when setup fails), with the
// test's temporary folder. `ready()` tells a test whether setup succeeded. liveUnavailable() says why
// such a suite cannot run here, runLive() runs it or reports it skipped with that reason.
import { suite, type Test } from "uvu";
import fs from "node:fs";
import { labUnavailable, type Lab } from "../../src/lab/topology.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";
import { skipSuite } from "./skip.ts";

/** Why live AF_PACKET tests cannot run (not root, no `ip netns`, no addon with AF_PACKET), or null. */
export function liveUnavailable(): string | null {
  const why = labUnavailable();
  if (why) return why;
  const addon = nativeAddon();
  return addon && typeof addon.openSocket === "function" ? null : `native addon unavailable (${nativeAddonError() || "built without AF_PACKET"})`;
}

/** Runs `live`, or reports the suite `name` skipped with the reason. */
export function runLive(live: Test, name: string): void {
  const why = liveUnavailable();
  if (why) skipSuite(name, why); else live.run();
}

export function labSuite(name: string, lab: Lab, tmp: string) {
  const live = suite(name);
  let ok = false;
  live.before(async () => {
    try {
      lab.setup();
      await lab.startServers();
      ok = true;
    } catch (e) { console.error(`setup failed: ${(e as Error).message}`); lab.teardown(); throw e; }
  });
  live.after(() => {
    lab.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return { live, ready: () => ok };
}
