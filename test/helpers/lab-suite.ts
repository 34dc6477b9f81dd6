// A uvu suite around a live namespace lab (src/lab/topology.ts): the topology and its servers are
// set up before the first test and torn down after the last (also when setup fails), with the
// test's temporary folder. `ready()` tells a test whether setup succeeded.
import { suite } from "uvu";
import fs from "node:fs";
import type { Lab } from "../../src/lab/topology.ts";

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
